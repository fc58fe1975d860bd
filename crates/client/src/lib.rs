//! Pure-Rust client for an Actual Budget server: signs in with a password, a session
//! token or an API token, lists and downloads budgets, decrypts and unzips them, and
//! lays them on disk exactly as `@actual-app/api` does, keeps one budget open, syncs
//! it, and runs the native reads on it. Knows nothing of Node.

pub mod archive;
pub mod budget_dir;
pub mod budget_export;
pub mod budget_new;
pub mod client;
pub mod config;
pub mod error;
pub mod http;
pub mod open_budget;

/// For the binary that embeds this client: its SQLite's allocations through its own
/// global allocator (call before the first budget opens).
pub use actual_sync::sqlite_memory::allocate_through_rust as sqlite_allocates_through_rust;
pub use client::{BudgetEntry, Client, DownloadedBudget};
pub use config::{ClientConfig, Credential, CredentialFields};
pub use error::{ClientError, ErrorKind, Result};

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
