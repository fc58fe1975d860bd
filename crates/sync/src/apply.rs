//! Applying CRDT messages to `db.sqlite`, following upstream `applyMessages` /
//! `receiveMessages`; the clock they move is loaded and saved by [`crate::clock`].

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rusqlite::{Connection, OptionalExtension, ToSql};

use crate::clock::Clock;
use crate::merkle::Trie;
use crate::pending;
use crate::value::Value;
use crate::{Result, SyncError};
use actual_protocol::murmur::murmur_v3;
use actual_protocol::timestamp::{now_millis, Timestamp};

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
    /// Received messages for a table, column or value format this version does not
    /// know: recorded, and kept in `messages_pending` (see [`crate::pending`]).
    pub deferred: usize,
    /// Synced prefs (`prefs` dataset, applied messages only) in order, `(row, value)`;
    /// upstream saves these into `metadata.json`.
    pub prefs: Vec<(String, Value)>,
    /// Datasets touched by applied messages (`schedules_next_date` reported as
    /// `schedules`), like upstream's `getTablesFromMessages`.
    pub tables: Vec<String>,
}

/// From this many messages a batch is large enough to spend memory on speed: its reply
/// is decoded on two threads and `messages_crdt_search` is rebuilt rather than inserted
/// into. Below it the saving is a few ms (about 5 ms at 14k messages, measured in cold
/// downloads) and the cost is memory: the second thread's allocator arena and the
/// index sort each added about 1.2 MB to the peak of a 14k-message download.
pub const LARGE_BATCH_MESSAGES: usize = 30_000;

/// The statement cache size this module asks for, so that every
/// `UPDATE`/`INSERT` shape in a large sync stays prepared.
pub const STATEMENT_CACHE_CAPACITY: usize = 256;

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
/// Step 3 is done one row at a time rather than one message at a time: every message of a
/// row is folded into one `INSERT`/`UPDATE` carrying the latest value of each column (the
/// state upstream's message-by-message writes end in), and rows are written in the order
/// upstream first touches them, so new rows get the same rowids. A new transaction is
/// about ten messages; writing its row and its indexes once instead of ten times is most
/// of what makes a large sync fast.
///
/// A table or column that does not exist (or a failing write) is an `invalid-schema`
/// error and nothing is changed. `clock.merkle` is only updated when everything succeeded.
/// The clock's timestamp is not advanced here: see [`receive_messages`].
pub fn apply_messages(
    conn: &Connection,
    clock: &mut Clock,
    messages: Vec<Message>,
) -> Result<ApplyOutcome> {
    apply_with(conn, clock, messages, Unknown::Fail, Record::Crdt)
}

/// Upstream `applyMessagesForImport` (sync mode "import", inside `runImport`): the
/// messages' values are written to their tables as [`apply_messages`] writes them,
/// and nothing else: no `messages_crdt` rows, no merkle trie, no clock saved. The
/// budget is uploaded whole afterwards, so there is nothing to send.
pub fn apply_messages_for_import(
    conn: &Connection,
    clock: &Clock,
    messages: Vec<Message>,
) -> Result<()> {
    let mut unchanged = clock.clone();
    apply_with(
        conn,
        &mut unchanged,
        messages,
        Unknown::Fail,
        Record::RowsOnly,
    )?;
    Ok(())
}

/// Whether an apply records its messages (`messages_crdt`, the merkle trie, the clock).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Record {
    Crdt,
    RowsOnly,
}

/// What to do with a message for a table, column or value format the database does not
/// have.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unknown {
    /// A local write: `invalid-schema`, nothing changed.
    Fail,
    /// A message from another device (26.10's deferral): recorded and kept pending.
    Defer,
}

fn apply_with(
    conn: &Connection,
    clock: &mut Clock,
    messages: Vec<Message>,
    unknown: Unknown,
    record: Record,
) -> Result<ApplyOutcome> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    let (trie, outcome) = crate::db::atomically(conn, "actual_sync_apply", || {
        apply_inner(conn, clock, messages, unknown, record)
    })?;
    clock.merkle = trie;
    Ok(outcome)
}

/// One incoming message with its timestamp as text (computed once: it is compared,
/// stored and hashed) and whether `messages_crdt` already has a newer one for its cell.
struct Incoming {
    text: String,
    msg: Message,
    old: bool,
}

/// The writes one row receives: `INSERT` when upstream's first write to it would be an
/// insert, else `UPDATE`; `columns` are indexes into the sorted messages, one per column,
/// the latest one winning.
struct RowWrite {
    first: usize,
    insert: bool,
    columns: Vec<usize>,
}

fn cell_key(out: &mut String, dataset: &str, row: &str, column: &str) {
    out.clear();
    out.push_str(dataset);
    out.push('\0');
    out.push_str(row);
    out.push('\0');
    out.push_str(column);
}

/// upstream `compareMessages`, with one range read instead of one query per message: only
/// local messages at or after the oldest incoming one can make an incoming message a
/// duplicate or old. Returns the non-duplicates (with `old` set) and the duplicate count.
fn compare_messages(conn: &Connection, messages: Vec<Message>) -> Result<(Vec<Incoming>, usize)> {
    let mut incoming: Vec<Incoming> = messages
        .into_iter()
        .map(|msg| Incoming {
            text: msg.timestamp.to_string(),
            msg,
            old: false,
        })
        .collect();
    let Some(oldest) = incoming.iter().map(|m| m.text.as_str()).min() else {
        return Ok((incoming, 0));
    };
    // cell -> local timestamps at or after `oldest`, ascending
    let mut local: HashMap<String, Vec<String>> = HashMap::default();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT dataset, row, column, timestamp FROM messages_crdt WHERE timestamp >= ? ORDER BY timestamp",
        )?;
        let mut rows = stmt.query([oldest])?;
        let mut key = String::new();
        while let Some(r) = rows.next()? {
            let text = |i: usize| -> rusqlite::Result<&str> { Ok(r.get_ref(i)?.as_str()?) };
            cell_key(&mut key, text(0)?, text(1)?, text(2)?);
            let ts: String = r.get(3)?;
            match local.get_mut(key.as_str()) {
                Some(v) => v.push(ts),
                None => {
                    local.insert(key.clone(), vec![ts]);
                }
            }
        }
    }
    let mut duplicates = 0;
    if !local.is_empty() {
        let mut key = String::new();
        incoming.retain_mut(|m| {
            cell_key(&mut key, &m.msg.dataset, &m.msg.row, &m.msg.column);
            let Some(stamps) = local.get(key.as_str()) else {
                return true;
            };
            // the first local timestamp >= this one, as upstream's `ORDER BY timestamp LIMIT 1`
            let at = stamps.partition_point(|t| t.as_str() < m.text.as_str());
            match stamps.get(at) {
                None => true,
                Some(t) if *t == m.text => {
                    duplicates += 1;
                    false
                }
                Some(_) => {
                    m.old = true;
                    true
                }
            }
        });
    }
    Ok((incoming, duplicates))
}

/// `n` copies of a bind-parameter group, comma-separated: `?, ?, ?`.
fn placeholders(group: &str, n: usize) -> String {
    vec![group; n].join(", ")
}

/// Ids per `SELECT id .. WHERE id IN (..)` when checking which rows exist.
const IDS_PER_QUERY: usize = 500;

/// Which of `ids` are rows of `table`.
fn existing_ids(conn: &Connection, table: &str, ids: &[&str]) -> rusqlite::Result<HashSet<String>> {
    let mut found = HashSet::default();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let sql = format!(
            "SELECT id FROM {table} WHERE id IN ({})",
            placeholders("?", chunk.len())
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(chunk), |r| r.get::<_, String>(0))?;
        for id in rows {
            found.insert(id?);
        }
    }
    Ok(found)
}

/// The columns of `table` (`PRAGMA table_info`), to report a message for a missing column
/// as that message's `invalid-schema` error before anything is written.
fn table_columns(conn: &Connection, table: &str) -> rusqlite::Result<HashSet<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
    names.collect()
}

fn apply_inner(
    conn: &Connection,
    clock: &Clock,
    messages: Vec<Message>,
    unknown: Unknown,
    record: Record,
) -> Result<(Trie, ApplyOutcome)> {
    let mut outcome = ApplyOutcome::default();
    let (mut incoming, duplicates) = match record {
        Record::Crdt => compare_messages(conn, messages)?,
        // Nothing is recorded in import mode, so nothing can be a duplicate or old.
        Record::RowsOnly => (
            messages
                .into_iter()
                .map(|msg| Incoming {
                    text: msg.timestamp.to_string(),
                    msg,
                    old: false,
                })
                .collect(),
            0,
        ),
    };
    outcome.duplicates = duplicates;
    // Stable sort by timestamp string order.
    incoming.sort_by(|a, b| a.text.cmp(&b.text));

    // fetchData: which rows exist before applying (all non-prefs messages, old included),
    // and which columns each table has. Tables in first-seen order, so an error names the
    // first message upstream would have failed on.
    let mut tables: Vec<(&Message, Vec<&str>)> = Vec::new();
    let mut table_of: HashMap<&str, usize> = HashMap::default();
    let mut checked: HashSet<(&str, &str)> = HashSet::default();
    for m in &incoming {
        let msg = &m.msg;
        if msg.dataset == "prefs" || !checked.insert((&msg.dataset, &msg.row)) {
            continue;
        }
        let at = *table_of.entry(&msg.dataset).or_insert_with(|| {
            tables.push((msg, Vec::new()));
            tables.len() - 1
        });
        tables[at].1.push(&msg.row);
    }
    let mut existing: HashMap<&str, HashSet<String>> = HashMap::default();
    let mut columns: HashMap<&str, HashSet<String>> = HashMap::default();
    for (first, rows) in &tables {
        if unknown == Unknown::Defer
            && !(valid_identifier(&first.dataset)
                && crate::db::table_exists(conn, &first.dataset)
                    .map_err(|e| schema_error(first, e.to_string()))?)
        {
            // Not a table here: its messages are deferred below.
            continue;
        }
        if !valid_identifier(&first.dataset) {
            return Err(schema_error(
                first,
                format!("invalid table name {:?}", first.dataset),
            ));
        }
        let schema = |e: rusqlite::Error| schema_error(first, e.to_string());
        existing.insert(
            &first.dataset,
            existing_ids(conn, &first.dataset, rows).map_err(schema)?,
        );
        columns.insert(
            &first.dataset,
            table_columns(conn, &first.dataset).map_err(schema)?,
        );
    }

    // Plan the row writes in upstream's order (see `apply_messages`).
    let mut rows: Vec<RowWrite> = Vec::new();
    let mut row_of: HashMap<(&str, &str), usize> = HashMap::default();
    // upstream keys this set by `dataset + row` (plain concatenation)
    let mut added: HashSet<String> = HashSet::default();
    let mut deferred: Vec<usize> = Vec::new();
    for (i, m) in incoming.iter().enumerate() {
        let msg = &m.msg;
        if m.old {
            continue;
        }
        if msg.dataset == "prefs" {
            if matches!(msg.value, Value::Unknown(_)) {
                deferred.push(i);
            }
            continue;
        }
        let known = columns
            .get(msg.dataset.as_str())
            .is_some_and(|c| c.contains(&msg.column));
        let fits =
            valid_identifier(&msg.column) && known && !matches!(msg.value, Value::Unknown(_));
        if !fits && unknown == Unknown::Defer {
            deferred.push(i);
            continue;
        }
        if !valid_identifier(&msg.column) || !known {
            return Err(schema_error(
                msg,
                format!("table {} has no column named {:?}", msg.dataset, msg.column),
            ));
        }
        let at = *row_of.entry((&msg.dataset, &msg.row)).or_insert_with(|| {
            let concat = format!("{}{}", msg.dataset, msg.row);
            let prev = existing
                .get(msg.dataset.as_str())
                .is_some_and(|ids| ids.contains(&msg.row))
                || added.contains(&concat);
            added.insert(concat);
            rows.push(RowWrite {
                first: i,
                insert: !prev,
                columns: Vec::new(),
            });
            rows.len() - 1
        });
        let row = &mut rows[at];
        match row
            .columns
            .iter_mut()
            .find(|c| incoming[**c].msg.column == msg.column)
        {
            Some(c) => *c = i,
            None => row.columns.push(i),
        }
    }
    if record == Record::RowsOnly {
        for row in &rows {
            write_row(conn, &incoming, row)?;
        }
        return Ok((clock.merkle.clone(), outcome));
    }
    // The trie needs only the timestamps: it is built on a second thread beside the writes.
    let (written, merkle) = std::thread::scope(|s| {
        let merkle = s.spawn(|| {
            let mut merkle = clock.merkle.clone();
            merkle.insert_all(
                incoming
                    .iter()
                    .map(|m| (m.msg.timestamp.millis(), murmur_v3(&m.text))),
            );
            merkle
        });
        let written = write_rows_and_messages(conn, &incoming, &rows).and_then(|()| {
            pending::defer(
                conn,
                deferred.iter().map(|&i| {
                    let m = &incoming[i];
                    pending::Deferred {
                        timestamp: &m.text,
                        dataset: &m.msg.dataset,
                        row: &m.msg.row,
                        column: &m.msg.column,
                        value: &m.msg.value,
                    }
                }),
            )
        });
        let merkle = merkle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (written, merkle)
    });
    written?;
    outcome.deferred = deferred.len();
    let mut deferred = deferred.into_iter().peekable();
    for (i, Incoming { msg, old, .. }) in incoming.into_iter().enumerate() {
        if deferred.next_if_eq(&i).is_some() {
            continue;
        }
        if old {
            outcome.old.push(msg);
        } else {
            if msg.dataset == "prefs" {
                outcome.prefs.push((msg.row.clone(), msg.value.clone()));
            }
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

/// The writes of one apply: every row, then every message into `messages_crdt`.
fn write_rows_and_messages(
    conn: &Connection,
    incoming: &[Incoming],
    rows: &[RowWrite],
) -> Result<()> {
    for row in rows {
        write_row(conn, incoming, row)?;
    }
    let search_index = set_search_index_aside(conn, incoming.len())?;
    for chunk in incoming.chunks(CRDT_ROWS_PER_INSERT) {
        insert_crdt_rows(conn, chunk)?;
    }
    if let Some(create) = search_index {
        conn.execute_batch(&create)?;
    }
    Ok(())
}

/// The index of `messages_crdt` by cell. Messages come in timestamp order, so each one
/// goes to a random place in this index while the table and its timestamp index only
/// grow at the end.
const SEARCH_INDEX: &str = "messages_crdt_search";

/// For a large batch ([`LARGE_BATCH_MESSAGES`]) at least twice the size of
/// `messages_crdt` (a budget downloaded with most of its history still to sync), drops
/// [`SEARCH_INDEX`] and returns the statement that creates it again once the rows are in:
/// building it in one sorted pass is cheaper than that many random inserts (72k messages
/// onto 1.4k: 140 ms of inserts become 50 ms, plus 60 ms to build). The statement is the
/// one stored in the schema, so the budget ends with the same index under the same
/// definition.
fn set_search_index_aside(conn: &Connection, incoming: usize) -> Result<Option<String>> {
    if incoming < LARGE_BATCH_MESSAGES {
        return Ok(None);
    }
    // max(id) is one lookup and never below the row count, so this errs towards keeping it
    let stored: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) FROM messages_crdt", [], |r| {
            r.get(0)
        })?;
    if (incoming as i64) < 2 * stored {
        return Ok(None);
    }
    let create: Option<String> = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
            [SEARCH_INDEX],
            |r| r.get(0),
        )
        .optional()?;
    if create.is_some() {
        conn.execute_batch(&format!("DROP INDEX {SEARCH_INDEX}"))?;
    }
    Ok(create)
}

/// Rows per `INSERT INTO messages_crdt` statement: stepping one statement per message
/// cost more than writing the row.
const CRDT_ROWS_PER_INSERT: usize = 100;

/// Records messages in `messages_crdt`, in the given (timestamp) order, with one
/// multi-row `INSERT`.
fn insert_crdt_rows(conn: &Connection, chunk: &[Incoming]) -> Result<()> {
    let values: Vec<String> = chunk.iter().map(|m| m.msg.value.serialize()).collect();
    let mut params: Vec<&dyn ToSql> = Vec::with_capacity(chunk.len() * 5);
    for (m, value) in chunk.iter().zip(&values) {
        params.extend([
            &m.text as &dyn ToSql,
            &m.msg.dataset,
            &m.msg.row,
            &m.msg.column,
            value,
        ]);
    }
    let sql = format!(
        "INSERT OR FAIL INTO messages_crdt (timestamp, dataset, row, column, value) VALUES {}",
        placeholders("(?, ?, ?, ?, ?)", chunk.len())
    );
    conn.prepare_cached(&sql)?.execute(params.as_slice())?;
    Ok(())
}

/// One `INSERT INTO t (id, c1, c2..) VALUES (..)` or `UPDATE t SET c1 = ?, c2 = ? .. WHERE id = ?`.
fn write_row(conn: &Connection, incoming: &[Incoming], row: &RowWrite) -> Result<()> {
    let first = &incoming[row.first].msg;
    let names = row.columns.iter().map(|&i| incoming[i].msg.column.as_str());
    let values = row
        .columns
        .iter()
        .map(|&i| &incoming[i].msg.value as &dyn ToSql);
    let id: &dyn ToSql = &first.row;
    let (sql, params): (String, Vec<&dyn ToSql>) = if row.insert {
        let names: Vec<&str> = names.collect();
        let sql = format!(
            "INSERT INTO {} (id, {}) VALUES ({})",
            first.dataset,
            names.join(", "),
            placeholders("?", names.len() + 1)
        );
        (sql, std::iter::once(id).chain(values).collect())
    } else {
        let sets: Vec<String> = names.map(|c| format!("{c} = ?")).collect();
        let sql = format!(
            "UPDATE {} SET {} WHERE id = ?",
            first.dataset,
            sets.join(", ")
        );
        (sql, values.chain(std::iter::once(id)).collect())
    };
    conn.prepare_cached(&sql)
        .and_then(|mut s| s.execute(params.as_slice()))
        .map(|_| ())
        .map_err(|e| schema_error(first, e.to_string()))
}

/// Upstream `receiveMessages`: advances the clock past every message, then
/// [`apply_messages`], except that a message for a table, column or value format this
/// database does not have is recorded and kept pending (26.10's deferral, see
/// [`crate::pending`]) instead of failing the sync. The in-memory clock changes only if
/// everything succeeds.
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
    let outcome = apply_with(conn, &mut working, messages, Unknown::Defer, Record::Crdt)?;
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

/// Upstream `getMessagesSince`: local messages with a timestamp strictly after `since`
/// (these are sent to the server with every sync request), oldest first, so that a
/// large set can be sent in parts.
pub fn messages_since(conn: &Connection, since: &str) -> Result<Vec<CrdtRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT timestamp, dataset, row, column, value FROM messages_crdt WHERE timestamp > ? ORDER BY timestamp",
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
