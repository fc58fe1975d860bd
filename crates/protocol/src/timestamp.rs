//! Hybrid logical clock timestamps as `@actual-app/crdt` writes them:
//! `2026-11-29T02:52:35.069Z-0011-82c2114f0e49588c` (ISO millis, 4 upper-hex counter,
//! 16-char node): parsed, formatted, ordered and hashed. Here, not in the sync engine,
//! because both sides of the wire read them (the gateway checks a sync request's
//! timestamps as the server would); the clock that issues them is `actual_sync::Clock`.

use std::cmp::Ordering;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::murmur::murmur_v3;

/// Largest logical counter (`0xFFFF`).
pub const MAX_COUNTER: u32 = 0xFFFF;
/// Longest node id accepted by `Timestamp.parse`.
pub const MAX_NODE_LENGTH: usize = 16;
/// Largest millis that still formats as a 4-digit year (9999-12-31T23:59:59.999Z).
pub const MAX_MILLIS: i64 = 253_402_300_799_999;

/// One HLC timestamp. The node is kept as given (upstream does not pad it on parse);
/// formatting pads it to 16 characters with leading zeros.
#[derive(Clone, Debug)]
pub struct Timestamp {
    millis: i64,
    counter: u32,
    node: String,
}

impl Timestamp {
    /// Builds a timestamp (`new Timestamp(millis, counter, node)`).
    pub fn new(millis: i64, counter: u32, node: impl Into<String>) -> Self {
        Timestamp {
            millis,
            counter,
            node: node.into(),
        }
    }

    /// `Timestamp.zero`: `1970-01-01T00:00:00.000Z-0000-0000000000000000`.
    pub fn zero() -> Self {
        Timestamp::new(0, 0, "0000000000000000")
    }

    /// `Timestamp.max`: `9999-12-31T23:59:59.999Z-FFFF-FFFFFFFFFFFFFFFF`.
    pub fn max() -> Self {
        Timestamp::new(MAX_MILLIS, MAX_COUNTER, "FFFFFFFFFFFFFFFF")
    }

    /// `Timestamp.since(iso)`: the smallest timestamp at an ISO instant, as a string.
    pub fn since(iso: &str) -> String {
        format!("{iso}-0000-0000000000000000")
    }

    /// Parses like upstream `Timestamp.parse`: five `-`-separated parts, a valid ISO date
    /// (>= 1970), a hex counter <= 0xFFFF (parsed leniently like `parseInt(x, 16)`), and a
    /// node of at most 16 characters. Returns `None` where upstream returns `null`.
    pub fn parse(s: &str) -> Option<Self> {
        // exactly five `-`-separated parts: the date (three), the counter, the node
        let mut dashes = s.match_indices('-').map(|(i, _)| i);
        let (Some(_), Some(_), Some(date_end), Some(counter_end), None) = (
            dashes.next(),
            dashes.next(),
            dashes.next(),
            dashes.next(),
            dashes.next(),
        ) else {
            return None;
        };
        let millis = parse_iso_millis(&s[..date_end])?;
        if millis < 0 {
            return None;
        }
        let counter = js_parse_int_hex(&s[date_end + 1..counter_end])?;
        if counter > MAX_COUNTER as u64 {
            return None;
        }
        let node = &s[counter_end + 1..];
        // upstream checks `node.length` (UTF-16 units); count chars, same for ASCII ids.
        if node.encode_utf16().count() > MAX_NODE_LENGTH {
            return None;
        }
        Some(Timestamp {
            millis,
            counter: counter as u32,
            node: node.to_string(),
        })
    }

    /// Physical part, milliseconds since the epoch.
    pub fn millis(&self) -> i64 {
        self.millis
    }

    /// Logical counter.
    pub fn counter(&self) -> u32 {
        self.counter
    }

    /// Node id as stored (unpadded).
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Moves the physical and logical parts (upstream `MutableTimestamp.setMillis` and
    /// `setCounter`), as the clock does when it issues or receives a timestamp.
    pub fn set_time(&mut self, millis: i64, counter: u32) {
        self.millis = millis;
        self.counter = counter;
    }

    /// Replaces the node id (upstream `MutableTimestamp.setNode`).
    pub fn set_node(&mut self, node: impl Into<String>) {
        self.node = node.into();
    }

    /// `murmurhash.v3(this.toString())`, the value folded into the merkle trie.
    pub fn hash(&self) -> u32 {
        murmur_v3(&self.to_string())
    }

    fn padded_node(&self) -> std::borrow::Cow<'_, str> {
        if self.node.len() == 16 {
            std::borrow::Cow::Borrowed(&self.node)
        } else {
            let padded = format!("0000000000000000{}", self.node);
            // `.slice(-16)`: keep the last 16 UTF-16 units; ids are ASCII in practice.
            let chars: Vec<char> = padded.chars().collect();
            std::borrow::Cow::Owned(chars[chars.len().saturating_sub(16)..].iter().collect())
        }
    }
}

impl fmt::Display for Timestamp {
    /// `toString()`: `<toISOString()>-<counter as 4 upper hex>-<node padded to 16>`.
    /// Written digit by digit: a sync formats one per message, and `format!` was a
    /// visible share of applying them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match iso_bytes(self.millis) {
            Some(iso) => f.write_str(std::str::from_utf8(&iso).expect("ASCII digits"))?,
            None => f.write_str(&format_iso_millis(self.millis))?,
        }
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let c = self.counter & 0xFFFF;
        let counter = [
            b'-',
            HEX[(c >> 12) as usize],
            HEX[(c >> 8 & 0xF) as usize],
            HEX[(c >> 4 & 0xF) as usize],
            HEX[(c & 0xF) as usize],
            b'-',
        ];
        f.write_str(std::str::from_utf8(&counter).expect("ASCII hex"))?;
        f.write_str(&self.padded_node())
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    /// Same order as comparing the `toString()` forms (what upstream and SQLite do).
    fn cmp(&self, other: &Self) -> Ordering {
        self.millis
            .cmp(&other.millis)
            .then(self.counter.cmp(&other.counter))
            .then_with(|| self.padded_node().cmp(&other.padded_node()))
    }
}

/// A new random node id: the last 16 hex digits of a v4 UUID (upstream `makeClientId`),
/// so the first digit is one of `8 9 a b`.
pub fn make_client_id() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the OS random source is unavailable");
    b[0] = (b[0] & 0x3f) | 0x80;
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Milliseconds since the epoch now (`Date.now()`).
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Dates

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The UTC calendar fields of an instant: year, month, day, hour, minute, second, ms.
fn utc_fields(ms: i64) -> [i64; 7] {
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    [
        y,
        m,
        d,
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    ]
}

/// `toISOString()` when the year has four digits (`YYYY-MM-DDTHH:mm:ss.sssZ`), without
/// allocating.
fn iso_bytes(ms: i64) -> Option<[u8; 24]> {
    let fields = utc_fields(ms);
    if !(0..=9999).contains(&fields[0]) {
        return None;
    }
    let mut out = *b"0000-00-00T00:00:00.000Z";
    // (offset, width) of each field in `out`
    const AT: [(usize, usize); 7] = [(0, 4), (5, 2), (8, 2), (11, 2), (14, 2), (17, 2), (20, 3)];
    for ((at, width), mut v) in AT.into_iter().zip(fields) {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    Some(out)
}

/// `new Date(ms).toISOString()` for years 0..=9999.
pub fn format_iso_millis(ms: i64) -> String {
    if let Some(iso) = iso_bytes(ms) {
        return String::from_utf8(iso.to_vec()).expect("ASCII digits");
    }
    // six-digit years with a sign, as V8 writes them
    let [y, m, d, h, mi, s, milli] = utc_fields(ms);
    let sign = if y < 0 { '-' } else { '+' };
    format!(
        "{sign}{:06}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z",
        y.abs()
    )
}

/// The subset of `Date.parse` that matters here: `YYYY-MM-DD` optionally followed by
/// `THH:mm[:ss[.fff...]]` and `Z` (case-insensitive T/Z). Day overflow rolls over like V8
/// (`2021-02-30` is March 2). Without `Z` the time is taken as UTC (V8 would use local time).
pub fn parse_iso_millis(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    let (year, mut i) = if b.first() == Some(&b'+') {
        (num(1..7)?, 7)
    } else {
        (num(0..4)?, 4)
    };
    if b.get(i) != Some(&b'-') {
        return None;
    }
    let month = num(i + 1..i + 3)?;
    if b.get(i + 3) != Some(&b'-') {
        return None;
    }
    let day = num(i + 4..i + 6)?;
    i += 6;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (mut h, mut mi, mut sec, mut ms) = (0, 0, 0, 0);
    if i < b.len() {
        if !matches!(b[i], b'T' | b't') {
            return None;
        }
        h = num(i + 1..i + 3)?;
        if b.get(i + 3) != Some(&b':') {
            return None;
        }
        mi = num(i + 4..i + 6)?;
        i += 6;
        if b.get(i) == Some(&b':') {
            sec = num(i + 1..i + 3)?;
            i += 3;
            if b.get(i) == Some(&b'.') {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && b[end].is_ascii_digit() {
                    end += 1;
                }
                if end == start {
                    return None;
                }
                let digits = &s[start..end.min(start + 3)];
                ms = format!("{digits:0<3}").parse().ok()?;
                i = end;
            }
        }
        if i < b.len() && (!matches!(b[i], b'Z' | b'z') || i + 1 != b.len()) {
            return None;
        }
        if h > 24 || mi > 59 || sec > 59 || (h == 24 && (mi | sec | ms) != 0) {
            return None;
        }
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms)
}

/// `parseInt(s, 16)`: optional whitespace and sign, optional `0x`, longest hex prefix.
fn js_parse_int_hex(s: &str) -> Option<u64> {
    let t = s.trim_start_matches(|c: char| c.is_whitespace());
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let end = t.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(t.len());
    if end == 0 {
        return None;
    }
    let digits = &t[..end];
    let v = u64::from_str_radix(digits, 16).unwrap_or(u64::MAX);
    if neg && v != 0 {
        // A negative counter is <= MAX_COUNTER upstream and would be accepted; it never
        // occurs in practice. Treat it as invalid rather than wrapping.
        return None;
    }
    Some(v)
}
