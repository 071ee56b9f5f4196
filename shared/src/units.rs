//! Units users write: sizes (`512M`, `1.5G`).

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
        for bad in ["1MIIIB", "1MBB", "1MiBi", "1 M B", "1.2.3M", "M"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
