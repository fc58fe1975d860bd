use actual_session::{ErrorKind, SessionError};
use napi_derive::napi;

/// Marks a native error whose message is a JSON payload for `errors.js` (which reads
/// this constant rather than a copy of it).
#[napi]
pub const ERROR_PAYLOAD_PREFIX: &str = "ACTUAL_NATIVE_ERROR:";

/// Async functions cannot carry a custom napi status, so the error's fields travel as
/// JSON in the message; `errors.js` rebuilds the typed error from them.
pub fn to_napi(e: SessionError) -> napi::Error {
    let reply = e.reply();
    let payload = serde_json::json!({
        "kind": e.kind().name(),
        "code": e.code(),
        "message": e.to_string(),
        "name": e.js_name(),
        "status": reply.and_then(|r| r.status),
        "reason": reply.and_then(|r| r.reason.clone()),
        "details": reply.and_then(|r| r.details.clone()),
        "retryAfter": reply.and_then(|r| r.retry_after),
        "meta": e.meta(),
    });
    napi::Error::from_reason(format!("{ERROR_PAYLOAD_PREFIX}{payload}"))
}

/// Every error kind the native side reports (`errors.js` has a class for each).
#[napi]
pub fn error_kinds() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.name()).collect()
}
