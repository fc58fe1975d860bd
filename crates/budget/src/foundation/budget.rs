//! The open budget a method runs against: [`Budget`] to read, [`Writer`] to write with,
//! and a read's [`Answer`].

use rusqlite::Connection;
use serde_json::Value;

use super::changes::Changes;

/// What a read runs against: the open database and the local time it was called at
/// ("today" and "this month" are local time upstream, and so here).
pub struct Budget<'a> {
    pub conn: &'a Connection,
    pub now: chrono::NaiveDateTime,
    /// Inside `runImport` (upstream's syncing mode "import"): writes change the tables
    /// only (see [`Changes`]), and what upstream keeps in memory from the load before
    /// the import began (its rules) is what the import sees (see [`crate::methods::check_import_mode`]).
    pub importing: bool,
}

impl<'a> Budget<'a> {
    /// A reader at the process's local time now.
    pub fn new(conn: &'a Connection) -> Self {
        Budget {
            conn,
            now: chrono::Local::now().naive_local(),
            importing: false,
        }
    }
}

impl Budget<'_> {
    /// A writer on this budget making its changes with `clock`.
    pub(crate) fn writer<'c>(&self, clock: &'c mut actual_sync::Clock) -> Writer<'c>
    where
        Self: 'c,
    {
        Writer {
            budget: Budget {
                conn: self.conn,
                now: self.now,
                importing: self.importing,
            },
            changes: Changes::new(self.conn, clock).importing(self.importing),
        }
    }
}

/// What a write runs with: the budget to read, and the changes it makes.
pub struct Writer<'a> {
    pub budget: Budget<'a>,
    pub changes: Changes<'a>,
}

/// A read's answer: a JSON value, or JSON text written as the rows were read (large
/// answers: no tree of values is built, which halves their peak memory).
#[derive(Debug)]
pub enum Answer {
    Value(Value),
    Json(String),
}

impl Answer {
    /// The answer as JSON text.
    pub fn into_json(self) -> String {
        match self {
            Answer::Value(v) => serde_json::to_string(&v).expect("a JSON value always serialises"),
            Answer::Json(text) => text,
        }
    }
}
