//! A signed-in client: what `init` returns and what every later call uses.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use actual_protocol::crypto::{BudgetKey, KeyTest};
use reqwest::header::CONTENT_TYPE;
use serde::Serialize;

use crate::archive;
use crate::budget_dir::{self, LocalBudget};
use crate::budget_export;
use crate::budget_new;
use crate::config::{ClientConfig, Credential};
use crate::error::{ClientError, ErrorKind, Reply, Result};
use crate::http::{AuthMethod, Http, Secret};
use crate::open_budget::OpenBudget;
use actual_budget::bank_sync;
use actual_protocol::endpoint::{self, FILE_ID_HEADER};
use actual_protocol::files::{FileInfo, RemoteFile, UserInfo, UserKey};
use actual_sync::{FullSync, SyncParams, SyncStep, Transaction};

#[derive(Debug)]
pub struct Client {
    /// `None` for a client made without a server (`init({ dataDir })`): it opens local
    /// copies only.
    http: Option<Http>,
    token: Secret,
    method: AuthMethod,
    data_dir: PathBuf,
    user: UserInfo,
    verbose: bool,
    /// The budget this client has open, if any. Held for the whole of a download, a
    /// sync or a read, so one client's calls on its budget take turns.
    open: Arc<tokio::sync::Mutex<Option<OpenBudget>>>,
    /// The ids of the budget keys this client has worked out from a password: a server
    /// file encrypted with one of them lists with `hasKey: true`, as upstream's do once
    /// its key is loaded.
    loaded_keys: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Whether the schedule service wrote since the caller last asked
    /// ([`Client::take_schedule_service_writes`]): its changes wait to be sent.
    service_wrote: std::sync::atomic::AtomicBool,
}

/// The guard on a client's open budget.
type OpenSlot = tokio::sync::OwnedMutexGuard<Option<OpenBudget>>;

/// What `downloadBudget` resolves to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DownloadedBudget {
    pub id: String,
    pub name: String,
    pub sync_id: String,
    pub cloud_file_id: String,
    pub path: String,
}

/// One entry of `getBudgets()`: a local copy or a file on the server.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum BudgetEntry {
    Local(LocalBudget),
    Remote(RemoteBudget),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RemoteBudget {
    pub cloud_file_id: String,
    pub state: &'static str,
    pub group_id: Option<String>,
    pub name: String,
    pub encrypt_key_id: Option<String>,
    pub has_key: bool,
    pub owner: Option<String>,
    pub users_with_access: Option<serde_json::Value>,
}

fn login_failed(reply: Reply) -> ClientError {
    ClientError::Auth {
        kind: ErrorKind::Auth,
        code: reply
            .reason
            .clone()
            .unwrap_or_else(|| "login-failed".into()),
        message: "the server refused the sign-in".into(),
        reply,
    }
}

fn validate_failed(reply: Reply) -> ClientError {
    ClientError::Auth {
        kind: ErrorKind::Auth,
        code: reply
            .reason
            .clone()
            .unwrap_or_else(|| "unauthorized".into()),
        message: "the server did not accept the credentials".into(),
        reply,
    }
}

fn list_failed(reply: Reply) -> ClientError {
    ClientError::Network {
        message: "could not get the list of budgets from the server".into(),
        reply,
    }
}

fn upload_failed(reply: Reply) -> ClientError {
    ClientError::Network {
        message: "the server did not take the budget file".into(),
        reply,
    }
}

/// A plain JavaScript `Error` with upstream's message (`code`: the reason in it).
fn thrown(code: &'static str, message: impl Into<String>) -> ClientError {
    actual_budget::BudgetError::thrown("Error", code, message).into()
}

fn no_import() -> ClientError {
    ClientError::config(
        "no-import",
        "runImport: the budget being imported is no longer open",
    )
}

fn download_failed(reply: Reply) -> ClientError {
    ClientError::Download {
        code: "download-failure",
        message: "the server did not send the budget file".into(),
        reply,
    }
}

/// The sync endpoint answers 400 with a plain-text reason such as `file-has-reset`.
fn sync_failed(reply: Reply) -> ClientError {
    let code = reply
        .reason
        .clone()
        .unwrap_or_else(|| "sync-failure".into());
    ClientError::Sync {
        message: format!("the server refused to sync the budget ({code})"),
        code,
        reply,
    }
}

/// Synced prefs go into `metadata.json` as upstream's `savePrefs` writes them.
fn pref_to_json(value: actual_sync::Value) -> serde_json::Value {
    match value {
        actual_sync::Value::Null => serde_json::Value::Null,
        actual_sync::Value::Number(n) => serde_json::Number::from_f64(n)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        actual_sync::Value::String(s) => serde_json::Value::String(s),
        // Deferred by the apply, never reported as a pref.
        actual_sync::Value::Unknown(_) => serde_json::Value::Null,
    }
}

fn key_failed(reply: Reply) -> ClientError {
    ClientError::Download {
        code: "download-failure",
        message: "the server did not send the budget's encryption key".into(),
        reply,
    }
}

impl Client {
    /// Signs in: password -> one login; session token or API token -> one validate.
    pub async fn connect(config: ClientConfig) -> Result<Client> {
        let data_dir = prepare_data_dir(&config.data_dir)?;
        let http = Http::new(&config)?;
        let (token, method) = match &config.credential {
            Credential::Password(password) => {
                let body = serde_json::json!({ "loginMethod": "password", "password": password });
                let rb = http
                    .request(&endpoint::LOGIN, None)
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string());
                #[derive(serde::Deserialize)]
                struct Login {
                    token: Option<String>,
                }
                let login: Login = http
                    .send_json(rb, AuthMethod::Password, login_failed)
                    .await?;
                let token = login.token.ok_or_else(|| login_failed(Reply::default()))?;
                (Secret::new(token), AuthMethod::SessionToken)
            }
            Credential::SessionToken(t) => (Secret::new(t.clone()), AuthMethod::SessionToken),
            Credential::ApiToken(t) => (Secret::new(t.clone()), AuthMethod::ApiToken),
        };
        let mut client = Client {
            http: Some(http),
            token,
            method,
            data_dir,
            user: UserInfo::default(),
            verbose: config.verbose,
            open: Arc::default(),
            loaded_keys: Default::default(),
            service_wrote: Default::default(),
        };
        if !matches!(config.credential, Credential::Password(_)) {
            client.user = client.validate().await?;
        }
        client.log(format!("signed in with {}", config.credential.method()));
        Ok(client)
    }

    /// A client without a server (upstream's `init` without `serverURL`): it opens and
    /// reads local copies; anything that needs the server fails with `no-server`.
    pub fn offline(data_dir: &Path, verbose: bool) -> Result<Client> {
        Ok(Client {
            http: None,
            token: Secret::new(String::new()),
            method: AuthMethod::SessionToken,
            data_dir: prepare_data_dir(data_dir)?,
            user: UserInfo::default(),
            verbose,
            open: Arc::default(),
            loaded_keys: Default::default(),
            service_wrote: Default::default(),
        })
    }

    fn http(&self) -> Result<&Http> {
        self.http.as_ref().ok_or_else(|| {
            ClientError::config(
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

    /// Fills `userId` in `metadata.json` with the owner's user id. The official client
    /// writes its session token there whenever the field is empty; a non-secret value
    /// keeps it from doing so when it opens our copy.
    fn tag_owner(&self, meta: &mut budget_dir::Metadata, file: &RemoteFile) {
        let owner = file
            .owner
            .clone()
            .or_else(|| self.user.user_id.clone())
            .unwrap_or_else(|| "actual-api-native".into());
        meta.set("userId", serde_json::Value::String(owner));
    }

    /// `GET /account/validate` with the current credential.
    pub async fn validate(&self) -> Result<UserInfo> {
        let http = self.http()?;
        let rb = http.request(&endpoint::VALIDATE, Some(&self.token));
        http.send_json(rb, self.method, validate_failed).await
    }

    /// The files the credential can see on the server.
    pub async fn remote_files(&self) -> Result<Vec<RemoteFile>> {
        let http = self.http()?;
        let rb = http.request(&endpoint::LIST_FILES, Some(&self.token));
        http.send_json(rb, self.method, list_failed).await
    }

    async fn file_info(&self, file_id: &str) -> Result<FileInfo> {
        let http = self.http()?;
        let rb = http
            .request(&endpoint::FILE_INFO, Some(&self.token))
            .header(FILE_ID_HEADER, file_id);
        http.send_json(rb, self.method, download_failed).await
    }

    async fn file_bytes(&self, file_id: &str) -> Result<bytes::Bytes> {
        let http = self.http()?;
        let rb = http
            .request(&endpoint::DOWNLOAD, Some(&self.token))
            .header(FILE_ID_HEADER, file_id);
        // Upstream reports any failure to fetch the file as `download-failure`.
        http.send(rb, self.method, download_failed)
            .await
            .map_err(|e| match e {
                ClientError::Network { message, reply } => ClientError::Download {
                    code: "download-failure",
                    message: format!("downloading the budget failed: {message}"),
                    reply,
                },
                other => other,
            })
    }

    /// Fetches the file's key parameters and checks the password against the key test.
    async fn budget_key(&self, file_id: &str, password: &str) -> Result<BudgetKey> {
        let http = self.http()?;
        let body = serde_json::json!({ "fileId": file_id });
        let rb = http
            .request(&endpoint::USER_GET_KEY, Some(&self.token))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        let key: UserKey = http.send_json(rb, self.method, key_failed).await?;
        let key_id = key.id.clone();
        let test = key.test.ok_or_else(|| {
            ClientError::download(
                "old-key-style",
                "the budget uses an old key style this client cannot open",
            )
        })?;
        let test = KeyTest::parse(&test)?;
        let password = password.to_string();
        // PBKDF2 is CPU work: keep it off the async threads.
        let derived = tokio::task::spawn_blocking(move || {
            let key = BudgetKey::derive(&password, &key.salt);
            test.accepts(&key).map(|ok| ok.then_some(key))
        })
        .await
        .map_err(|_| ClientError::DecryptFailure)??;
        let derived = derived.ok_or(ClientError::DecryptFailure)?;
        if let Some(id) = key_id {
            self.loaded_keys
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id);
        }
        Ok(derived)
    }

    /// `GET /info`: the server's version, as upstream's `getServerVersion` answers it
    /// (`{ version }`, or `{ error }` without rejecting).
    pub async fn server_version(&self) -> serde_json::Value {
        let Ok(http) = self.http() else {
            return serde_json::json!({ "error": "no-server" });
        };
        let rb = http.request(&endpoint::INFO, None);
        let version = http
            .send(rb, self.method, list_failed)
            .await
            .ok()
            .and_then(|body| serde_json::from_slice::<serde_json::Value>(&body).ok())
            .and_then(|info| info.pointer("/build/version").cloned())
            .filter(serde_json::Value::is_string);
        match version {
            Some(version) => serde_json::json!({ "version": version }),
            None => serde_json::json!({ "error": "network-failure" }),
        }
    }

    /// Waits for this client's other calls on its open budget and closes the budget
    /// (upstream closes the open budget before loading or downloading another).
    async fn take_slot(&self) -> OpenSlot {
        let mut slot = self.open.clone().lock_owned().await;
        slot.take();
        slot
    }

    /// Brings the budget whose sync id (`groupId`) is `sync_id` into
    /// `<dataDir>/<id>/`, current with the server, and keeps it open: a local copy is
    /// synced in place, as upstream does; otherwise the snapshot is downloaded into a
    /// scratch folder, synced there and swapped in whole.
    pub async fn download_budget(
        &self,
        sync_id: &str,
        password: Option<&str>,
    ) -> Result<DownloadedBudget> {
        if !budget_dir::is_valid_budget_id(sync_id) {
            return Err(ClientError::config(
                "invalid-sync-id",
                "the sync id may hold only letters, digits, '-' and '_' (find it in Settings > Advanced)",
            ));
        }
        let mut slot = self.take_slot().await;
        let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        // With the lock held no other process is mid-download: any scratch folder left
        // is from one that was killed.
        budget_dir::clean_stale_scratch(&self.data_dir);
        let files = self.remote_files().await?;
        let Some(file) = files
            .into_iter()
            .find(|f| !f.deleted && f.group_id.as_deref() == Some(sync_id))
        else {
            return Err(self.not_found(sync_id).await);
        };
        let password = password.filter(|p| !p.is_empty());
        if file.encrypt_key_id.is_some() && password.is_none() {
            return Err(ClientError::MissingKey { name: file.name });
        }

        if let Some(local) = budget_dir::find_local(&self.data_dir, sync_id) {
            let key = match (&file.encrypt_key_id, password) {
                (Some(_), Some(p)) => Some(self.budget_key(&file.file_id, p).await?),
                _ => None,
            };
            let dir = self.data_dir.join(&local.id);
            let mut open = blocking(move || OpenBudget::open(&dir, key)).await?;
            self.tag_owner(&mut open.meta, &file);
            match self.sync_in_place(&mut open).await {
                Ok(()) => {
                    let result = self.result(sync_id, &file, &open.meta, &open.dir);
                    *slot = Some(self.run_schedule_service(open).await?);
                    return Ok(result);
                }
                Err(e) if matches!(e.code(), "file-has-reset" | "file-has-new-key") => {
                    self.log(format!(
                        "the server answered {}: downloading afresh",
                        e.code()
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        let (open, result) = self.fresh_download(sync_id, file, password).await?;
        *slot = Some(self.run_schedule_service(open).await?);
        Ok(result)
    }

    /// Upstream's schedule service after a successful sync (see
    /// [`OpenBudget::run_schedule_service`]). Upstream starts it in the background and
    /// does not wait for it; here the call that synced resolves once it has run, so a
    /// script reads what upstream's budget holds once its service is done.
    async fn run_schedule_service(&self, mut open: OpenBudget) -> Result<OpenBudget> {
        let may_write = self.check_may_write().is_ok();
        let (open, made) = blocking(move || {
            let made = open.run_schedule_service(may_write)?;
            Ok((open, made))
        })
        .await?;
        self.note_service_writes(made);
        Ok(open)
    }

    fn note_service_writes(&self, made: usize) {
        if made > 0 {
            self.log(format!("the schedule service made {made} changes"));
            self.service_wrote
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Whether the schedule service wrote since the last call: the caller sends those
    /// changes as it sends a write's (its sync timer, `shutdown`).
    pub fn take_schedule_service_writes(&self) -> bool {
        self.service_wrote
            .swap(false, std::sync::atomic::Ordering::SeqCst)
    }

    /// Opens the local copy `<dataDir>/<id>/` without the network (upstream
    /// `loadBudget`), closing the budget that was open.
    pub async fn load_budget(&self, id: &str) -> Result<String> {
        let not_found = || ClientError::BudgetNotFound {
            sync_id: id.to_string(),
            reply: Reply::default(),
        };
        if !budget_dir::is_valid_budget_id(id) {
            return Err(not_found());
        }
        let mut slot = self.take_slot().await;
        let dir = self.data_dir.join(id);
        if !dir.join(budget_dir::META_FILE).is_file() {
            return Err(not_found());
        }
        let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        let open = blocking(move || OpenBudget::open(&dir, None)).await?;
        let id = open.id.clone();
        *slot = Some(open);
        Ok(id)
    }

    /// `exportBudget()`: the open budget as upstream's export zip.
    pub async fn export_budget(&self) -> Result<Vec<u8>> {
        let slot = self.open.clone().lock_owned().await;
        match slot.as_ref() {
            // Upstream reads the prefs of no budget and fails inside its handler.
            None => {
                return Err(thrown(
                    "internal-error",
                    "Error exporting budget: internal-error",
                ))
            }
            // The batch's changes are not in the file until it commits.
            Some(open) if open.in_batch() => {
                return Err(actual_budget::BudgetError::Unsupported(
                    "exportBudget inside batchBudgetUpdates".into(),
                )
                .into())
            }
            Some(_) => {}
        }
        blocking(move || {
            let open = slot.as_ref().expect("checked above");
            budget_export::export_zip(&open.dir)
        })
        .await
    }

    /// `importBudget(zip)` of an Actual export: closes the open budget, lays the
    /// export out as a local budget (a new clock, no server file yet), opens it, and
    /// uploads it as a new file when there is a server, as upstream's `importActual`
    /// does (an upload that fails is ignored there too). Resolves to its id.
    pub async fn import_budget(&self, zip: Vec<u8>) -> Result<String> {
        let mut slot = self.take_slot().await;
        let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        let data_dir = self.data_dir.clone();
        let mut open = blocking(move || {
            let mut archive = archive::open(zip)?;
            let meta = budget_export::imported_metadata(&archive.metadata()?)?;
            let staged = budget_dir::Staged::from_download(&data_dir, &mut archive)?;
            budget_export::clear_cache(&staged.db_path())?;
            let path = staged.commit(&data_dir, &meta)?;
            OpenBudget::open(&path, None)
        })
        .await
        .map_err(|e| match e {
            ClientError::Download { code, .. }
                if matches!(
                    code,
                    "not-zip-file" | "invalid-zip-file" | "zip-too-large" | "invalid-meta-file"
                ) =>
            {
                thrown(code, format!("Error importing budget: {code}"))
            }
            _ => thrown("internal-error", "Error importing budget: internal-error"),
        })?;
        if self.http.is_some() {
            if let Err(e) = self.upload_new(&mut open).await {
                self.log(format!("upload of the imported budget failed: {e}"));
            }
        }
        let id = open.id.clone();
        *slot = Some(open);
        Ok(id)
    }

    /// upstream's `api/start-import` (the start of `runImport(name, func)`): closes the
    /// open budget, makes a new local budget named `name` (see [`budget_new`]) and opens
    /// it in import mode, where writes change the tables and record nothing to send.
    /// Resolves to its id.
    pub async fn start_import(&self, name: &str) -> Result<String> {
        let mut slot = self.take_slot().await;
        let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        let data_dir = self.data_dir.clone();
        let name = name.to_string();
        let open = blocking(move || {
            let dir = budget_new::create(&data_dir, &name)?;
            OpenBudget::open_for_import(&dir).inspect_err(|_| {
                let _ = std::fs::remove_dir_all(&dir);
            })
        })
        .await?;
        let id = open.id.clone();
        *slot = Some(open);
        Ok(id)
    }

    /// upstream's `api/finish-import`: closes the imported budget, opens it again as any
    /// budget, and uploads it as a new server file when there is a server (a failed
    /// upload is ignored, as upstream ignores it).
    pub async fn finish_import(&self) -> Result<()> {
        let mut slot = self.open.clone().lock_owned().await;
        let dir = match slot.take() {
            Some(open) if open.importing() => open.dir.clone(),
            other => {
                *slot = other;
                return Err(no_import());
            }
        };
        let mut open = {
            let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
            blocking(move || OpenBudget::open(&dir, None)).await?
        };
        if self.http.is_some() {
            if let Err(e) = self.upload_new(&mut open).await {
                self.log(format!("upload of the imported budget failed: {e}"));
            }
        }
        *slot = Some(open);
        Ok(())
    }

    /// upstream's `api/abort-import`: closes the budget being imported and deletes its
    /// folder. Nothing happens when no import is open.
    pub async fn abort_import(&self) -> Result<()> {
        let mut slot = self.open.clone().lock_owned().await;
        let dir = match slot.take() {
            Some(open) if open.importing() => open.dir.clone(),
            other => {
                *slot = other;
                return Ok(());
            }
        };
        let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        std::fs::remove_dir_all(&dir).map_err(|e| ClientError::fs("cannot delete", &dir, e))
    }

    /// Uploads the open budget as a new server file (upstream's `upload` of a budget
    /// without a `cloudFileId`) and records the file in `metadata.json`.
    async fn upload_new(&self, open: &mut OpenBudget) -> Result<()> {
        let dir = open.dir.clone();
        let zip = blocking(move || budget_export::export_zip(&dir)).await?;
        let file_id = actual_budget::changes::uuid_v4();
        let name = open.meta.text("budgetName").unwrap_or_default().to_string();
        let http = self.http()?;
        let rb = http
            .request(&endpoint::UPLOAD, Some(&self.token))
            .header(CONTENT_TYPE, "application/encrypted-file")
            .header(FILE_ID_HEADER, file_id.as_str())
            .header("X-ACTUAL-NAME", budget_export::encode_uri_component(&name))
            .header("X-ACTUAL-FORMAT", "2")
            .body(zip);
        let body = http.send(rb, self.method, upload_failed).await?;
        let reply: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        if reply.get("status").and_then(|s| s.as_str()) != Some("ok") {
            return Err(upload_failed(Reply::default()));
        }
        open.meta.set("lastUploaded", budget_dir::today().into());
        open.meta.set("cloudFileId", file_id.into());
        open.meta.set(
            "groupId",
            reply
                .get("groupId")
                .cloned()
                .unwrap_or(serde_json::Value::Null),
        );
        budget_dir::write_metadata(&open.dir, &open.meta)
    }

    /// Brings the open budget current with the server (upstream `sync`).
    pub async fn sync(&self) -> Result<()> {
        let mut slot = self.open.clone().lock_owned().await;
        let Some(open) = slot.as_mut() else {
            return Err(no_budget_open());
        };
        // Upstream's sync would leave import mode half way (it turns syncing on).
        if open.importing() {
            return Err(
                actual_budget::BudgetError::Unsupported("sync() inside runImport".into()).into(),
            );
        }
        if open.in_batch() {
            return Err(ClientError::config(
                "batch-in-progress",
                "sync() cannot run inside batchBudgetUpdates(); the batch's changes are sent when it ends",
            ));
        }
        let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        self.sync_in_place(open).await?;
        let may_write = self.check_may_write().is_ok();
        let made = blocking(move || {
            let open = slot.as_mut().expect("checked above");
            open.run_schedule_service(may_write)
        })
        .await?;
        self.note_service_writes(made);
        Ok(())
    }

    /// Runs the read `method` (its `@actual-app/api` name) on the open budget with
    /// upstream's argument object; resolves to the answer as JSON text.
    pub async fn read(&self, method: String, args: serde_json::Value) -> Result<String> {
        let mut slot = self.open.clone().lock_owned().await;
        if slot.is_none() {
            return Err(no_budget_open());
        }
        blocking(move || {
            let open = slot.as_mut().expect("checked above");
            Ok(open.read(&method, &args)?.into_json())
        })
        .await
    }

    /// `runBankSync(args)` on the open budget: the accounts upstream downloads for
    /// (none: it resolves, nothing written), each one's download through the server's
    /// bank routes, and what it makes of them written in one transaction, on disk when
    /// this returns (the next sync sends it). The accounts' errors are upstream's,
    /// written as upstream writes them; the first is the call's.
    pub async fn bank_sync(&self, args: serde_json::Value) -> Result<BankSyncOutcome> {
        let mut slot = self.open.clone().lock_owned().await;
        let Some(open) = slot.as_mut() else {
            // Upstream's handler reads the closed database.
            return Err(actual_budget::BudgetError::TypeError(
                "Cannot read properties of null (reading 'prepare')".into(),
            )
            .into());
        };
        let job = open.bank_sync_job(&args)?;
        if job.is_empty() {
            return Ok(BankSyncOutcome::default());
        }
        if open.in_batch() {
            return Err(actual_budget::BudgetError::Unsupported(
                "runBankSync of linked accounts inside batchBudgetUpdates()".into(),
            )
            .into());
        }
        self.check_may_write()?;
        let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        open.refresh()?;
        let mut transaction = Transaction::begin(&mut *open, "actual_bank_sync")?;
        let errors = self
            .bank_sync_in_transaction(transaction.get_mut(), &job)
            .await?;
        transaction.commit()?;
        Ok(BankSyncOutcome {
            wrote: true,
            error: errors.into_iter().next(),
        })
    }

    /// Upstream's order: SimpleFIN's batch, then the accounts one by one, each
    /// download's changes made before the next request (a later account's start date
    /// reads them).
    async fn bank_sync_in_transaction(
        &self,
        open: &mut OpenBudget,
        job: &bank_sync::BankSyncJob,
    ) -> Result<Vec<bank_sync::AccountError>> {
        let mut clock = actual_sync::load_clock(open.db.conn())?;
        let mut errors = Vec::new();
        if !job.simplefin_batch.is_empty() {
            let body = bank_sync::batch_request(
                &actual_budget::Budget::new(open.db.conn()),
                &job.simplefin_batch,
            )?;
            let reply = self
                .post_bank(&endpoint::SIMPLEFIN_TRANSACTIONS, body, None)
                .await;
            errors.extend(with_writer(open, &mut clock, |w| {
                bank_sync::apply_batch(w, &job.simplefin_batch, &reply)
            })?);
        }
        for target in &job.one_by_one {
            let body =
                bank_sync::single_request(&actual_budget::Budget::new(open.db.conn()), target)?;
            let reply = if target.source.as_deref() == Some(bank_sync::PLUGGY) {
                // Upstream names the budget's file, for per-budget credentials.
                let file_id = open.meta.text("cloudFileId").map(str::to_string);
                self.post_bank(&endpoint::PLUGGYAI_TRANSACTIONS, body, file_id)
                    .await
            } else {
                self.post_bank(&endpoint::SIMPLEFIN_TRANSACTIONS, body, None)
                    .await
            };
            errors.extend(with_writer(open, &mut clock, |w| {
                bank_sync::apply_single(w, target, &reply)
            })?);
        }
        Ok(errors)
    }

    /// One request to the server's bank routes: the reply's `data`, or the reason
    /// upstream's `post` fails with (`PostError`): `network-failure`, `internal` for a
    /// 500, the JSON answer's reason; `None` for one it reads from a text answer.
    async fn post_bank(
        &self,
        endpoint: &'static endpoint::Endpoint,
        body: serde_json::Value,
        file_id: Option<String>,
    ) -> bank_sync::Download {
        let http = self.http().map_err(|_| None)?;
        let mut rb = http
            .request(endpoint, Some(&self.token))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(file_id) = file_id {
            rb = rb.header(FILE_ID_HEADER, file_id);
        }
        let failed = match http
            .send_json::<serde_json::Value>(rb, self.method, list_failed)
            .await
        {
            Ok(data) => return Ok(data),
            Err(e) => e,
        };
        self.log(format!("the bank sync request failed: {failed}"));
        let reply = failed.reply().cloned().unwrap_or_default();
        Err(match (reply.status, reply.reason.as_deref()) {
            (None, _) => Some("network-failure".into()),
            (Some(500), _) => Some("internal".into()),
            (_, Some("unauthorized")) if reply.details.as_deref() == Some("token-not-found") => {
                Some("token-expired".into())
            }
            (_, Some("invalid-response")) => Some("parse-json".into()),
            (_, Some(reason)) => Some(reason.to_string()),
            _ => None,
        })
    }

    /// Runs the write `method` on the open budget; resolves once its changes are on disk
    /// (or, inside a batch, part of the batch's transaction). The next sync sends them.
    pub async fn write(&self, method: String, args: serde_json::Value) -> Result<String> {
        self.check_may_write()?;
        let mut slot = self.open.clone().lock_owned().await;
        let Some(open) = slot.as_ref() else {
            return Err(no_budget_open());
        };
        // Another process must not swap a fresh download in under this write.
        let lock = if open.in_batch() {
            None
        } else {
            Some(budget_dir::DataDirLock::acquire(&self.data_dir).await?)
        };
        blocking(move || {
            let open = slot.as_mut().expect("checked above");
            let value = open.write(&method, &args, lock)?;
            Ok(serde_json::to_string(&value).expect("a JSON value always serialises"))
        })
        .await
    }

    /// A read-only API token's writes are refused here, before anything changes locally
    /// (the gateway would refuse to send them; they would stay unsent).
    fn check_may_write(&self) -> Result<()> {
        if self.user.api_token.as_ref().is_some_and(|t| t.read_only) {
            return Err(ClientError::Auth {
                kind: ErrorKind::TokenScope,
                code: "token-read-only".into(),
                message: "this API token is read-only: it cannot change the budget".into(),
                reply: Reply::default(),
            });
        }
        Ok(())
    }

    /// Starts `batchBudgetUpdates`: every write until [`Client::end_batch`] goes into
    /// one transaction, and no sync runs meanwhile.
    pub async fn begin_batch(&self) -> Result<()> {
        self.check_may_write()?;
        let mut slot = self.open.clone().lock_owned().await;
        if slot.is_none() {
            return Err(no_budget_open());
        }
        let lock = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        blocking(move || slot.as_mut().expect("checked above").begin_batch(lock)).await
    }

    /// Commits the batch's writes.
    pub async fn end_batch(&self) -> Result<()> {
        let mut slot = self.open.clone().lock_owned().await;
        if slot.is_none() {
            return Err(no_budget_open());
        }
        blocking(move || slot.as_mut().expect("checked above").end_batch()).await
    }

    /// Closes the open budget once the calls running on it end.
    pub async fn close_budget(&self) {
        self.open.lock().await.take();
    }

    /// Syncs an open budget where it lies: every round's messages are applied inside
    /// one transaction that commits only when the server agrees, so a failure (or a
    /// killed process: SQLite rolls a hot journal back) leaves the copy as it was.
    /// `metadata.json` is written after the commit; should that write be lost, the next
    /// sync asks from the older timestamp and the server's repeats are ignored.
    async fn sync_in_place(&self, open: &mut OpenBudget) -> Result<()> {
        let mut clock = open.reload()?;
        let mut transaction = Transaction::begin(&mut open.db, "actual_sync_in_place")?;
        let sync = FullSync::new(sync_params(&open.meta));
        let outcome = self
            .run_sync(
                transaction.get_mut(),
                &mut clock,
                sync,
                open.key.as_ref(),
                None,
            )
            .await?;
        transaction.commit()?;
        record_sync(&mut open.meta, outcome);
        budget_dir::write_metadata(&open.dir, &open.meta)
    }

    /// The error for a sync id missing from the listing. A token gateway lists only the
    /// token's budgets, so with an API token we ask it about that id: it answers
    /// `token-scope-error` for a budget the token may not reach.
    async fn not_found(&self, sync_id: &str) -> ClientError {
        let not_found = ClientError::BudgetNotFound {
            sync_id: sync_id.to_string(),
            reply: Reply::default(),
        };
        if self.method != AuthMethod::ApiToken {
            return not_found;
        }
        match self.file_info(sync_id).await {
            Err(e) if e.kind() == ErrorKind::TokenScope => e,
            _ => not_found,
        }
    }

    async fn fresh_download(
        &self,
        sync_id: &str,
        file: RemoteFile,
        password: Option<&str>,
    ) -> Result<(OpenBudget, DownloadedBudget)> {
        // Key check, file info and file bytes in parallel: none depends on another.
        let key_check = async {
            match (&file.encrypt_key_id, password) {
                (Some(_), Some(p)) => self.budget_key(&file.file_id, p).await.map(Some),
                _ => Ok(None),
            }
        };
        let (key, info, bytes) = tokio::try_join!(
            key_check,
            self.file_info(&file.file_id),
            self.file_bytes(&file.file_id)
        )?;
        self.log(format!("downloaded {} bytes", bytes.len()));

        let key = match (&info.encrypt_meta, key) {
            (Some(_), None) => match password {
                // The listing said plain but the file is encrypted: check the key now.
                Some(p) => Some(self.budget_key(&file.file_id, p).await?),
                None => return Err(ClientError::MissingKey { name: file.name }),
            },
            (_, key) => key,
        };

        let unpack_key = key.clone();
        let started = std::time::Instant::now();
        // Decrypt, check the archive and read metadata.json; db.sqlite is inflated below,
        // while the first sync request is already on its way.
        let (mut meta, mut archive) = blocking(move || {
            // Plain budgets are unzipped straight from the downloaded bytes: no copy.
            let plain = match (&info.encrypt_meta, &unpack_key) {
                (Some(meta), Some(key)) => meta.decrypt(key, &bytes)?.into(),
                _ => bytes,
            };
            let mut archive = archive::open(plain)?;
            let metadata = archive.metadata()?;
            let meta = budget_dir::rewrite_metadata(&metadata, &info, &budget_dir::today())?;
            Ok((meta, archive))
        })
        .await?;
        self.tag_owner(&mut meta, &file);

        // The first request needs only `since` from metadata.json, not the database: it
        // goes without local messages, and the merkle comparison after it brings a second
        // round for any the snapshot holds (upstream sends them in the first one).
        let mut sync = FullSync::for_snapshot(sync_params(&meta));
        let first_request = sync.build_request_without_local_messages(key.as_ref())?;
        // While it is out: inflate db.sqlite into the scratch folder and open it.
        let data_dir = self.data_dir.clone();
        let (reply, opened) = tokio::join!(
            self.post_sync(first_request),
            blocking(move || {
                let staged = budget_dir::Staged::from_download(&data_dir, &mut archive)?;
                let copy = ScratchCopy::open(staged, &mut meta)?;
                Ok((copy, meta, started.elapsed()))
            }),
        );
        let (copy, mut meta, staging) = opened?;
        self.log(format!(
            "unzipped, staged and opened in {} ms",
            staging.as_millis()
        ));
        let ScratchCopy {
            staged,
            mut db,
            mut clock,
        } = copy;
        let outcome = self
            .run_sync(&mut db, &mut clock, sync, key.as_ref(), Some(reply?))
            .await?;
        drop(db);
        record_sync(&mut meta, outcome);
        let data_dir = self.data_dir.clone();
        let committing = std::time::Instant::now();
        let (meta, path) = blocking(move || {
            let path = staged.commit(&data_dir, &meta)?;
            Ok((meta, path))
        })
        .await?;
        self.log(format!(
            "written in place in {} ms",
            committing.elapsed().as_millis()
        ));
        let result = self.result(sync_id, &file, &meta, &path);
        let open = blocking(move || OpenBudget::open(&path, key)).await?;
        Ok((open, result))
    }

    /// Runs upstream's full sync on `db` until the server agrees. `answered` is the
    /// reply to a first request `sync` already sent. (`db` is borrowed mutably only so
    /// that this future is `Send`: a shared SQLite connection is not `Sync`.)
    async fn run_sync(
        &self,
        db: &mut actual_sync::BudgetDb,
        clock: &mut actual_sync::Clock,
        mut sync: FullSync,
        key: Option<&BudgetKey>,
        mut answered: Option<bytes::Bytes>,
    ) -> Result<actual_sync::SyncOutcome> {
        let mut round = 0;
        let outcome = loop {
            round += 1;
            let reply = match answered.take() {
                Some(reply) => reply,
                None => {
                    let body = sync.build_request(db.conn(), clock, key)?;
                    match self.post_sync(body).await {
                        Ok(reply) => reply,
                        // The server's body limit is lower than ours: send less at a time.
                        Err(e)
                            if e.reply().and_then(|r| r.status) == Some(413)
                                && sync.retry_smaller() =>
                        {
                            self.log(
                                "the server refused a large sync request: sending smaller ones",
                            );
                            continue;
                        }
                        Err(e) => return Err(e),
                    }
                }
            };
            let applying = std::time::Instant::now();
            let step = sync.handle_response(db.conn(), clock, key, reply)?;
            self.log(format!(
                "sync round {round} applied in {} ms",
                applying.elapsed().as_millis()
            ));
            match step {
                SyncStep::Continue => continue,
                SyncStep::Done(outcome) => break outcome,
            }
        };
        self.log(format!(
            "synced: {} messages received, {} applied in {} rounds",
            outcome.received, outcome.applied, outcome.rounds
        ));
        // Upstream records the JSON paths of schedules' rules as it loads the budget and
        // as rules sync in.
        actual_budget::schedules::record_json_paths(db.conn())?;
        Ok(outcome)
    }

    async fn post_sync(&self, body: Vec<u8>) -> Result<bytes::Bytes> {
        let http = self.http()?;
        let rb = http
            .request(&endpoint::SYNC, Some(&self.token))
            .header(CONTENT_TYPE, actual_sync::sync::CONTENT_TYPE)
            .body(body);
        http.send(rb, self.method, sync_failed).await
    }

    fn result(
        &self,
        sync_id: &str,
        file: &RemoteFile,
        meta: &budget_dir::Metadata,
        path: &Path,
    ) -> DownloadedBudget {
        DownloadedBudget {
            name: meta.name().unwrap_or_else(|| file.name.clone()),
            id: meta.id.clone(),
            sync_id: sync_id.to_string(),
            cloud_file_id: file.file_id.clone(),
            path: path.display().to_string(),
        }
    }

    /// Local copies first, then the server's files, as upstream's `getBudgets()`.
    pub async fn budgets(&self) -> Result<Vec<BudgetEntry>> {
        let remote = match &self.http {
            Some(_) => self.remote_files().await?,
            None => Vec::new(),
        };
        let loaded_keys = self.loaded_keys.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<BudgetEntry> = budget_dir::local_budgets(&self.data_dir)
            .into_iter()
            .map(BudgetEntry::Local)
            .collect();
        out.extend(remote.into_iter().filter(|f| !f.deleted).map(|f| {
            let has_key = f
                .encrypt_key_id
                .as_ref()
                .is_some_and(|id| loaded_keys.contains(id));
            BudgetEntry::Remote(RemoteBudget {
                cloud_file_id: f.file_id,
                state: "remote",
                group_id: f.group_id,
                name: f.name,
                encrypt_key_id: f.encrypt_key_id,
                has_key,
                owner: f.owner,
                users_with_access: f.users_with_access,
            })
        }));
        Ok(out)
    }
}

/// What `runBankSync` did: whether it wrote (the next sync sends it), and the error
/// it rejects with afterwards, as upstream does (`{ message, code }`).
#[derive(Debug, Default)]
pub struct BankSyncOutcome {
    pub wrote: bool,
    pub error: Option<bank_sync::AccountError>,
}

impl BankSyncOutcome {
    /// `{ wrote, error: { message, code } | null }`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "wrote": self.wrote,
            "error": self.error.as_ref().map(|e| serde_json::json!({ "message": e.message, "code": e.code })),
        })
    }
}

/// Runs `step` with a writer on the open budget's connection (inside the caller's
/// transaction), stamping with `clock`.
fn with_writer<T>(
    open: &OpenBudget,
    clock: &mut actual_sync::Clock,
    step: impl FnOnce(&mut actual_budget::Writer) -> actual_budget::Result<T>,
) -> Result<T> {
    let conn = open.db.conn();
    let mut writer = actual_budget::Writer {
        budget: actual_budget::Budget::new(conn),
        changes: actual_budget::Changes::new(conn, clock),
    };
    Ok(step(&mut writer)?)
}

/// Upstream's answer to a call that needs an open budget when none is.
fn no_budget_open() -> ClientError {
    actual_budget::BudgetError::api("No budget file is open").into()
}

/// Records a finished sync in `metadata.json`'s fields: the synced prefs, and the
/// timestamp the next sync asks from.
fn record_sync(meta: &mut budget_dir::Metadata, outcome: actual_sync::SyncOutcome) {
    for (name, value) in outcome.prefs {
        meta.set(&name, pref_to_json(value));
    }
    if let Some(timestamp) = outcome.last_synced_timestamp {
        meta.set("lastSyncedTimestamp", serde_json::Value::String(timestamp));
    }
}

/// A freshly downloaded database staged in a scratch folder, opened for its first
/// sync, its clock loaded.
struct ScratchCopy {
    staged: budget_dir::Staged,
    db: actual_sync::BudgetDb,
    clock: actual_sync::Clock,
}

impl ScratchCopy {
    /// Opens the staged database and loads its clock, with upstream's load-time clock
    /// reset when `metadata.json` asks for it (`resetClock`, cleared here).
    fn open(staged: budget_dir::Staged, meta: &mut budget_dir::Metadata) -> Result<Self> {
        let db = actual_sync::BudgetDb::open_scratch(&staged.db_path())?;
        // A budget from an older release is migrated before its first sync, whose
        // messages may be for the columns the migrations add.
        actual_budget::migrate::migrate(db.conn(), &meta.fields)?;
        let reset = meta.fields.get("resetClock") == Some(&serde_json::Value::Bool(true));
        let clock = db.load_clock(reset)?;
        if reset {
            meta.set("resetClock", serde_json::Value::Bool(false));
        }
        Ok(ScratchCopy { staged, db, clock })
    }
}

/// What identifies the budget to the sync endpoint, from `metadata.json`.
fn sync_params(meta: &budget_dir::Metadata) -> SyncParams {
    SyncParams {
        file_id: meta.text("cloudFileId").unwrap_or_default().to_string(),
        group_id: meta.text("groupId").unwrap_or_default().to_string(),
        key_id: meta.text("encryptKeyId").map(str::to_string),
        last_synced_timestamp: meta.text("lastSyncedTimestamp").map(str::to_string),
    }
}

/// Runs file and CPU work (unzip, SQLite, rename) off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|_| {
        ClientError::download("download-failure", "a download task stopped unexpectedly")
    })?
}

/// Creates `dataDir` if missing and checks that it is a writable folder.
fn prepare_data_dir(dir: &Path) -> Result<PathBuf> {
    let bad = |why: String| ClientError::config("invalid-data-dir", why);
    if dir.exists() && !dir.is_dir() {
        return Err(bad(format!(
            "dataDir {} is a file, not a folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| bad(format!("cannot create dataDir {}: {e}", dir.display())))?;
    let probe = dir.join(format!(".actual-native-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| bad(format!("dataDir {} is not writable: {e}", dir.display())))?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir.to_path_buf())
}
