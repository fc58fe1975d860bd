//! Forwarding to the real server: hop-by-hop headers dropped, an API token replaced
//! by the owner's session, replies streamed back (or a listing filtered to a token's
//! budgets).

use actual_protocol::endpoint::TOKEN_HEADER;
use actual_protocol::{token, transport};
use http_body_util::BodyExt;
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE,
};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};

use crate::app::{log, App};
use crate::body::ReqBody;
use crate::extract::bearer;
use crate::registry::Session;
use crate::reply::{bad_gateway, error_reply, json_reply, session_gone, Body, BoxError};
use crate::scope;

/// A file listing is small; this only guards against a broken upstream.
const MAX_LISTING_BYTES: usize = 32 * 1024 * 1024;

const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all("connection")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for n in named {
        headers.remove(n);
    }
    for h in HOP_BY_HOP {
        headers.remove(h);
    }
}

/// Sends the request upstream. With `session`, the API token is replaced by it.
pub async fn send_upstream(
    app: &App,
    parts: &Parts,
    body: ReqBody,
    session: Option<&Session>,
) -> Result<reqwest::Response, Response<Body>> {
    let pq = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let url = app.upstream.url(pq);
    let mut headers = parts.headers.clone();
    strip_hop_by_hop(&mut headers);
    headers.remove("host");
    if let Some(session) = session {
        headers.remove(TOKEN_HEADER);
        let keep: Vec<HeaderValue> = headers
            .get_all(AUTHORIZATION)
            .iter()
            .filter(|v| {
                !v.to_str()
                    .ok()
                    .and_then(bearer)
                    .is_some_and(token::looks_like_token)
            })
            .cloned()
            .collect();
        headers.remove(AUTHORIZATION);
        for v in keep {
            headers.append(AUTHORIZATION, v);
        }
        let mut v = HeaderValue::from_str(session.expose()).map_err(|_| session_gone())?;
        v.set_sensitive(true);
        headers.insert(TOKEN_HEADER, v);
    }
    let body = match body {
        ReqBody::Full(b) => {
            headers.remove(CONTENT_LENGTH);
            reqwest::Body::from(b)
        }
        ReqBody::Stream(s) => reqwest::Body::wrap(s),
    };
    let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes())
        .map_err(|_| error_reply(StatusCode::METHOD_NOT_ALLOWED, "bad-request", None))?;
    app.upstream
        .client()
        .request(method, url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            log(format!("upstream {}", transport::describe(&e)));
            bad_gateway()
        })
}

/// Streams an upstream reply back.
pub fn stream_back(res: reqwest::Response) -> Response<Body> {
    let res: hyper::Response<reqwest::Body> = res.into();
    let (mut parts, body) = res.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    Response::from_parts(parts, body.map_err(|e| Box::new(e) as BoxError).boxed())
}

/// Keeps only the token's budgets in a `/sync/list-user-files` reply.
pub async fn filter_listing(res: reqwest::Response, budgets: &[String]) -> Response<Body> {
    rewrite_json(res, |v| {
        match v.get_mut("data").and_then(|d| d.as_array_mut()) {
            Some(files) => {
                files.retain(|f| {
                    f.get("groupId")
                        .and_then(|g| g.as_str())
                        .is_some_and(|g| scope::in_scope(budgets, g))
                });
                true
            }
            None => false,
        }
    })
    .await
}

/// `/account/validate` answered for an API token: upstream's reply, plus what the token
/// may do (`data.apiToken`: `readOnly`, `budgets`), so that a client can refuse a write
/// a read-only token would be refused before it changes anything locally.
pub async fn describe_token(
    res: reqwest::Response,
    read_only: bool,
    budgets: &[String],
) -> Response<Body> {
    rewrite_json(res, |v| {
        match v.get_mut("data").and_then(|d| d.as_object_mut()) {
            Some(data) => {
                data.insert(
                    "apiToken".into(),
                    serde_json::json!({ "readOnly": read_only, "budgets": budgets }),
                );
                true
            }
            None => false,
        }
    })
    .await
}

/// Reads a JSON reply (bounded), lets `edit` change it (false: not the shape expected,
/// 502), and answers it with upstream's status and headers.
async fn rewrite_json(
    mut res: reqwest::Response,
    edit: impl FnOnce(&mut serde_json::Value) -> bool,
) -> Response<Body> {
    let status = res.status().as_u16();
    let mut headers = res.headers().clone();
    strip_hop_by_hop(&mut headers);
    let mut raw = Vec::new();
    loop {
        match res.chunk().await {
            Ok(Some(c)) => {
                if raw.len() + c.len() > MAX_LISTING_BYTES {
                    return bad_gateway();
                }
                raw.extend_from_slice(&c);
            }
            Ok(None) => break,
            Err(_) => return bad_gateway(),
        }
    }
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&raw) else {
        return bad_gateway();
    };
    if !edit(&mut v) {
        return bad_gateway();
    }
    let mut out = json_reply(StatusCode::from_u16(status).unwrap_or(StatusCode::OK), v);
    for (k, val) in headers.iter() {
        if k != CONTENT_LENGTH && k != CONTENT_TYPE && k != "content-encoding" && k != "etag" {
            out.headers_mut().append(k.clone(), val.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_go() {
        let mut h = HeaderMap::new();
        h.insert(
            "connection",
            HeaderValue::from_static("keep-alive, x-secret-hop"),
        );
        h.insert("x-secret-hop", HeaderValue::from_static("1"));
        h.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        h.insert("x-actual-file-id", HeaderValue::from_static("f"));
        strip_hop_by_hop(&mut h);
        assert_eq!(h.len(), 1);
    }
}
