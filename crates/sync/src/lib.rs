//! Actual Budget CRDT sync, in pure Rust.
//!
//! Brings a downloaded `db.sqlite` up to date with the server's CRDT messages the
//! way the official client (`@actual-app/api` 26.9.0, `@actual-app/crdt` 3.1.1) does:
//!
//! - [`clock`]: the clock that issues and receives timestamps (`send`/`recv`), whose
//!   [`Timestamp`]s (and the murmurhash the trie folds in) live in `actual_protocol`,
//!   re-exported here as [`timestamp`] and [`murmur`];
//! - [`merkle`]: the base-3 merkle trie of message timestamps;
//! - [`proto`]: the protobuf messages of `POST /sync/sync`;
//! - [`value`]: the `0:` / `N:` / `S:` value encoding;
//! - [`db`]: the budget database: how it is opened, its SQL functions, its clock;
//! - [`sqlite_memory`]: SQLite's allocations through Rust's global allocator;
//! - [`apply`]: applying messages to SQLite, loading/saving the clock;
//! - [`pending`]: received messages a newer release's schema needs, kept until they fit;
//! - [`sync`]: a transport-agnostic full-sync driver (the HTTP part lives elsewhere).
//!
//! Nothing here knows about Node or HTTP.

pub mod apply;
pub mod clock;
pub mod db;
pub mod error;
pub mod merkle;
pub mod pending;
pub mod proto;
pub mod sqlite_memory;
pub mod sync;
pub mod value;

pub use actual_protocol::{murmur, timestamp};
pub use apply::{
    apply_messages, apply_messages_for_import, messages_since, receive_messages, ApplyOutcome,
    Message,
};
pub use clock::{load_clock, reset_clock, Clock};
pub use db::{BudgetDb, Transaction};
pub use error::SyncError;
pub use merkle::Trie;
pub use sync::{FullSync, SyncOutcome, SyncParams, SyncStep};
pub use timestamp::{make_client_id, Timestamp};
pub use value::Value;

/// Result alias used throughout the crate.
pub type Result<T, E = SyncError> = std::result::Result<T, E>;
