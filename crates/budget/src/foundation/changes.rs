//! Local changes as CRDT messages, the way upstream's `db.insert`/`update`/`delete_`
//! make them (`server/db/index.ts`): one message per field in the order the fields are
//! given, each stamped by the budget's clock (`Timestamp.send()`), a delete being one
//! `tombstone = 1` message. They are applied as they are made (rows, `messages_crdt`,
//! the merkle trie and the clock), inside the caller's transaction, so that the rest
//! of the write reads what it wrote, and the next sync sends them. Inside `runImport`
//! they are stamped the same way but only written to the tables, as upstream's
//! syncing mode "import" does (`applyMessagesForImport`).

use actual_sync::timestamp::now_millis;
use actual_sync::{apply_messages, apply_messages_for_import, Clock, Message, Value};
use rusqlite::Connection;

use crate::foundation::error::Result;

/// Past this counter the clock waits for the next millisecond before stamping: a large
/// write stamps faster than the clock moves, and the counter stops at 65,535.
const COUNTER_HEADROOM: u32 = 60_000;

/// One row's fields, in the order their messages are made.
pub type Fields<'f> = Vec<(&'f str, Value)>;

/// The messages one write call makes.
pub struct Changes<'a> {
    conn: &'a Connection,
    clock: &'a mut Clock,
    /// Messages made and applied so far.
    pub made: usize,
    /// Import mode: the rows change, nothing is recorded to send.
    importing: bool,
}

impl<'a> Changes<'a> {
    pub fn new(conn: &'a Connection, clock: &'a mut Clock) -> Self {
        Changes {
            conn,
            clock,
            made: 0,
            importing: false,
        }
    }

    /// These changes in import mode (`runImport`) when `importing`.
    pub fn importing(mut self, importing: bool) -> Self {
        self.importing = importing;
        self
    }

    /// `db.insert(table, { id, ...fields })`.
    pub fn insert(&mut self, table: &str, id: &str, fields: Fields) -> Result<()> {
        self.send(table, id, fields)
    }

    /// `db.update(table, { id, ...fields })`.
    pub fn update(&mut self, table: &str, id: &str, fields: Fields) -> Result<()> {
        self.send(table, id, fields)
    }

    /// `db.delete_(table, id)`.
    pub fn delete(&mut self, table: &str, id: &str) -> Result<()> {
        self.send(table, id, vec![("tombstone", Value::Number(1.0))])
    }

    /// Stamps and applies the messages of several rows at once (upstream's
    /// `batchMessages` of many inserts and updates).
    pub fn send_rows(&mut self, rows: Vec<(&str, String, Fields)>) -> Result<()> {
        let mut messages = Vec::new();
        for (table, id, fields) in rows {
            for (column, value) in fields {
                messages.push(self.message(table, &id, column, value)?);
            }
        }
        self.apply(messages)
    }

    fn send(&mut self, table: &str, id: &str, fields: Fields) -> Result<()> {
        let messages = fields
            .into_iter()
            .map(|(column, value)| self.message(table, id, column, value))
            .collect::<Result<Vec<_>>>()?;
        self.apply(messages)
    }

    fn message(&mut self, table: &str, id: &str, column: &str, value: Value) -> Result<Message> {
        if self.clock.timestamp.counter() >= COUNTER_HEADROOM {
            let last = self.clock.timestamp.millis();
            while now_millis() <= last {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
        }
        Ok(Message {
            timestamp: self.clock.send()?,
            dataset: table.to_string(),
            row: id.to_string(),
            column: column.to_string(),
            value,
        })
    }

    fn apply(&mut self, messages: Vec<Message>) -> Result<()> {
        if messages.is_empty() {
            return Ok(());
        }
        self.made += messages.len();
        if self.importing {
            apply_messages_for_import(self.conn, self.clock, messages)?;
        } else {
            apply_messages(self.conn, self.clock, messages)?;
        }
        Ok(())
    }
}

/// A new id, as upstream's `uuidv4()`.
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source is unavailable");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(uuid_v4(), id);
    }
}
