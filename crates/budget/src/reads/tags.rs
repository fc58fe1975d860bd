//! Tags (`server/tags/app.ts` getTags, `server/api-models.ts` tagModel).

use std::cmp::Ordering;

use serde_json::Value;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::foundation::budget::Budget;
use crate::foundation::error::Result;
use crate::foundation::js::sqlite::{col, object, plain};

/// `getTags()`: live tags sorted by their text as upstream's
/// `Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })` sorts them (ties
/// keep the table's order: the sort is stable).
pub fn get_tags(b: &Budget, _args: &Value) -> Result<Value> {
    let mut stmt = b.conn.prepare_cached(
        "SELECT id, tag, color, description, hidden FROM tags WHERE tombstone = 0",
    )?;
    let mut tags: Vec<(String, Value)> = stmt
        .query_map([], |r| {
            let tag = plain(col(r, "tag")?);
            Ok((
                tag.as_str().unwrap_or_default().to_string(),
                object([
                    ("id", plain(col(r, "id")?)),
                    ("tag", tag),
                    ("color", plain(col(r, "color")?)),
                    ("description", plain(col(r, "description")?)),
                ]),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    tags.sort_by(|a, b| collate(&a.0, &b.0));
    Ok(Value::Array(tags.into_iter().map(|(_, t)| t).collect()))
}

/// One unit of a collation key: a run of digits compares by its value (`numeric`),
/// anything else by its primary weight (`sensitivity: 'base'`: no case, no accents).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    /// Spaces, punctuation and symbols sort before digits and letters, in the root
    /// collation's order for ASCII.
    Symbol(u32),
    /// Digits sort before letters; the value is compared without leading zeros.
    Number(String),
    Letter(char),
    /// Everything else, after letters, by code point.
    Other(char),
}

/// The root collation's order of the ASCII punctuation and symbols.
const SYMBOL_ORDER: &str = "\t\n\r \x0b\x0c_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";

fn units(s: &str) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut Vec<Unit>| {
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            let value = if trimmed.is_empty() { "0" } else { trimmed };
            // Longer numbers are larger: pad so that string order is numeric order.
            out.push(Unit::Number(format!("{:0>40}", value)));
            digits.clear();
        }
    };
    for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        flush(&mut digits, &mut out);
        let unit = if let Some(pos) = SYMBOL_ORDER.find(c) {
            Unit::Symbol(pos as u32)
        } else if c.is_alphabetic() {
            Unit::Letter(c.to_lowercase().next().unwrap_or(c))
        } else if c.is_whitespace() {
            Unit::Symbol(0)
        } else if c.is_ascii() || c.is_ascii_punctuation() {
            Unit::Symbol(SYMBOL_ORDER.len() as u32)
        } else {
            Unit::Other(c)
        };
        out.push(unit);
    }
    flush(&mut digits, &mut out);
    out
}

/// Compares two tag texts as the collator does for the characters tags hold.
pub fn collate(a: &str, b: &str) -> Ordering {
    units(a).cmp(&units(b))
}

#[cfg(test)]
mod tests {
    use super::collate;
    use std::cmp::Ordering::*;

    #[test]
    fn numeric_case_and_accent_blind() {
        assert_eq!(collate("tag2", "tag10"), Less);
        assert_eq!(collate("Food", "food"), Equal);
        assert_eq!(collate("café", "cafe"), Equal);
        assert_eq!(collate("a-b", "ab"), Less);
        assert_eq!(collate("zoo", "Ängel"), Greater);
        assert_eq!(collate("007", "7"), Equal);
        assert_eq!(collate("1", "a"), Less);
    }
}
