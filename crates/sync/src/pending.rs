//! Messages from a newer release that this version cannot apply yet — for a table or a
//! column it does not have, or a value in a format it does not know — kept in
//! `messages_pending` (the latest per cell) as Actual 26.10 keeps them, and applied once
//! a migration makes them fit (26.10's `deferMessage` and `replayPendingMessages`).

use rusqlite::{params, Connection};

use crate::value::Value;
use crate::Result;

/// The table as 26.10 creates it (migration `1788468782000_add_messages_pending`, and on
/// demand): local, never synced.
pub const PENDING_TABLE_SQL: &str = "CREATE TABLE IF NOT EXISTS messages_pending
    (dataset TEXT NOT NULL,
     row TEXT NOT NULL,
     column TEXT NOT NULL,
     timestamp TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (dataset, row, column));";

/// One deferred cell write.
pub struct Deferred<'a> {
    pub timestamp: &'a str,
    pub dataset: &'a str,
    pub row: &'a str,
    pub column: &'a str,
    pub value: &'a Value,
}

/// Keeps `messages` in `messages_pending`; an older message never replaces a newer one
/// for the same cell.
pub fn defer<'a>(
    conn: &Connection,
    messages: impl IntoIterator<Item = Deferred<'a>>,
) -> Result<()> {
    let mut messages = messages.into_iter().peekable();
    if messages.peek().is_none() {
        return Ok(());
    }
    conn.execute_batch(PENDING_TABLE_SQL)?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO messages_pending (dataset, row, column, timestamp, value) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (dataset, row, column) DO UPDATE
           SET timestamp = excluded.timestamp, value = excluded.value
           WHERE excluded.timestamp > messages_pending.timestamp",
    )?;
    for m in messages {
        stmt.execute(params![
            m.dataset,
            m.row,
            m.column,
            m.timestamp,
            m.value.serialize()
        ])?;
    }
    Ok(())
}

/// `"name"`, with embedded quotes doubled (26.10's `quoteSqlId`).
fn quote(id: &str) -> String {
    format!("\"{}\"", id.replace('"', "\"\""))
}

/// Errors that repeat on every attempt (26.10's `DETERMINISTIC_SQLITE_ERROR`); any other
/// failure may be transient and aborts the replay with everything still pending.
fn is_deterministic(e: &rusqlite::Error) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    [
        "constraint failed",
        "datatype mismatch",
        "cannot store",
        "generated column",
        "string or blob too big",
        "syntax error",
    ]
    .iter()
    .any(|p| text.contains(p))
}

/// A missing table or column: the message still needs a newer schema.
fn is_missing_schema(e: &rusqlite::Error) -> bool {
    let text = e.to_string();
    text.contains("no such table")
        || text.contains("has no column named")
        || text.contains("no such column")
}

/// What a replay did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Replayed {
    pub applied: usize,
    /// Still for a newer schema or value format: left pending.
    pub waiting: usize,
    /// Failing the same way on every attempt: dropped, as 26.10 drops them.
    pub dropped: usize,
}

enum Outcome {
    Applied,
    Waiting,
    Failed,
}

struct Row {
    dataset: String,
    row: String,
    column: String,
    value: String,
}

/// 26.10's `replayPendingMessages`, inside the caller's transaction: drops pending cells a
/// newer message has superseded, then writes each remaining one (timestamp order) that
/// now fits, retrying constraint failures while a pass makes progress.
pub fn replay(conn: &Connection) -> Result<Replayed> {
    let mut done = Replayed::default();
    if !crate::db::table_exists(conn, "messages_pending")? {
        return Ok(done);
    }
    conn.execute(
        "DELETE FROM messages_pending
          WHERE EXISTS
            (SELECT 1 FROM messages_crdt c
              WHERE c.dataset = messages_pending.dataset
                AND c.row = messages_pending.row
                AND c.column = messages_pending.column
                AND c.timestamp > messages_pending.timestamp)",
        [],
    )?;
    let pending: Vec<Row> = conn
        .prepare("SELECT dataset, row, column, value FROM messages_pending ORDER BY timestamp")?
        .query_map([], |r| {
            Ok(Row {
                dataset: r.get(0)?,
                row: r.get(1)?,
                column: r.get(2)?,
                value: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let apply_one = |m: &Row| -> Result<Outcome> {
        let value = Value::deserialize_received(m.value.clone());
        if matches!(value, Value::Unknown(_)) {
            return Ok(Outcome::Waiting);
        }
        let (table, column) = (quote(&m.dataset), quote(&m.column));
        let written = conn
            .execute(
                &format!("UPDATE {table} SET {column} = ? WHERE id = ?"),
                params![value, m.row],
            )
            .and_then(|updated| {
                if updated == 0 {
                    conn.execute(
                        &format!("INSERT INTO {table} (id, {column}) VALUES (?, ?)"),
                        params![m.row, value],
                    )?;
                }
                Ok(())
            });
        match written {
            Ok(()) => Ok(Outcome::Applied),
            Err(e) if is_missing_schema(&e) => Ok(Outcome::Waiting),
            Err(e) if is_deterministic(&e) => Ok(Outcome::Failed),
            Err(e) => Err(e.into()),
        }
    };
    let delete = |m: &Row| {
        conn.execute(
            "DELETE FROM messages_pending WHERE dataset = ? AND row = ? AND column = ?",
            params![m.dataset, m.row, m.column],
        )
    };
    let pass = |rows: &[usize], done: &mut Replayed| -> Result<Vec<usize>> {
        let mut failed = Vec::new();
        for &i in rows {
            let m = &pending[i];
            match apply_one(m)? {
                Outcome::Applied => {
                    done.applied += 1;
                    delete(m)?;
                }
                Outcome::Waiting => done.waiting += 1,
                Outcome::Failed => failed.push(i),
            }
        }
        Ok(failed)
    };
    // A row-level constraint may need a later cell first: retry while a pass makes progress.
    let all: Vec<usize> = (0..pending.len()).collect();
    let mut failed = pass(&all, &mut done)?;
    while !failed.is_empty() {
        let retried = pass(&failed, &mut done)?;
        if retried.len() == failed.len() {
            for &i in &retried {
                done.dropped += 1;
                delete(&pending[i])?;
            }
            break;
        }
        failed = retried;
    }
    if done.applied > 0 {
        // Written outside the usual path: upstream's spreadsheet cache must be rebuilt.
        conn.execute("DELETE FROM kvcache_key", [])?;
    }
    Ok(done)
}
