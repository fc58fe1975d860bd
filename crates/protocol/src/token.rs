//! The API token format: `act_` followed by 32 ASCII letters or digits.

use std::fmt;

pub const TOKEN_PREFIX: &str = "act_";
pub const TOKEN_RANDOM_LEN: usize = 32;
pub const TOKEN_LEN: usize = TOKEN_PREFIX.len() + TOKEN_RANDOM_LEN;
/// `act_` + 8 characters: kept in clear for display and lookup.
pub const DISPLAY_PREFIX_LEN: usize = 12;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Why a string is not a well-formed token. The messages never repeat the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFormatError {
    Empty,
    SurroundingWhitespace,
    MissingPrefix,
    WrongLength,
    BadCharacter,
}

impl fmt::Display for TokenFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenFormatError::Empty => "the API token is empty",
            TokenFormatError::SurroundingWhitespace => {
                "the API token has whitespace or a line break around it; remove it (check how the variable was set)"
            }
            TokenFormatError::MissingPrefix => "an API token starts with \"act_\"",
            TokenFormatError::WrongLength => {
                "an API token is \"act_\" followed by exactly 32 letters or digits"
            }
            TokenFormatError::BadCharacter => {
                "an API token holds only ASCII letters and digits after \"act_\""
            }
        })
    }
}

impl std::error::Error for TokenFormatError {}

/// Checks the shape of a token without any network call.
pub fn check_format(token: &str) -> Result<(), TokenFormatError> {
    if token.is_empty() {
        return Err(TokenFormatError::Empty);
    }
    if token.trim() != token {
        return Err(TokenFormatError::SurroundingWhitespace);
    }
    let Some(rest) = token.strip_prefix(TOKEN_PREFIX) else {
        return Err(TokenFormatError::MissingPrefix);
    };
    if rest.chars().count() != TOKEN_RANDOM_LEN {
        return Err(TokenFormatError::WrongLength);
    }
    if !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(TokenFormatError::BadCharacter);
    }
    Ok(())
}

/// True for anything that claims to be an API token (starts with `act_`), well-formed
/// or not: such a value must never be sent on as a session token.
pub fn looks_like_token(value: &str) -> bool {
    value.trim_start().starts_with(TOKEN_PREFIX)
}

/// The display prefix (`act_` + 8) of a well-formed token. For any other string (a
/// malformed token is logged by its prefix too) it is cut at a character boundary at
/// or before byte 12, never inside a character.
pub fn display_prefix(token: &str) -> &str {
    let mut end = DISPLAY_PREFIX_LEN.min(token.len());
    while !token.is_char_boundary(end) {
        end -= 1;
    }
    &token[..end]
}

/// A new token from the OS CSPRNG. Rejection sampling keeps every character uniform.
pub fn generate() -> Result<String, getrandom::Error> {
    let mut out = String::with_capacity(TOKEN_LEN);
    out.push_str(TOKEN_PREFIX);
    let mut buf = [0u8; 64];
    while out.len() < TOKEN_LEN {
        getrandom::fill(&mut buf)?;
        for &b in &buf {
            // 248 = 4 * 62: bytes at or above it would bias the first characters.
            if b < 248 && out.len() < TOKEN_LEN {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6";

    #[test]
    fn accepts_the_user_guide_example() {
        assert_eq!(check_format(GOOD), Ok(()));
        assert_eq!(display_prefix(GOOD), "act_a1b2c3d4");
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(check_format(""), Err(TokenFormatError::Empty));
        assert_eq!(
            check_format(&format!("{GOOD}\n")),
            Err(TokenFormatError::SurroundingWhitespace)
        );
        assert_eq!(
            check_format(&format!(" {GOOD}")),
            Err(TokenFormatError::SurroundingWhitespace)
        );
        assert_eq!(
            check_format("tok_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"),
            Err(TokenFormatError::MissingPrefix)
        );
        assert_eq!(check_format("act_abc"), Err(TokenFormatError::WrongLength));
        assert_eq!(
            check_format(&format!("{GOOD}x")),
            Err(TokenFormatError::WrongLength)
        );
        assert_eq!(
            check_format("act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5-6"),
            Err(TokenFormatError::BadCharacter)
        );
        assert_eq!(
            check_format("act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5pé"),
            Err(TokenFormatError::BadCharacter)
        );
    }

    #[test]
    fn display_prefix_of_non_ascii_does_not_panic() {
        // Found by the fuzzer: byte 12 fell inside a multi-byte character.
        assert_eq!(
            display_prefix("act_a\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}b2c3"),
            "act_a\u{e9}\u{e9}\u{e9}"
        );
        assert_eq!(
            display_prefix("act\u{fffd}_W\u{fffd}\u{fffd}"),
            "act\u{fffd}_W\u{fffd}"
        );
        assert_eq!(display_prefix("act_"), "act_");
        assert_eq!(display_prefix(""), "");
    }

    #[test]
    fn messages_do_not_echo_the_token() {
        for e in [
            check_format(&format!("{GOOD}\n")).unwrap_err(),
            check_format("act_secretsecret").unwrap_err(),
        ] {
            assert!(!e.to_string().contains("secret"));
            assert!(!e.to_string().contains("a1b2"));
        }
    }

    #[test]
    fn generated_tokens_are_well_formed_and_distinct() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_eq!(check_format(&a), Ok(()));
        assert_ne!(a, b);
        assert!(looks_like_token(&a));
        assert!(!looks_like_token("d2f8a0c1-session"));
    }
}
