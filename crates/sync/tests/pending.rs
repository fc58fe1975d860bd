//! Received messages a newer release's schema needs: recorded, kept in
//! `messages_pending`, never failing the rest of the sync, and replayed once they fit
//! (the cases of 26.10's deferred-message tests).

use actual_sync::apply::{apply_messages, receive_messages_at, Message};
use actual_sync::load_clock;
use actual_sync::pending::replay;
use actual_sync::{Timestamp, Trie, Value};
use rusqlite::Connection;

const NODE: &str = "bbbbbbbbbbbbbbbb";
const T0: i64 = 1_795_920_000_000;

fn db() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE messages_crdt (id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL UNIQUE,
           dataset TEXT NOT NULL, row TEXT NOT NULL, column TEXT NOT NULL, value BLOB NOT NULL);
         CREATE TABLE messages_clock (id INTEGER PRIMARY KEY, clock TEXT);
         CREATE TABLE kvcache_key (id INTEGER PRIMARY KEY, key REAL);
         CREATE TABLE transactions (id TEXT PRIMARY KEY, amount INTEGER, notes TEXT, tombstone INTEGER DEFAULT 0);",
    )
    .unwrap();
    conn
}

fn msg(offset: i64, dataset: &str, row: &str, column: &str, value: Value) -> Message {
    Message {
        timestamp: Timestamp::new(T0 + offset, 0, NODE),
        dataset: dataset.into(),
        row: row.into(),
        column: column.into(),
        value,
    }
}

fn receive(conn: &Connection, messages: Vec<Message>) -> actual_sync::ApplyOutcome {
    let mut clock = load_clock(conn).unwrap();
    receive_messages_at(conn, &mut clock, messages, T0 + 60_000).unwrap()
}

fn pending(conn: &Connection) -> Vec<(String, String, String, String)> {
    conn.prepare("SELECT dataset, row, column, value FROM messages_pending ORDER BY timestamp")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

#[test]
fn unknown_tables_columns_and_formats_are_kept_and_the_rest_applies() {
    let conn = db();
    let out = receive(
        &conn,
        vec![
            msg(1, "transactions", "t1", "future_col", s("x")),
            msg(2, "transactions", "t1", "amount", Value::Number(100.0)),
            msg(3, "unknown_table", "u1", "name", s("y")),
            msg(
                4,
                "transactions",
                "t1",
                "notes",
                Value::deserialize_received("B:true".into()),
            ),
            msg(5, "transactions x", "t1", "amount", Value::Number(1.0)),
            msg(6, "transactions", "t1", "order", s("z")),
        ],
    );
    assert_eq!(out.deferred, 5);
    assert_eq!(out.applied.len(), 1);
    assert_eq!(out.tables, vec!["transactions".to_string()]);
    let (amount, notes): (i64, Option<String>) = conn
        .query_row(
            "SELECT amount, notes FROM transactions WHERE id = 't1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((amount, notes), (100, None));
    // Every message is recorded, so the merkle trie matches messages_crdt.
    assert_eq!(count(&conn, "SELECT count(*) FROM messages_crdt"), 6);
    let stamps: Vec<Timestamp> = conn
        .prepare("SELECT timestamp FROM messages_crdt")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|t| Timestamp::parse(&t.unwrap()).unwrap())
        .collect();
    assert_eq!(
        load_clock(&conn).unwrap().merkle,
        Trie::build(&stamps).prune_default()
    );
    assert_eq!(
        pending(&conn),
        vec![
            (
                "transactions".into(),
                "t1".into(),
                "future_col".into(),
                "S:x".into()
            ),
            (
                "unknown_table".into(),
                "u1".into(),
                "name".into(),
                "S:y".into()
            ),
            (
                "transactions".into(),
                "t1".into(),
                "notes".into(),
                "B:true".into()
            ),
            (
                "transactions x".into(),
                "t1".into(),
                "amount".into(),
                "N:1".into()
            ),
            (
                "transactions".into(),
                "t1".into(),
                "order".into(),
                "S:z".into()
            ),
        ]
    );
}

#[test]
fn a_local_write_to_an_unknown_column_still_fails() {
    let conn = db();
    let mut clock = load_clock(&conn).unwrap();
    let err = apply_messages(
        &conn,
        &mut clock,
        vec![msg(1, "transactions", "t1", "future_col", s("x"))],
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid-schema");
    assert_eq!(count(&conn, "SELECT count(*) FROM messages_crdt"), 0);
}

#[test]
fn an_older_message_never_replaces_a_newer_pending_one() {
    let conn = db();
    receive(
        &conn,
        vec![msg(20, "transactions", "t1", "future_col", s("newer"))],
    );
    receive(
        &conn,
        vec![msg(10, "transactions", "t1", "future_col", s("older"))],
    );
    let kept = pending(&conn);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].3, "S:newer");
    // The same message twice is one crdt row and one pending row.
    receive(
        &conn,
        vec![msg(20, "transactions", "t1", "future_col", s("newer"))],
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM messages_crdt"), 2);
    assert_eq!(pending(&conn).len(), 1);
}

#[test]
fn replay_applies_what_fits_and_keeps_the_rest() {
    let conn = db();
    receive(
        &conn,
        vec![
            msg(1, "transactions", "t1", "future_col", s("winner")),
            msg(2, "gadgets", "g1", "name", s("flux")),
            msg(3, "later_table", "l1", "name", s("wait")),
            msg(
                4,
                "transactions",
                "t2",
                "notes",
                Value::deserialize_received("B:true".into()),
            ),
            msg(5, "transactions", "t2", "notes", s("plain newer value")),
        ],
    );
    conn.execute_batch(
        "ALTER TABLE transactions ADD COLUMN future_col TEXT;
         CREATE TABLE gadgets (id TEXT PRIMARY KEY, name TEXT, size INTEGER NOT NULL DEFAULT 0);",
    )
    .unwrap();
    let done = replay(&conn).unwrap();
    assert_eq!((done.applied, done.waiting, done.dropped), (2, 1, 0));
    let future: String = conn
        .query_row(
            "SELECT future_col FROM transactions WHERE id = 't1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(future, "winner");
    let gadget: (String, i64) = conn
        .query_row("SELECT name, size FROM gadgets WHERE id = 'g1'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(gadget, ("flux".into(), 0));
    // The superseded unknown-format value is dropped, the newer plain one stays applied.
    let notes: String = conn
        .query_row("SELECT notes FROM transactions WHERE id = 't2'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(notes, "plain newer value");
    assert_eq!(pending(&conn).len(), 1);
    assert_eq!(replay(&conn).unwrap().applied, 0);
    // An older message for a replayed cell stays old.
    receive(
        &conn,
        vec![msg(0, "transactions", "t1", "future_col", s("stale"))],
    );
    let future: String = conn
        .query_row(
            "SELECT future_col FROM transactions WHERE id = 't1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(future, "winner");
}

#[test]
fn a_message_failing_every_time_is_dropped_without_blocking_others() {
    let conn = db();
    receive(
        &conn,
        vec![
            msg(1, "transactions", "t1", "future_col", s("good")),
            msg(2, "checked", "c1", "amount", Value::Number(-5.0)),
        ],
    );
    conn.execute_batch(
        "ALTER TABLE transactions ADD COLUMN future_col TEXT;
         CREATE TABLE checked (id TEXT PRIMARY KEY, amount INTEGER CHECK (amount >= 0));",
    )
    .unwrap();
    let done = replay(&conn).unwrap();
    assert_eq!((done.applied, done.dropped), (1, 1));
    assert!(pending(&conn).is_empty());
    assert_eq!(count(&conn, "SELECT count(*) FROM checked"), 0);
}
