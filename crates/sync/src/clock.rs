//! The client's clock as `@actual-app/crdt` keeps it: the latest timestamp it issued or
//! saw and the merkle trie of every message, `send` and `recv`; and where the budget
//! keeps it (`messages_clock`).

use rusqlite::{params, Connection, OptionalExtension};

use crate::merkle::Trie;
use crate::{Result, SyncError};
use actual_protocol::timestamp::{make_client_id, now_millis, Timestamp, MAX_COUNTER};

/// Upstream `config.maxDrift` default: 5 minutes.
pub const DEFAULT_MAX_DRIFT_MS: i64 = 300_000;

/// The client's clock: the latest timestamp it issued or saw, and the merkle trie of all
/// messages it holds. Persisted as JSON in `messages_clock(id=1).clock`.
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    /// The HLC state (`clock.timestamp`).
    pub timestamp: Timestamp,
    /// The merkle trie (`clock.merkle`).
    pub merkle: Trie,
    /// Maximum allowed drift ahead of physical time (upstream `config.maxDrift`).
    pub max_drift: i64,
}

impl Clock {
    /// `makeClock(timestamp, merkle)`.
    pub fn new(timestamp: Timestamp, merkle: Trie) -> Self {
        Clock {
            timestamp,
            merkle,
            max_drift: DEFAULT_MAX_DRIFT_MS,
        }
    }

    /// `Timestamp.send()` at physical time `now` (ms): a new unique timestamp for a local change.
    pub fn send_at(&mut self, now: i64) -> Result<Timestamp> {
        let l_old = self.timestamp.millis();
        let c_old = self.timestamp.counter() as i64;
        let l_new = l_old.max(now);
        let c_new = if l_old == l_new { c_old + 1 } else { 0 };
        self.advance_to(l_new, c_new, now)
    }

    /// The checks `send` and `recv` share before the clock moves to (`l_new`, `c_new`).
    fn advance_to(&mut self, l_new: i64, c_new: i64, now: i64) -> Result<Timestamp> {
        if l_new - now > self.max_drift {
            return Err(SyncError::ClockDrift);
        }
        if c_new > MAX_COUNTER as i64 {
            return Err(SyncError::ClockOverflow);
        }
        self.timestamp.set_time(l_new, c_new as u32);
        Ok(self.timestamp.clone())
    }

    /// [`Clock::send_at`] with the system time.
    pub fn send(&mut self) -> Result<Timestamp> {
        self.send_at(now_millis())
    }

    /// `Timestamp.recv(msg)` at physical time `now` (ms): advances the clock past a
    /// received timestamp.
    pub fn recv_at(&mut self, msg: &Timestamp, now: i64) -> Result<Timestamp> {
        let l_msg = msg.millis();
        let c_msg = msg.counter() as i64;
        if l_msg - now > self.max_drift {
            return Err(SyncError::ClockDrift);
        }
        let l_old = self.timestamp.millis();
        let c_old = self.timestamp.counter() as i64;
        let l_new = l_old.max(now).max(l_msg);
        let c_new = if l_new == l_old && l_new == l_msg {
            c_old.max(c_msg) + 1
        } else if l_new == l_old {
            c_old + 1
        } else if l_new == l_msg {
            c_msg + 1
        } else {
            0
        };
        self.advance_to(l_new, c_new, now)
    }

    /// [`Clock::recv_at`] with the system time.
    pub fn recv(&mut self, msg: &Timestamp) -> Result<Timestamp> {
        self.recv_at(msg, now_millis())
    }

    /// `serializeClock`: `{"timestamp":"...","merkle":{...}}`, byte for byte.
    pub fn serialize(&self) -> String {
        let mut out = String::from("{\"timestamp\":");
        out.push_str(
            &serde_json::to_string(&self.timestamp.to_string()).expect("string serialises"),
        );
        out.push_str(",\"merkle\":");
        out.push_str(&self.merkle.to_json());
        out.push('}');
        out
    }

    /// `deserializeClock`: JSON that does not parse yields a fresh clock at the epoch with a
    /// new node id (as upstream); a bad timestamp is an `invalid-clock` error.
    pub fn deserialize(s: &str) -> Result<Self> {
        let data: serde_json::Value = match serde_json::from_str(s) {
            Ok(v) => v,
            Err(_) => {
                return Ok(Clock::new(
                    Timestamp::new(0, 0, make_client_id()),
                    Trie::default(),
                ));
            }
        };
        let ts = data
            .get("timestamp")
            .and_then(|t| t.as_str())
            .ok_or_else(|| SyncError::InvalidClock("missing timestamp".into()))?;
        let timestamp = Timestamp::parse(ts)
            .ok_or_else(|| SyncError::InvalidClock(format!("timestamp is not valid {ts}")))?;
        let merkle = match data.get("merkle") {
            None | Some(serde_json::Value::Null) => Trie::default(),
            Some(v) => Trie::from_value(v)?,
        };
        Ok(Clock::new(timestamp, merkle))
    }
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
