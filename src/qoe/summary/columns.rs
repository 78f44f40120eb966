//! Reading a record: where each field is in the configuration's list, and the
//! values (status, exact decimals, timestamps, edge groups) parsed from it.

use super::model::*;

/// Where each needed field is in a record, if logged.
#[derive(Clone, Copy, Default)]
pub(super) struct Columns {
    pub(super) timestamp: Option<usize>,
    pub(super) status: Option<usize>,
    pub(super) ttfb: Option<usize>,
    pub(super) edge: Option<usize>,
    pub(super) bitrate: Option<usize>,
    pub(super) starvation: Option<usize>,
    pub(super) object_type: Option<usize>,
    pub(super) session: Option<usize>,
}

impl Columns {
    pub(super) fn new<S: AsRef<str>>(fields: &[S]) -> Self {
        let at = |name: &str| fields.iter().position(|f| f.as_ref() == name);
        Self {
            timestamp: at(TIMESTAMP),
            status: at(STATUS),
            ttfb: at(TTFB),
            edge: at(EDGE),
            bitrate: at(BITRATE),
            starvation: at(STARVATION),
            object_type: at(OBJECT_TYPE),
            session: at(SESSION),
        }
    }

    pub(super) fn unavailable(&self) -> Vec<Unavailable> {
        let metric = |metric, needs: &[(&'static str, Option<usize>)]| {
            let missing_fields: Vec<_> = needs
                .iter()
                .filter(|(_, c)| c.is_none())
                .map(|(f, _)| *f)
                .collect();
            (!missing_fields.is_empty()).then_some(Unavailable {
                metric,
                missing_fields,
            })
        };
        [
            metric("error rate", &[(STATUS, self.status)]),
            metric("time to first byte", &[(TTFB, self.ttfb)]),
            metric("bitrate distribution", &[(BITRATE, self.bitrate)]),
            metric("buffer starvations", &[(STARVATION, self.starvation)]),
            metric(
                "rebuffer ratio",
                &[
                    (STARVATION, self.starvation),
                    (OBJECT_TYPE, self.object_type),
                ],
            ),
            metric("sessions", &[(SESSION, self.session)]),
            metric("per-edge breakdown", &[(EDGE, self.edge)]),
            metric("time range", &[(TIMESTAMP, self.timestamp)]),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The value at `column`, None when not logged or `-`.
pub(super) fn value<'a>(values: &[&'a str], column: Option<usize>) -> Option<&'a str> {
    let v = values.get(column?)?.trim();
    (!v.is_empty() && v != "-").then_some(v)
}

/// A non-negative decimal (`0.012`, `1732612345.123`) as an integer count of
/// 10^-`digits` units, exactly (no floating point): digits past `digits` are
/// dropped.
fn fixed(text: &str, digits: usize) -> Option<u128> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut units = whole.checked_mul(10u128.pow(digits as u32))?;
    for (i, d) in fraction.bytes().take(digits).enumerate() {
        units += u128::from(d - b'0') * 10u128.pow((digits - 1 - i) as u32);
    }
    Some(units)
}

/// `timestamp`: epoch seconds with a fraction.
pub fn parse_timestamp(text: &str) -> Option<jiff::Timestamp> {
    let nanos = i128::try_from(fixed(text, 9)?).ok()?;
    jiff::Timestamp::from_nanosecond(nanos).ok()
}

/// `time-to-first-byte`: seconds as a decimal, answered in microseconds.
pub fn parse_seconds_as_micros(text: &str) -> Option<u64> {
    u64::try_from(fixed(text, 6)?).ok()
}

/// The group of an `x-edge-location` value (see [`DEFINITIONS`]).
pub fn edge_group(location: Option<&str>) -> String {
    let Some(location) = location else {
        return UNKNOWN_EDGE.to_string();
    };
    let code: String = location
        .chars()
        .take(3)
        .take_while(char::is_ascii_alphabetic)
        .collect();
    if code.len() == 3 {
        code.to_ascii_uppercase()
    } else {
        location.to_string()
    }
}
