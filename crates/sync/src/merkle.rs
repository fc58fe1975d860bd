//! The merkle trie of `@actual-app/crdt`: keyed by the base-3 digits of
//! `floor(millis / 60000)`, each node's `hash` the XOR of the murmurhash of every
//! timestamp below it. Hashes are kept as JavaScript numbers (XOR makes them signed
//! 32-bit), so the JSON is byte-identical to upstream's `JSON.stringify`.

use crate::{Result, SyncError};
use actual_protocol::timestamp::Timestamp;

/// One trie node. `hash` is `None` when the JSON object has no `hash` key (e.g. the
/// `{}` merkle of a brand-new clock).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trie {
    /// The node hash as a JavaScript number (a signed 32-bit value once computed here).
    pub hash: Option<i64>,
    /// Children under keys "0", "1" and "2".
    pub children: [Option<Box<Trie>>; 3],
}

/// JavaScript `a ^ b` on numbers (both go through ToInt32).
fn js_xor(a: Option<i64>, b: u32) -> i64 {
    ((a.unwrap_or(0) as i32) ^ (b as i32)) as i64
}

impl Trie {
    /// `emptyTrie()`: `{ hash: 0 }`.
    pub fn empty() -> Self {
        Trie {
            hash: Some(0),
            children: Default::default(),
        }
    }

    /// The node hash, `0` when absent (`trie.hash || 0`).
    pub fn hash_or_zero(&self) -> i64 {
        self.hash.unwrap_or(0)
    }

    /// Child at `digit` (0, 1 or 2).
    pub fn child(&self, digit: usize) -> Option<&Trie> {
        self.children.get(digit).and_then(|c| c.as_deref())
    }

    /// `merkle.insert(trie, timestamp)`: adds one timestamp (mutating in place).
    pub fn insert(&mut self, timestamp: &Timestamp) {
        self.insert_at_key(&minutes_key(timestamp.millis()), timestamp.hash());
    }

    /// [`Trie::insert`] for many timestamps given as `(millis, hash)` (the hash is
    /// `murmur_v3` of the timestamp's text, which the caller may already have), in any
    /// order; the minute key is computed once per run of timestamps in the same minute.
    pub fn insert_all(&mut self, timestamps: impl IntoIterator<Item = (i64, u32)>) {
        let mut key: Option<(i64, String)> = None;
        for (millis, hash) in timestamps {
            let minute = millis.div_euclid(60_000);
            match &key {
                Some((m, k)) if *m == minute => self.insert_at_key(k, hash),
                _ => {
                    let k = minutes_key(millis);
                    self.insert_at_key(&k, hash);
                    key = Some((minute, k));
                }
            }
        }
    }

    fn insert_at_key(&mut self, key: &str, hash: u32) {
        self.hash = Some(js_xor(self.hash, hash));
        let mut node = self;
        for c in key.bytes() {
            let d = (c - b'0') as usize;
            let child = node.children[d].get_or_insert_with(|| Box::new(Trie::default()));
            child.hash = Some(js_xor(child.hash, hash));
            node = child;
        }
    }

    /// `merkle.build(timestamps)`.
    pub fn build<'a>(timestamps: impl IntoIterator<Item = &'a Timestamp>) -> Self {
        let mut trie = Trie::empty();
        trie.insert_all(timestamps.into_iter().map(|t| (t.millis(), t.hash())));
        trie
    }

    /// `merkle.prune(trie, n)`: keeps only the last `n` children at every level
    /// (upstream's default is 2, see [`Trie::prune_default`]).
    pub fn prune(&self, n: usize) -> Trie {
        if self.hash.unwrap_or(0) == 0 {
            return self.clone();
        }
        let keys: Vec<usize> = (0..3).filter(|&d| self.children[d].is_some()).collect();
        let keep = &keys[keys.len().saturating_sub(n)..];
        let mut next = Trie {
            hash: self.hash,
            children: Default::default(),
        };
        for &d in keep {
            next.children[d] = self.children[d].as_ref().map(|c| Box::new(c.prune(n)));
        }
        next
    }

    /// `merkle.prune(trie)` with upstream's default `n = 2`.
    pub fn prune_default(&self) -> Trie {
        self.prune(2)
    }

    /// `merkle.diff(self, other)`: `None` when the root hashes match, otherwise the time
    /// (ms) from which the two tries differ, to sync from.
    pub fn diff(&self, other: &Trie) -> Option<i64> {
        if self.hash == other.hash {
            return None;
        }
        let (mut n1, mut n2) = (self, other);
        let mut k = String::new();
        loop {
            let mut diffkey = None;
            for d in 0..3 {
                let (c1, c2) = (n1.child(d), n2.child(d));
                if c1.is_none() && c2.is_none() {
                    continue; // not a key of either node
                }
                let (Some(c1), Some(c2)) = (c1, c2) else {
                    break;
                };
                if c1.hash != c2.hash {
                    diffkey = Some(d);
                    break;
                }
            }
            let Some(d) = diffkey else {
                return Some(key_to_timestamp(&k));
            };
            k.push((b'0' + d as u8) as char);
            n1 = n1.child(d).expect("present");
            n2 = n2.child(d).expect("present");
        }
    }

    /// `JSON.stringify(trie)`: children `"0"`, `"1"`, `"2"` first, then `"hash"`
    /// (JavaScript puts integer-like keys first).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        out.push('{');
        let mut first = true;
        for d in 0..3 {
            if let Some(c) = &self.children[d] {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push('"');
                out.push((b'0' + d as u8) as char);
                out.push_str("\":");
                c.write_json(out);
            }
        }
        if let Some(h) = self.hash {
            if !first {
                out.push(',');
            }
            out.push_str("\"hash\":");
            out.push_str(&h.to_string());
        }
        out.push('}');
    }

    /// Parses a trie from JSON text (the server's `SyncResponse.merkle`, or ours).
    pub fn from_json(s: &str) -> Result<Self> {
        let v: serde_json::Value =
            serde_json::from_str(s).map_err(|e| SyncError::InvalidMerkle(e.to_string()))?;
        Trie::from_value(&v)
    }

    /// Parses a trie from a JSON value. Keys other than `0`/`1`/`2`/`hash` are ignored.
    pub fn from_value(v: &serde_json::Value) -> Result<Self> {
        let obj = v
            .as_object()
            .ok_or_else(|| SyncError::InvalidMerkle("node is not an object".into()))?;
        let mut trie = Trie::default();
        for (key, val) in obj {
            match key.as_str() {
                "hash" => {
                    trie.hash = match val {
                        serde_json::Value::Null => None,
                        serde_json::Value::Number(n) => Some(
                            n.as_i64()
                                .or_else(|| {
                                    n.as_f64()
                                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.007e15)
                                        .map(|f| f as i64)
                                })
                                .ok_or_else(|| {
                                    SyncError::InvalidMerkle(format!("hash {n} is not an integer"))
                                })?,
                        ),
                        _ => return Err(SyncError::InvalidMerkle("hash is not a number".into())),
                    }
                }
                "0" | "1" | "2" => {
                    let d = (key.as_bytes()[0] - b'0') as usize;
                    trie.children[d] = Some(Box::new(Trie::from_value(val)?));
                }
                _ => {}
            }
        }
        Ok(trie)
    }
}

/// `Number(Math.floor(millis / 1e3 / 60)).toString(3)`.
fn minutes_key(millis: i64) -> String {
    let minutes = (millis as f64 / 1e3 / 60.0).floor() as i64;
    if minutes <= 0 {
        return "0".into();
    }
    let mut m = minutes as u64;
    let mut digits = Vec::new();
    while m > 0 {
        digits.push(b'0' + (m % 3) as u8);
        m /= 3;
    }
    digits.reverse();
    String::from_utf8(digits).expect("ascii")
}

/// `merkle.keyToTimestamp(key)`: the key right-padded with `0` to 16 base-3 digits, as
/// minutes, in milliseconds. (Keys longer than 16 digits, after the year 2051, throw
/// upstream; here they are read unpadded.)
pub fn key_to_timestamp(key: &str) -> i64 {
    let mut full = key.to_string();
    while full.len() < 16 {
        full.push('0');
    }
    let minutes = i64::from_str_radix(&full, 3).unwrap_or(0);
    minutes * 1000 * 60
}
