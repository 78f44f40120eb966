-- Argo CD health check for onair.dev/HarvestJob: put it in argocd-cm as
-- resource.customizations.health.onair.dev_HarvestJob (docs/argocd/README.md).
-- It reads the conditions onair writes: Ready, and the kstatus pair
-- Reconciling / Stalled, which are present only while true.
local hs = {status = "Progressing", message = "Waiting for onair to report status"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local c = {}
for _, condition in ipairs(obj.status.conditions) do
  c[condition.type] = condition
end
local function say(condition)
  if condition.message ~= nil and condition.message ~= "" then
    return condition.reason .. ": " .. condition.message
  end
  return condition.reason
end
-- A spec onair has not seen yet: whatever the conditions say is about the
-- previous generation.
local generation = obj.metadata ~= nil and obj.metadata.generation or nil
local observed = obj.status.observedGeneration
if generation ~= nil and observed ~= nil and observed < generation then
  hs.message = "Waiting for onair to observe generation " .. generation
  return hs
end
-- Like a Job: Healthy once the clip is harvested, Degraded once it failed.
if obj.status.phase == "Failed" or (c.Failed ~= nil and c.Failed.status == "True") then
  return {status = "Degraded", message = say(c.Failed or c.Ready or {reason = "Failed"})}
end
if obj.status.phase == "Succeeded" or (c.Complete ~= nil and c.Complete.status == "True") then
  return {status = "Healthy", message = say(c.Complete or c.Ready or {reason = "Succeeded"})}
end
if c.Stalled ~= nil and c.Stalled.status == "True" then
  return {status = "Degraded", message = say(c.Stalled)}
end
local ready = c.Ready
if ready ~= nil and ready.status == "True" then
  return {status = "Healthy", message = say(ready)}
end
if c.Reconciling ~= nil and c.Reconciling.status == "True" then
  hs.message = say(c.Reconciling)
elseif ready ~= nil then
  hs.message = say(ready)
end
return hs
