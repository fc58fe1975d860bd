//! Pure-Rust client for an Actual Budget server: signs in with a password, a session
//! token or an API token, lists and downloads budgets, decrypts and unzips them, and
//! lays them on disk exactly as `@actual-app/api` does. Knows nothing of Node.

pub mod archive;
pub mod budget_dir;
pub mod client;
pub mod config;
pub mod error;
pub mod http;

pub use client::{BudgetEntry, Client, DownloadedBudget};
pub use config::{ClientConfig, Credential, CredentialFields};
pub use error::{ClientError, ErrorKind, Result};
