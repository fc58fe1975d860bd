//! The gateway's shared state (upstream client, store, token table, gateway key, rate
//! limiter, page sessions) and the token check every path goes through.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use hyper::header::HeaderMap;
use hyper::{Response, StatusCode};
use url::Url;

use crate::error::Result;
use crate::keys::{GatewayKey, KeySource};
use crate::ratelimit::FailureLimiter;
use crate::registry::{Entry, Registry, Session, SessionSource, Verdict};
use crate::reply::{error_reply, too_many, Body};
use crate::sessions;
use crate::store::{blocking, Store};
use crate::time::now_ms;
use crate::upstream::{Failure, Upstream};
use crate::websession::WebSessions;

const FILE_CACHE_TTL: Duration = Duration::from_secs(60);

pub struct Config {
    pub listen: String,
    pub upstream: Url,
    pub db: PathBuf,
    pub key: KeySource,
    /// Take the client address from the last `X-Forwarded-For` entry, and the scheme
    /// from `X-Forwarded-Proto` (behind a reverse proxy that sets them).
    pub trust_proxy: bool,
    /// Mark the token page's cookie `Secure` whatever the request says.
    pub secure_cookie: bool,
    pub max_failures: u32,
}

pub struct App {
    pub upstream: Upstream,
    pub store: Arc<Store>,
    pub registry: Registry,
    /// Failed token checks and failed sign-ins on the token page, per address.
    pub limiter: FailureLimiter,
    pub web: WebSessions,
    pub trust_proxy: bool,
    pub secure_cookie: bool,
    key_source: KeySource,
    key: RwLock<GatewayKey>,
    /// fileId -> (groupId, when learned)
    files: Mutex<HashMap<String, (Option<String>, Instant)>>,
    /// `PRAGMA data_version` when the tables were last loaded.
    loaded_version: AtomicI64,
}

/// Logs one line to stderr. Callers name a token by its prefix only, never a token, a
/// session or a password.
pub fn log(line: impl AsRef<str>) {
    eprintln!("[actual-token-gateway] {}", line.as_ref());
}

/// Logs a request the gateway answered itself: method, path (never a query, which
/// could carry anything), status and time.
pub fn log_reply(parts: &hyper::http::request::Parts, status: StatusCode, started: Instant) {
    log(format!(
        "{} {} -> {} ({} ms)",
        parts.method,
        parts.uri.path(),
        status.as_u16(),
        started.elapsed().as_millis()
    ));
}

impl App {
    pub fn new(upstream: Upstream, store: Arc<Store>, key: GatewayKey, config: &Config) -> App {
        App {
            upstream,
            store,
            registry: Registry::new(),
            limiter: FailureLimiter::new(config.max_failures, crate::ratelimit::DEFAULT_WINDOW),
            web: WebSessions::default(),
            trust_proxy: config.trust_proxy,
            secure_cookie: config.secure_cookie,
            key_source: config.key.clone(),
            key: RwLock::new(key),
            files: Mutex::new(HashMap::new()),
            loaded_version: AtomicI64::new(i64::MIN),
        }
    }

    pub fn key(&self) -> GatewayKey {
        self.key.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Loads tokens and owners' sessions. A rotated key (`key rotate` from another
    /// process) is read again first.
    fn load(&self) -> Result<()> {
        let mut key = self.key();
        if self.store.key_id()?.is_some_and(|id| id != key.id()) {
            key = sessions::open_key(&self.store, &self.key_source, false)?;
            *self.key.write().unwrap_or_else(|p| p.into_inner()) = key.clone();
        }
        self.registry.load(self.store.list()?);
        self.registry
            .load_sessions(sessions::load_all(&self.store, &key)?);
        Ok(())
    }

    /// Reloads if another process (the CLI) committed since the last load. Cheap when
    /// nothing changed: one PRAGMA.
    pub fn reload_if_changed(&self) -> Result<bool> {
        let version = self.store.data_version()?;
        if self.loaded_version.swap(version, Ordering::AcqRel) == version {
            return Ok(false);
        }
        self.load()?;
        Ok(true)
    }

    /// Reloads the tables from the database (after a change of our own).
    pub async fn reload(self: &Arc<Self>) -> Result<()> {
        let app = self.clone();
        blocking(move || app.load()).await
    }

    /// Stores `session` as `owner`'s and loads it, so their tokens use it at once.
    pub async fn save_session(self: &Arc<Self>, owner: &str, session: &Session) -> Result<()> {
        let (store, key) = (self.store.clone(), self.key());
        let (owner, session) = (owner.to_string(), session.clone());
        blocking(move || sessions::save(&store, &key, &owner, session.expose(), now_ms())).await?;
        self.reload().await
    }

    pub fn client_ip(&self, headers: &HeaderMap, peer: IpAddr) -> IpAddr {
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

    /// Whether the client reached us over https: through a trusted proxy that says so,
    /// or by the operator's word (`--secure-cookie`).
    pub fn is_https(&self, headers: &HeaderMap) -> bool {
        self.secure_cookie
            || (self.trust_proxy
                && headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split(',').next_back())
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("https")))
    }

    /// Whether `id` is the sync id (groupId) of one of the owner's files, as of the
    /// listing `group_of` just refreshed.
    pub fn is_known_group(&self, id: &str) -> bool {
        let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files
            .values()
            .any(|(group, _)| group.as_deref() == Some(id))
    }

    /// The groupId of a cloud file, learned from the owner's listing (cached).
    pub async fn group_of(
        &self,
        file_id: &str,
        session: &Session,
    ) -> Result<Option<String>, Failure> {
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

/// Rate limit, then the token check. Failed checks count against the address. A valid
/// token's session is `None` when the gateway holds none for its owner.
pub fn check_token(
    app: &Arc<App>,
    token: &str,
    ip: IpAddr,
) -> Result<(Arc<Entry>, Option<Session>), Response<Body>> {
    let now = Instant::now();
    if let Some(wait) = app.limiter.blocked(ip, now) {
        return Err(too_many(wait));
    }
    let at = now_ms();
    let fail = |status, reason, details| {
        app.limiter.record_failure(ip, now);
        Err(error_reply(status, reason, Some(details)))
    };
    // The CLI may have created, disabled or revoked a token (or stored a session) a
    // moment ago: every check first looks for a change (one PRAGMA, about a
    // microsecond), so each takes effect for every request that starts after the
    // command returns.
    if let Err(e) = app.reload_if_changed() {
        log(format!("could not check the token table for changes: {e}"));
    }
    match app.registry.verify(token, at) {
        Verdict::Valid {
            entry,
            session,
            source,
        } => {
            if Registry::touch(&entry, at) {
                let store = app.store.clone();
                let id = entry.row.id.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = store.touch_many(&[(id, at)]) {
                        log(format!("could not record last use: {e}"));
                    }
                });
            }
            if let (SessionSource::Legacy, Some(s)) = (source, &session) {
                adopt_legacy(app, &entry, s);
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

/// A version 1 token was used: its copy of the session becomes its owner's (sealed
/// under the gateway key), so the owner's other tokens share it and a later `login`
/// renews them all.
fn adopt_legacy(app: &Arc<App>, entry: &Entry, session: &Session) {
    let (store, key) = (app.store.clone(), app.key());
    let owner = entry.row.owner.clone();
    let prefix = entry.row.prefix.clone();
    let session = session.clone();
    tokio::task::spawn_blocking(move || {
        match sessions::adopt_legacy(&store, &key, &owner, session.expose(), now_ms()) {
            Ok(()) => log(format!(
                "token {prefix}: its owner's session is now kept by the gateway (migrated)"
            )),
            Err(e) => log(format!(
                "could not migrate the session of token {prefix}: {e}"
            )),
        }
    });
}
