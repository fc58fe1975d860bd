//! Applying messages on an in-memory SQLite with a small Actual-like schema, and the
//! sync driver against a fake server.

use actual_protocol::crypto::BudgetKey;
use actual_sync::apply::{
    apply_messages, apply_messages_for_import, messages_since, receive_messages_at, CrdtRow,
    Message, LARGE_BATCH_MESSAGES,
};
use actual_sync::proto;
use actual_sync::sync::{decode_envelope, encode_envelope, FullSync, SyncParams, SyncStep};
use actual_sync::{load_clock, reset_clock};
use actual_sync::{Clock, SyncError, Timestamp, Trie, Value};
use prost::Message as _;
use rusqlite::Connection;

const NODE: &str = "aaaaaaaaaaaaaaaa";
const T0: i64 = 1_795_920_000_000; // 2026-11-29

fn db() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE messages_crdt (id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL UNIQUE,
           dataset TEXT NOT NULL, row TEXT NOT NULL, column TEXT NOT NULL, value BLOB NOT NULL);
         CREATE INDEX messages_crdt_search ON messages_crdt(dataset, row, column, timestamp);
         CREATE TABLE messages_clock (id INTEGER PRIMARY KEY, clock TEXT);
         CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT, offbudget INTEGER DEFAULT 0, tombstone INTEGER DEFAULT 0);
         CREATE TABLE transactions (id TEXT PRIMARY KEY, acct TEXT, amount INTEGER, notes TEXT, tombstone INTEGER DEFAULT 0);",
    )
    .unwrap();
    conn
}

fn ts(offset_ms: i64, counter: u32) -> Timestamp {
    Timestamp::new(T0 + offset_ms, counter, NODE)
}

fn msg(t: Timestamp, dataset: &str, row: &str, column: &str, value: Value) -> Message {
    Message {
        timestamp: t,
        dataset: dataset.into(),
        row: row.into(),
        column: column.into(),
        value,
    }
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn stored_clock(conn: &Connection) -> String {
    conn.query_row("SELECT clock FROM messages_clock WHERE id = 1", [], |r| {
        r.get(0)
    })
    .unwrap()
}

fn crdt_trie(conn: &Connection) -> Trie {
    let mut stmt = conn.prepare("SELECT timestamp FROM messages_crdt").unwrap();
    let all: Vec<Timestamp> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|s| Timestamp::parse(&s.unwrap()).unwrap())
        .collect();
    Trie::build(&all)
}

fn setup() -> (Connection, Clock) {
    let conn = db();
    let clock = load_clock(&conn).unwrap();
    (conn, clock)
}

#[test]
fn load_clock_creates_row_and_reset_clock_changes_node() {
    let (conn, mut clock) = setup();
    assert_eq!(clock.timestamp.millis(), 0);
    assert_eq!(clock.merkle, Trie::default());
    let stored = stored_clock(&conn);
    assert_eq!(
        stored,
        format!(
            "{{\"timestamp\":\"1970-01-01T00:00:00.000Z-0000-{}\",\"merkle\":{{}}}}",
            clock.timestamp.node()
        )
    );
    assert_eq!(load_clock(&conn).unwrap(), clock);

    let old = clock.timestamp.node().to_string();
    let node = reset_clock(&conn, &mut clock).unwrap();
    assert_ne!(node, old);
    assert_eq!(clock.timestamp.node(), node);
    assert_eq!(stored_clock(&conn), clock.serialize());
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM messages_clock"), 1);
}

#[test]
fn insert_then_update_and_types() {
    let (conn, mut clock) = setup();
    let out = apply_messages(
        &conn,
        &mut clock,
        vec![
            msg(
                ts(2, 0),
                "transactions",
                "t1",
                "amount",
                Value::Number(-1200.0),
            ),
            msg(ts(1, 0), "transactions", "t1", "notes", s("coffee")),
            msg(ts(3, 0), "accounts", "a1", "name", s("Checking")),
        ],
    )
    .unwrap();
    assert_eq!(out.applied.len(), 3);
    // sorted by timestamp: notes (INSERT) first, then amount (UPDATE of the row just added)
    assert_eq!(out.applied[0].column, "notes");
    assert_eq!(
        out.tables,
        vec!["transactions".to_string(), "accounts".to_string()]
    );
    let (amount, ty, notes): (i64, String, String) = conn
        .query_row(
            "SELECT amount, typeof(amount), notes FROM transactions WHERE id = 't1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (amount, ty.as_str(), notes.as_str()),
        (-1200, "integer", "coffee")
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM messages_crdt WHERE value IN ('N:-1200', 'S:coffee', 'S:Checking')"),
        3
    );
    // merkle saved with the clock equals the pruned trie of every recorded timestamp
    assert_eq!(clock.merkle, crdt_trie(&conn).prune_default());
    assert_eq!(stored_clock(&conn), clock.serialize());

    // a later batch updates the existing row; null clears it
    apply_messages(
        &conn,
        &mut clock,
        vec![msg(ts(10, 0), "transactions", "t1", "notes", Value::Null)],
    )
    .unwrap();
    let notes: Option<String> = conn
        .query_row("SELECT notes FROM transactions WHERE id='t1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(notes, None);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM messages_crdt WHERE value = '0:'"
        ),
        1
    );
}

#[test]
fn same_timestamp_twice_is_ignored() {
    let (conn, mut clock) = setup();
    let m = msg(ts(5, 0), "accounts", "a1", "name", s("A"));
    apply_messages(&conn, &mut clock, vec![m.clone()]).unwrap();
    let before = clock.clone();
    conn.execute(
        "UPDATE accounts SET name = 'changed locally' WHERE id = 'a1'",
        [],
    )
    .unwrap();
    let out = apply_messages(&conn, &mut clock, vec![m]).unwrap();
    assert_eq!(
        (out.applied.len(), out.old.len(), out.duplicates),
        (0, 0, 1)
    );
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM messages_crdt"), 1);
    assert_eq!(clock.merkle, before.merkle);
    let name: String = conn
        .query_row("SELECT name FROM accounts WHERE id='a1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "changed locally");
}

#[test]
fn older_message_after_newer_is_recorded_not_applied() {
    let (conn, mut clock) = setup();
    apply_messages(
        &conn,
        &mut clock,
        vec![msg(ts(100, 0), "accounts", "a1", "name", s("new"))],
    )
    .unwrap();
    let out = apply_messages(
        &conn,
        &mut clock,
        vec![msg(ts(50, 3), "accounts", "a1", "name", s("old"))],
    )
    .unwrap();
    assert_eq!((out.applied.len(), out.old.len()), (0, 1));
    assert!(out.tables.is_empty());
    let name: String = conn
        .query_row("SELECT name FROM accounts WHERE id='a1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "new");
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM messages_crdt"), 2);
    assert_eq!(clock.merkle, crdt_trie(&conn).prune_default());

    // an older message for a different column still applies
    let out = apply_messages(
        &conn,
        &mut clock,
        vec![msg(
            ts(40, 0),
            "accounts",
            "a1",
            "offbudget",
            Value::Number(1.0),
        )],
    )
    .unwrap();
    assert_eq!(out.applied.len(), 1);
}

#[test]
fn tombstone() {
    let (conn, mut clock) = setup();
    apply_messages(
        &conn,
        &mut clock,
        vec![msg(ts(1, 0), "accounts", "a1", "name", s("A"))],
    )
    .unwrap();
    apply_messages(
        &conn,
        &mut clock,
        vec![msg(
            ts(2, 0),
            "accounts",
            "a1",
            "tombstone",
            Value::Number(1.0),
        )],
    )
    .unwrap();
    let (tomb, ty): (i64, String) = conn
        .query_row(
            "SELECT tombstone, typeof(tombstone) FROM accounts WHERE id='a1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((tomb, ty.as_str()), (1, "integer"));
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM accounts"), 1);
}

#[test]
fn unknown_table_or_column_rolls_back_everything() {
    let (conn, mut clock) = setup();
    apply_messages(
        &conn,
        &mut clock,
        vec![msg(ts(1, 0), "accounts", "a1", "name", s("A"))],
    )
    .unwrap();
    let clock_before = clock.clone();
    let stored_before = stored_clock(&conn);

    for bad in [
        msg(ts(9, 0), "no_such_table", "x", "name", s("X")),
        msg(ts(9, 0), "accounts", "a2", "no_such_column", s("X")),
        msg(ts(9, 0), "accounts", "a1", "no_such_column", s("X")),
        msg(
            ts(9, 0),
            "accounts; DROP TABLE accounts",
            "x",
            "name",
            s("X"),
        ),
        msg(ts(9, 0), "accounts", "a1", "name = 1 --", s("X")),
    ] {
        let err = apply_messages(
            &conn,
            &mut clock,
            vec![
                msg(ts(5, 0), "transactions", "t1", "amount", Value::Number(5.0)),
                msg(ts(6, 0), "accounts", "a1", "name", s("B")),
                bad.clone(),
                msg(ts(12, 0), "prefs", "budgetName", "value", s("X")),
            ],
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid-schema", "{bad:?}: {err}");
        assert!(
            matches!(&err, SyncError::InvalidSchema { dataset, .. } if *dataset == bad.dataset)
        );
        assert_eq!(count(&conn, "SELECT COUNT(*) FROM transactions"), 0);
        assert_eq!(count(&conn, "SELECT COUNT(*) FROM messages_crdt"), 1);
        let name: String = conn
            .query_row("SELECT name FROM accounts WHERE id='a1'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(name, "A");
        assert_eq!(stored_clock(&conn), stored_before);
        assert_eq!(clock, clock_before);
    }
    assert!(conn.is_autocommit(), "no transaction left open");
}

#[test]
fn prefs_dataset_is_not_a_table() {
    let (conn, mut clock) = setup();
    let out = apply_messages(
        &conn,
        &mut clock,
        vec![
            msg(ts(1, 0), "prefs", "budgetName", "value", s("My budget")),
            msg(ts(2, 0), "prefs", "budgetName", "value", s("Renamed")),
        ],
    )
    .unwrap();
    assert_eq!(
        out.prefs,
        vec![
            ("budgetName".into(), s("My budget")),
            ("budgetName".into(), s("Renamed"))
        ]
    );
    assert_eq!(out.applied.len(), 2);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM messages_crdt WHERE dataset = 'prefs'"
        ),
        2
    );
}

#[test]
fn same_cell_twice_in_one_batch_latest_wins() {
    let (conn, mut clock) = setup();
    apply_messages(
        &conn,
        &mut clock,
        vec![
            msg(ts(20, 0), "accounts", "a1", "name", s("second")),
            msg(ts(10, 0), "accounts", "a1", "name", s("first")),
        ],
    )
    .unwrap();
    let name: String = conn
        .query_row("SELECT name FROM accounts WHERE id='a1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "second");
}

#[test]
fn receive_advances_clock_and_rejects_drift() {
    let (conn, mut clock) = setup();
    let now = T0 + 1000;
    receive_messages_at(
        &conn,
        &mut clock,
        vec![msg(ts(5000, 7), "accounts", "a1", "name", s("A"))],
        now,
    )
    .unwrap();
    assert_eq!(clock.timestamp.millis(), T0 + 5000);
    assert_eq!(clock.timestamp.counter(), 8);
    assert_eq!(Clock::deserialize(&stored_clock(&conn)).unwrap(), clock);

    let before = clock.clone();
    let err = receive_messages_at(
        &conn,
        &mut clock,
        vec![msg(ts(1000 + 300_001, 0), "accounts", "a2", "name", s("B"))],
        now,
    )
    .unwrap_err();
    assert_eq!(err.code(), "clock-drift");
    assert_eq!(clock, before);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM accounts"), 1);
}

#[test]
fn a_batch_larger_than_the_counter_does_not_overflow_the_clock() {
    // 70,000 messages from the past, received at one physical time: one recv per
    // message would push the counter past 0xFFFF (this failed the 50,000-transaction
    // benchmark budget).
    let (conn, mut clock) = setup();
    let now = T0 + 60_000;
    let messages: Vec<Message> = (0..70_000u32)
        .map(|i| {
            msg(
                ts(i64::from(i / 1000), i % 1000),
                "transactions",
                &format!("t{i}"),
                "amount",
                Value::Number(f64::from(i)),
            )
        })
        .collect();
    receive_messages_at(&conn, &mut clock, messages, now).unwrap();
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM transactions"), 70_000);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM messages_crdt"), 70_000);
    // The clock ends past every message received.
    assert_eq!(clock.timestamp.millis(), now);
    assert!(clock.timestamp > ts(69, 999));
}

// ---------------------------------------------------------------------------------------
// sync driver

/// A fake server holding every message; replies like the real one: messages after
/// `since` not sent by the requester, and its full merkle trie.
struct FakeServer {
    messages: Vec<(String, proto::MessageEnvelope)>,
    /// messages withheld from the next reply (to force a second round)
    hold_back: usize,
    /// a merkle that never matches
    broken: bool,
}

impl FakeServer {
    fn handle(&mut self, body: &[u8]) -> Vec<u8> {
        let req = proto::SyncRequest::decode(body).unwrap();
        for env in &req.messages {
            if !self.messages.iter().any(|(t, _)| *t == env.timestamp) {
                self.messages.push((env.timestamp.clone(), env.clone()));
            }
        }
        let sent: Vec<&String> = req.messages.iter().map(|e| &e.timestamp).collect();
        let mut out: Vec<proto::MessageEnvelope> = self
            .messages
            .iter()
            .filter(|(t, _)| *t > req.since && !sent.contains(&t))
            .map(|(_, e)| e.clone())
            .collect();
        let keep = out.len().saturating_sub(self.hold_back);
        out.truncate(keep);
        self.hold_back = 0;
        let all: Vec<Timestamp> = self
            .messages
            .iter()
            .map(|(t, _)| Timestamp::parse(t).unwrap())
            .collect();
        let mut trie = Trie::build(&all);
        if self.broken {
            trie.insert(&Timestamp::new(T0 - 86_400_000, 0, "ffffffffffffffff"));
        }
        proto::SyncResponse {
            messages: out,
            merkle: trie.prune_default().to_json(),
        }
        .encode_to_vec()
    }
}

fn envelope(
    t: &Timestamp,
    dataset: &str,
    row: &str,
    column: &str,
    value: &str,
    key: Option<&BudgetKey>,
) -> proto::MessageEnvelope {
    let row = CrdtRow {
        timestamp: t.to_string(),
        dataset: dataset.into(),
        row: row.into(),
        column: column.into(),
        value: value.into(),
    };
    encode_envelope(&row, key).unwrap()
}

fn server_with(n: usize, key: Option<&BudgetKey>) -> FakeServer {
    let mut messages = Vec::new();
    for i in 0..n {
        let t = Timestamp::new(T0 - 3_600_000 + i as i64 * 61_000, 0, "bbbbbbbbbbbbbbbb");
        let row = format!("t{}", i / 2);
        let (col, val) = if i % 2 == 0 {
            ("amount", format!("N:{}", i * 100))
        } else {
            ("notes", format!("S:note {i}"))
        };
        messages.push((
            t.to_string(),
            envelope(&t, "transactions", &row, col, &val, key),
        ));
    }
    FakeServer {
        messages,
        hold_back: 0,
        broken: false,
    }
}

fn run_sync(
    conn: &Connection,
    clock: &mut Clock,
    server: &mut FakeServer,
    params: SyncParams,
    key: Option<&BudgetKey>,
) -> Result<actual_sync::SyncOutcome, SyncError> {
    let now = T0;
    let mut sync = FullSync::new_at(params, now);
    loop {
        let body = sync.build_request(conn, clock, key)?;
        let reply = server.handle(&body);
        match sync.handle_response_at(conn, clock, key, reply.as_slice(), now)? {
            SyncStep::Continue => continue,
            SyncStep::Done(outcome) => return Ok(outcome),
        }
    }
}

fn params(last: Option<&str>) -> SyncParams {
    SyncParams {
        file_id: "file".into(),
        group_id: "group".into(),
        key_id: None,
        last_synced_timestamp: last.map(str::to_string),
    }
}

#[test]
fn full_sync_from_epoch_converges_in_one_round() {
    let (conn, mut clock) = setup();
    let mut server = server_with(10, None);
    let since = Timestamp::zero().to_string();
    let out = run_sync(&conn, &mut clock, &mut server, params(Some(&since)), None).unwrap();
    assert_eq!(
        (out.rounds, out.received, out.applied, out.sent),
        (1, 10, 10, 0)
    );
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM transactions"), 5);
    assert_eq!(
        out.last_synced_timestamp.as_deref(),
        Some(clock.timestamp.to_string().as_str())
    );
    assert_eq!(
        clock.timestamp.node(),
        load_clock(&conn).unwrap().timestamp.node()
    );
}

#[test]
fn full_sync_loops_from_diff_time_until_merkles_match() {
    let (conn, mut clock) = setup();
    let mut server = server_with(12, None);
    server.hold_back = 3;
    // default since: five minutes before "now" -> misses everything; the merkle diff
    // sends the client back in time.
    let out = run_sync(&conn, &mut clock, &mut server, params(None), None).unwrap();
    assert!(out.rounds >= 2, "{out:?}");
    assert_eq!(out.received, 12);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM messages_crdt"), 12);
    assert_eq!(clock.merkle, crdt_trie(&conn).prune_default());

    // local changes are pushed: the next sync sends what is newer than `since`
    let t = Timestamp::new(T0 + 10, 0, clock.timestamp.node());
    conn.execute(
        "INSERT INTO messages_crdt (timestamp, dataset, row, column, value) VALUES (?, 'accounts', 'a9', 'name', 'S:local')",
        [t.to_string()],
    )
    .unwrap();
    clock.merkle.insert(&t);
    let last = out.last_synced_timestamp.clone();
    let out2 = run_sync(
        &conn,
        &mut clock,
        &mut server,
        params(last.as_deref()),
        None,
    )
    .unwrap();
    assert_eq!(out2.sent, 1);
    assert!(server.messages.iter().any(|(ts, _)| *ts == t.to_string()));
}

#[test]
fn full_sync_gives_up_out_of_sync() {
    let (conn, mut clock) = setup();
    let mut server = server_with(4, None);
    server.broken = true;
    let err = run_sync(&conn, &mut clock, &mut server, params(None), None).unwrap_err();
    assert_eq!(err.code(), "out-of-sync");
    assert!(
        matches!(err, SyncError::OutOfSync { attempts: 11, .. }),
        "{err:?}"
    );
}

#[test]
fn encrypted_messages() {
    let key = BudgetKey::derive("password", "c2FsdA==");
    let wrong = BudgetKey::derive("nope", "c2FsdA==");
    let t = ts(0, 0);
    let env = envelope(&t, "accounts", "a1", "name", "S:Secret", Some(&key));
    let m = decode_envelope(&env, Some(&key)).unwrap();
    assert_eq!(m.value, s("Secret"));
    let e = decode_envelope(&env, None).unwrap_err();
    assert!(matches!(e, SyncError::DecryptFailure { missing_key: true }));
    let e = decode_envelope(&env, Some(&wrong)).unwrap_err();
    assert_eq!(e.code(), "decrypt-failure");

    // a full encrypted sync, and local messages go out encrypted
    let (conn, mut clock) = setup();
    let mut server = server_with(6, Some(&key));
    let mut p = params(Some(&Timestamp::zero().to_string()));
    p.key_id = Some("key-id".into());
    let out = run_sync(&conn, &mut clock, &mut server, p.clone(), Some(&key)).unwrap();
    assert_eq!(out.applied, 6);
    let rows = messages_since(&conn, &Timestamp::zero().to_string()).unwrap();
    let body = actual_sync::sync::encode_request("f", "g", Some("key-id"), "x", &rows, Some(&key))
        .unwrap();
    let req = proto::SyncRequest::decode(body.as_slice()).unwrap();
    assert_eq!(req.key_id, "key-id");
    assert!(req.messages.iter().all(|e| e.is_encrypted));
    assert_eq!(
        decode_envelope(&req.messages[0], Some(&key))
            .unwrap()
            .timestamp
            .to_string(),
        rows[0].timestamp
    );
    let e =
        actual_sync::sync::encode_request("f", "g", Some("key-id"), "x", &rows, None).unwrap_err();
    assert_eq!(e.code(), "encrypt-failure");
}

/// Against a real budget made by the official client:
/// `ACTUAL_SYNC_REAL_DB=/path/db.sqlite cargo test -p actual-sync -- --ignored`.
/// Works on a copy; checks the stored clock round-trips byte for byte and that its
/// merkle root equals the trie rebuilt from messages_crdt.
#[test]
#[ignore]
fn real_budget_clock_round_trips() {
    let Ok(path) = std::env::var("ACTUAL_SYNC_REAL_DB") else {
        return;
    };
    let copy = std::env::temp_dir().join(format!("actual-sync-real-{}.sqlite", std::process::id()));
    std::fs::copy(&path, &copy).unwrap();
    let conn = Connection::open(&copy).unwrap();
    let stored = stored_clock(&conn);
    let clock = load_clock(&conn).unwrap();
    assert_eq!(clock.serialize(), stored);
    let rebuilt = crdt_trie(&conn);
    assert_eq!(rebuilt.hash_or_zero(), clock.merkle.hash_or_zero());
    println!(
        "{} messages, root hash {}",
        count(&conn, "SELECT COUNT(*) FROM messages_crdt"),
        rebuilt.hash_or_zero()
    );
    drop(conn);
    let _ = std::fs::remove_file(&copy);
}

/// Upstream's `applyMessages` one message at a time, as the reference for the grouped
/// writes: compare against the database as it was, then for each message in timestamp
/// order an `UPDATE` (row existed or was inserted in this batch) or an `INSERT`.
fn apply_one_by_one(conn: &Connection, mut messages: Vec<Message>) {
    let before: Vec<(Message, Option<String>)> = messages
        .drain(..)
        .map(|m| {
            let found: Option<String> = conn
                .query_row(
                    "SELECT timestamp FROM messages_crdt WHERE dataset = ? AND row = ? AND column = ? AND timestamp >= ? ORDER BY timestamp LIMIT 1",
                    rusqlite::params![m.dataset, m.row, m.column, m.timestamp.to_string()],
                    |r| r.get(0),
                )
                .ok();
            (m, found)
        })
        .collect();
    let mut kept: Vec<(Message, bool)> = before
        .into_iter()
        .filter(|(m, found)| found.as_deref() != Some(m.timestamp.to_string().as_str()))
        .map(|(m, found)| (m, found.is_some()))
        .collect();
    kept.sort_by(|a, b| a.0.timestamp.cmp(&b.0.timestamp));
    let existed: Vec<bool> = kept
        .iter()
        .map(|(m, _)| {
            conn.query_row(
                &format!("SELECT 1 FROM {} WHERE id = ?", m.dataset),
                [&m.row],
                |_| Ok(()),
            )
            .is_ok()
        })
        .collect();
    let mut added = std::collections::HashSet::new();
    for ((m, old), existed) in kept.iter().zip(existed) {
        if !old {
            if existed || added.contains(&(m.dataset.clone(), m.row.clone())) {
                conn.execute(
                    &format!("UPDATE {} SET {} = ? WHERE id = ?", m.dataset, m.column),
                    rusqlite::params![m.value, m.row],
                )
                .unwrap();
            } else {
                conn.execute(
                    &format!("INSERT INTO {} (id, {}) VALUES (?, ?)", m.dataset, m.column),
                    rusqlite::params![m.row, m.value],
                )
                .unwrap();
            }
            added.insert((m.dataset.clone(), m.row.clone()));
        }
        conn.execute(
            "INSERT INTO messages_crdt (timestamp, dataset, row, column, value) VALUES (?, ?, ?, ?, ?)",
            rusqlite::params![m.timestamp.to_string(), m.dataset, m.row, m.column, m.value.serialize()],
        )
        .unwrap();
    }
}

fn dump(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT rowid, * FROM accounts ORDER BY rowid",
        "SELECT rowid, * FROM transactions ORDER BY rowid",
        "SELECT timestamp, dataset, row, column, value FROM messages_crdt ORDER BY timestamp",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect();
                Ok(cells.join("|"))
            })
            .unwrap();
        out.extend(rows.map(|r| r.unwrap()));
    }
    out
}

#[test]
fn grouped_row_writes_end_like_upstream_message_by_message() {
    // A deterministic jumble: rows touched in interleaved order, columns written several
    // times, rows that exist already, messages older than what the cell has, duplicates.
    let seed_db = |conn: &Connection| {
        conn.execute_batch(
            "INSERT INTO accounts (id, name) VALUES ('a1', 'old name'), ('a2', 'keep');
             INSERT INTO transactions (id, amount, notes) VALUES ('t3', 5, 'existing');",
        )
        .unwrap();
        for (offset, row, column, value) in [
            (500, "t3", "notes", "S:newer local note"),
            (40, "a1", "name", "S:dup"),
        ] {
            conn.execute(
                "INSERT INTO messages_crdt (timestamp, dataset, row, column, value) VALUES (?, ?, ?, ?, ?)",
                rusqlite::params![ts(offset, 0).to_string(), if row.starts_with('a') { "accounts" } else { "transactions" }, row, column, value],
            )
            .unwrap();
        }
    };
    let mut batch = Vec::new();
    let mut state: u64 = 7;
    for i in 0..300 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = (state >> 33) as usize;
        let (dataset, row, column, value) = if r.is_multiple_of(5) {
            (
                "accounts",
                format!("a{}", r % 4),
                ["name", "offbudget", "tombstone"][r % 3],
                Value::Number((r % 7) as f64),
            )
        } else {
            let column = ["acct", "amount", "notes", "tombstone"][r % 4];
            let value = if column == "notes" {
                s(&format!("n{i}"))
            } else {
                Value::Number((r % 1000) as f64)
            };
            ("transactions", format!("t{}", r % 12), column, value)
        };
        // timestamps deliberately out of order in the batch
        let offset = ((r % 997) * 3) as i64;
        batch.push(msg(
            ts(offset, (i % 50) as u32),
            dataset,
            &row,
            column,
            value,
        ));
    }
    batch.push(msg(ts(40, 0), "accounts", "a1", "name", s("dup")));
    batch.push(msg(
        ts(100, 0),
        "transactions",
        "t3",
        "notes",
        s("older than local"),
    ));
    batch.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
    batch.dedup_by(|a, b| a.timestamp == b.timestamp);
    batch.reverse();

    let (grouped, mut clock) = setup();
    seed_db(&grouped);
    let out = apply_messages(&grouped, &mut clock, batch.clone()).unwrap();
    let reference = db();
    seed_db(&reference);
    apply_one_by_one(&reference, batch);

    assert_eq!(dump(&grouped), dump(&reference));
    assert_eq!(out.duplicates, 1);
    assert!(out.old.iter().any(|m| m.row == "t3" && m.column == "notes"));
    let notes: String = grouped
        .query_row("SELECT notes FROM transactions WHERE id = 't3'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        notes, "existing",
        "an older message must not overwrite the cell"
    );
}

#[test]
fn a_first_request_without_local_messages_is_caught_up_by_the_next_round() {
    let (conn, mut clock) = setup();
    let mut server = server_with(6, None);
    // a local message after `since`, already in the local trie, unknown to the server
    let local = Timestamp::new(T0 - 60_000, 0, clock.timestamp.node());
    conn.execute(
        "INSERT INTO messages_crdt (timestamp, dataset, row, column, value) VALUES (?, 'accounts', 'a1', 'name', 'S:local')",
        [local.to_string()],
    )
    .unwrap();
    clock.merkle.insert(&local);
    let since = Timestamp::zero().to_string();

    let mut sync = FullSync::new_at(params(Some(&since)), T0);
    let first = sync.build_request_without_local_messages(None).unwrap();
    assert!(proto::SyncRequest::decode(first.as_slice())
        .unwrap()
        .messages
        .is_empty());
    let mut reply = server.handle(&first);
    let outcome = loop {
        match sync
            .handle_response_at(&conn, &mut clock, None, reply.as_slice(), T0)
            .unwrap()
        {
            SyncStep::Continue => {
                let body = sync.build_request(&conn, &clock, None).unwrap();
                reply = server.handle(&body);
            }
            SyncStep::Done(outcome) => break outcome,
        }
    };
    assert!(outcome.rounds >= 2, "{outcome:?}");
    // the catch-up round sends everything local after the diff time, the local one included
    assert!(outcome.sent >= 1, "{outcome:?}");
    assert!(server.messages.iter().any(|(t, _)| *t == local.to_string()));
    assert_eq!(server.messages.len(), 7);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM transactions"), 3);
}

#[test]
fn a_snapshot_that_never_synced_asks_from_the_epoch_in_one_round() {
    let (conn, mut clock) = setup();
    // messages an hour old: five minutes back would miss them all
    let mut server = server_with(8, None);
    let mut sync = FullSync::for_snapshot(params(None));
    assert_eq!(sync.since(), Timestamp::zero().to_string());
    let last = ts(-1, 0).to_string();
    assert_eq!(FullSync::for_snapshot(params(Some(&last))).since(), last);

    let body = sync.build_request(&conn, &clock, None).unwrap();
    let reply = server.handle(&body);
    let step = sync
        .handle_response_at(&conn, &mut clock, None, reply.as_slice(), T0)
        .unwrap();
    let SyncStep::Done(outcome) = step else {
        panic!("expected one round, got {step:?}");
    };
    assert_eq!((outcome.rounds, outcome.received), (1, 8));
}

fn search_index(conn: &Connection) -> (String, i64) {
    conn.query_row(
        "SELECT sql, rootpage FROM sqlite_master WHERE name = 'messages_crdt_search'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn notes_batch(from: usize, n: usize) -> Vec<Message> {
    (from..from + n)
        .map(|i| {
            msg(
                ts(i as i64 * 10, 0),
                "transactions",
                &format!("t{}", i % 7),
                "notes",
                s(&format!("n{i}")),
            )
        })
        .collect()
}

#[test]
fn a_large_batch_leaves_the_search_index_as_it_was() {
    let (conn, mut clock) = setup();
    apply_messages(&conn, &mut clock, notes_batch(0, 10)).unwrap();
    let (sql, root) = search_index(&conn);

    // a large batch that fails (a timestamp twice) changes nothing, the index included
    let before = dump(&conn);
    let mut failing = notes_batch(10, LARGE_BATCH_MESSAGES);
    failing.push(failing[0].clone());
    assert!(apply_messages(&conn, &mut clock, failing).is_err());
    assert_eq!(dump(&conn), before);
    assert_eq!(search_index(&conn), (sql.clone(), root));

    // below the size of a large batch the index takes the inserts
    apply_messages(&conn, &mut clock, notes_batch(10, LARGE_BATCH_MESSAGES - 1)).unwrap();
    assert_eq!(search_index(&conn), (sql.clone(), root));
    // and so it does for a large batch under twice what is stored
    let stored = LARGE_BATCH_MESSAGES + 9;
    apply_messages(&conn, &mut clock, notes_batch(stored, LARGE_BATCH_MESSAGES)).unwrap();
    assert_eq!(search_index(&conn), (sql.clone(), root));

    // a large batch onto a few messages: set aside and built again, same definition
    let (conn, mut clock) = setup();
    apply_messages(&conn, &mut clock, notes_batch(0, 10)).unwrap();
    apply_messages(&conn, &mut clock, notes_batch(10, LARGE_BATCH_MESSAGES)).unwrap();
    let (rebuilt_sql, rebuilt_root) = search_index(&conn);
    assert_eq!(rebuilt_sql, sql);
    assert_ne!(rebuilt_root, root, "the index was built again");
    assert_eq!(
        conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
            .unwrap(),
        "ok"
    );
    // upstream's lookup for a cell goes through the index and finds every message
    let last = (0..LARGE_BATCH_MESSAGES + 10)
        .rev()
        .find(|i| i % 7 == 3)
        .unwrap();
    let latest: String = conn
        .query_row(
            "SELECT timestamp FROM messages_crdt INDEXED BY messages_crdt_search
             WHERE dataset = 'transactions' AND row = 't3' AND column = 'notes'
             ORDER BY timestamp DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(latest, ts(last as i64 * 10, 0).to_string());
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM messages_crdt INDEXED BY messages_crdt_search WHERE dataset = 'transactions'"
        ),
        (LARGE_BATCH_MESSAGES + 10) as i64
    );
}

#[test]
fn a_large_reply_decodes_as_its_envelopes_do_one_by_one() {
    let key = BudgetKey::derive("password", "c2FsdA==");
    // large enough to be decoded on two threads
    let n = LARGE_BATCH_MESSAGES + 1;
    let envelopes: Vec<proto::MessageEnvelope> = (0..n as i64)
        .map(|i| {
            let value = format!("S:note {i}");
            // plain and encrypted envelopes mixed, as a budget encrypted midway has
            let key = (i % 3 == 0).then_some(&key);
            envelope(
                &ts(i, 0),
                "transactions",
                &format!("t{i}"),
                "notes",
                &value,
                key,
            )
        })
        .collect();
    let reply = |envelopes: &[proto::MessageEnvelope]| {
        bytes::Bytes::from(
            proto::SyncResponse {
                messages: envelopes.to_vec(),
                merkle: Trie::default().to_json(),
            }
            .encode_to_vec(),
        )
    };
    let one_by_one: Vec<Message> = envelopes
        .iter()
        .map(|e| decode_envelope(e, Some(&key)).unwrap())
        .collect();
    let (decoded, _) = actual_sync::sync::decode_response(reply(&envelopes), Some(&key)).unwrap();
    assert_eq!(decoded, one_by_one);

    // the first failing envelope is the one reported, in either half
    let mut broken = envelopes.clone();
    let late = n - 10;
    broken[late].timestamp = "not a timestamp".into();
    let e = actual_sync::sync::decode_response(reply(&broken), Some(&key)).unwrap_err();
    let expected = decode_envelope(&broken[late], Some(&key)).unwrap_err();
    assert_eq!(e.to_string(), expected.to_string());
    broken[3].content = bytes::Bytes::from_static(b"\xff");
    let e = actual_sync::sync::decode_response(reply(&broken), Some(&key)).unwrap_err();
    let expected = decode_envelope(&broken[3], Some(&key)).unwrap_err();
    assert_eq!(e.to_string(), expected.to_string());
    assert_ne!(
        e.to_string(),
        decode_envelope(&broken[late], Some(&key))
            .unwrap_err()
            .to_string()
    );
}

#[test]
fn a_large_set_of_local_messages_goes_out_in_requests_within_the_limit_each_sent_once() {
    let (conn, mut clock) = setup();
    let mut server = server_with(4, None);
    let since = Timestamp::zero().to_string();
    run_sync(&conn, &mut clock, &mut server, params(Some(&since)), None).unwrap();
    let last = load_clock(&conn).unwrap().timestamp.to_string();
    // 3,000 local changes of ~100 bytes each: about 300 kB, against a 64 kB limit.
    for i in 0..3000 {
        let t = Timestamp::new(T0 + 1_000 + i, 0, clock.timestamp.node());
        conn.execute(
            "INSERT INTO messages_crdt (timestamp, dataset, row, column, value) VALUES (?, 'accounts', ?, 'name', ?)",
            rusqlite::params![t.to_string(), format!("a{i}"), format!("S:{}", "x".repeat(40))],
        )
        .unwrap();
        clock.merkle.insert(&t);
    }
    let mut sync = FullSync::new_at(params(Some(&last)), T0 + 10_000);
    sync.set_request_limit(64 << 10);
    let mut bodies = Vec::new();
    let outcome = loop {
        let body = sync.build_request(&conn, &clock, None).unwrap();
        bodies.push(body.len());
        let reply = server.handle(&body);
        match sync
            .handle_response_at(&conn, &mut clock, None, reply.as_slice(), T0 + 10_000)
            .unwrap()
        {
            SyncStep::Continue => continue,
            SyncStep::Done(outcome) => break outcome,
        }
    };
    assert!(bodies.len() >= 5, "{bodies:?}");
    assert!(bodies.iter().all(|&b| b <= 64 << 10), "{bodies:?}");
    assert_eq!(outcome.sent, 3000, "every local message sent exactly once");
    assert_eq!(server.messages.len(), 3004);

    // A 413 makes the same request again at half the size.
    let mut sync = FullSync::new_at(params(Some(&last)), T0 + 10_000);
    sync.set_request_limit(128 << 10);
    let first = sync.build_request(&conn, &clock, None).unwrap();
    assert!(sync.retry_smaller());
    let again = sync.build_request(&conn, &clock, None).unwrap();
    assert!(again.len() < first.len() && again.len() <= 64 << 10);
    let first = proto::SyncRequest::decode(first.as_slice()).unwrap();
    let again = proto::SyncRequest::decode(again.as_slice()).unwrap();
    assert_eq!(
        first.messages[0].timestamp, again.messages[0].timestamp,
        "from the same message"
    );
}

#[test]
fn an_import_writes_the_rows_and_records_nothing() {
    let (conn, clock) = setup();
    let before = stored_clock(&conn);
    apply_messages_for_import(
        &conn,
        &clock,
        vec![
            msg(ts(0, 0), "accounts", "a1", "name", s("Checking")),
            msg(ts(0, 1), "accounts", "a1", "offbudget", Value::Number(1.0)),
            msg(ts(1, 0), "transactions", "t1", "acct", s("a1")),
            msg(ts(1, 1), "accounts", "a1", "name", s("Main")),
        ],
    )
    .unwrap();
    assert_eq!(
        conn.query_row(
            "SELECT name, offbudget FROM accounts WHERE id = 'a1'",
            [],
            |r| { Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)) }
        )
        .unwrap(),
        ("Main".to_string(), 1)
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM transactions"), 1);
    assert_eq!(count(&conn, "SELECT count(*) FROM messages_crdt"), 0);
    assert_eq!(stored_clock(&conn), before, "the clock is not saved");
    // A bad column is still an error, and nothing of the call stays.
    let err = apply_messages_for_import(
        &conn,
        &clock,
        vec![
            msg(ts(2, 0), "accounts", "a2", "name", s("Second")),
            msg(ts(2, 1), "accounts", "a2", "nope", s("x")),
        ],
    )
    .unwrap_err();
    assert!(matches!(err, SyncError::InvalidSchema { .. }));
    assert_eq!(count(&conn, "SELECT count(*) FROM accounts"), 1);
}
