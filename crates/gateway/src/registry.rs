//! The in-memory token table, keyed by token hash and loaded from the store, the
//! owners' sessions (unsealed when loaded), and the token check. A check costs two
//! SHA-256, one AES-GCM open of a few dozen bytes (a version 1 token's own session,
//! or a decoy's) and one session lookup, whatever the token: unknown, malformed,
//! disabled, expired and valid tokens take the same path, and the hash comparison is
//! constant-time.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use actual_protocol::token;
use subtle::ConstantTimeEq;

use crate::seal::{self, TokenHash};
use crate::store::TokenRow;

/// `last_used_at` is written to the database at most this often per token.
pub const TOUCH_INTERVAL_MS: i64 = 60_000;

/// A token as the gateway keeps it in memory.
pub struct Entry {
    pub row: TokenRow,
    last_used: AtomicI64,
    last_written: AtomicI64,
}

impl Entry {
    fn new(row: TokenRow) -> Entry {
        let used = row.last_used_at.unwrap_or(0);
        Entry {
            row,
            last_used: AtomicI64::new(used),
            last_written: AtomicI64::new(used),
        }
    }

    pub fn last_used_at(&self) -> Option<i64> {
        Some(self.last_used.load(Ordering::Relaxed)).filter(|v| *v > 0)
    }
}

/// The upstream session of a token's owner; prints as `<redacted>`.
pub type Session = actual_protocol::Secret;

/// Where a valid token's session came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionSource {
    /// The owner's session, stored once for all their tokens.
    Owner,
    /// A version 1 token's own copy, while its owner has none stored yet.
    Legacy,
    /// Neither: the owner must sign in again (`login` or the token page).
    Missing,
}

/// The outcome of a token check.
#[derive(Debug)]
pub enum Verdict {
    Valid {
        entry: Arc<Entry>,
        /// `None` with [`SessionSource::Missing`].
        session: Option<Session>,
        source: SessionSource,
    },
    /// Unknown, malformed or revoked.
    Invalid,
    Disabled,
    Expired,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("id", &self.row.id)
            .field("prefix", &self.row.prefix)
            .finish()
    }
}

pub struct Registry {
    map: RwLock<HashMap<TokenHash, Arc<Entry>>>,
    /// owner -> their upstream session.
    sessions: RwLock<HashMap<String, Session>>,
    /// Stands in for unknown tokens so that they take the same path.
    decoy: Arc<Entry>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    pub fn new() -> Registry {
        // A sealed blob as long as a real one (sessions are UUIDs, 36 bytes).
        let decoy_token = token::generate().unwrap_or_else(|_| "act_decoy".into());
        let sealed = seal::seal_legacy(&decoy_token, "00000000-0000-0000-0000-000000000000")
            .unwrap_or_else(|_| vec![0; 64]);
        let decoy = TokenRow {
            id: String::new(),
            name: String::new(),
            prefix: String::new(),
            hash: [0xff; 32],
            budgets: Vec::new(),
            read_only: true,
            enabled: false,
            created_at: 0,
            expires_at: Some(0),
            last_used_at: None,
            owner: String::new(),
            legacy_session: sealed,
        };
        Registry {
            map: RwLock::new(HashMap::new()),
            sessions: RwLock::new(HashMap::new()),
            decoy: Arc::new(Entry::new(decoy)),
        }
    }

    /// Replaces the owners' sessions (already unsealed).
    pub fn load_sessions(&self, sessions: HashMap<String, Session>) {
        *self.sessions.write().unwrap_or_else(|p| p.into_inner()) = sessions;
    }

    /// Whether the gateway holds a session for `owner`.
    pub fn has_session(&self, owner: &str) -> bool {
        let sessions = self.sessions.read().unwrap_or_else(|p| p.into_inner());
        sessions.contains_key(owner)
    }

    /// Replaces the table with `rows`, keeping newer in-memory `last_used` values.
    pub fn load(&self, rows: Vec<TokenRow>) {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        let mut next = HashMap::with_capacity(rows.len());
        for row in rows {
            let entry = Entry::new(row);
            if let Some(old) = map
                .get(&entry.row.hash)
                .filter(|o| o.row.id == entry.row.id)
            {
                entry
                    .last_used
                    .fetch_max(old.last_used.load(Ordering::Relaxed), Ordering::Relaxed);
                entry
                    .last_written
                    .fetch_max(old.last_written.load(Ordering::Relaxed), Ordering::Relaxed);
            }
            next.insert(entry.row.hash, Arc::new(entry));
        }
        *map = next;
    }

    pub fn entries(&self) -> Vec<Arc<Entry>> {
        let map = self.map.read().unwrap_or_else(|p| p.into_inner());
        let mut v: Vec<_> = map.values().cloned().collect();
        v.sort_by(|a, b| (a.row.created_at, &a.row.id).cmp(&(b.row.created_at, &b.row.id)));
        v
    }

    pub fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks a presented token at `now` (unix ms).
    pub fn verify(&self, presented: &str, now: i64) -> Verdict {
        let well_formed = token::check_format(presented).is_ok() as u8;
        let hash = seal::token_hash(presented);
        let (entry, found) = {
            let map = self.map.read().unwrap_or_else(|p| p.into_inner());
            match map.get(&hash) {
                Some(e) => (e.clone(), 1u8),
                None => (self.decoy.clone(), 0u8),
            }
        };
        let matches = entry.row.hash.ct_eq(&hash)
            & subtle::Choice::from(found)
            & subtle::Choice::from(well_formed);
        // Always unseal and look up, so that every verdict costs the same. A row with
        // no legacy copy is opened against the decoy's blob.
        let legacy_blob = if entry.row.legacy_session.is_empty() {
            &self.decoy.row.legacy_session
        } else {
            &entry.row.legacy_session
        };
        let legacy = seal::open_legacy(presented, &hash, legacy_blob);
        let owned = {
            let sessions = self.sessions.read().unwrap_or_else(|p| p.into_inner());
            sessions.get(&entry.row.owner).cloned()
        };
        let enabled = entry.row.enabled;
        let expired = entry.row.expires_at.is_some_and(|at| at <= now);
        if !bool::from(matches) {
            return Verdict::Invalid;
        }
        if expired {
            return Verdict::Expired;
        }
        if !enabled {
            return Verdict::Disabled;
        }
        let legacy = legacy.filter(|_| !entry.row.legacy_session.is_empty());
        let (session, source) = match (owned, legacy) {
            (Some(s), _) => (Some(s), SessionSource::Owner),
            (None, Some(s)) => (Some(Session::new(s)), SessionSource::Legacy),
            (None, None) => (None, SessionSource::Missing),
        };
        Verdict::Valid {
            entry,
            session,
            source,
        }
    }

    /// Records a use; returns true when it is time to write `last_used_at`.
    pub fn touch(entry: &Entry, now: i64) -> bool {
        entry.last_used.fetch_max(now, Ordering::Relaxed);
        let written = entry.last_written.load(Ordering::Relaxed);
        if written == 0 || now - written >= TOUCH_INTERVAL_MS {
            entry
                .last_written
                .compare_exchange(written, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::row;

    const SESSION: &str = "11111111-2222-3333-4444-555555555555";

    fn make(token: &str, id: &str) -> TokenRow {
        row(id, seal::token_hash(token))
    }

    /// A registry holding `user-1`'s session (the owner of `make`'s rows).
    fn with_session() -> Registry {
        let reg = Registry::new();
        reg.load_sessions(HashMap::from([(
            "user-1".to_string(),
            Session::new(SESSION.into()),
        )]));
        reg
    }

    #[test]
    fn verdicts() {
        let reg = with_session();
        let good = token::generate().unwrap();
        let disabled = token::generate().unwrap();
        let expired = token::generate().unwrap();
        let later = token::generate().unwrap();
        let mut d = make(&disabled, "d");
        d.enabled = false;
        let mut e = make(&expired, "e");
        e.expires_at = Some(5_000);
        let mut l = make(&later, "l");
        l.expires_at = Some(50_000);
        reg.load(vec![make(&good, "g"), d, e, l]);

        match reg.verify(&good, 10_000) {
            Verdict::Valid {
                entry,
                session: Some(session),
                source: SessionSource::Owner,
            } => {
                assert_eq!(entry.row.id, "g");
                assert_eq!(session.expose(), SESSION);
                assert_eq!(format!("{session:?}"), "<redacted>");
            }
            v => panic!("{v:?}"),
        }
        assert!(matches!(reg.verify(&disabled, 10_000), Verdict::Disabled));
        assert!(matches!(reg.verify(&expired, 10_000), Verdict::Expired));
        assert!(matches!(reg.verify(&expired, 4_999), Verdict::Valid { .. }));
        assert!(matches!(reg.verify(&later, 10_000), Verdict::Valid { .. }));
        assert!(matches!(reg.verify(&later, 50_000), Verdict::Expired));
        assert!(matches!(
            reg.verify(&token::generate().unwrap(), 0),
            Verdict::Invalid
        ));
        assert!(matches!(reg.verify("act_short", 0), Verdict::Invalid));
        assert!(matches!(reg.verify("", 0), Verdict::Invalid));
        let sloppy = format!("{good}\n");
        assert!(matches!(reg.verify(&sloppy, 0), Verdict::Invalid));

        // Revoked = gone from the table.
        reg.load(vec![make(&disabled, "d")]);
        assert!(matches!(reg.verify(&good, 10_000), Verdict::Invalid));
    }

    #[test]
    fn version_1_tokens_use_their_own_copy_until_the_owner_has_a_session() {
        let reg = Registry::new();
        let a = token::generate().unwrap();
        let b = token::generate().unwrap();
        let mut ra = make(&a, "a");
        ra.legacy_session = seal::seal_legacy(&a, "old-session").unwrap();
        // Someone with write access to the db copies one token's sealed session into
        // another row: the AES-GCM associated data (the hash) refuses it.
        let mut rb = make(&b, "b");
        rb.legacy_session = ra.legacy_session.clone();
        reg.load(vec![ra, rb]);
        match reg.verify(&a, 0) {
            Verdict::Valid {
                session: Some(s),
                source: SessionSource::Legacy,
                ..
            } => assert_eq!(s.expose(), "old-session"),
            v => panic!("{v:?}"),
        }
        assert!(matches!(
            reg.verify(&b, 0),
            Verdict::Valid {
                session: None,
                source: SessionSource::Missing,
                ..
            }
        ));
        // Once the owner signs in, their session serves both.
        reg.load_sessions(HashMap::from([(
            "user-1".to_string(),
            Session::new("new".into()),
        )]));
        for t in [&a, &b] {
            match reg.verify(t, 0) {
                Verdict::Valid {
                    session: Some(s),
                    source: SessionSource::Owner,
                    ..
                } => assert_eq!(s.expose(), "new"),
                v => panic!("{v:?}"),
            }
        }
    }

    #[test]
    fn same_work_for_every_verdict() {
        // Timing is not asserted in unit tests (the benchmark measures it); instead, each
        // verdict must take the same steps: one hash lookup and one unseal, whatever the
        // token. A short cut for unknown, malformed, disabled or expired tokens would
        // skip the unseal and show here.
        let reg = with_session();
        let good = token::generate().unwrap();
        let disabled = token::generate().unwrap();
        let expired = token::generate().unwrap();
        let mut d = make(&disabled, "d");
        d.enabled = false;
        let mut e = make(&expired, "e");
        e.expires_at = Some(1);
        reg.load(vec![make(&good, "g"), d, e]);
        let unknown = token::generate().unwrap();
        for (presented, expect) in [
            (good.as_str(), "valid"),
            (unknown.as_str(), "invalid"),
            ("act_malformed", "invalid"),
            (disabled.as_str(), "disabled"),
            (expired.as_str(), "expired"),
        ] {
            crate::seal::OPENS.with(|n| n.set(0));
            let verdict = match reg.verify(presented, 10_000) {
                Verdict::Valid { .. } => "valid",
                Verdict::Invalid => "invalid",
                Verdict::Disabled => "disabled",
                Verdict::Expired => "expired",
            };
            assert_eq!(verdict, expect);
            assert_eq!(
                crate::seal::OPENS.with(|n| n.get()),
                1,
                "{expect}: one unseal"
            );
        }
    }

    /// The cost of one check with 1,000 tokens loaded. Measured, never asserted: the
    /// benchmark runs it (`cargo test --release -p actual-gateway check_cost -- --ignored
    /// --nocapture`) and reports the figure.
    #[test]
    #[ignore]
    fn check_cost() {
        let reg = with_session();
        let mut rows = Vec::new();
        let mut last = String::new();
        for i in 0..1_000 {
            last = token::generate().unwrap();
            rows.push(make(&last, &format!("t{i}")));
        }
        reg.load(rows);
        let n = 20_000;
        let start = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(reg.verify(&last, 0));
        }
        let per = start.elapsed().as_nanos() as f64 / n as f64 / 1000.0;
        println!("one token check: {per:.3} µs");
    }

    #[test]
    fn touch_is_throttled() {
        let reg = Registry::new();
        let t = token::generate().unwrap();
        reg.load(vec![make(&t, "x")]);
        let e = reg.entries().pop().unwrap();
        assert!(Registry::touch(&e, 1_000));
        assert!(!Registry::touch(&e, 2_000));
        assert_eq!(e.last_used_at(), Some(2_000));
        assert!(Registry::touch(&e, 1_000 + TOUCH_INTERVAL_MS));
        // A reload keeps the in-memory value.
        let mut r = make(&t, "x");
        r.last_used_at = Some(1_500);
        reg.load(vec![r]);
        assert_eq!(
            reg.entries()[0].last_used_at(),
            Some(1_000 + TOUCH_INTERVAL_MS)
        );
    }
}
