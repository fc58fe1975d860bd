//! The budget database (`db.sqlite`): how it is opened, the SQL functions upstream's
//! views and queries call, and the clock it keeps. No other crate configures its
//! connection.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OpenFlags};

use crate::clock::{load_clock, reset_clock, Clock};
use crate::Result;

/// How long a statement waits for another connection's lock before failing: another
/// process may be syncing the same budget (it holds the `dataDir` lock, we may not).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open `db.sqlite`.
#[derive(Debug)]
pub struct BudgetDb {
    conn: Connection,
    path: PathBuf,
    /// Identifies the file behind `path` when it was opened (device, inode), so that a
    /// folder swapped in by another process is noticed.
    file_id: Option<(u64, u64)>,
}

impl BudgetDb {
    /// Opens a budget's database where it lies, for reading and for writes that must
    /// survive a crash: SQLite's rollback journal and full syncs, as upstream opens it.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;")?;
        Self::finish(conn, path)
    }

    /// Opens a private copy that is thrown away whole if anything fails: no rollback
    /// journal, no fsync per transaction, and a page cache the size of the file (4–64 MB)
    /// so that a large apply neither spills pages nor reads them back.
    pub fn open_scratch(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        let db_bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        let cache_kib = (db_bytes / 1024).clamp(4 << 10, 64 << 10);
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
             PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{cache_kib};"
        ))?;
        Self::finish(conn, path)
    }

    fn finish(conn: Connection, path: &Path) -> Result<Self> {
        register_functions(&conn)?;
        Ok(BudgetDb {
            conn,
            path: path.to_path_buf(),
            file_id: file_id(path),
        })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `path` still names the file this connection has open (another process
    /// may have swapped a fresh download into place since).
    pub fn is_current(&self) -> bool {
        self.file_id.is_none() || file_id(&self.path) == self.file_id
    }

    /// Loads the clock (upstream `loadClock`); with `reset` (metadata.json's `resetClock`,
    /// set on every uploaded snapshot) gives it a new node id first, as upstream's
    /// `loadBudget` does. The caller then clears `resetClock` in metadata.json.
    pub fn load_clock(&self, reset: bool) -> Result<Clock> {
        let mut clock = load_clock(&self.conn)?;
        if reset {
            reset_clock(&self.conn, &mut clock)?;
        }
        Ok(clock)
    }

    /// [`applied_migrations`] of this database.
    pub fn applied_migrations(&self) -> Result<Vec<i64>> {
        applied_migrations(&self.conn)
    }

    /// Runs `f` on this database [`atomically`].
    pub fn in_transaction<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Connection) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        atomically(&self.conn, "actual_budget_db", || f(&self.conn))
    }
}

/// The ids in `__migrations__`, ascending (upstream `getAppliedMigrations`).
pub fn applied_migrations(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT id FROM __migrations__ ORDER BY id ASC")?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// Whether `table` is a table of the database.
pub fn table_exists(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)",
    )?
    .query_row([table], |r| r.get(0))
}

/// What a [`Transaction`] runs on: a connection, or something that owns one (a
/// [`BudgetDb`] borrowed mutably keeps a future that holds the guard `Send`).
pub trait AsConnection {
    fn as_connection(&self) -> &Connection;
}

impl AsConnection for Connection {
    fn as_connection(&self) -> &Connection {
        self
    }
}

impl AsConnection for BudgetDb {
    fn as_connection(&self) -> &Connection {
        &self.conn
    }
}

impl<T: AsConnection + ?Sized> AsConnection for &T {
    fn as_connection(&self) -> &Connection {
        (**self).as_connection()
    }
}

impl<T: AsConnection + ?Sized> AsConnection for &mut T {
    fn as_connection(&self) -> &Connection {
        (**self).as_connection()
    }
}

/// A transaction that rolls back when dropped unless [`Transaction::commit`] ran (an
/// error returned early, a panic unwinding, a future dropped mid-way). It is a
/// transaction of its own (`BEGIN IMMEDIATE`: the write lock is taken at once, so two
/// writers queue instead of failing mid-way), or a savepoint when the caller already has
/// a transaction open. A transaction of its own is cheaper: pages written under a
/// savepoint are also copied to a sub-journal for a possible `ROLLBACK TO`.
#[must_use = "a transaction dropped without commit() rolls back"]
pub struct Transaction<C: AsConnection> {
    on: C,
    /// The savepoint's name when nested in the caller's transaction.
    savepoint: Option<String>,
    finished: bool,
}

impl<C: AsConnection> Transaction<C> {
    /// Opens a transaction on `on`, or the savepoint `savepoint` inside the one open.
    pub fn begin(on: C, savepoint: &str) -> rusqlite::Result<Self> {
        let conn = on.as_connection();
        let savepoint = if conn.is_autocommit() {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            None
        } else {
            conn.execute_batch(&format!("SAVEPOINT {savepoint}"))?;
            Some(savepoint.to_string())
        };
        Ok(Transaction {
            on,
            savepoint,
            finished: false,
        })
    }

    /// What the transaction runs on.
    pub fn get(&self) -> &C {
        &self.on
    }

    /// What the transaction runs on, mutably (see [`AsConnection`]).
    pub fn get_mut(&mut self) -> &mut C {
        &mut self.on
    }

    pub fn conn(&self) -> &Connection {
        self.on.as_connection()
    }

    /// Makes the changes durable (or part of the enclosing transaction). Should the
    /// commit fail, the guard still rolls back as it drops.
    pub fn commit(mut self) -> rusqlite::Result<()> {
        match &self.savepoint {
            None => self.conn().execute_batch("COMMIT")?,
            Some(name) => self.conn().execute_batch(&format!("RELEASE {name}"))?,
        }
        self.finished = true;
        Ok(())
    }

    /// Undoes everything written since [`Transaction::begin`].
    pub fn rollback(self) {
        drop(self);
    }

    /// Lets the transaction stay open past this scope (a batch of calls, see
    /// [`HeldTransaction`]); no rollback on drop from here on.
    pub fn hold(mut self) -> HeldTransaction {
        self.finished = true;
        HeldTransaction {
            savepoint: self.savepoint.take(),
        }
    }
}

impl<C: AsConnection> Drop for Transaction<C> {
    fn drop(&mut self) {
        let conn = self.on.as_connection();
        if self.finished || conn.is_autocommit() {
            return;
        }
        let rollback = match &self.savepoint {
            None => "ROLLBACK".to_string(),
            Some(name) => format!("ROLLBACK TO {name}; RELEASE {name}"),
        };
        let _ = conn.execute_batch(&rollback);
    }
}

/// A [`Transaction`] kept open across calls while its connection is owned elsewhere (a
/// `batchBudgetUpdates` batch): [`HeldTransaction::resume`] makes it a guard again to
/// end it. Dropped without resuming, the transaction stays open until the connection
/// closes, when SQLite rolls it back.
#[derive(Debug)]
#[must_use = "resume() the transaction to commit or roll it back"]
pub struct HeldTransaction {
    savepoint: Option<String>,
}

impl HeldTransaction {
    /// The guard again, on the connection the transaction was begun on.
    pub fn resume<C: AsConnection>(self, on: C) -> Transaction<C> {
        Transaction {
            on,
            savepoint: self.savepoint,
            finished: false,
        }
    }
}

/// Runs `f` in a [`Transaction`] (the savepoint `savepoint` when the caller already has
/// a transaction open), committed when `f` succeeds; everything `f` wrote is rolled back
/// when it fails.
pub fn atomically<T, E: From<rusqlite::Error>>(
    conn: &Connection,
    savepoint: &str,
    f: impl FnOnce() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let transaction = Transaction::begin(conn, savepoint)?;
    let value = f()?;
    transaction.commit()?;
    Ok(value)
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// The functions upstream registers at open (`platform/server/sqlite`), which its views
/// and stored queries may call: `UNICODE_LOWER`/`UNICODE_UPPER` are JavaScript's
/// `toLowerCase`/`toUpperCase` (Rust's case mapping is the same Unicode one, final
/// sigma included).
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("UNICODE_LOWER", 1, flags, |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.map(|s| s.to_lowercase()))
    })?;
    conn.create_scalar_function("UNICODE_UPPER", 1, flags, |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.map(|s| s.to_uppercase()))
    })?;
    Ok(())
}
