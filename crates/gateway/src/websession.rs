//! Sign-ins to the token page: a random cookie value, held only in memory and only as
//! its hash, mapped to the signed-in owner, their upstream session and a per-session
//! CSRF token. Sessions end after 30 idle minutes, after 12 hours, at sign-out, and
//! when the gateway stops.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{GatewayError, Result};
use crate::registry::Session;

pub const COOKIE: &str = "actual_gateway_session";
pub const IDLE: Duration = Duration::from_secs(30 * 60);
pub const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
const MAX_SESSIONS: usize = 10_000;

/// A signed-in page user.
#[derive(Clone, Debug)]
pub struct WebSession {
    pub owner: String,
    pub user_name: String,
    pub upstream: Session,
    csrf: Session,
    created: Instant,
    seen: Instant,
}

impl WebSession {
    pub fn csrf(&self) -> &str {
        self.csrf.expose()
    }

    /// Whether a request's CSRF header matches this session's token (constant time).
    pub fn csrf_matches(&self, presented: Option<&str>) -> bool {
        presented.is_some_and(|p| bool::from(p.as_bytes().ct_eq(self.csrf.expose().as_bytes())))
    }

    fn live(&self, now: Instant) -> bool {
        now.duration_since(self.seen) < IDLE && now.duration_since(self.created) < LIFETIME
    }
}

#[derive(Default)]
pub struct WebSessions {
    map: Mutex<HashMap<[u8; 32], WebSession>>,
}

/// `n` random bytes as unpadded base64url.
pub fn random_text(n: usize) -> Result<String> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|_| GatewayError::Random)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

fn key(cookie: &str) -> [u8; 32] {
    Sha256::digest(cookie.as_bytes()).into()
}

impl WebSessions {
    /// Starts a session; returns the cookie value and the session.
    pub fn create(
        &self,
        owner: String,
        user_name: String,
        upstream: Session,
    ) -> Result<(String, WebSession)> {
        let cookie = random_text(32)?;
        let now = Instant::now();
        let session = WebSession {
            owner,
            user_name,
            upstream,
            csrf: Session::new(random_text(32)?),
            created: now,
            seen: now,
        };
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, s| s.live(now));
            if map.len() >= MAX_SESSIONS {
                if let Some(oldest) = map.iter().min_by_key(|(_, s)| s.seen).map(|(k, _)| *k) {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(key(&cookie), session.clone());
        Ok((cookie, session))
    }

    /// The live session of a cookie value (and marks it used).
    pub fn get(&self, cookie: &str) -> Option<WebSession> {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let k = key(cookie);
        let s = map.get_mut(&k)?;
        if !s.live(now) {
            map.remove(&k);
            return None;
        }
        s.seen = now;
        Some(s.clone())
    }

    pub fn remove(&self, cookie: &str) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&key(cookie));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_by_cookie_with_csrf() {
        let all = WebSessions::default();
        let (cookie, s) = all
            .create("u".into(), "admin".into(), Session::new("up".into()))
            .unwrap();
        assert_eq!(cookie.len(), 43);
        let got = all.get(&cookie).unwrap();
        assert_eq!(got.owner, "u");
        assert!(got.csrf_matches(Some(s.csrf())));
        assert!(!got.csrf_matches(Some("nope")));
        assert!(!got.csrf_matches(None));
        assert!(!format!("{got:?}").contains(s.csrf()));
        assert!(all.get("other").is_none());
        all.remove(&cookie);
        assert!(all.get(&cookie).is_none());
    }
}
