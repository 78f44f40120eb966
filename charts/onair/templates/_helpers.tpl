{{- define "onair.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "onair.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "onair.labels" -}}
app.kubernetes.io/name: {{ include "onair.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "onair.selectorLabels" -}}
app.kubernetes.io/name: {{ include "onair.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "onair.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "onair.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "onair.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "onair.leaseName" -}}
{{- default (printf "%s-leader" (include "onair.fullname" .)) .Values.leaderElection.leaseName -}}
{{- end -}}

{{/* A per-service map as the operator reads it: service=n,... in key order
(awsBudgets, awsConcurrency). */}}
{{- define "onair.perService" -}}
{{- $items := list -}}
{{- range $service, $n := . -}}
{{- $items = append $items (printf "%s=%v" $service (int64 $n)) -}}
{{- end -}}
{{- join "," $items -}}
{{- end -}}

{{/* The rules for onair's namespaced objects, in a ClusterRole (all
namespaces) or in a Role per watched namespace. */}}
{{- define "onair.namespacedRules" -}}
# The onair objects: read and watch them, record AWS ids (annotations) and
# manage the cleanup finalizer.
- apiGroups: ["onair.dev"]
  resources: [livechannels, adinsertions, tokenpolicies, harvestjobs]
  verbs: [get, list, watch, patch, update]
- apiGroups: ["onair.dev"]
  resources: [livechannels/status, adinsertions/status, tokenpolicies/status, harvestjobs/status]
  verbs: [get, patch, update]
- apiGroups: ["onair.dev"]
  resources: [livechannels/finalizers, adinsertions/finalizers, tokenpolicies/finalizers, harvestjobs/finalizers]
  verbs: [update]
# HarvestJobs with ttlSecondsAfterFinished are deleted by the operator.
- apiGroups: ["onair.dev"]
  resources: [harvestjobs]
  verbs: [delete]
# Revoked-session lists (ConfigMaps): read only. Secrets are not here: they
# get a Role of their own in each secretNamespace (onair.secretRules), so no
# ClusterRole ever grants them.
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch]
# An Event for every AWS mutation.
- apiGroups: ["events.k8s.io"]
  resources: [events]
  verbs: [create, patch]
{{- end -}}

{{/* Signing keys (TokenPolicy) and SRT passphrases (LiveChannel): read by
name, and their metadata watched so a change reaches AWS at once; never
written. Only in a Role, in each of onair.secretNamespaces. */}}
{{- define "onair.secretRules" -}}
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch]
{{- end -}}

{{/* The namespaces whose Secrets onair may read, comma-separated:
secretNamespaces, else the watched namespaces (none when onair watches every
namespace: cluster-wide Secret access is never granted). */}}
{{- define "onair.secretNamespaces" -}}
{{- join "," (.Values.secretNamespaces | default .Values.watchNamespaces) -}}
{{- end -}}

{{/* The cluster-scoped AwsProvider: read by every reconciler. */}}
{{- define "onair.clusterRules" -}}
- apiGroups: ["onair.dev"]
  resources: [awsproviders]
  verbs: [get, list, watch, patch, update]
- apiGroups: ["onair.dev"]
  resources: [awsproviders/status]
  verbs: [get, patch, update]
{{- end -}}
