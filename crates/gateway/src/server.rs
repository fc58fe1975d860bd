//! The HTTP side: accept, check API tokens, forward to the real Actual server.
//!
//! Requests without an `act_` token pass through unchanged (bodies streamed).
//! Requests with one are checked, scoped and forwarded with the owner's session.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actual_protocol::token;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE,
};
use hyper::http::request::Parts;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use url::Url;

use crate::error::{GatewayError, Result};
use crate::ratelimit::FailureLimiter;
use crate::registry::{Entry, Registry, Session, Verdict};
use crate::scope::{self, Route};
use crate::store::Store;
use crate::time::now_ms;
use crate::upstream::{self, Failure, Upstream};
use crate::{api, proto};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Body = http_body_util::combinators::BoxBody<Bytes, BoxError>;

/// Upstream's sync body limit is 20 MB; bodies read for inspection are capped there.
pub const MAX_INSPECT_BYTES: usize = 20 * 1024 * 1024;
/// A file listing is small; this only guards against a broken upstream.
const MAX_LISTING_BYTES: usize = 32 * 1024 * 1024;
const FILE_CACHE_TTL: Duration = Duration::from_secs(60);
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Config {
    pub listen: String,
    pub upstream: Url,
    pub db: PathBuf,
    /// Take the client address from the last `X-Forwarded-For` entry (behind a
    /// reverse proxy that sets it).
    pub trust_proxy: bool,
    pub max_failures: u32,
}

pub struct App {
    pub(crate) upstream: Upstream,
    pub(crate) store: Arc<Store>,
    pub(crate) registry: Registry,
    limiter: FailureLimiter,
    /// fileId -> (groupId, when learned)
    files: Mutex<HashMap<String, (Option<String>, Instant)>>,
    trust_proxy: bool,
    /// `PRAGMA data_version` when the token table was last loaded.
    loaded_version: std::sync::atomic::AtomicI64,
}

pub fn log(line: impl AsRef<str>) {
    eprintln!("[actual-token-gateway] {}", line.as_ref());
}

impl App {
    pub fn new(upstream: Upstream, store: Arc<Store>, trust_proxy: bool, max_failures: u32) -> App {
        App {
            upstream,
            store,
            registry: Registry::new(),
            limiter: FailureLimiter::new(max_failures, crate::ratelimit::DEFAULT_WINDOW),
            files: Mutex::new(HashMap::new()),
            trust_proxy,
            loaded_version: std::sync::atomic::AtomicI64::new(i64::MIN),
        }
    }

    /// Reloads the token table if another process (the CLI) committed since the last
    /// load. Returns whether it reloaded. Cheap when nothing changed: one PRAGMA.
    pub fn reload_if_changed(&self) -> Result<bool> {
        use std::sync::atomic::Ordering;
        let version = self.store.data_version()?;
        if self.loaded_version.swap(version, Ordering::AcqRel) == version {
            return Ok(false);
        }
        self.registry.load(self.store.list()?);
        Ok(true)
    }

    /// Reloads the token table from the database.
    pub async fn reload(&self) -> Result<()> {
        let store = self.store.clone();
        let rows = tokio::task::spawn_blocking(move || store.list())
            .await
            .map_err(|_| GatewayError::Config("reload task failed".into()))??;
        self.registry.load(rows);
        Ok(())
    }

    fn client_ip(&self, headers: &HeaderMap, peer: IpAddr) -> IpAddr {
        if self.trust_proxy {
            let last = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = last {
                return ip;
            }
        }
        peer
    }

    /// Whether `id` is the sync id (groupId) of one of the owner's files, as of the
    /// listing `group_of` just refreshed.
    fn is_known_group(&self, id: &str) -> bool {
        let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files
            .values()
            .any(|(group, _)| group.as_deref() == Some(id))
    }

    /// The groupId of a cloud file, learned from the owner's listing (cached).
    async fn group_of(&self, file_id: &str, session: &Session) -> Result<Option<String>, Failure> {
        {
            let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((group, at)) = files.get(file_id) {
                if at.elapsed() < FILE_CACHE_TTL {
                    return Ok(group.clone());
                }
            }
        }
        let listing = self.upstream.list_files(session.expose()).await?;
        let now = Instant::now();
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        if files.len() > 50_000 {
            files.clear();
        }
        let mut found = None;
        for f in listing {
            if f.file_id == file_id {
                found = f.group_id.clone();
            }
            files.insert(f.file_id, (f.group_id, now));
        }
        Ok(found)
    }
}

// ---------------------------------------------------------------------------
// replies

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

fn too_many(retry_after: u64) -> Response<Body> {
    let mut res = error_reply(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-requests",
        Some("too-many-failed-token-checks"),
    );
    res.headers_mut()
        .insert("retry-after", HeaderValue::from(retry_after));
    res
}

fn scope_error() -> Response<Body> {
    error_reply(StatusCode::FORBIDDEN, "token-scope-error", None)
}

fn file_not_found() -> Response<Body> {
    error_reply(StatusCode::BAD_REQUEST, "file-not-found", None)
}

fn read_only_error() -> Response<Body> {
    error_reply(StatusCode::FORBIDDEN, "token-read-only", None)
}

fn forbidden_method() -> Response<Body> {
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

// ---------------------------------------------------------------------------
// request bodies

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
    async fn into_bytes(self, limit: usize) -> Result<Bytes, Response<Body>> {
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
    for v in headers.get_all("x-actual-token") {
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

fn bearer(v: &str) -> Option<&str> {
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
fn replace_body_token(body: &Bytes, session: &Session) -> Bytes {
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

// ---------------------------------------------------------------------------
// forwarding

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

fn strip_hop_by_hop(headers: &mut HeaderMap) {
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
        headers.remove("x-actual-token");
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
        headers.insert("x-actual-token", v);
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
            log(format!("upstream {}", upstream::describe(&e)));
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

// ---------------------------------------------------------------------------
// the handler

pub async fn handle(app: Arc<App>, req: Request<Incoming>, peer: IpAddr) -> Response<Body> {
    let path = req.uri().path();
    if api::is_token_api(path) {
        let ip = app.client_ip(req.headers(), peer);
        return api::handle(&app, req, ip).await;
    }
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
    let res = authorized(&app, &parts, body, &entry, &session).await;
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

/// Rate limit, then the token check. Failed checks count against the address.
pub fn check_token(
    app: &App,
    token: &str,
    ip: IpAddr,
) -> Result<(Arc<Entry>, Session), Response<Body>> {
    let now = Instant::now();
    if let Some(wait) = app.limiter.blocked(ip, now) {
        return Err(too_many(wait));
    }
    let at = now_ms();
    let fail = |status, reason, details| {
        app.limiter.record_failure(ip, now);
        Err(error_reply(status, reason, Some(details)))
    };
    // The CLI may have created, disabled or revoked a token a moment ago: every check
    // first looks for a change (one PRAGMA, about a microsecond), so each takes effect
    // for every request that starts after the command returns.
    if let Err(e) = app.reload_if_changed() {
        log(format!("could not check the token table for changes: {e}"));
    }
    match app.registry.verify(token, at) {
        Verdict::Valid { entry, session } => {
            if Registry::touch(&entry, at) {
                let store = app.store.clone();
                let id = entry.row.id.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = store.touch_many(&[(id, at)]) {
                        log(format!("could not record last use: {e}"));
                    }
                });
            }
            Ok((entry, session))
        }
        Verdict::Invalid => fail(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "invalid-api-token",
        ),
        Verdict::Disabled => fail(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "api-token-disabled",
        ),
        Verdict::Expired => fail(
            StatusCode::UNAUTHORIZED,
            "token-expired",
            "api-token-expired",
        ),
    }
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
        Err(Failure::Status { status: 401, .. }) => Err(session_gone()),
        Err(_) => Err(bad_gateway()),
    }
}

async fn authorized(
    app: &App,
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
            let Ok(file_id) = one_header(parts, "x-actual-file-id") else {
                return scope_error();
            };
            let group = match check_file(app, entry, session, file_id.as_deref()).await {
                Ok(g) => g,
                Err(r) => return r,
            };
            if route == Route::Upload {
                // Without a group id upstream would move the file to a new group,
                // out of every token's scope.
                match one_header(parts, "x-actual-group-id") {
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
    stream_back(res)
}

/// Keeps only the token's budgets in a `/sync/list-user-files` reply.
async fn filter_listing(res: reqwest::Response, budgets: &[String]) -> Response<Body> {
    let status = res.status().as_u16();
    let mut headers = res.headers().clone();
    strip_hop_by_hop(&mut headers);
    let mut raw = Vec::new();
    let mut res = res;
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
    if let Some(files) = v.get_mut("data").and_then(|d| d.as_array_mut()) {
        files.retain(|f| {
            f.get("groupId")
                .and_then(|g| g.as_str())
                .is_some_and(|g| scope::in_scope(budgets, g))
        });
    } else {
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

// ---------------------------------------------------------------------------
// serving

/// Runs the gateway until `shutdown` resolves; `on_ready` gets the bound address.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()>,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let upstream = Upstream::new(&config.upstream)?;
    let db = config.db.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&db))
        .await
        .map_err(|_| GatewayError::Config("could not open the database".into()))??;
    let store = Arc::new(store);
    let app = Arc::new(App::new(
        upstream,
        store.clone(),
        config.trust_proxy,
        config.max_failures,
    ));
    app.reload().await?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| GatewayError::io(format!("cannot listen on {}", config.listen), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| GatewayError::io("cannot read the listening address", e))?;
    log(format!(
        "{} token(s) loaded from {}; forwarding to {}",
        app.registry.len(),
        config.db.display(),
        config.upstream.as_str().trim_end_matches('/')
    ));
    on_ready(addr);

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        log(format!("accept failed: {e}"));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let app = app.clone();
                let service = hyper::service::service_fn(move |req| {
                    let app = app.clone();
                    async move { Ok::<_, Infallible>(handle(app, req, peer.ip()).await) }
                });
                let conn = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    log("shutting down");
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(DRAIN_TIMEOUT) => log("gave up waiting for open requests"),
    }
    // Write every last use still only in memory.
    let uses: Vec<(String, i64)> = app
        .registry
        .entries()
        .iter()
        .filter_map(|e| e.last_used_at().map(|t| (e.row.id.clone(), t)))
        .collect();
    let s = store.clone();
    tokio::task::spawn_blocking(move || s.touch_many(&uses))
        .await
        .map_err(|_| GatewayError::Config("final write failed".into()))??;
    log("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let s = Session::for_tests("sess");
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
