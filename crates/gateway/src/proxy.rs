//! Requests to the Actual server's own endpoints: passed through unchanged without an
//! API token; with one, checked, scoped to the token's budgets and forwarded with the
//! owner's session.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use actual_protocol::endpoint::{FILE_ID_HEADER, GROUP_ID_HEADER};
use actual_protocol::token;
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{Request, Response, StatusCode};

use crate::app::{check_token, log, App};
use crate::body::{is_json, read_capped, ReqBody, MAX_INSPECT_BYTES};
use crate::extract::{body_token, header_tokens, replace_body_token, single_token, Conflict};
use crate::forward::{describe_token, filter_listing, send_upstream, stream_back};
use crate::proto;
use crate::registry::{Entry, Session};
use crate::reply::{
    bad_gateway, error_reply, file_not_found, forbidden_method, read_only_error, scope_error,
    session_gone, too_many, Body,
};
use crate::scope::{self, Route};

pub async fn handle(app: Arc<App>, req: Request<Incoming>, peer: IpAddr) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let mut tokens = header_tokens(&parts.headers);
    let mut body = ReqBody::Stream(body);
    if is_json(&parts.headers) {
        let ReqBody::Stream(s) = body else {
            unreachable!()
        };
        let bytes = match read_capped(s, MAX_INSPECT_BYTES).await {
            Ok(b) => b,
            Err(r) => return r,
        };
        tokens.extend(body_token(&bytes));
        body = ReqBody::Full(bytes);
    }
    let token = match single_token(tokens) {
        Ok(t) => t,
        Err(Conflict) => {
            let ip = app.client_ip(&parts.headers, peer);
            let res = refuse_conflict(&app, ip);
            log(format!(
                "{} {} with several different API tokens from {ip} -> {}",
                parts.method,
                parts.uri.path(),
                res.status().as_u16()
            ));
            return res;
        }
    };
    let Some(token) = token else {
        // No API token: pass through unchanged.
        return match send_upstream(&app, &parts, body, None).await {
            Ok(res) => stream_back(res),
            Err(r) => r,
        };
    };
    let ip = app.client_ip(&parts.headers, peer);
    let started = Instant::now();
    let prefix = token::display_prefix(&token).to_string();
    let entry = match check_token(&app, &token, ip) {
        Ok(v) => v,
        Err(r) => {
            log(format!(
                "{} {} token {prefix}... from {ip} -> {}",
                parts.method,
                parts.uri.path(),
                r.status().as_u16()
            ));
            return r;
        }
    };
    drop(token);
    let (entry, session) = entry;
    let res = match &session {
        Some(session) => authorized(&app, &parts, body, &entry, session).await,
        // A valid token whose owner has no session with the gateway: the owner must
        // sign in again (`login` or the token page).
        None => session_gone(),
    };
    log(format!(
        "{} {} token {} ({}) -> {} ({} ms)",
        parts.method,
        parts.uri.path(),
        entry.row.prefix,
        entry.row.name,
        res.status().as_u16(),
        started.elapsed().as_millis()
    ));
    res
}

/// Several different tokens in one request: a failed check (rate limited and counted
/// like one), whatever the tokens are.
fn refuse_conflict(app: &App, ip: IpAddr) -> Response<Body> {
    let now = Instant::now();
    if let Some(wait) = app.limiter.blocked(ip, now) {
        return too_many(wait);
    }
    app.limiter.record_failure(ip, now);
    error_reply(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        Some("invalid-api-token"),
    )
}

fn one_header(parts: &Parts, name: &str) -> Result<Option<String>, ()> {
    let mut all = parts.headers.get_all(name).iter();
    let first = all.next();
    if all.next().is_some() {
        return Err(());
    }
    match first {
        None => Ok(None),
        Some(v) => v.to_str().map(|s| Some(s.to_string())).map_err(|_| ()),
    }
}

/// The file must belong to one of the token's budgets; returns its groupId.
async fn check_file(
    app: &App,
    entry: &Entry,
    session: &Session,
    file_id: Option<&str>,
) -> Result<String, Response<Body>> {
    let file_id = file_id.filter(|f| !f.is_empty()).ok_or_else(scope_error)?;
    match app.group_of(file_id, session).await {
        Ok(Some(g)) if scope::in_scope(&entry.row.budgets, &g) => Ok(g),
        // Neither a file nor a budget of the owner: say so as upstream would, so that a
        // client probing a sync id can tell "no such budget" from "not yours to reach".
        Ok(None) if !app.is_known_group(file_id) => Err(file_not_found()),
        Ok(_) => Err(scope_error()),
        Err(f) if f.is_unauthorized() => Err(session_gone()),
        Err(_) => Err(bad_gateway()),
    }
}

async fn authorized(
    app: &Arc<App>,
    parts: &Parts,
    mut body: ReqBody,
    entry: &Entry,
    session: &Session,
) -> Response<Body> {
    let route = scope::classify(&parts.method, parts.uri.path());
    let read_only = entry.row.read_only;
    match route {
        Route::Forbidden => return forbidden_method(),
        r if r.writes() && read_only => return read_only_error(),
        Route::Validate | Route::ListFiles => {}
        Route::FileInfo | Route::Download | Route::Upload => {
            let Ok(file_id) = one_header(parts, FILE_ID_HEADER) else {
                return scope_error();
            };
            let group = match check_file(app, entry, session, file_id.as_deref()).await {
                Ok(g) => g,
                Err(r) => return r,
            };
            if route == Route::Upload {
                // Without a group id upstream would move the file to a new group,
                // out of every token's scope.
                match one_header(parts, GROUP_ID_HEADER) {
                    Ok(Some(g)) if g == group => {}
                    _ => return scope_error(),
                }
            }
        }
        Route::GetKey => {
            let bytes = match body.into_bytes(MAX_INSPECT_BYTES).await {
                Ok(b) => b,
                Err(r) => return r,
            };
            let file_id = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("fileId").and_then(|f| f.as_str()).map(String::from));
            if let Err(r) = check_file(app, entry, session, file_id.as_deref()).await {
                return r;
            }
            body = ReqBody::Full(bytes);
        }
        Route::Sync => {
            let bytes = match body.into_bytes(MAX_INSPECT_BYTES).await {
                Ok(b) => b,
                Err(r) => return r,
            };
            let Ok(info) = proto::sync_request(&bytes) else {
                return error_reply(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    Some("invalid-sync-request"),
                );
            };
            let group = match check_file(app, entry, session, info.file_id.as_deref()).await {
                Ok(g) => g,
                Err(r) => return r,
            };
            if info
                .group_id
                .as_deref()
                .is_some_and(|g| !g.is_empty() && g != group)
            {
                return scope_error();
            }
            if read_only && info.messages > 0 {
                return read_only_error();
            }
            body = ReqBody::Full(bytes);
        }
    }
    // JSON bodies: the owner's session replaces any `token` field.
    if let ReqBody::Full(b) = &body {
        if is_json(&parts.headers) {
            body = ReqBody::Full(replace_body_token(b, session));
        }
    }
    let res = match send_upstream(app, parts, body, Some(session)).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if res.status() == reqwest::StatusCode::UNAUTHORIZED {
        return session_gone();
    }
    if route == Route::ListFiles && res.status().is_success() {
        return filter_listing(res, &entry.row.budgets).await;
    }
    if route == Route::Validate && res.status().is_success() {
        return describe_token(res, read_only, &entry.row.budgets).await;
    }
    stream_back(res)
}
