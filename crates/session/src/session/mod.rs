//! A session with a server (signed in with a password, a session token or an API
//! token, or offline over a data directory): what `init` makes and what every later
//! call uses. One
//! `impl Session`, split by what a call does:
//!
//! - [`signin`]: `init` (password, session token, API token, or no server), the server's version;
//! - [`budgets`]: `getBudgets` (local copies and the server's files);
//! - [`keys`]: an encrypted budget's key, from its password;
//! - [`download`]: `downloadBudget` (a local copy synced in place, or a fresh download);
//! - [`sync`]: `sync`, syncing in place, and the schedule service that runs after a sync;
//! - [`load`]: `loadBudget` and closing the open budget;
//! - [`reads`] and [`writes`]: the native reads and writes on the open budget;
//! - [`batch`] for `batchBudgetUpdates`;
//! - [`bank_sync`] for `runBankSync`;
//! - [`export`] and [`import`]: `exportBudget`/`importBudget`, and `runImport`.

mod bank_sync;
mod batch;
mod budgets;
mod download;
mod export;
mod import;
mod keys;
mod load;
mod reads;
mod signin;
mod sync;
mod writes;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Reply, Result, SessionError};
use crate::http::{AuthMethod, Http, Secret};
use crate::open_budget::OpenBudget;
use actual_protocol::files::UserInfo;

pub use bank_sync::BankSyncOutcome;
pub use budgets::{BudgetEntry, RemoteBudget};
pub use download::DownloadedBudget;

#[derive(Debug)]
pub struct Session {
    /// `None` for a session made without a server (`init({ dataDir })`): it opens local
    /// copies only.
    http: Option<Http>,
    token: Secret,
    method: AuthMethod,
    data_dir: PathBuf,
    user: UserInfo,
    verbose: bool,
    /// The budget this session has open, if any. Held for the whole of a download, a
    /// sync or a read, so one session's calls on its budget take turns.
    open: Arc<tokio::sync::Mutex<Option<OpenBudget>>>,
    /// The ids of the budget keys this session has worked out from a password: a server
    /// file encrypted with one of them lists with `hasKey: true`, as upstream's do once
    /// its key is loaded.
    loaded_keys: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Whether the schedule service wrote since the caller last asked
    /// ([`Session::take_schedule_service_writes`]): its changes wait to be sent.
    service_wrote: std::sync::atomic::AtomicBool,
}

/// The guard on a session's open budget.
type OpenSlot = tokio::sync::OwnedMutexGuard<Option<OpenBudget>>;

fn list_failed(reply: Reply) -> SessionError {
    SessionError::Network {
        message: "could not get the list of budgets from the server".into(),
        reply,
    }
}

/// Upstream's answer to a call that needs an open budget when none is.
fn no_budget_open() -> SessionError {
    actual_budget::BudgetError::api("No budget file is open").into()
}

impl Session {
    fn http(&self) -> Result<&Http> {
        self.http.as_ref().ok_or_else(|| {
            SessionError::config(
                "no-server",
                "this client has no server: pass serverURL (or set ACTUAL_SERVER_URL) to init",
            )
        })
    }

    fn log(&self, message: impl AsRef<str>) {
        if self.verbose {
            eprintln!("[actual-api-native] {}", message.as_ref());
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn user(&self) -> &UserInfo {
        &self.user
    }

    /// Waits for this session's other calls on its open budget and closes the budget
    /// (upstream closes the open budget before loading or downloading another).
    async fn take_slot(&self) -> OpenSlot {
        let mut slot = self.open.clone().lock_owned().await;
        slot.take();
        slot
    }
}

/// Runs file and CPU work (unzip, SQLite, rename) off the async threads, for the call
/// `operation` (its `@actual-app/api` name). A panic there is a bug: it is reported as
/// that call's internal error, and the transaction it had open was rolled back as the
/// panic unwound.
async fn blocking<T: Send + 'static>(
    operation: impl Into<String>,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let operation = operation.into();
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| SessionError::Internal { operation })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_is_an_internal_error_of_its_call() {
        let failed = blocking("addTransactions", || -> Result<()> { panic!("a bug") })
            .await
            .unwrap_err();
        assert_eq!(failed.code(), "internal-error");
        assert_eq!(failed.kind(), crate::ErrorKind::State);
        assert!(
            failed.to_string().starts_with("addTransactions failed"),
            "{failed}"
        );
    }
}
