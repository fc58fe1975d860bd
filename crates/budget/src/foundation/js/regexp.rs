//! JavaScript's `new RegExp(pattern, flags)` (Annex B syntax, code units) on the
//! `regress` engine: a pattern JavaScript refuses is `None` (its SyntaxError), one this
//! engine cannot read exactly as JavaScript does is [`Unreadable`].

use std::fmt;

/// A pattern `regress` would read differently from JavaScript, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `new RegExp(pattern)` with no flags, as a JavaScript engine reads it (code units,
/// Annex B syntax).
pub fn new_regexp(pattern: &str) -> Result<Option<Box<regress::Regex>>, Unreadable> {
    new_regexp_with_flags(pattern, regress::Flags::default())
}

/// `new RegExp(pattern, flags)`; `None` when JavaScript throws a SyntaxError.
pub fn new_regexp_with_flags(
    pattern: &str,
    flags: regress::Flags,
) -> Result<Option<Box<regress::Regex>>, Unreadable> {
    // Group modifiers `(?i:...)` are valid in newer JavaScript engines only.
    let units: Vec<u16> = pattern.encode_utf16().collect();
    for w in units.windows(3) {
        if w[0] == u16::from(b'(') && w[1] == u16::from(b'?') {
            let c = char::from_u32(u32::from(w[2])).unwrap_or('\u{fffd}');
            if matches!(c, 'i' | 'm' | 's' | '-') {
                let rest: String = String::from_utf16_lossy(&units);
                if rest.contains(':') {
                    return Err(Unreadable(format!(
                        "regular expression group modifiers ({pattern})"
                    )));
                }
            }
        }
    }
    // Without the `u` flag JavaScript reads `\u{3}` as `u` three times; regress as a
    // code point.
    if pattern.contains("\\u{") {
        return Err(Unreadable(format!("a braced \\u escape ({pattern})")));
    }
    let code_units = units.iter().map(|&u| u32::from(u));
    match regress::Regex::from_unicode(code_units, flags) {
        Ok(re) => Ok(Some(Box::new(re))),
        Err(_) if invalid_group(&units) => Ok(None),
        // What regress refuses for these reasons JavaScript refuses too.
        Err(e)
            if JS_SYNTAX_ERRORS
                .iter()
                .any(|m| e.to_string().starts_with(m)) =>
        {
            Ok(None)
        }
        Err(e) => Err(Unreadable(format!(
            "a regular expression this engine cannot read ({pattern}: {e})"
        ))),
    }
}

/// regress's errors for patterns that are SyntaxErrors in JavaScript as well.
const JS_SYNTAX_ERRORS: [&str; 8] = [
    "Unbalanced parenthesis",
    "Unbalanced bracket",
    "Incomplete escape",
    "Invalid quantifier",
    "Range values reversed",
    "Quantifier not allowed here",
    "Invalid atom character",
    "Invalid braced quantifier",
];

/// `(?` followed by anything but `:`, `=`, `!`, `<` (and a modifier group, see above) is
/// a SyntaxError in every JavaScript engine.
fn invalid_group(units: &[u16]) -> bool {
    let mut escaped = false;
    for (i, &u) in units.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        if u == u16::from(b'\\') {
            escaped = true;
            continue;
        }
        if u == u16::from(b'(') && units.get(i + 1) == Some(&u16::from(b'?')) {
            match units.get(i + 2).and_then(|&c| char::from_u32(u32::from(c))) {
                Some(':' | '=' | '!' | '<') => {}
                _ => return true,
            }
        }
    }
    false
}
