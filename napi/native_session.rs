use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actual_session::config::{parse_server_url, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT};
use actual_session::{CredentialFields, Session, SessionConfig, SessionError};
use napi_derive::napi;

use crate::errors::to_napi;

/// `init`'s options after `index.js` has merged in the environment.
#[napi(object)]
pub struct ConnectOptions {
    pub server_url: String,
    pub data_dir: String,
    pub password: Option<String>,
    pub session_token: Option<String>,
    pub token: Option<String>,
    pub verbose: Option<bool>,
    pub connect_timeout_ms: Option<u32>,
    pub read_timeout_ms: Option<u32>,
}

#[napi(object)]
pub struct DownloadResult {
    pub id: String,
    pub name: String,
    pub sync_id: String,
    pub cloud_file_id: String,
    pub path: String,
}

/// A signed-in session with a server (the native half of client.js's `Client`). `close` drops the HTTP pool and the credential.
#[napi]
pub struct NativeSession {
    inner: Mutex<Option<Arc<Session>>>,
}

fn millis(value: Option<u32>, default: Duration) -> Duration {
    value.map_or(default, |ms| Duration::from_millis(ms.max(1).into()))
}

/// The `@actual-app/api` methods answered natively on an open budget.
#[napi]
pub fn native_reads() -> Vec<&'static str> {
    actual_session::native_reads()
}

/// The `@actual-app/api` methods that write natively on an open budget.
#[napi]
pub fn native_writes() -> Vec<&'static str> {
    actual_session::native_writes()
}

/// `init`'s options without a server: local copies only.
#[napi(object)]
pub struct OfflineOptions {
    pub data_dir: String,
    pub verbose: Option<bool>,
}

/// A session without a server: it opens and reads local copies.
#[napi]
pub fn connect_offline(options: OfflineOptions) -> napi::Result<NativeSession> {
    let session = Session::offline(
        &PathBuf::from(options.data_dir),
        options.verbose.unwrap_or(false),
    )
    .map_err(to_napi)?;
    Ok(NativeSession {
        inner: Mutex::new(Some(Arc::new(session))),
    })
}

/// Checks the options and signs in.
#[napi]
pub async fn connect(options: ConnectOptions) -> napi::Result<NativeSession> {
    let credential = CredentialFields {
        password: options.password,
        session_token: options.session_token,
        token: options.token,
    }
    .into_credential()
    .map_err(to_napi)?;
    let config = SessionConfig {
        server_url: parse_server_url(&options.server_url).map_err(to_napi)?,
        data_dir: PathBuf::from(options.data_dir),
        credential,
        verbose: options.verbose.unwrap_or(false),
        connect_timeout: millis(options.connect_timeout_ms, DEFAULT_CONNECT_TIMEOUT),
        read_timeout: millis(options.read_timeout_ms, DEFAULT_READ_TIMEOUT),
    };
    let session = Session::connect(config).await.map_err(to_napi)?;
    Ok(NativeSession {
        inner: Mutex::new(Some(Arc::new(session))),
    })
}

#[napi]
impl NativeSession {
    fn session(&self) -> napi::Result<Arc<Session>> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .clone()
            .ok_or_else(|| to_napi(SessionError::NotInitialized))
    }

    #[napi]
    pub fn data_dir(&self) -> napi::Result<String> {
        Ok(self.session()?.data_dir().display().to_string())
    }

    #[napi]
    pub async fn download_budget(
        &self,
        sync_id: String,
        password: Option<String>,
    ) -> napi::Result<DownloadResult> {
        let session = self.session()?;
        let budget = session
            .download_budget(&sync_id, password.as_deref())
            .await
            .map_err(to_napi)?;
        Ok(DownloadResult {
            id: budget.id,
            name: budget.name,
            sync_id: budget.sync_id,
            cloud_file_id: budget.cloud_file_id,
            path: budget.path,
        })
    }

    #[napi]
    pub async fn get_budgets(&self) -> napi::Result<serde_json::Value> {
        let session = self.session()?;
        let budgets = session.budgets().await.map_err(to_napi)?;
        serde_json::to_value(budgets).map_err(|e| napi::Error::from_reason(e.to_string()))
    }

    /// Opens a local copy without the network; resolves to its id.
    #[napi]
    pub async fn load_budget(&self, id: String) -> napi::Result<String> {
        self.session()?.load_budget(&id).await.map_err(to_napi)
    }

    /// `exportBudget()`: the open budget as upstream's export zip.
    #[napi]
    pub async fn export_budget(&self) -> napi::Result<napi::bindgen_prelude::Buffer> {
        let zip = self.session()?.export_budget().await.map_err(to_napi)?;
        Ok(zip.into())
    }

    /// `importBudget(zip)`: lays an Actual export out as a new local budget, opens it
    /// and uploads it; resolves to its id.
    #[napi]
    pub async fn import_budget(&self, zip: napi::bindgen_prelude::Buffer) -> napi::Result<String> {
        let zip = zip.to_vec();
        self.session()?.import_budget(zip).await.map_err(to_napi)
    }

    /// The start of `runImport(name, func)`: a new local budget in import mode, open;
    /// resolves to its id.
    #[napi]
    pub async fn start_import(&self, name: String) -> napi::Result<String> {
        self.session()?.start_import(&name).await.map_err(to_napi)
    }

    /// The end of `runImport`: the imported budget opened again and uploaded.
    #[napi]
    pub async fn finish_import(&self) -> napi::Result<()> {
        self.session()?.finish_import().await.map_err(to_napi)
    }

    /// `runImport` whose function threw: the budget being imported is deleted.
    #[napi]
    pub async fn abort_import(&self) -> napi::Result<()> {
        self.session()?.abort_import().await.map_err(to_napi)
    }

    /// Brings the open budget current with the server.
    #[napi]
    pub async fn sync(&self) -> napi::Result<()> {
        self.session()?.sync().await.map_err(to_napi)
    }

    /// Whether upstream's schedule service, run after a sync, wrote since the last
    /// call (its changes are on disk and wait to be sent).
    #[napi]
    pub fn take_schedule_service_writes(&self) -> napi::Result<bool> {
        Ok(self.session()?.take_schedule_service_writes())
    }

    /// Runs a native read on the open budget: `args` and the answer are JSON text.
    #[napi]
    pub async fn read(&self, method: String, args: String) -> napi::Result<String> {
        let args =
            serde_json::from_str(&args).map_err(|e| napi::Error::from_reason(e.to_string()))?;
        self.session()?.read(method, args).await.map_err(to_napi)
    }

    /// Runs a native write on the open budget: `args` and the answer are JSON text.
    /// Resolves once the change is on disk.
    #[napi]
    pub async fn write(&self, method: String, args: String) -> napi::Result<String> {
        let args =
            serde_json::from_str(&args).map_err(|e| napi::Error::from_reason(e.to_string()))?;
        self.session()?.write(method, args).await.map_err(to_napi)
    }

    /// `runBankSync`: `args` is `{ accountId }` as JSON text (none: every account).
    /// Resolves to `{ wrote, error }` as JSON text: upstream rejects with `error` after
    /// writing.
    #[napi]
    pub async fn bank_sync(&self, args: String) -> napi::Result<String> {
        let args =
            serde_json::from_str(&args).map_err(|e| napi::Error::from_reason(e.to_string()))?;
        let outcome = self.session()?.bank_sync(args).await.map_err(to_napi)?;
        Ok(outcome.to_json().to_string())
    }

    /// Starts a batch of writes (`batchBudgetUpdates`).
    #[napi]
    pub async fn begin_batch(&self) -> napi::Result<()> {
        self.session()?.begin_batch().await.map_err(to_napi)
    }

    /// Commits the batch.
    #[napi]
    pub async fn end_batch(&self) -> napi::Result<()> {
        self.session()?.end_batch().await.map_err(to_napi)
    }

    /// `getServerVersion()`'s answer.
    #[napi]
    pub async fn server_version(&self) -> napi::Result<serde_json::Value> {
        Ok(self.session()?.server_version().await)
    }

    /// Closes the open budget (the session stays signed in).
    #[napi]
    pub async fn close_budget(&self) -> napi::Result<()> {
        self.session()?.close_budget().await;
        Ok(())
    }

    /// Forgets the credential and drops the connection pool once running calls end.
    #[napi]
    pub fn close(&self) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}
