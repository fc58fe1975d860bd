//! The token database: one SQLite file (WAL mode, created with mode 0600). Holds
//! token hashes, never tokens; owners' sessions only sealed under the gateway key,
//! which lives elsewhere (see `seal` and `keys`).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{GatewayError, Result};
use crate::private_fs::create_private;
use crate::seal::{TokenHash, HASH_LEN};

pub const DEFAULT_DB: &str = "./gateway-data/gateway.sqlite";

/// One token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub hash: TokenHash,
    /// Sync ids (`groupId`s) the token may reach; never empty.
    pub budgets: Vec<String>,
    pub read_only: bool,
    pub enabled: bool,
    /// Unix milliseconds.
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// The upstream user the token acts for (`userId` from /account/validate).
    pub owner: String,
    /// Tokens made by version 1 only: the owner's session as it was then, sealed under
    /// a key derived from the token (`seal::open_legacy`). Empty for newer tokens, whose
    /// owner's session is kept once per owner (`owner_sessions`).
    pub legacy_session: Vec<u8>,
}

pub struct Store {
    conn: Mutex<Connection>,
    /// A second connection, only for `PRAGMA data_version`: it then sees every commit,
    /// ours and other processes' alike, and never waits behind our own writes.
    watch: Mutex<Connection>,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  token_hash BLOB NOT NULL UNIQUE,
  budget_ids TEXT NOT NULL,
  read_only INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER,
  owner TEXT NOT NULL,
  sealed_session BLOB NOT NULL
);
";

/// Version 2: one session per owner, sealed under the gateway key (`seal`), so that a
/// new session revives every token of that owner; `meta` records the key's id. Rows of
/// version 1 keep their own sealed copy (`legacy_session`) until their owner signs in.
const SCHEMA_V2: &str = "
CREATE TABLE IF NOT EXISTS owner_sessions (
  owner TEXT PRIMARY KEY,
  sealed BLOB NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
PRAGMA user_version = 2;
";

const KEY_ID: &str = "key_id";

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
    let hash: Vec<u8> = r.get("token_hash")?;
    let mut h = [0u8; HASH_LEN];
    if hash.len() == HASH_LEN {
        h.copy_from_slice(&hash);
    }
    let budgets: String = r.get("budget_ids")?;
    Ok(TokenRow {
        id: r.get("id")?,
        name: r.get("name")?,
        prefix: r.get("prefix")?,
        hash: h,
        budgets: serde_json::from_str(&budgets).unwrap_or_default(),
        read_only: r.get("read_only")?,
        enabled: r.get("enabled")?,
        created_at: r.get("created_at")?,
        expires_at: r.get("expires_at")?,
        last_used_at: r.get("last_used_at")?,
        owner: r.get("owner")?,
        legacy_session: r.get("sealed_session")?,
    })
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        create_private(path)?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(GatewayError::Config(format!(
                "{} cannot use WAL mode (got {mode}); put it on a local disk",
                path.display()
            )));
        }
        // A token is reported created only after its row is durable.
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(SCHEMA_V2)?;
        let watch = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(Store {
            conn: Mutex::new(conn),
            watch: Mutex::new(watch),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, row: &TokenRow) -> Result<()> {
        let budgets = serde_json::to_string(&row.budgets).unwrap_or_else(|_| "[]".into());
        self.conn().execute(
            "INSERT INTO api_tokens (id, name, prefix, token_hash, budget_ids, read_only, enabled,
               created_at, expires_at, last_used_at, owner, sealed_session)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                row.id,
                row.name,
                row.prefix,
                &row.hash[..],
                budgets,
                row.read_only,
                row.enabled,
                row.created_at,
                row.expires_at,
                row.last_used_at,
                row.owner,
                row.legacy_session,
            ],
        )?;
        Ok(())
    }

    pub fn list(&self) -> Result<Vec<TokenRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT * FROM api_tokens ORDER BY created_at, id")?;
        let rows = stmt.query_map([], row_from)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn get(&self, id: &str) -> Result<Option<TokenRow>> {
        Ok(self
            .conn()
            .query_row("SELECT * FROM api_tokens WHERE id = ?1", [id], row_from)
            .optional()?)
    }

    /// Finds a token by id, or by its display prefix when exactly one matches.
    pub fn resolve(&self, id_or_prefix: &str) -> Result<String> {
        if self.get(id_or_prefix)?.is_some() {
            return Ok(id_or_prefix.to_string());
        }
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id FROM api_tokens WHERE prefix = ?1")?;
        let ids = stmt
            .query_map([id_or_prefix], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        match ids.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(GatewayError::TokenNotFound(id_or_prefix.to_string())),
            _ => Err(GatewayError::Usage(format!(
                "several tokens have prefix {id_or_prefix}; use the id"
            ))),
        }
    }

    /// Returns false when no such token exists.
    pub fn set_enabled(&self, id: &str, enabled: bool) -> Result<bool> {
        Ok(self.conn().execute(
            "UPDATE api_tokens SET enabled = ?2 WHERE id = ?1",
            params![id, enabled],
        )? > 0)
    }

    /// Revokes for good: the row (hash and sealed session) is deleted.
    pub fn delete(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM api_tokens WHERE id = ?1", [id])?
            > 0)
    }

    pub fn touch_many(&self, uses: &[(String, i64)]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for (id, at) in uses {
            tx.execute(
                "UPDATE api_tokens SET last_used_at = MAX(COALESCE(last_used_at, 0), ?2) WHERE id = ?1",
                params![id, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every owner's sealed session.
    pub fn owner_sessions(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT owner, sealed FROM owner_sessions")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Stores an owner's (new) sealed session. With `replace_legacy`, the owner's
    /// version 1 tokens drop their own old copies: the new session serves them all.
    pub fn set_owner_session(
        &self,
        owner: &str,
        sealed: &[u8],
        now: i64,
        replace_legacy: bool,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO owner_sessions (owner, sealed, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(owner) DO UPDATE SET sealed = ?2, updated_at = ?3",
            params![owner, sealed, now],
        )?;
        if replace_legacy {
            tx.execute(
                "UPDATE api_tokens SET sealed_session = X'' WHERE owner = ?1",
                [owner],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The id of the gateway key the sessions are sealed under, once one was used.
    pub fn key_id(&self) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [KEY_ID], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_key_id(&self, id: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = ?2",
            params![KEY_ID, id],
        )?;
        Ok(())
    }

    /// Seals every owner's session anew with `reseal` and records `new_key_id`, in one
    /// transaction: either all sessions move to the new key or none does.
    pub fn reseal_all(
        &self,
        new_key_id: &str,
        reseal: impl Fn(&str, &[u8]) -> Result<Vec<u8>>,
    ) -> Result<usize> {
        let sessions = self.owner_sessions()?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for (owner, sealed) in &sessions {
            tx.execute(
                "UPDATE owner_sessions SET sealed = ?2 WHERE owner = ?1",
                params![owner, reseal(owner, sealed)?],
            )?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = ?2",
            params![KEY_ID, new_key_id],
        )?;
        tx.commit()?;
        Ok(sessions.len())
    }

    /// Drops every stored owner session (after the key that sealed them was lost) and
    /// records `key_id` as the key from now on.
    pub fn forget_sessions(&self, key_id: &str) -> Result<usize> {
        let n = self.conn().execute("DELETE FROM owner_sessions", [])?;
        self.set_key_id(key_id)?;
        Ok(n)
    }

    /// Changes whenever the token table may have changed (any commit, from this process
    /// or another, such as the CLI).
    pub fn data_version(&self) -> Result<i64> {
        let watch = self.watch.lock().unwrap_or_else(|p| p.into_inner());
        Ok(watch.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}

/// Runs store work (SQLite, blocking) off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| GatewayError::Config("a background task failed".into()))?
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn row(id: &str, hash: TokenHash) -> TokenRow {
        TokenRow {
            id: id.into(),
            name: format!("name-{id}"),
            prefix: "act_abcdefgh".into(),
            hash,
            budgets: vec!["group-1".into()],
            read_only: false,
            enabled: true,
            created_at: 1_000,
            expires_at: None,
            last_used_at: None,
            owner: "user-1".into(),
            legacy_session: Vec::new(),
        }
    }

    #[test]
    fn crud_and_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/gw.sqlite");
        let store = Store::open(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.insert(&row("a", [1; 32])).unwrap();
        store.insert(&row("b", [2; 32])).unwrap();
        assert!(store.insert(&row("c", [2; 32])).is_err(), "hash is unique");
        assert_eq!(store.list().unwrap().len(), 2);
        assert!(store.set_enabled("a", false).unwrap());
        assert!(!store.get("a").unwrap().unwrap().enabled);
        assert!(!store.set_enabled("zzz", false).unwrap());
        store.touch_many(&[("b".into(), 5_000)]).unwrap();
        store.touch_many(&[("b".into(), 4_000)]).unwrap();
        assert_eq!(store.get("b").unwrap().unwrap().last_used_at, Some(5_000));
        assert!(store.delete("a").unwrap());
        assert!(!store.delete("a").unwrap());
        assert!(matches!(
            store.resolve("act_abcdefgh"),
            Ok(id) if id == "b"
        ));
        drop(store);
        // Survives reopening.
        let store = Store::open(&path).unwrap();
        assert_eq!(store.list().unwrap().len(), 1);
    }

    #[test]
    fn owner_sessions_replace_legacy_copies() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("gw.sqlite")).unwrap();
        let mut old = row("a", [1; 32]);
        old.legacy_session = vec![9; 60];
        store.insert(&old).unwrap();
        store.set_owner_session("user-1", b"s1", 1, false).unwrap();
        assert_eq!(store.get("a").unwrap().unwrap().legacy_session.len(), 60);
        store.set_owner_session("user-1", b"s2", 2, true).unwrap();
        assert_eq!(
            store.owner_sessions().unwrap(),
            vec![("user-1".to_string(), b"s2".to_vec())]
        );
        assert!(store.get("a").unwrap().unwrap().legacy_session.is_empty());
        assert_eq!(store.key_id().unwrap(), None);
        store
            .reseal_all("k2", |_, s| Ok([s, b"!"].concat()))
            .unwrap();
        assert_eq!(store.key_id().unwrap().as_deref(), Some("k2"));
        assert_eq!(store.owner_sessions().unwrap()[0].1, b"s2!".to_vec());
        assert_eq!(store.forget_sessions("k3").unwrap(), 1);
        assert!(store.owner_sessions().unwrap().is_empty());
    }

    #[test]
    fn a_version_1_database_opens_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gw.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute_batch("PRAGMA user_version = 1;").unwrap();
            conn.execute(
                "INSERT INTO api_tokens (id, name, prefix, token_hash, budget_ids, created_at, owner, sealed_session)
                 VALUES ('a', 'n', 'act_abcdefgh', ?1, '[\"g\"]', 1, 'u', X'0102')",
                [&[7u8; 32][..]],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let rows = store.list().unwrap();
        assert_eq!(rows[0].legacy_session, vec![1, 2]);
        assert_eq!(rows[0].budgets, vec!["g".to_string()]);
        assert!(store.owner_sessions().unwrap().is_empty());
        let v: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 2);
    }
}
