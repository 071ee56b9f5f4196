//! Units users write: sizes (`512M`, `1.5G`) and durations (`30s`, `1h30m`).

use std::time::Duration;

/// A size: bytes, or with a binary suffix K, M, G, T (`512M`, `1.5G`,
/// `64MiB`; `B` and `iB` are accepted and mean the same).
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let bad = || format!("{s:?} is not a size (write bytes or e.g. 512M, 1.5G, 64KiB)");
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    // Exactly one suffix: K, KB, KiB (any case); nothing else after it.
    let unit = unit.trim().to_ascii_uppercase();
    let prefix = unit
        .strip_suffix("IB")
        .or_else(|| unit.strip_suffix('B'))
        .unwrap_or(&unit);
    let mult: u64 = match prefix {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(bad()),
    };
    let v = n * mult as f64;
    if !v.is_finite() || v < 1.0 || v >= u64::MAX as f64 {
        return Err(format!("{s:?} is not a usable size (at least 1 byte)"));
    }
    Ok(v as u64)
}

/// [`parse_duration`] of a time limit or lifetime, which 0 would end
/// before it began: `--ttl 0` or `--timeout 0` is refused.
pub fn parse_positive_duration(s: &str) -> std::result::Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err(format!("{s:?}: a time limit must be more than 0")),
        d => Ok(d),
    }
}

/// Parses a duration: `90s`, `10m`, `1h30m`, `2 days`, `500ms`, or bare seconds.
pub fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let bad = || format!("{s:?} is not a duration (try 30s, 10m, 1h30m or 2d)");
    let d: jiff::SignedDuration = match t.parse() {
        Ok(d) => d,
        // Days (and weeks) are calendar units to jiff: here a day is 24 hours.
        Err(_) => t
            .parse::<jiff::Span>()
            .map_err(|_| bad())?
            .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
            .map_err(|_| bad())?,
    };
    Duration::try_from(d).map_err(|_| format!("{s:?}: a duration cannot be negative"))
}

/// Formats a duration the way [`parse_duration`] reads it.
pub fn format_duration(d: Duration) -> String {
    let sd = jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::MAX);
    format!("{sd:#}")
}

/// Formats a size for people, as [`parse_size`] reads it: `512.0M`.
pub fn format_size(n: u64) -> String {
    const UNITS: [&str; 5] = ["", "K", "M", "G", "T"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n}B")
    } else {
        format!("{v:.1}{}", UNITS[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("2gb"), Ok(2 << 30));
        assert!(parse_size("lots").unwrap_err().contains("lots"));
        assert!(parse_size("5X").is_err());
        assert_eq!(parse_size("1B"), Ok(1));
        assert_eq!(format_size(512), "512B");
        assert_eq!(format_size(512 << 20), "512.0M");
        assert_eq!(parse_size(&format_size(3 << 29)), Ok(3 << 29));
        for bad in ["1MIIIB", "1MBB", "1MiBi", "1 M B", "1.2.3M", "M"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(2 * 86400)));
        assert_eq!(
            parse_duration("30 days"),
            Ok(Duration::from_secs(30 * 86400))
        );
        assert_eq!(parse_duration("1w"), Ok(Duration::from_secs(7 * 86400)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("1 month").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_positive_duration("0").is_err());
        assert_eq!(parse_positive_duration("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(
            parse_duration(&format_duration(Duration::from_secs(5400))),
            Ok(Duration::from_secs(5400))
        );
    }
}
