//! Wall-clock helpers: unix milliseconds, durations like `30d`, ISO dates.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Parses `90s`, `15m`, `12h`, `30d`, `2w` into milliseconds; `never` is `None`.
pub fn parse_expiry(text: &str) -> Result<Option<i64>, String> {
    let t = text.trim().to_ascii_lowercase();
    if t == "never" || t == "none" || t == "0" {
        return Ok(None);
    }
    let bad = || {
        format!("--expires takes a duration like 90s, 15m, 12h, 30d, 2w or never (got {text:?})")
    };
    let (num, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| bad())?;
    if n <= 0 {
        return Err(bad());
    }
    let unit_ms: i64 = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return Err(bad()),
    };
    n.checked_mul(unit_ms).map(Some).ok_or_else(bad)
}

/// `2026-01-31T12:00:00Z` for unix milliseconds (UTC).
pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_units() {
        assert_eq!(parse_expiry("90s"), Ok(Some(90_000)));
        assert_eq!(parse_expiry("12h"), Ok(Some(43_200_000)));
        assert_eq!(parse_expiry("30d"), Ok(Some(2_592_000_000)));
        assert_eq!(parse_expiry("never"), Ok(None));
        assert!(parse_expiry("30").is_err());
        assert!(parse_expiry("-1d").is_err());
        assert!(parse_expiry("d").is_err());
        assert!(parse_expiry("5y").is_err());
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_767_225_600_000), "2026-01-01T00:00:00Z");
        assert_eq!(iso(951_782_400_000 + 3_723_000), "2000-02-29T01:02:03Z");
    }
}
