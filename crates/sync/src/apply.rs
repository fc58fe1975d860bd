//! Applying CRDT messages to `db.sqlite`, and the clock kept in `messages_clock`,
//! following upstream `applyMessages` / `receiveMessages` / `loadClock` /
//! the `resetClock` step of `loadBudget`.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension};

use crate::merkle::Trie;
use crate::timestamp::{make_client_id, now_millis, Clock, Timestamp};
use crate::value::Value;
use crate::{Result, SyncError};

/// A decoded CRDT message: set `dataset.column = value` on row `row` at `timestamp`.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub timestamp: Timestamp,
    pub dataset: String,
    pub row: String,
    pub column: String,
    pub value: Value,
}

/// A row of `messages_crdt` as stored (value still serialised), e.g. to send to the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrdtRow {
    pub timestamp: String,
    pub dataset: String,
    pub row: String,
    pub column: String,
    pub value: String,
}

/// What one [`apply_messages`] call did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApplyOutcome {
    /// Messages written to their table (or taken as a synced pref), in timestamp order.
    pub applied: Vec<Message>,
    /// Messages older than what the cell already has: recorded in `messages_crdt` and the
    /// merkle trie, but not written to the table.
    pub old: Vec<Message>,
    /// Messages already present in `messages_crdt` (same timestamp): ignored entirely.
    pub duplicates: usize,
    /// Synced prefs (`prefs` dataset, applied messages only) in order, `(row, value)`;
    /// upstream saves these into `metadata.json`.
    pub prefs: Vec<(String, Value)>,
    /// Datasets touched by applied messages (`schedules_next_date` reported as
    /// `schedules`), like upstream's `getTablesFromMessages`.
    pub tables: Vec<String>,
}

/// The statement cache size this module asks for, so that every
/// `UPDATE`/`INSERT` shape in a large sync stays prepared.
pub const STATEMENT_CACHE_CAPACITY: usize = 256;

const SAVEPOINT: &str = "actual_sync_apply";

fn valid_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn schema_error(msg: &Message, message: impl Into<String>) -> SyncError {
    SyncError::InvalidSchema {
        dataset: msg.dataset.clone(),
        row: msg.row.clone(),
        column: msg.column.clone(),
        message: message.into(),
    }
}

/// Runs `f` inside a savepoint (a transaction, or nested in the caller's one); rolls
/// everything back when `f` fails.
fn in_savepoint<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    conn.execute_batch(&format!("SAVEPOINT {SAVEPOINT}"))?;
    match f() {
        Ok(v) => match conn.execute_batch(&format!("RELEASE {SAVEPOINT}")) {
            Ok(()) => Ok(v),
            Err(e) => {
                let _ =
                    conn.execute_batch(&format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"));
                Err(e.into())
            }
        },
        Err(e) => {
            let _ = conn.execute_batch(&format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"));
            Err(e)
        }
    }
}

/// Upstream `applyMessages` (sync mode "enabled"), in ONE transaction:
///
/// 1. drop messages whose timestamp is already in `messages_crdt` for that
///    dataset/row/column; mark as *old* those with a newer timestamp there;
/// 2. sort by timestamp;
/// 3. for each non-old message: `prefs` is not a table (reported in
///    [`ApplyOutcome::prefs`]); otherwise `UPDATE <dataset> SET <column> = ? WHERE id = ?`
///    if the row existed before or was inserted earlier in this batch, else
///    `INSERT INTO <dataset> (id, <column>) VALUES (?, ?)`;
/// 4. record every (non-duplicate) message in `messages_crdt` and the merkle trie;
/// 5. prune the trie and save the clock in `messages_clock` (id 1).
///
/// A table or column that does not exist (or a failing write) is an `invalid-schema`
/// error and nothing is changed. `clock.merkle` is only updated when everything succeeded.
/// The clock's timestamp is not advanced here: see [`receive_messages`].
pub fn apply_messages(
    conn: &Connection,
    clock: &mut Clock,
    messages: Vec<Message>,
) -> Result<ApplyOutcome> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    let (trie, outcome) = in_savepoint(conn, || apply_inner(conn, clock, messages))?;
    clock.merkle = trie;
    Ok(outcome)
}

fn apply_inner(
    conn: &Connection,
    clock: &Clock,
    messages: Vec<Message>,
) -> Result<(Trie, ApplyOutcome)> {
    let mut outcome = ApplyOutcome::default();

    // compareMessages
    let mut compared: Vec<(Message, bool)> = Vec::with_capacity(messages.len());
    {
        let mut stmt = conn.prepare_cached(
            "SELECT timestamp FROM messages_crdt WHERE dataset = ? AND row = ? AND column = ? AND timestamp >= ? ORDER BY timestamp LIMIT 1",
        )?;
        for msg in messages {
            let ts = msg.timestamp.to_string();
            let found: Option<String> = stmt
                .query_row(params![msg.dataset, msg.row, msg.column, ts], |r| r.get(0))
                .optional()?;
            match found {
                None => compared.push((msg, false)),
                Some(existing) if existing != ts => compared.push((msg, true)),
                Some(_) => outcome.duplicates += 1,
            }
        }
    }

    // Stable sort by timestamp string order.
    compared.sort_by(|a, b| a.0.timestamp.cmp(&b.0.timestamp));

    // fetchData: which rows exist before applying (all non-prefs messages, old included).
    let mut existing: HashSet<(String, String)> = HashSet::new();
    let mut checked: HashSet<(String, String)> = HashSet::new();
    for (msg, _) in &compared {
        if msg.dataset == "prefs" {
            continue;
        }
        let key = (msg.dataset.clone(), msg.row.clone());
        if !checked.insert(key.clone()) {
            continue;
        }
        if !valid_identifier(&msg.dataset) {
            return Err(schema_error(
                msg,
                format!("invalid table name {:?}", msg.dataset),
            ));
        }
        let sql = format!("SELECT 1 FROM {} WHERE id = ?", msg.dataset);
        let found = conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([&msg.row], |_| Ok(())).optional())
            .map_err(|e| schema_error(msg, e.to_string()))?;
        if found.is_some() {
            existing.insert(key);
        }
    }

    let mut merkle = clock.merkle.clone();
    // upstream keys this set by `dataset + row` (plain concatenation)
    let mut added: HashSet<String> = HashSet::new();
    let mut insert_crdt = conn.prepare_cached(
        "INSERT INTO messages_crdt (timestamp, dataset, row, column, value) VALUES (?, ?, ?, ?, ?)",
    )?;

    for (msg, old) in compared {
        if !old {
            if msg.dataset == "prefs" {
                outcome.prefs.push((msg.row.clone(), msg.value.clone()));
            } else {
                if !valid_identifier(&msg.column) {
                    return Err(schema_error(
                        &msg,
                        format!("invalid column name {:?}", msg.column),
                    ));
                }
                let concat = format!("{}{}", msg.dataset, msg.row);
                let prev = existing.contains(&(msg.dataset.clone(), msg.row.clone()))
                    || added.contains(&concat);
                let res = if prev {
                    let sql = format!("UPDATE {} SET {} = ? WHERE id = ?", msg.dataset, msg.column);
                    conn.prepare_cached(&sql)
                        .and_then(|mut s| s.execute(params![msg.value, msg.row]))
                } else {
                    let sql = format!(
                        "INSERT INTO {} (id, {}) VALUES (?, ?)",
                        msg.dataset, msg.column
                    );
                    conn.prepare_cached(&sql)
                        .and_then(|mut s| s.execute(params![msg.row, msg.value]))
                };
                res.map_err(|e| schema_error(&msg, e.to_string()))?;
                added.insert(concat);
            }
        }

        insert_crdt.execute(params![
            msg.timestamp.to_string(),
            msg.dataset,
            msg.row,
            msg.column,
            msg.value.serialize()
        ])?;
        merkle.insert(&msg.timestamp);

        if old {
            outcome.old.push(msg);
        } else {
            let table = if msg.dataset == "schedules_next_date" {
                "schedules"
            } else {
                msg.dataset.as_str()
            };
            if !outcome.tables.iter().any(|t| t == table) {
                outcome.tables.push(table.to_string());
            }
            outcome.applied.push(msg);
        }
    }

    let merkle = merkle.prune_default();
    let to_save = Clock {
        merkle: merkle.clone(),
        ..clock.clone()
    };
    conn.prepare_cached("INSERT OR REPLACE INTO messages_clock (id, clock) VALUES (1, ?)")?
        .execute([to_save.serialize()])?;
    Ok((merkle, outcome))
}

/// Upstream `receiveMessages`: advances the clock past every message, then
/// [`apply_messages`]. The in-memory clock changes only if everything succeeds.
///
/// Upstream calls `Timestamp.recv` once per message with a fresh `Date.now()`; its
/// physical clock moves while it works, so the counter rarely grows far. With one `now`
/// for a whole batch, one `recv` per message would bump the counter once per message
/// and overflow it past 65,535 messages. So every message is checked for drift, and the
/// clock receives only the latest timestamp: the same guarantee (the clock ends past
/// every message received), without the overflow.
pub fn receive_messages_at(
    conn: &Connection,
    clock: &mut Clock,
    messages: Vec<Message>,
    now: i64,
) -> Result<ApplyOutcome> {
    let mut working = clock.clone();
    if messages
        .iter()
        .any(|m| m.timestamp.millis() - now > working.max_drift)
    {
        return Err(SyncError::ClockDrift);
    }
    if let Some(latest) = messages.iter().map(|m| &m.timestamp).max() {
        working.recv_at(latest, now)?;
    }
    let outcome = apply_messages(conn, &mut working, messages)?;
    *clock = working;
    Ok(outcome)
}

/// [`receive_messages_at`] with the system time.
pub fn receive_messages(
    conn: &Connection,
    clock: &mut Clock,
    messages: Vec<Message>,
) -> Result<ApplyOutcome> {
    receive_messages_at(conn, clock, messages, now_millis())
}

/// Upstream `db.loadClock`: reads the first row of `messages_clock`; when there is none,
/// creates a clock at the epoch with a new node id and an empty (`{}`) trie and inserts it
/// as id 1.
pub fn load_clock(conn: &Connection) -> Result<Clock> {
    let row: Option<Option<String>> = conn
        .query_row("SELECT clock FROM messages_clock LIMIT 1", [], |r| r.get(0))
        .optional()?;
    match row {
        Some(Some(text)) => Clock::deserialize(&text),
        Some(None) => Err(SyncError::InvalidClock(
            "messages_clock.clock is NULL".into(),
        )),
        None => {
            let clock = Clock::new(Timestamp::new(0, 0, make_client_id()), Trie::default());
            conn.execute(
                "INSERT INTO messages_clock (id, clock) VALUES (?, ?)",
                params![1, clock.serialize()],
            )?;
            Ok(clock)
        }
    }
}

/// The `resetClock` step of upstream `loadBudget`, for budgets whose `metadata.json` has
/// `resetClock: true` (every uploaded zip does): gives the clock a new node id and saves
/// it (`INSERT OR REPLACE` id 1). Returns the new node id. The caller then writes
/// `resetClock: false` into `metadata.json`.
pub fn reset_clock(conn: &Connection, clock: &mut Clock) -> Result<String> {
    let node = make_client_id();
    let mut next = clock.clone();
    next.timestamp.set_node(node.clone());
    conn.execute(
        "INSERT OR REPLACE INTO messages_clock (id, clock) VALUES (1, ?)",
        [next.serialize()],
    )?;
    *clock = next;
    Ok(node)
}

/// Upstream `getMessagesSince`: local messages with a timestamp strictly after `since`
/// (these are sent to the server with every sync request).
pub fn messages_since(conn: &Connection, since: &str) -> Result<Vec<CrdtRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT timestamp, dataset, row, column, value FROM messages_crdt WHERE timestamp > ?",
    )?;
    let rows = stmt.query_map([since], |r| {
        let value = match r.get_ref(4)? {
            rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                String::from_utf8_lossy(t).into_owned()
            }
            rusqlite::types::ValueRef::Integer(i) => i.to_string(),
            rusqlite::types::ValueRef::Real(f) => crate::value::js_number_to_string(f),
            rusqlite::types::ValueRef::Null => String::new(),
        };
        Ok(CrdtRow {
            timestamp: r.get(0)?,
            dataset: r.get(1)?,
            row: r.get(2)?,
            column: r.get(3)?,
            value,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
