//! The gateway's own pages under `/gateway/`: the token page (`/gateway/tokens`, a
//! small hand-written page with its script and style), its JSON calls, and a health
//! check for containers (`/gateway/health`).
//!
//! Signing in takes the server password or an upstream session token (OpenID users);
//! it stores that session as the owner's, as `login` does. The page's calls then go
//! through the same `api::dispatch` as `/api-tokens`. Against CSRF: the cookie is
//! `SameSite=Strict` and `HttpOnly`, every call that changes something must carry the
//! session's CSRF token in `X-CSRF-Token` (the page gets it in a JSON reply, never in
//! a URL), and a browser's `Origin` must be this host. Failed sign-ins count against
//! the address like failed token checks.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, CACHE_CONTROL, CONTENT_TYPE, COOKIE, SET_COOKIE};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;

use crate::api;
use crate::app::{log, log_reply, App};
use crate::body::is_json;
use crate::registry::Session;
use crate::reply::{bad_gateway, error_reply, full, json_reply, ok, too_many, Body};
use crate::upstream::{owner_of, Failure};
use crate::websession::{self, WebSession};

const HTML: &str = include_str!("../page/tokens.html");
const SCRIPT: &str = include_str!("../page/tokens.js");
const STYLE: &str = include_str!("../page/tokens.css");
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

pub fn is_page_path(path: &str) -> bool {
    path == "/gateway" || path.starts_with("/gateway/")
}

pub async fn handle(app: &Arc<App>, req: Request<Incoming>, ip: IpAddr) -> Response<Body> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let mut res = route(app, &parts, body, ip).await;
    let h = res.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // Paths here hold nothing secret (token ids at most).
    if parts.uri.path() != "/gateway/health" {
        log_reply(&parts, res.status(), started);
    }
    res
}

fn asset(content_type: &'static str, text: &'static str) -> Response<Body> {
    let mut res = Response::new(full(Bytes::from_static(text.as_bytes())));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

fn not_signed_in() -> Response<Body> {
    error_reply(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        Some("not-signed-in"),
    )
}

fn forbidden(details: &str) -> Response<Body> {
    error_reply(StatusCode::FORBIDDEN, "forbidden", Some(details))
}

async fn route(app: &Arc<App>, parts: &Parts, body: Incoming, ip: IpAddr) -> Response<Body> {
    let path = parts.uri.path();
    let method = &parts.method;
    let reads = *method == Method::GET || *method == Method::HEAD;
    if !reads && !same_origin(app, &parts.headers) {
        return forbidden("cross-origin-request");
    }
    match (path, reads) {
        // As upstream's /health: no upstream call, so a container's check stays cheap.
        ("/gateway/health", true) => {
            json_reply(StatusCode::OK, serde_json::json!({ "status": "UP" }))
        }
        ("/gateway/tokens", true) => {
            let mut res = asset("text/html; charset=utf-8", HTML);
            res.headers_mut()
                .insert("content-security-policy", HeaderValue::from_static(CSP));
            res
        }
        ("/gateway/tokens.js", true) => asset("text/javascript; charset=utf-8", SCRIPT),
        ("/gateway/tokens.css", true) => asset("text/css; charset=utf-8", STYLE),
        ("/gateway/session", true) => match signed_in(app, &parts.headers) {
            Some((_, s)) => whoami(app, &parts.headers, &s).await,
            None => not_signed_in(),
        },
        ("/gateway/session", false) if *method == Method::POST => {
            sign_in(app, parts, body, ip).await
        }
        ("/gateway/session", false) if *method == Method::DELETE => {
            match signed_in(app, &parts.headers) {
                Some((cookie, s)) if s.csrf_matches(csrf_header(&parts.headers)) => {
                    app.web.remove(&cookie);
                    let mut res = ok(serde_json::Value::Null);
                    set_cookie(app, &parts.headers, &mut res, "", 0);
                    res
                }
                Some(_) => forbidden("csrf-token-mismatch"),
                None => not_signed_in(),
            }
        }
        (p, _) if p == "/gateway/api/tokens" || p.starts_with("/gateway/api/tokens/") => {
            let Some((_, s)) = signed_in(app, &parts.headers) else {
                return not_signed_in();
            };
            if !reads && !s.csrf_matches(csrf_header(&parts.headers)) {
                return forbidden("csrf-token-mismatch");
            }
            let json = match api::json_body(body).await {
                Ok(v) => v,
                Err(r) => return r,
            };
            let rest = p["/gateway/api/tokens".len()..].trim_matches('/');
            api::dispatch(app, &s.owner, &s.upstream, method, rest, json).await
        }
        _ => error_reply(StatusCode::NOT_FOUND, "not-found", None),
    }
}

/// A browser sends `Origin` with every POST, PATCH and DELETE; it must name this host.
/// Requests without one (not from a browser) carry no ambient cookie risk.
fn same_origin(app: &App, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get("origin").and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = (app.trust_proxy)
        .then(|| headers.get("x-forwarded-host"))
        .flatten()
        .or_else(|| headers.get("host"))
        .and_then(|v| v.to_str().ok())
        .map(|h| h.split(',').next_back().unwrap_or(h).trim());
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == websession::COOKIE)
        .map(|(_, value)| value.to_string())
}

fn signed_in(app: &App, headers: &HeaderMap) -> Option<(String, WebSession)> {
    let cookie = cookie_value(headers)?;
    let session = app.web.get(&cookie)?;
    Some((cookie, session))
}

/// `HttpOnly; SameSite=Strict`, limited to `/gateway`, and `Secure` when the page is
/// reached over https (see `App::is_https`).
fn set_cookie(app: &App, headers: &HeaderMap, res: &mut Response<Body>, value: &str, max_age: u64) {
    let secure = if app.is_https(headers) {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={value}; Path=/gateway; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        websession::COOKIE
    );
    if let Ok(mut v) = HeaderValue::from_str(&cookie) {
        v.set_sensitive(true);
        res.headers_mut().insert(SET_COOKIE, v);
    }
}

/// The signed-in user, the CSRF token, and the owner's budgets (sync id and name) for
/// the create form and for naming a token's budgets.
async fn whoami(app: &App, headers: &HeaderMap, s: &WebSession) -> Response<Body> {
    let files = match app.upstream.list_files(s.upstream.expose()).await {
        Ok(f) => f,
        Err(f) if f.is_unauthorized() => {
            if let Some(cookie) = cookie_value(headers) {
                app.web.remove(&cookie);
            }
            return not_signed_in();
        }
        Err(_) => return bad_gateway(),
    };
    let budgets: Vec<_> = files
        .iter()
        .filter(|f| !f.deleted)
        .filter_map(|f| {
            let id = f.group_id.as_deref()?;
            Some(serde_json::json!({ "id": id, "name": f.name }))
        })
        .collect();
    ok(serde_json::json!({
        "user": s.user_name,
        "csrf": s.csrf(),
        "budgets": budgets,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignIn {
    password: Option<String>,
    session_token: Option<String>,
}

async fn sign_in(app: &Arc<App>, parts: &Parts, body: Incoming, ip: IpAddr) -> Response<Body> {
    // A form posted from another site cannot send JSON without a CORS preflight.
    if !is_json(&parts.headers) {
        return error_reply(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "bad-request",
            Some("json-required"),
        );
    }
    let now = Instant::now();
    if let Some(wait) = app.limiter.blocked(ip, now) {
        return too_many(wait);
    }
    let json = match api::json_body(body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Ok(form) = serde_json::from_value::<SignIn>(json) else {
        return error_reply(StatusCode::BAD_REQUEST, "bad-request", Some("invalid-body"));
    };
    let failed = |reason: &str| {
        app.limiter.record_failure(ip, now);
        log(format!("failed sign-in to the token page from {ip}"));
        error_reply(StatusCode::UNAUTHORIZED, reason, None)
    };
    let session = match (form.password.filter(|p| !p.is_empty()), form.session_token) {
        (Some(password), None) => match app.upstream.login(&password).await {
            Ok(s) => s,
            Err(Failure::Status { status: 429, .. }) => return too_many(60),
            Err(Failure::Status { status, .. }) if status < 500 => {
                return failed("invalid-password")
            }
            Err(_) => return bad_gateway(),
        },
        (None, Some(token)) if !token.trim().is_empty() => token.trim().to_string(),
        _ => {
            return error_reply(
                StatusCode::BAD_REQUEST,
                "bad-request",
                Some("password-or-session-token-required"),
            )
        }
    };
    if actual_protocol::token::looks_like_token(&session) {
        return failed("forbidden-auth-method");
    }
    let user = match app.upstream.validate(&session).await {
        Ok(u) => u,
        Err(f) if f.is_unauthorized() => return failed("token-expired"),
        Err(_) => return bad_gateway(),
    };
    let owner = owner_of(&user);
    let session = Session::new(session);
    if let Err(e) = app.save_session(&owner, &session).await {
        log(format!("could not store the owner's session: {e}"));
        return error_reply(StatusCode::INTERNAL_SERVER_ERROR, "internal-error", None);
    }
    // A password server's one user has no name of its own.
    let name = [&user.display_name, &user.user_name]
        .into_iter()
        .flatten()
        .find(|n| !n.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| "the server password".into());
    let (cookie, web) = match app.web.create(owner, name, session) {
        Ok(x) => x,
        Err(_) => return error_reply(StatusCode::INTERNAL_SERVER_ERROR, "internal-error", None),
    };
    log(format!("signed in to the token page from {ip}"));
    let mut res = whoami(app, &parts.headers, &web).await;
    set_cookie(
        app,
        &parts.headers,
        &mut res,
        &cookie,
        websession::LIFETIME.as_secs(),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; actual_gateway_session=xyz; b=2"),
        );
        assert_eq!(cookie_value(&h).as_deref(), Some("xyz"));
        h.insert(
            COOKIE,
            HeaderValue::from_static("xactual_gateway_session=no"),
        );
        assert_eq!(cookie_value(&h), None);
    }
}
