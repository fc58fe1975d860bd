//! The SQL functions upstream registers at open that ActualQL's `$like`, `$notlike` and
//! `$regexp` compile to (`platform/server/sqlite`): `UNICODE_LIKE` (a LIKE pattern as a
//! case-insensitive JavaScript RegExp, found anywhere in the value), `NORMALISE`
//! (`getNormalisedString`) and `REGEXP` (`new RegExp(regex).test(text)`).
//!
//! Where JavaScript would do something these cannot copy (a number where a string is
//! expected, a pattern this engine's RegExp cannot read), the function fails with
//! [`UNSUPPORTED`] and the query is refused instead of answered.

use std::borrow::Cow;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use unicode_normalization::UnicodeNormalization;

use super::diacritics::is_diacritic;
use crate::foundation::js::json;

/// The start of the message of a function that cannot answer as JavaScript would.
pub const UNSUPPORTED: &str = "aql-not-native:";

/// `getNormalisedString` (`shared/normalisation.ts`): lower case, a few letters spelled
/// out, accents removed (NFD, then every `Diacritic` character dropped).
pub fn normalised(value: &str) -> String {
    // ASCII has no letters to spell out and NFD leaves it as it is: only its two
    // diacritics (`^`, `` ` ``) go.
    if value.is_ascii() {
        return value
            .bytes()
            .filter(|b| !is_diacritic(char::from(*b)))
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
    }
    let lower = value.to_lowercase();
    let mut spelled = String::with_capacity(lower.len());
    for c in lower.chars() {
        match c {
            'ł' => spelled.push('l'),
            'ø' => spelled.push('o'),
            'ß' => spelled.push_str("ss"),
            'œ' => spelled.push_str("oe"),
            other => spelled.push(other),
        }
    }
    spelled.nfd().filter(|c| !is_diacritic(*c)).collect()
}

fn unsupported(why: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(format!("{UNSUPPORTED} {why}").into())
}

/// A SQLite value as the JavaScript string a RegExp test sees (`String(value)`).
fn text_of(v: ValueRef<'_>) -> rusqlite::Result<Option<Cow<'_, str>>> {
    Ok(match v {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t)),
        ValueRef::Integer(i) => Some(Cow::Owned(i.to_string())),
        ValueRef::Real(f) => Some(Cow::Owned(json::to_string(
            &crate::foundation::js::json::number(f),
        ))),
        ValueRef::Blob(_) => return Err(unsupported("a blob given to a text function")),
    })
}

/// `likePatternToRegex`: `%` any run, `?` any one character, `\%` `\?` `\\` literal.
/// A `%` at either end is left out: the RegExp is only tested, unanchored, so `.*`
/// there (which may match nothing) changes no answer, and without it a value that does
/// not match is not searched once per starting position.
fn like_to_regex(pattern: &[u16]) -> Vec<u32> {
    const SPECIAL: &[u8] = b".*+^${}()|[]\\?";
    enum Token {
        AnyRun,
        AnyOne,
        Literal(u16),
    }
    let mut tokens = Vec::with_capacity(pattern.len());
    let mut i = 0;
    while i < pattern.len() {
        let ch = pattern[i];
        if ch == u16::from(b'\\') && i + 1 < pattern.len() {
            let next = pattern[i + 1];
            if [b'%', b'?', b'\\'].iter().any(|b| u16::from(*b) == next) {
                tokens.push(Token::Literal(next));
                i += 2;
                continue;
            }
        }
        tokens.push(if ch == u16::from(b'%') {
            Token::AnyRun
        } else if ch == u16::from(b'?') {
            Token::AnyOne
        } else {
            Token::Literal(ch)
        });
        i += 1;
    }
    let start = tokens
        .iter()
        .position(|t| !matches!(t, Token::AnyRun))
        .unwrap_or(tokens.len());
    let end = tokens
        .iter()
        .rposition(|t| !matches!(t, Token::AnyRun))
        .map_or(start, |e| e + 1);
    let mut out = Vec::with_capacity(pattern.len() * 2);
    for token in &tokens[start..end] {
        match token {
            Token::AnyRun => out.extend([u32::from(b'.'), u32::from(b'*')]),
            Token::AnyOne => out.push(u32::from(b'.')),
            Token::Literal(u) => {
                if *u < 128 && SPECIAL.contains(&(*u as u8)) {
                    out.push(u32::from(b'\\'));
                }
                out.push(u32::from(*u));
            }
        }
    }
    out
}

/// A pattern argument compiled once per statement: SQLite keeps it while the argument
/// is the same constant for every row. `None`: the function answers false without one.
type Compiled = Option<regress::Regex>;

fn found(re: &regress::Regex, text: &str) -> bool {
    if text.is_ascii() {
        return re.find_ascii(text).is_some();
    }
    let units: Vec<u16> = text.encode_utf16().collect();
    re.find_from_ucs2(&units, 0).next().is_some()
}

fn unicode_like(ctx: &Context<'_>) -> rusqlite::Result<i64> {
    let re = ctx.get_or_create_aux(0, |raw| -> rusqlite::Result<Compiled> {
        let Some(pattern) = text_of(raw)?.filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let units: Vec<u16> = pattern.encode_utf16().collect();
        regress::Regex::from_unicode(like_to_regex(&units).into_iter(), "i")
            .map(Some)
            .map_err(|e| unsupported(format!("a $like pattern ({pattern}: {e})")))
    })?;
    let Some(re) = re.as_ref() else {
        return Ok(0);
    };
    let value = text_of(ctx.get_raw(1))?.unwrap_or_default();
    Ok(i64::from(found(re, &value)))
}

fn regexp(ctx: &Context<'_>) -> rusqlite::Result<i64> {
    let re = ctx.get_or_create_aux(0, |raw| -> rusqlite::Result<regress::Regex> {
        // `new RegExp(x)` reads `String(x)`: a null pattern is /null/.
        let regex = match raw {
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            ValueRef::Null => "null".into(),
            ValueRef::Integer(i) if i.unsigned_abs() <= 1 << 53 => i.to_string(),
            ValueRef::Real(f) => json::to_string(&serde_json::Value::from(f)),
            _ => {
                return Err(unsupported(
                    "a $regexp pattern JavaScript reads differently",
                ))
            }
        };
        match crate::foundation::js::regexp::new_regexp(&regex) {
            Ok(Some(re)) => Ok(*re),
            // JavaScript throws a SyntaxError of its own.
            Ok(None) => Err(unsupported(format!("an invalid $regexp pattern ({regex})"))),
            Err(why) => Err(unsupported(format!("a $regexp pattern with {why}"))),
        }
    })?;
    let text = text_of(ctx.get_raw(1))?.unwrap_or_default();
    Ok(i64::from(found(&re, &text)))
}

fn normalise(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    match ctx.get_raw(0) {
        ValueRef::Null => Ok(None),
        ValueRef::Text(b"") => Ok(None),
        ValueRef::Text(t) => Ok(Some(normalised(&String::from_utf8_lossy(t)))),
        ValueRef::Integer(0) => Ok(None),
        // `value.toLowerCase` of a number is a TypeError upstream.
        _ => Err(unsupported("NORMALISE of a value that is not text")),
    }
}

/// Registers the functions on a budget's connection.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("UNICODE_LIKE", 2, flags, unicode_like)?;
    conn.create_scalar_function("REGEXP", 2, flags, regexp)?;
    conn.create_scalar_function("NORMALISE", 1, flags, normalise)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_drops_accents_and_spells_letters_out() {
        assert_eq!(normalised("Crème Brûlée"), "creme brulee");
        assert_eq!(normalised("Łódź STRAßE"), "lodz strasse");
        assert_eq!(normalised("a^b`c"), "abc");
    }

    #[test]
    fn like_patterns_match_anywhere_case_insensitively() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let like = |p: &str, v: &str| -> i64 {
            conn.query_row("SELECT UNICODE_LIKE(?1, NORMALISE(?2))", [p, v], |r| {
                r.get(0)
            })
            .unwrap()
        };
        assert_eq!(like("%coffee%", "Morning Coffee"), 1);
        assert_eq!(like("coffee", "the coffee shop"), 1);
        assert_eq!(like("c?ffee", "COFFEE"), 1);
        assert_eq!(like("tea", "coffee"), 0);
        assert_eq!(like("a.b", "axb"), 0);
        assert_eq!(like("100\\%", "100%"), 1);
        // A `%` at an end matches as it does inside, across lines too.
        assert_eq!(like("%", "line\nbreak"), 1);
        assert_eq!(like("%%k%%", "line\nbreak"), 1);
        assert_eq!(like("%e%b%", "line\nbreak"), 0);
        assert_eq!(like("%\\%%", "50% off"), 1);
        assert_eq!(like("%\\%%", "50 off"), 0);
        // The compiler normalises the pattern as well.
        assert_eq!(like(&normalised("%ÉTÉ%"), "un été"), 1);
        assert_eq!(like(&normalised("%Straße%"), "STRASSE"), 1);
        assert_eq!(like("%ete%", "UN ÉTÉ^"), 1);
        let re: i64 = conn
            .query_row("SELECT REGEXP('^Gro', 'Grocer')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(re, 1);
        assert!(conn
            .query_row("SELECT REGEXP('(', 'x')", [], |r| r.get::<_, i64>(0))
            .is_err());
        // A pattern that is not text is what `String()` makes of it.
        for (pattern, text, found) in [
            ("NULL", "'a null here'", 1),
            ("NULL", "NULL", 0),
            ("NULL", "'nul'", 0),
            ("15", "'x150'", 1),
            ("1.5", "'a1x5'", 1),
            ("1.5", "'1.5'", 1),
        ] {
            let sql = format!("SELECT REGEXP({pattern}, {text})");
            let got: i64 = conn.query_row(&sql, [], |r| r.get(0)).unwrap();
            assert_eq!(got, found, "{sql}");
        }
    }
}
