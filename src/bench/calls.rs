//! How the bench says a span's AWS calls: the writes counted exactly (a
//! per-channel figure rounds a handful of writes among thousands of
//! channels to 0.00, and the target is none) with the operations that
//! wrote, and the reads per channel.

use crate::aws::remote::SimStats;

/// "N writes (…) and R reads per channel" for the calls of `stats`.
pub fn writes_and_reads(stats: &SimStats, channels: usize) -> String {
    let writing: Vec<String> = stats
        .writing_operations()
        .map(|(service, operation, n)| format!("{} {operation} {n}", service.name()))
        .collect();
    let which = if writing.is_empty() {
        String::new()
    } else {
        format!(" ({})", writing.join(", "))
    };
    format!(
        "{} writes{which} and {:.2} reads per channel",
        stats.writes(),
        stats.reads() as f64 / channels.max(1) as f64
    )
}

/// Every operation's calls per channel (`to` what), busiest first.
pub fn print_by_operation(to: &str, stats: &SimStats, channels: usize) {
    let mut calls = stats.calls.clone();
    calls.sort_by_key(|&(_, _, n)| std::cmp::Reverse(n));
    println!("calls per channel {to}, by operation:");
    for (service, operation, n) in calls {
        println!(
            "  {:>6.1}  {} {operation}",
            n as f64 / channels as f64,
            service.name()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Service;

    #[test]
    fn no_write_reads_as_zero_exactly() {
        let calls = SimStats::of_calls(&[(Service::MediaLive, "describe_channel", 30)]);
        assert_eq!(
            writes_and_reads(&calls, 3),
            "0 writes and 10.00 reads per channel"
        );
    }

    #[test]
    fn a_few_writes_among_many_channels_are_counted_and_named() {
        let calls = SimStats::of_calls(&[
            (Service::MediaLive, "describe_channel", 10_000),
            (Service::MediaTailor, "put_playback_configuration", 7),
            (Service::MediaTailor, "get_playback_configuration", 0),
        ]);
        assert_eq!(
            writes_and_reads(&calls, 10_000),
            format!(
                "7 writes ({} put_playback_configuration 7) and 1.00 reads per channel",
                Service::MediaTailor.name()
            )
        );
    }
}
