//! Finding the credential a request carries: API tokens in headers and JSON bodies
//! (exactly one distinct one, or a conflict), and a plain session for `/api-tokens`.

use actual_protocol::endpoint::TOKEN_HEADER;
use actual_protocol::token;
use bytes::Bytes;
use hyper::header::{HeaderMap, AUTHORIZATION};

use crate::registry::Session;

/// An `act_` token in `X-ACTUAL-TOKEN` or `Authorization: Bearer` (the first one;
/// [`header_tokens`] has them all).
pub fn header_token(headers: &HeaderMap) -> Option<String> {
    header_tokens(headers).into_iter().next()
}

/// Every value that claims to be an API token (`act_...`) in `X-ACTUAL-TOKEN` or
/// `Authorization: Bearer`, in that order. A value with bytes that are not UTF-8 still
/// counts (decoded lossily, so it can only fail the check): such a value must neither
/// be skipped over in favour of another one nor be passed upstream as a session.
pub fn header_tokens(headers: &HeaderMap) -> Vec<String> {
    let mut out = Vec::new();
    for v in headers.get_all(TOKEN_HEADER) {
        let s = String::from_utf8_lossy(v.as_bytes());
        if token::looks_like_token(&s) {
            out.push(s.into_owned());
        }
    }
    for v in headers.get_all(AUTHORIZATION) {
        let s = String::from_utf8_lossy(v.as_bytes());
        if let Some(t) = bearer(&s) {
            if token::looks_like_token(t) {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// The one API token a request carries, from its headers and (JSON) body. Two or more
/// different ones are refused ([`Conflict`]): which one the gateway checked and which
/// one something behind it reads must never differ.
pub fn single_token(mut tokens: Vec<String>) -> Result<Option<String>, Conflict> {
    tokens.sort();
    tokens.dedup();
    match tokens.len() {
        0 => Ok(None),
        1 => Ok(tokens.pop()),
        _ => Err(Conflict),
    }
}

/// A request carrying more than one distinct API token.
#[derive(Debug, PartialEq, Eq)]
pub struct Conflict;

pub fn bearer(v: &str) -> Option<&str> {
    let (scheme, rest) = v.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

/// The JSON body's `token` field when it is an `act_` token.
pub fn body_token(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let t = v.get("token")?.as_str()?;
    token::looks_like_token(t).then(|| t.to_string())
}

/// Replaces a JSON body's `token` field, if any, with the owner's session.
pub fn replace_body_token(body: &Bytes, session: &Session) -> Bytes {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return body.clone();
    };
    match v.as_object_mut() {
        Some(obj) if obj.contains_key("token") => {
            obj.insert("token".into(), session.expose().into());
            Bytes::from(v.to_string())
        }
        _ => body.clone(),
    }
}

/// The session a caller of `/api-tokens` sent (JSON body field, header or bearer),
/// if any; whether it is an API token is for the caller to check.
pub fn session_of(headers: &HeaderMap, body: &serde_json::Value) -> Option<String> {
    if let Some(t) = body.get("token").and_then(|t| t.as_str()) {
        return Some(t.to_string());
    }
    if let Some(v) = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()) {
        return Some(v.to_string());
    }
    let auth = headers.get(AUTHORIZATION)?.to_str().ok()?;
    bearer(auth).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn finds_tokens_in_headers_and_bodies() {
        let t = "act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6";
        let mut h = HeaderMap::new();
        h.insert("x-actual-token", HeaderValue::from_static("some-session"));
        assert_eq!(header_token(&h), None);
        h.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {t}")).unwrap(),
        );
        assert_eq!(header_token(&h).as_deref(), Some(t));
        let mut h = HeaderMap::new();
        h.insert("x-actual-token", HeaderValue::from_str(t).unwrap());
        assert_eq!(header_token(&h).as_deref(), Some(t));
        assert_eq!(
            body_token(format!(r#"{{"token":"{t}","fileId":"f"}}"#).as_bytes()).as_deref(),
            Some(t)
        );
        assert_eq!(body_token(br#"{"token":"session"}"#), None);
        assert_eq!(body_token(b"not json"), None);
    }

    #[test]
    fn several_different_tokens_are_a_conflict() {
        let a = "act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6";
        let b = "act_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
        let mut h = HeaderMap::new();
        h.append("x-actual-token", HeaderValue::from_str(a).unwrap());
        h.append(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {b}")).unwrap(),
        );
        assert_eq!(header_tokens(&h), vec![a.to_string(), b.to_string()]);
        assert_eq!(single_token(header_tokens(&h)), Err(Conflict));
        // The same token twice (header and body) is one token.
        assert_eq!(
            single_token(vec![a.into(), a.into()]),
            Ok(Some(a.to_string()))
        );
        assert_eq!(single_token(vec![]), Ok(None));
        // A session next to a token is not a second token.
        let mut h = HeaderMap::new();
        h.append("x-actual-token", HeaderValue::from_static("some-session"));
        h.append(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {a}")).unwrap(),
        );
        assert_eq!(single_token(header_tokens(&h)), Ok(Some(a.to_string())));
        // Duplicate X-ACTUAL-TOKEN headers with different tokens.
        let mut h = HeaderMap::new();
        h.append("x-actual-token", HeaderValue::from_str(a).unwrap());
        h.append("x-actual-token", HeaderValue::from_str(b).unwrap());
        assert_eq!(single_token(header_tokens(&h)), Err(Conflict));
    }

    #[test]
    fn a_token_with_bytes_that_are_not_utf8_still_counts() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-actual-token",
            HeaderValue::from_bytes(b"act_a1b2c3d4\xffe5f6").unwrap(),
        );
        let t = header_token(&h).unwrap();
        assert!(t.starts_with("act_a1b2c3d4"));
        // Its display prefix is cut at a character boundary.
        assert_eq!(token::display_prefix(&t), "act_a1b2c3d4");
        let mut h = HeaderMap::new();
        h.insert(
            "x-actual-token",
            HeaderValue::from_bytes(b"act_a1b2c3d\xffe5f6").unwrap(),
        );
        let t = header_token(&h).unwrap();
        assert_eq!(token::display_prefix(&t), "act_a1b2c3d");
    }

    #[test]
    fn body_token_replacement() {
        let s = Session::new("sess".into());
        let out = replace_body_token(
            &Bytes::from_static(br#"{"token":"act_x","fileId":"f"}"#),
            &s,
        );
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["token"], "sess");
        assert_eq!(v["fileId"], "f");
        let untouched = Bytes::from_static(br#"{"fileId":"f"}"#);
        assert_eq!(replace_body_token(&untouched, &s), untouched);
    }
}
