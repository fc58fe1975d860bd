//! The computed months of the last few connections, reused while their database is
//! unchanged. Upstream computes its sheet once per load and answers every month from
//! it; without this a script reading each month would recompute the whole budget (and
//! read every transaction) once per call.
//!
//! An entry is valid for one connection (a token kept in the connection's own temp
//! schema, so a new connection never finds an old entry), its count of changes made
//! through it (`sqlite3_total_changes`), SQLite's `data_version` (which moves when
//! another connection commits) and the current local month (the range ends a year
//! after it).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate};

use crate::foundation::budget::Budget;
use crate::foundation::error::Result;

/// How many connections' months are kept.
const KEEP: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    connection: i64,
    changes: u64,
    data_version: i64,
    month: NaiveDate,
}

type Entries<T> = Mutex<Vec<(Key, Arc<T>)>>;

/// A cache of one computed value per connection state.
pub struct Cache<T> {
    entries: Entries<T>,
}

static NEXT_CONNECTION: AtomicI64 = AtomicI64::new(1);

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Cache<T> {
    pub const fn new() -> Self {
        Cache {
            entries: Mutex::new(Vec::new()),
        }
    }

    /// The value for the database as it is now, computed by `compute` when there is
    /// none (an error is not kept).
    pub fn get_or_compute(
        &self,
        b: &Budget,
        compute: impl FnOnce() -> Result<T>,
    ) -> Result<Arc<T>> {
        // A connection that cannot keep a token (nothing is expected to refuse a temp
        // table) is answered without the cache.
        let Ok(key) = key(b) else {
            return compute().map(Arc::new);
        };
        if let Some((_, value)) = self.lock().iter().find(|(k, _)| *k == key) {
            return Ok(Arc::clone(value));
        }
        let value = Arc::new(compute()?);
        let mut entries = self.lock();
        entries.retain(|(k, _)| k.connection != key.connection);
        if entries.len() >= KEEP {
            entries.remove(0);
        }
        entries.push((key, Arc::clone(&value)));
        Ok(value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Key, Arc<T>)>> {
        // A panic while holding the lock leaves nothing half written worth refusing.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn key(b: &Budget) -> Result<Key> {
    let connection = connection_token(b)?;
    // After the token: storing a new one counts as a change.
    let changes = b.conn.total_changes();
    let data_version = b.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
    let today = b.now.date();
    let month = today.with_day(1).unwrap_or(today);
    Ok(Key {
        connection,
        changes,
        data_version,
        month,
    })
}

/// This connection's token, made the first time it is asked for.
fn connection_token(b: &Budget) -> Result<i64> {
    let read = |b: &Budget| {
        b.conn
            .query_row("SELECT token FROM temp.budget_months_connection", [], |r| {
                r.get::<_, i64>(0)
            })
    };
    if let Ok(token) = read(b) {
        return Ok(token);
    }
    let token = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed);
    b.conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS budget_months_connection (token INTEGER NOT NULL);
         DELETE FROM temp.budget_months_connection;",
    )?;
    b.conn.execute(
        "INSERT INTO temp.budget_months_connection (token) VALUES (?1)",
        [token],
    )?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;
    use std::cell::Cell;

    fn budget<'a>(conn: &'a Connection, day: &str) -> Budget<'a> {
        let now = NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        Budget {
            conn,
            now,
            importing: false,
        }
    }

    #[test]
    fn reused_until_the_database_or_the_month_changes() {
        let cache = Cache::<u32>::new();
        let runs = Cell::new(0);
        let count = || {
            runs.set(runs.get() + 1);
            Ok(runs.get())
        };
        let conn = Connection::open_in_memory().unwrap();
        let other = Connection::open_in_memory().unwrap();
        let get = |conn: &Connection, day: &str| {
            *cache.get_or_compute(&budget(conn, day), count).unwrap()
        };
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        assert_eq!(get(&conn, "2026-05-03"), 1);
        assert_eq!(get(&conn, "2026-05-30"), 1);
        conn.execute("INSERT INTO t VALUES (1)", []).unwrap();
        assert_eq!(get(&conn, "2026-05-30"), 2);
        assert_eq!(get(&conn, "2026-06-01"), 3);
        // Another connection (even to an equal database) never sees this one's entry.
        assert_eq!(get(&other, "2026-06-01"), 4);
        assert_eq!(get(&conn, "2026-06-01"), 3);
    }

    #[test]
    fn commits_of_other_connections_are_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        let cache = Cache::<u64>::new();
        let total = |c: &Connection| {
            c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .map_err(Into::into)
        };
        assert_eq!(
            *cache
                .get_or_compute(&budget(&conn, "2026-05-03"), || total(&conn))
                .unwrap(),
            0
        );
        Connection::open(&path)
            .unwrap()
            .execute("INSERT INTO t VALUES (1)", [])
            .unwrap();
        assert_eq!(
            *cache
                .get_or_compute(&budget(&conn, "2026-05-03"), || total(&conn))
                .unwrap(),
            1
        );
    }
}
