//! `/api-tokens`: the token management API with the shapes of upstream's proposal.
//! Authenticated by a real upstream session (`X-ACTUAL-TOKEN` from a password login,
//! checked with `GET /account/validate`); an API token gets 403
//! `forbidden-auth-method`. The token page calls [`dispatch`] with the session of its
//! signed-in user, so both follow the same rules (`manage`).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use actual_protocol::token;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;

use crate::app::{check_token, log, log_reply, App};
use crate::body::read_capped;
use crate::error::GatewayError;
use crate::extract::{header_token, session_of};
use crate::manage::{self, Change, CreateRequest};
use crate::registry::Session;
use crate::reply::{bad_gateway, error_reply, forbidden_method, full, json_reply, ok, Body};
use crate::store::blocking;
use crate::time::now_ms;
use crate::upstream::{owner_of, Failure};

/// Management requests are small JSON documents.
pub const MAX_BODY: usize = 64 * 1024;

pub fn is_token_api(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p == "/api-tokens" || p.starts_with("/api-tokens/")
}

fn bad(details: &str) -> Response<Body> {
    error_reply(StatusCode::BAD_REQUEST, "bad-request", Some(details))
}

/// The reply for a failed management step.
pub fn refusal(e: &GatewayError) -> Response<Body> {
    match e {
        GatewayError::Invalid { code, .. } => bad(code),
        GatewayError::BudgetNotFound(_) => {
            error_reply(StatusCode::BAD_REQUEST, "budget-not-found", None)
        }
        GatewayError::TokenNotFound(_) => {
            error_reply(StatusCode::NOT_FOUND, "not-found", Some("token-not-found"))
        }
        GatewayError::Upstream { status: 401, .. } => error_reply(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Some("token-not-found"),
        ),
        GatewayError::Network(_) | GatewayError::Upstream { .. } => bad_gateway(),
        _ => {
            log(format!("token management failed: {e}"));
            error_reply(StatusCode::INTERNAL_SERVER_ERROR, "internal-error", None)
        }
    }
}

/// Parses a small JSON body (`null` when empty).
pub async fn json_body(body: Incoming) -> Result<serde_json::Value, Response<Body>> {
    let bytes = read_capped(body, MAX_BODY).await?;
    if bytes.is_empty() {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_slice(&bytes).map_err(|_| bad("invalid-json"))
}

pub async fn handle(app: &Arc<App>, req: Request<Incoming>, ip: IpAddr) -> Response<Body> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let res = handle_inner(app, &parts, body, ip).await;
    log_reply(&parts, res.status(), started);
    res
}

async fn handle_inner(
    app: &Arc<App>,
    parts: &hyper::http::request::Parts,
    body: Incoming,
    ip: IpAddr,
) -> Response<Body> {
    // An API token never manages tokens; a bad one is still reported as bad.
    let refuse_token = |t: &str| match check_token(app, t, ip) {
        Ok(_) => forbidden_method(),
        Err(r) => r,
    };
    if let Some(t) = header_token(&parts.headers) {
        return refuse_token(&t);
    }
    let json = match json_body(body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(session) = session_of(&parts.headers, &json) else {
        return error_reply(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Some("token-not-found"),
        );
    };
    if token::looks_like_token(&session) {
        return refuse_token(&session);
    }
    let user = match app.upstream.validate(&session).await {
        Ok(u) => u,
        Err(Failure::Status { status, body }) if (400..500).contains(&status) => {
            return upstream_refusal(status, body)
        }
        Err(_) => return bad_gateway(),
    };
    let rest = parts.uri.path()["/api-tokens".len()..].trim_matches('/');
    let session = Session::new(session);
    dispatch(app, &owner_of(&user), &session, &parts.method, rest, json).await
}

/// Upstream's own answer to a session it refused, passed on as it is.
fn upstream_refusal(status: u16, body: Bytes) -> Response<Body> {
    let mut res = Response::new(full(body));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED);
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    res
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    budget_ids: Vec<String>,
    /// Unix seconds.
    expires_at: Option<f64>,
    #[serde(default)]
    read_only: bool,
}

/// One management request of `owner`, signed in with `session`: `rest` is the path
/// after the collection (`""` or a token id).
pub async fn dispatch(
    app: &Arc<App>,
    owner: &str,
    session: &Session,
    method: &Method,
    rest: &str,
    json: serde_json::Value,
) -> Response<Body> {
    match (method, rest) {
        (&Method::GET, "") => {
            let list: Vec<_> = app
                .registry
                .entries()
                .iter()
                .filter(|e| e.row.owner == owner)
                .map(|e| manage::view(e))
                .collect();
            ok(serde_json::Value::Array(list))
        }
        (&Method::POST, "") => create(app, owner, session, json).await,
        (&Method::PATCH, id) if !id.is_empty() => {
            match json.get("enabled").and_then(|v| v.as_bool()) {
                Some(true) => change(app, owner, id, Change::Enable).await,
                Some(false) => change(app, owner, id, Change::Disable).await,
                None => bad("enabled-required"),
            }
        }
        (&Method::DELETE, id) if !id.is_empty() => change(app, owner, id, Change::Revoke).await,
        _ => error_reply(StatusCode::NOT_FOUND, "not-found", None),
    }
}

async fn create(
    app: &Arc<App>,
    owner: &str,
    session: &Session,
    json: serde_json::Value,
) -> Response<Body> {
    let Ok(body) = serde_json::from_value::<CreateBody>(json) else {
        return bad("invalid-body");
    };
    let expires_at = match body.expires_at {
        None => None,
        Some(s) if s.is_finite() && s.abs() < 1e12 => Some((s * 1000.0) as i64),
        Some(_) => return bad("expires-at-in-past"),
    };
    let req = CreateRequest {
        name: body.name,
        budgets: body.budget_ids,
        expires_at,
        read_only: body.read_only,
    };
    let made = manage::create(
        &app.upstream,
        app.store.clone(),
        app.key(),
        session.expose(),
        owner.to_string(),
        req,
        now_ms(),
    )
    .await;
    let (row, secret) = match made {
        Ok(x) => x,
        Err(e) => return refusal(&e),
    };
    if let Err(e) = app.reload().await {
        log(format!("reload failed: {e}"));
    }
    log(format!("created token {} ({})", row.prefix, row.name));
    ok(manage::created_view(&row, &secret))
}

async fn change(app: &Arc<App>, owner: &str, id: &str, what: Change) -> Response<Body> {
    let (store, id_owned, owner_owned) = (app.store.clone(), id.to_string(), owner.to_string());
    let row =
        match blocking(move || manage::change(&store, &id_owned, Some(&owner_owned), what)).await {
            Ok(r) => r,
            Err(e) => return refusal(&e),
        };
    if let Err(e) = app.reload().await {
        log(format!("reload failed: {e}"));
    }
    log(format!("token {} {}", row.prefix, what.verb()));
    if what == Change::Revoke {
        return json_reply(StatusCode::OK, serde_json::json!({ "status": "ok" }));
    }
    match app.registry.entries().iter().find(|e| e.row.id == id) {
        Some(e) => ok(manage::view(e)),
        None => refusal(&GatewayError::TokenNotFound(id.to_string())),
    }
}
