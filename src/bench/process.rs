//! The operator process's own figures, from /proc (Linux): its CPU time and
//! its memory.

/// Process CPU time (user + system) from /proc (Linux), in seconds.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on every Linux architecture onair runs on.
    Some(ticks / 100.0)
}

/// VmHWM from /proc (Linux), the process's peak resident set, with what is
/// resident now split into heap and stacks (anonymous) and the binary's
/// pages (file).
pub fn peak_memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return "unknown (no /proc)".into();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    // /proc writes KiB as "kB".
    let mib = |name: &str| {
        let kib = field(name);
        kib.trim_end_matches(" kB")
            .parse::<f64>()
            .map(|k| format!("{:.1} MiB", k / 1024.0))
            .unwrap_or(kib)
    };
    format!(
        "{} (resident at the end: {} anonymous, {} of the binary)",
        mib("VmHWM:"),
        mib("RssAnon:"),
        mib("RssFile:")
    )
}

/// Resets VmHWM to what is resident now (Linux 4.0 and later), so a later
/// [`peak_memory`] is the peak of what came after; false where refused.
pub fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
