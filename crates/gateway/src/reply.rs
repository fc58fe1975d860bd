//! The gateway's own replies: JSON envelopes in upstream's shape and the fixed
//! refusals of the reply table (docs/gateway.md).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Body = http_body_util::combinators::BoxBody<Bytes, BoxError>;

pub fn json_reply(status: StatusCode, value: serde_json::Value) -> Response<Body> {
    let mut res = Response::new(full(Bytes::from(value.to_string())));
    *res.status_mut() = status;
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    res
}

pub fn error_reply(status: StatusCode, reason: &str, details: Option<&str>) -> Response<Body> {
    let mut v = serde_json::json!({ "status": "error", "reason": reason });
    if let Some(d) = details {
        v["details"] = serde_json::Value::String(d.to_string());
    }
    json_reply(status, v)
}

pub fn too_many(retry_after: u64) -> Response<Body> {
    let mut res = error_reply(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-requests",
        Some("too-many-failed-token-checks"),
    );
    res.headers_mut()
        .insert("retry-after", HeaderValue::from(retry_after));
    res
}

pub fn scope_error() -> Response<Body> {
    error_reply(StatusCode::FORBIDDEN, "token-scope-error", None)
}

pub fn file_not_found() -> Response<Body> {
    error_reply(StatusCode::BAD_REQUEST, "file-not-found", None)
}

pub fn read_only_error() -> Response<Body> {
    error_reply(StatusCode::FORBIDDEN, "token-read-only", None)
}

pub fn forbidden_method() -> Response<Body> {
    error_reply(StatusCode::FORBIDDEN, "forbidden-auth-method", None)
}

pub fn session_gone() -> Response<Body> {
    error_reply(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        Some("upstream-session-expired"),
    )
}

pub fn bad_gateway() -> Response<Body> {
    error_reply(StatusCode::BAD_GATEWAY, "upstream-unavailable", None)
}

pub fn full(bytes: Bytes) -> Body {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

pub fn ok(data: serde_json::Value) -> Response<Body> {
    json_reply(
        StatusCode::OK,
        serde_json::json!({ "status": "ok", "data": data }),
    )
}
