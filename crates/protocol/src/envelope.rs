//! The JSON envelope of every JSON reply:
//! `{"status":"ok","data":...}` or `{"status":"error","reason":"...","details":"..."}`.

use serde::de::DeserializeOwned;
use serde::Deserialize;

/// An error reply as the server sent it. `reason` and `details` are slugs, never secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerError {
    pub reason: Option<String>,
    pub details: Option<String>,
    /// An error envelope with neither a `description` nor a `reason` (upstream's
    /// `post` then fails with `unknown`).
    pub unexplained: bool,
}

#[derive(Deserialize)]
struct Raw {
    status: Option<String>,
    data: Option<serde_json::Value>,
    reason: Option<serde_json::Value>,
    details: Option<serde_json::Value>,
    description: Option<serde_json::Value>,
}

/// JavaScript's truthiness of a JSON value.
fn truthy(v: &Option<serde_json::Value>) -> bool {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(_) => true,
    }
}

/// What an envelope said.
#[derive(Debug)]
pub enum Envelope<T> {
    Ok(T),
    Error(ServerError),
}

/// Keeps a slug only when it looks like one (short, no spaces), so that whatever a
/// misbehaving server echoes back never ends up in our error messages.
fn slug(value: Option<serde_json::Value>) -> Option<String> {
    let text = match value? {
        serde_json::Value::String(s) => s,
        _ => return None,
    };
    let is_slug = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    is_slug.then_some(text)
}

/// Parses an envelope whose `data` is `T`. `None` when the body is not an envelope
/// at all (an HTML page from a proxy, a truncated body, ...).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Option<Envelope<T>> {
    let raw: Raw = serde_json::from_slice(body).ok()?;
    match raw.status.as_deref() {
        Some("ok") => {
            let data = raw.data.unwrap_or(serde_json::Value::Null);
            serde_json::from_value(data).ok().map(Envelope::Ok)
        }
        Some("error") => Some(Envelope::Error(ServerError {
            unexplained: !truthy(&raw.description) && !truthy(&raw.reason),
            reason: slug(raw.reason),
            details: slug(raw.details),
        })),
        _ => None,
    }
}

/// Reads the `reason`/`details` of an error reply, or a plain-text slug body such as
/// the sync endpoint's `file-not-found`.
pub fn parse_error(body: &[u8]) -> ServerError {
    if let Some(Envelope::Error(e)) = parse::<serde_json::Value>(body) {
        return e;
    }
    let text = String::from_utf8_lossy(body);
    ServerError {
        reason: slug(Some(serde_json::Value::String(text.trim().to_string()))),
        details: None,
        unexplained: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_envelope() {
        let e: Envelope<serde_json::Value> =
            parse(br#"{"status":"ok","data":{"token":"x"}}"#).unwrap();
        assert!(matches!(e, Envelope::Ok(v) if v["token"] == "x"));
    }

    #[test]
    fn error_envelope_keeps_slugs() {
        let e: Envelope<serde_json::Value> =
            parse(br#"{"status":"error","reason":"unauthorized","details":"invalid-api-token"}"#)
                .unwrap();
        match e {
            Envelope::Error(e) => {
                assert_eq!(e.reason.as_deref(), Some("unauthorized"));
                assert_eq!(e.details.as_deref(), Some("invalid-api-token"));
            }
            Envelope::Ok(_) => panic!("expected an error"),
        }
    }

    #[test]
    fn an_error_without_description_or_reason_is_unexplained() {
        let unexplained = |body: &[u8]| match parse::<serde_json::Value>(body) {
            Some(Envelope::Error(e)) => e.unexplained,
            _ => panic!("expected an error"),
        };
        assert!(unexplained(br#"{"status":"error","data":{"error":"x"}}"#));
        assert!(unexplained(br#"{"status":"error","reason":""}"#));
        assert!(!unexplained(br#"{"status":"error","reason":"not found"}"#));
        assert!(!unexplained(br#"{"status":"error","description":"x"}"#));
    }

    #[test]
    fn not_an_envelope() {
        assert!(parse::<serde_json::Value>(b"<html>502 Bad Gateway</html>").is_none());
        assert!(parse::<serde_json::Value>(br#"{"status":"ok","data":{"token":1}}"#).is_some());
    }

    #[test]
    fn plain_text_reason_and_prose_dropped() {
        assert_eq!(
            parse_error(b"file-not-found").reason.as_deref(),
            Some("file-not-found")
        );
        assert_eq!(parse_error(b"User or file not found").reason, None);
    }
}
