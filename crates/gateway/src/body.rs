//! Request bodies: streamed through untouched, or read (capped) when the gateway
//! must look inside (JSON token fields, sync requests, file ids).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};
use hyper::header::{HeaderMap, CONTENT_TYPE};
use hyper::{Response, StatusCode};

use crate::reply::{error_reply, Body};

/// Upstream's sync body limit is 20 MB; bodies read for inspection are capped there.
pub const MAX_INSPECT_BYTES: usize = 20 * 1024 * 1024;

pub enum ReqBody {
    Stream(Incoming),
    Full(Bytes),
}

/// How much of an oversized body is read and dropped before the 413 goes out. Closing
/// a connection with unread data in it makes the kernel send a reset, which can wipe the
/// 413 from the client's buffer before the client reads it; draining first (bounded in
/// bytes and time, like a web server's lingering close) lets the reply arrive.
const DRAIN_MAX_BYTES: usize = 64 * 1024 * 1024;
const DRAIN_MAX_TIME: Duration = Duration::from_secs(5);

/// Reads a body up to `limit`; too large -> 413, broken -> 400.
pub async fn read_capped(mut body: Incoming, limit: usize) -> Result<Bytes, Response<Body>> {
    let too_large = || error_reply(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", None);
    let declared_too_large = body.size_hint().lower() > limit as u64;
    let mut collected = bytes::BytesMut::new();
    if !declared_too_large {
        loop {
            let Some(frame) = body.frame().await else {
                return Ok(collected.freeze());
            };
            let Ok(frame) = frame else {
                return Err(error_reply(StatusCode::BAD_REQUEST, "bad-request", None));
            };
            if let Ok(data) = frame.into_data() {
                if collected.len() + data.len() > limit {
                    break;
                }
                collected.extend_from_slice(&data);
            }
        }
    }
    drop(collected);
    let drain = async {
        let mut drained = 0usize;
        while drained < DRAIN_MAX_BYTES {
            match body.frame().await {
                Some(Ok(frame)) => drained += frame.data_ref().map_or(0, |d| d.len()),
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_MAX_TIME, drain).await;
    Err(too_large())
}

impl ReqBody {
    pub async fn into_bytes(self, limit: usize) -> Result<Bytes, Response<Body>> {
        match self {
            ReqBody::Full(b) => Ok(b),
            ReqBody::Stream(s) => read_capped(s, limit).await,
        }
    }
}

fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

pub fn is_json(headers: &HeaderMap) -> bool {
    let t = media_type(headers);
    t == "application/json" || t.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn json_media_types() {
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("Application/JSON; charset=utf-8"),
        );
        assert!(is_json(&h));
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/actual-sync"),
        );
        assert!(!is_json(&h));
    }
}
