//! The token database: one SQLite file (WAL mode, created with mode 0600). Holds
//! token hashes, never tokens; the owner's session only sealed (see `seal`).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{GatewayError, Result};
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
    /// The owner's upstream session, sealed under a key derived from the token.
    pub sealed_session: Vec<u8>,
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
PRAGMA user_version = 1;
";

/// Creates the file (and its folder) readable by the owner only, before SQLite
/// opens it; SQLite gives the -wal and -shm files the same mode.
fn create_private(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir)
                .map_err(|e| GatewayError::io(format!("cannot create {}", dir.display()), e))?;
        }
    }
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
        .map_err(|e| GatewayError::io(format!("cannot open {}", path.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| GatewayError::io(format!("cannot chmod {}", path.display()), e))?;
    }
    Ok(())
}

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
        sealed_session: r.get("sealed_session")?,
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
                row.sealed_session,
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

    /// Changes whenever the token table may have changed (any commit, from this process
    /// or another, such as the CLI).
    pub fn data_version(&self) -> Result<i64> {
        let watch = self.watch.lock().unwrap_or_else(|p| p.into_inner());
        Ok(watch.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
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
            sealed_session: vec![1, 2, 3],
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
}
