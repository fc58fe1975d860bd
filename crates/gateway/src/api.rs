//! `/api-tokens`: the token management API with the shapes of upstream's proposal.
//! Authenticated by a real upstream session (`X-ACTUAL-TOKEN` from a password
//! login, checked with `GET /account/validate`); an API token gets 403
//! `forbidden-auth-method`.

use std::net::IpAddr;
use std::time::Instant;

use actual_protocol::token;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;

use crate::error::GatewayError;
use crate::issue::{self, NewToken};
use crate::registry::Entry;
use crate::server::{
    bad_gateway, check_token, error_reply, full, header_token, json_reply, log, read_capped, App,
    Body,
};
use crate::time::now_ms;
use crate::upstream::{self, Failure, UserInfo};

const MAX_BODY: usize = 64 * 1024;

pub fn is_token_api(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p == "/api-tokens" || p.starts_with("/api-tokens/")
}

fn secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

/// The list shape: `{id,name,prefix,createdAt,lastUsedAt,expiresAt,enabled,budgetIds}`
/// (unix seconds), plus `readOnly`.
pub fn view(e: &Entry) -> serde_json::Value {
    let r = &e.row;
    serde_json::json!({
        "id": r.id,
        "name": r.name,
        "prefix": r.prefix,
        "createdAt": secs(r.created_at),
        "lastUsedAt": e.last_used_at().map(secs),
        "expiresAt": r.expires_at.map(secs),
        "enabled": r.enabled,
        "budgetIds": r.budgets,
        "readOnly": r.read_only,
    })
}

fn ok(data: serde_json::Value) -> Response<Body> {
    json_reply(
        StatusCode::OK,
        serde_json::json!({ "status": "ok", "data": data }),
    )
}

fn bad(details: &str) -> Response<Body> {
    error_reply(StatusCode::BAD_REQUEST, "bad-request", Some(details))
}

fn not_found() -> Response<Body> {
    error_reply(StatusCode::NOT_FOUND, "not-found", Some("token-not-found"))
}

/// The session the caller sent (header, bearer or JSON body field), if not an API token.
fn session_of(req_headers: &hyper::HeaderMap, body: &serde_json::Value) -> Option<String> {
    if let Some(t) = body.get("token").and_then(|t| t.as_str()) {
        return Some(t.to_string());
    }
    if let Some(v) = req_headers
        .get("x-actual-token")
        .and_then(|v| v.to_str().ok())
    {
        return Some(v.to_string());
    }
    let auth = req_headers.get("authorization")?.to_str().ok()?;
    let (scheme, rest) = auth.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim().to_string())
}

pub async fn handle(app: &App, req: Request<Incoming>, ip: IpAddr) -> Response<Body> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path().to_string();
    let res = handle_inner(app, parts, body, ip).await;
    log(format!(
        "{method} {path} -> {} ({} ms)",
        res.status().as_u16(),
        started.elapsed().as_millis()
    ));
    res
}

async fn handle_inner(
    app: &App,
    parts: hyper::http::request::Parts,
    body: Incoming,
    ip: IpAddr,
) -> Response<Body> {
    // An API token never manages tokens; a bad one is still reported as bad.
    if let Some(t) = header_token(&parts.headers) {
        return match check_token(app, &t, ip) {
            Ok(_) => error_reply(StatusCode::FORBIDDEN, "forbidden-auth-method", None),
            Err(r) => r,
        };
    }
    let bytes = match read_capped(body, MAX_BODY).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let json: serde_json::Value = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(_) => return bad("invalid-json"),
        }
    };
    let Some(session) = session_of(&parts.headers, &json) else {
        return error_reply(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Some("token-not-found"),
        );
    };
    if token::looks_like_token(&session) {
        return match check_token(app, &session, ip) {
            Ok(_) => error_reply(StatusCode::FORBIDDEN, "forbidden-auth-method", None),
            Err(r) => r,
        };
    }
    let user = match app.upstream.validate(&session).await {
        Ok(u) => u,
        Err(Failure::Status { status, body }) if (400..500).contains(&status) => {
            let mut res = Response::new(full(body));
            *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED);
            res.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
            );
            return res;
        }
        Err(_) => return bad_gateway(),
    };
    let owner = owner_of(&user);
    let rest = parts.uri.path()["/api-tokens".len()..].trim_matches('/');
    match (&parts.method, rest) {
        (&Method::GET, "") => {
            let list: Vec<_> = app
                .registry
                .entries()
                .iter()
                .filter(|e| e.row.owner == owner)
                .map(|e| view(e))
                .collect();
            ok(serde_json::Value::Array(list))
        }
        (&Method::POST, "") => create(app, &session, owner, json).await,
        (&Method::PATCH, id) if !id.is_empty() => {
            let Some(enabled) = json.get("enabled").and_then(|v| v.as_bool()) else {
                return bad("enabled-required");
            };
            change(app, &owner, id, Some(enabled)).await
        }
        (&Method::DELETE, id) if !id.is_empty() => change(app, &owner, id, None).await,
        _ => error_reply(StatusCode::NOT_FOUND, "not-found", None),
    }
}

pub fn owner_of(user: &UserInfo) -> String {
    user.user_id.clone().unwrap_or_default()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    name: Option<String>,
    budget_ids: Option<Vec<String>>,
    expires_at: Option<f64>,
    #[serde(default)]
    read_only: bool,
}

async fn create(
    app: &App,
    session: &str,
    owner: String,
    json: serde_json::Value,
) -> Response<Body> {
    let Ok(body) = serde_json::from_value::<CreateBody>(json) else {
        return bad("invalid-body");
    };
    let Some(name) = body.name.filter(|n| !n.trim().is_empty()) else {
        return bad("name-required");
    };
    let wanted = body.budget_ids.unwrap_or_default();
    if wanted.is_empty() {
        return bad("budget-ids-required");
    }
    let now = now_ms();
    let expires_at = match body.expires_at {
        None => None,
        Some(s) if s.is_finite() && s * 1000.0 > now as f64 => Some((s * 1000.0) as i64),
        Some(_) => return bad("expires-at-in-past"),
    };
    let files = match app.upstream.list_files(session).await {
        Ok(f) => f,
        Err(Failure::Status { status: 401, .. }) => {
            return error_reply(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                Some("token-not-found"),
            )
        }
        Err(_) => return bad_gateway(),
    };
    let budgets = match upstream::resolve_budgets(&files, &wanted) {
        Ok(b) => b,
        Err(GatewayError::BudgetNotFound(_)) => {
            return error_reply(StatusCode::BAD_REQUEST, "budget-not-found", None)
        }
        Err(_) => return bad("budget-ids-required"),
    };
    let new = NewToken {
        name,
        budgets,
        read_only: body.read_only,
        expires_at,
        owner,
    };
    let (row, secret) = match issue::issue(new, session, now) {
        Ok(x) => x,
        Err(GatewayError::Usage(_)) => return bad("invalid-name"),
        Err(_) => return error_reply(StatusCode::INTERNAL_SERVER_ERROR, "internal-error", None),
    };
    let store = app.store.clone();
    let stored = row.clone();
    let saved = tokio::task::spawn_blocking(move || store.insert(&stored)).await;
    if !matches!(saved, Ok(Ok(()))) {
        log("could not store a new token");
        return error_reply(StatusCode::INTERNAL_SERVER_ERROR, "internal-error", None);
    }
    if let Err(e) = app.reload().await {
        log(format!("reload failed: {e}"));
    }
    log(format!("created token {} ({})", row.prefix, row.name));
    ok(serde_json::json!({
        "id": row.id,
        "token": secret,
        "prefix": row.prefix,
        "name": row.name,
        "budgetIds": row.budgets,
        "createdAt": secs(row.created_at),
        "expiresAt": row.expires_at.map(secs),
        "readOnly": row.read_only,
    }))
}

/// `Some(enabled)` sets the flag; `None` revokes (deletes) the token.
async fn change(app: &App, owner: &str, id: &str, enabled: Option<bool>) -> Response<Body> {
    let owned = app
        .registry
        .entries()
        .into_iter()
        .find(|e| e.row.id == id && e.row.owner == owner);
    let Some(entry) = owned else {
        return not_found();
    };
    let store = app.store.clone();
    let id = entry.row.id.clone();
    let done = tokio::task::spawn_blocking(move || match enabled {
        Some(on) => store.set_enabled(&id, on),
        None => store.delete(&id),
    })
    .await;
    match done {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => return not_found(),
        _ => return error_reply(StatusCode::INTERNAL_SERVER_ERROR, "internal-error", None),
    }
    if let Err(e) = app.reload().await {
        log(format!("reload failed: {e}"));
    }
    let what = match enabled {
        Some(true) => "enabled",
        Some(false) => "disabled",
        None => "revoked",
    };
    log(format!("token {} {what}", entry.row.prefix));
    match enabled {
        Some(_) => match app
            .registry
            .entries()
            .iter()
            .find(|e| e.row.id == entry.row.id)
        {
            Some(e) => ok(view(e)),
            None => not_found(),
        },
        None => json_reply(StatusCode::OK, serde_json::json!({ "status": "ok" })),
    }
}
