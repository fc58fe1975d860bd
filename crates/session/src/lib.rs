//! A session with an Actual Budget server ([`Session`]), in pure Rust: signs in with a password, a session
//! token or an API token, lists and downloads budgets, decrypts and unzips them, and
//! lays them on disk exactly as `@actual-app/api` does, keeps one budget open, syncs
//! it, and runs the native reads on it. Knows nothing of Node.

pub mod archive;
pub mod budget_dir;
pub mod budget_export;
pub mod budget_new;
pub mod config;
pub mod error;
pub mod http;
pub mod open_budget;
pub mod session;

/// For the binary that embeds this session: its SQLite's allocations through its own
/// global allocator (call before the first budget opens).
pub use actual_sync::sqlite_memory::allocate_through_rust as sqlite_allocates_through_rust;
pub use config::{Credential, CredentialFields, SessionConfig};
pub use error::{ErrorKind, Result, SessionError};
pub use session::{BudgetEntry, DownloadedBudget, Session};

/// The `@actual-app/api` methods the open budget answers natively.
pub fn native_reads() -> Vec<&'static str> {
    actual_budget::READS.iter().map(|(name, _)| *name).collect()
}

/// The `@actual-app/api` methods that write natively on an open budget.
pub fn native_writes() -> Vec<&'static str> {
    actual_budget::WRITES
        .iter()
        .map(|(name, _)| *name)
        .collect()
}
