//! The transaction guard: committed changes stay, anything else rolls back (an early
//! return, a panic, a savepoint inside the caller's transaction).

use actual_sync::db::{atomically, Transaction};
use rusqlite::Connection;

fn db() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (v INTEGER)").unwrap();
    conn
}

fn rows(conn: &Connection) -> i64 {
    conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn commit_keeps_and_drop_rolls_back() {
    let conn = db();
    let tx = Transaction::begin(&conn, "sp").unwrap();
    tx.conn().execute("INSERT INTO t VALUES (1)", []).unwrap();
    tx.commit().unwrap();
    assert_eq!(rows(&conn), 1);

    let tx = Transaction::begin(&conn, "sp").unwrap();
    tx.conn().execute("INSERT INTO t VALUES (2)", []).unwrap();
    drop(tx);
    assert_eq!(rows(&conn), 1);
    assert!(conn.is_autocommit(), "no transaction left open");
}

#[test]
fn nested_is_a_savepoint_of_the_outer_transaction() {
    let conn = db();
    let outer = Transaction::begin(&conn, "outer").unwrap();
    conn.execute("INSERT INTO t VALUES (1)", []).unwrap();
    let inner = Transaction::begin(&conn, "inner").unwrap();
    conn.execute("INSERT INTO t VALUES (2)", []).unwrap();
    inner.rollback();
    assert_eq!(rows(&conn), 1, "only the savepoint's row is gone");
    let inner = Transaction::begin(&conn, "inner").unwrap();
    conn.execute("INSERT INTO t VALUES (3)", []).unwrap();
    inner.commit().unwrap();
    assert!(!conn.is_autocommit(), "the outer transaction is still open");
    drop(outer);
    assert_eq!(
        rows(&conn),
        0,
        "the outer rollback takes the released savepoint too"
    );
}

#[test]
fn a_panic_rolls_back() {
    let conn = db();
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _tx = Transaction::begin(&conn, "sp").unwrap();
        conn.execute("INSERT INTO t VALUES (1)", []).unwrap();
        panic!("mid-write");
    }));
    assert!(unwound.is_err());
    assert_eq!(rows(&conn), 0);
    assert!(conn.is_autocommit());
}

#[test]
fn held_then_resumed() {
    let conn = db();
    let tx = Transaction::begin(&conn, "sp").unwrap();
    conn.execute("INSERT INTO t VALUES (1)", []).unwrap();
    let held = tx.hold();
    assert!(!conn.is_autocommit(), "held open past the guard");
    held.resume(&conn).commit().unwrap();
    assert_eq!(rows(&conn), 1);

    let held = Transaction::begin(&conn, "sp").unwrap().hold();
    conn.execute("INSERT INTO t VALUES (2)", []).unwrap();
    drop(held.resume(&conn));
    assert_eq!(rows(&conn), 1);
}

#[test]
fn atomically_commits_or_rolls_back() {
    let conn = db();
    let failed: Result<(), rusqlite::Error> = atomically(&conn, "sp", || {
        conn.execute("INSERT INTO t VALUES (1)", [])?;
        Err(rusqlite::Error::QueryReturnedNoRows)
    });
    assert!(failed.is_err());
    assert_eq!(rows(&conn), 0);
    atomically(&conn, "sp", || conn.execute("INSERT INTO t VALUES (1)", [])).unwrap();
    assert_eq!(rows(&conn), 1);
}
