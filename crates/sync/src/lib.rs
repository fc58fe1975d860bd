//! Actual Budget CRDT sync, in pure Rust.
//!
//! Brings a downloaded `db.sqlite` up to date with the server's CRDT messages the
//! way the official client (`@actual-app/api` 26.9.0, `@actual-app/crdt` 3.1.1) does:
//!
//! - [`timestamp`]: hybrid logical clock timestamps and the clock (`send`/`recv`);
//! - [`merkle`]: the base-3 merkle trie of message timestamps;
//! - [`murmur`]: murmurhash3 (x86, 32-bit) used by the trie;
//! - [`proto`]: the protobuf messages of `POST /sync/sync`;
//! - [`value`]: the `0:` / `N:` / `S:` value encoding;
//! - [`db`]: the budget database: how it is opened, its SQL functions, its clock;
//! - [`apply`]: applying messages to SQLite, loading/saving the clock;
//! - [`pending`]: received messages a newer release's schema needs, kept until they fit;
//! - [`sync`]: a transport-agnostic full-sync driver (the HTTP part lives elsewhere).
//!
//! Nothing here knows about Node or HTTP.

pub mod apply;
pub mod db;
pub mod error;
pub mod merkle;
pub mod murmur;
pub mod pending;
pub mod proto;
pub mod sync;
pub mod timestamp;
pub mod value;

pub use apply::{
    apply_messages, apply_messages_for_import, load_clock, messages_since, receive_messages,
    reset_clock, ApplyOutcome, Message,
};
pub use db::{BudgetDb, Transaction};
pub use error::SyncError;
pub use merkle::Trie;
pub use sync::{FullSync, SyncOutcome, SyncParams, SyncStep};
pub use timestamp::{make_client_id, Clock, Timestamp};
pub use value::Value;

/// Result alias used throughout the crate.
pub type Result<T, E = SyncError> = std::result::Result<T, E>;
