//! A signed-in client: what `init` returns and what every later call uses.

use std::path::{Path, PathBuf};

use actual_protocol::crypto::{BudgetKey, KeyTest};
use reqwest::header::CONTENT_TYPE;
use serde::Serialize;

use crate::archive;
use crate::budget_dir::{self, LocalBudget};
use crate::config::{ClientConfig, Credential};
use crate::error::{ClientError, ErrorKind, Reply, Result};
use crate::http::{AuthMethod, Http, Secret};
use actual_protocol::endpoint::{self, FILE_ID_HEADER};
use actual_protocol::files::{FileInfo, RemoteFile, UserInfo, UserKey};
use actual_sync::{FullSync, SyncParams, SyncStep};

#[derive(Debug)]
pub struct Client {
    http: Http,
    token: Secret,
    method: AuthMethod,
    data_dir: PathBuf,
    user: UserInfo,
    /// One download at a time per client: two at once would race on the same folder.
    download_lock: tokio::sync::Mutex<()>,
}

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
    pub sync_id: Option<String>,
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
            http,
            token,
            method,
            data_dir,
            user: UserInfo::default(),
            download_lock: tokio::sync::Mutex::new(()),
        };
        if !matches!(config.credential, Credential::Password(_)) {
            client.user = client.validate().await?;
        }
        client
            .http
            .log(format!("signed in with {}", config.credential.method()));
        Ok(client)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn user(&self) -> &UserInfo {
        &self.user
    }

    /// The credential later requests carry (a session token, or the API token), for
    /// handing to the official engine in drop-in mode. Never logged or stored.
    pub fn session_token(&self) -> &str {
        self.token.expose()
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
        let rb = self.http.request(&endpoint::VALIDATE, Some(&self.token));
        self.http.send_json(rb, self.method, validate_failed).await
    }

    /// The files the credential can see on the server.
    pub async fn remote_files(&self) -> Result<Vec<RemoteFile>> {
        let rb = self.http.request(&endpoint::LIST_FILES, Some(&self.token));
        self.http.send_json(rb, self.method, list_failed).await
    }

    async fn file_info(&self, file_id: &str) -> Result<FileInfo> {
        let rb = self
            .http
            .request(&endpoint::FILE_INFO, Some(&self.token))
            .header(FILE_ID_HEADER, file_id);
        self.http.send_json(rb, self.method, download_failed).await
    }

    async fn file_bytes(&self, file_id: &str) -> Result<bytes::Bytes> {
        let rb = self
            .http
            .request(&endpoint::DOWNLOAD, Some(&self.token))
            .header(FILE_ID_HEADER, file_id);
        // Upstream reports any failure to fetch the file as `download-failure`.
        self.http
            .send(rb, self.method, download_failed)
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
        let body = serde_json::json!({ "fileId": file_id });
        let rb = self
            .http
            .request(&endpoint::USER_GET_KEY, Some(&self.token))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        let key: UserKey = self.http.send_json(rb, self.method, key_failed).await?;
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
        derived.ok_or(ClientError::DecryptFailure)
    }

    /// Brings the budget whose sync id (`groupId`) is `sync_id` into
    /// `<dataDir>/<id>/`, current with the server: a local copy is only synced, as
    /// upstream does; otherwise the snapshot is downloaded, then synced. Either way the
    /// work happens in a scratch copy that replaces the folder in one step at the end.
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
        let _one_at_a_time = self.download_lock.lock().await;
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
            let mut meta = budget_dir::Metadata::read(&dir)?;
            self.tag_owner(&mut meta, &file);
            let staged = budget_dir::Staged::copy_of(&self.data_dir, &dir)?;
            let copy = OpenCopy::open(staged, &mut meta)?;
            match self.sync_and_commit(copy, meta, key.as_ref(), None).await {
                Ok((meta, path)) => return Ok(self.result(sync_id, &file, meta, path)),
                Err(e) if matches!(e.code(), "file-has-reset" | "file-has-new-key") => {
                    self.http.log(format!(
                        "the server answered {}: downloading afresh",
                        e.code()
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        self.fresh_download(sync_id, file, password).await
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
    ) -> Result<DownloadedBudget> {
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
        self.http.log(format!("downloaded {} bytes", bytes.len()));

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
                let copy = OpenCopy::open(staged, &mut meta)?;
                Ok((copy, meta, started.elapsed()))
            }),
        );
        let (copy, meta, staging) = opened?;
        self.http.log(format!(
            "unzipped, staged and opened in {} ms",
            staging.as_millis()
        ));
        let first = FirstRound {
            sync,
            reply: reply?,
        };
        let (meta, path) = self
            .sync_and_commit(copy, meta, key.as_ref(), Some(first))
            .await?;
        Ok(self.result(sync_id, &file, meta, path))
    }

    /// Runs upstream's full sync on the staged database, then records the sync in
    /// `metadata.json` and swaps the folder into place. `first` is a sync whose first
    /// request was already answered.
    async fn sync_and_commit(
        &self,
        copy: OpenCopy,
        mut meta: budget_dir::Metadata,
        key: Option<&BudgetKey>,
        first: Option<FirstRound>,
    ) -> Result<(budget_dir::Metadata, PathBuf)> {
        let OpenCopy {
            staged,
            conn,
            mut clock,
        } = copy;
        let (mut sync, mut answered) = match first {
            Some(FirstRound { sync, reply }) => (sync, Some(reply)),
            None => (FullSync::new(sync_params(&meta)), None),
        };
        let mut round = 0;
        let outcome = loop {
            round += 1;
            let reply = match answered.take() {
                Some(reply) => reply,
                None => {
                    let body = sync.build_request(&conn, &clock, key)?;
                    self.post_sync(body).await?
                }
            };
            let applying = std::time::Instant::now();
            let step = sync.handle_response(&conn, &mut clock, key, reply)?;
            self.http.log(format!(
                "sync round {round} applied in {} ms",
                applying.elapsed().as_millis()
            ));
            match step {
                SyncStep::Continue => continue,
                SyncStep::Done(outcome) => break outcome,
            }
        };
        drop(conn);
        self.http.log(format!(
            "synced: {} messages received, {} applied in {} rounds",
            outcome.received, outcome.applied, outcome.rounds
        ));
        for (name, value) in outcome.prefs {
            meta.set(&name, pref_to_json(value));
        }
        if let Some(timestamp) = outcome.last_synced_timestamp {
            meta.set("lastSyncedTimestamp", serde_json::Value::String(timestamp));
        }
        let data_dir = self.data_dir.clone();
        let committing = std::time::Instant::now();
        let committed = blocking(move || {
            let path = staged.commit(&data_dir, &meta)?;
            Ok((meta, path))
        })
        .await;
        self.http.log(format!(
            "written in place in {} ms",
            committing.elapsed().as_millis()
        ));
        committed
    }

    async fn post_sync(&self, body: Vec<u8>) -> Result<bytes::Bytes> {
        let rb = self
            .http
            .request(&endpoint::SYNC, Some(&self.token))
            .header(CONTENT_TYPE, actual_sync::sync::CONTENT_TYPE)
            .body(body);
        self.http.send(rb, self.method, sync_failed).await
    }

    fn result(
        &self,
        sync_id: &str,
        file: &RemoteFile,
        meta: budget_dir::Metadata,
        path: PathBuf,
    ) -> DownloadedBudget {
        DownloadedBudget {
            name: meta.name().unwrap_or_else(|| file.name.clone()),
            id: meta.id,
            sync_id: sync_id.to_string(),
            cloud_file_id: file.file_id.clone(),
            path: path.display().to_string(),
        }
    }

    /// Local copies first, then the server's files, as upstream's `getBudgets()`.
    pub async fn budgets(&self) -> Result<Vec<BudgetEntry>> {
        let remote = self.remote_files().await?;
        let mut out: Vec<BudgetEntry> = budget_dir::local_budgets(&self.data_dir)
            .into_iter()
            .map(BudgetEntry::Local)
            .collect();
        out.extend(remote.into_iter().filter(|f| !f.deleted).map(|f| {
            BudgetEntry::Remote(RemoteBudget {
                cloud_file_id: f.file_id,
                state: "remote",
                sync_id: f.group_id.clone(),
                group_id: f.group_id,
                name: f.name,
                encrypt_key_id: f.encrypt_key_id,
                has_key: false,
                owner: f.owner,
                users_with_access: f.users_with_access,
            })
        }));
        Ok(out)
    }
}

/// A staged database opened for syncing, its clock loaded.
struct OpenCopy {
    staged: budget_dir::Staged,
    conn: rusqlite::Connection,
    clock: actual_sync::Clock,
}

impl OpenCopy {
    /// Opens the staged database and loads its clock, with upstream's load-time clock
    /// reset when `metadata.json` asks for it (`resetClock`, cleared here).
    fn open(staged: budget_dir::Staged, meta: &mut budget_dir::Metadata) -> Result<Self> {
        let db_path = staged.db_path();
        let conn = rusqlite::Connection::open(&db_path)?;
        // The scratch copy is private, is flushed before it is swapped in, and is thrown
        // away whole when anything fails (a crash, or an error in any sync round).
        let db_bytes = std::fs::metadata(&db_path).map_or(0, |m| m.len());
        actual_sync::apply::configure_throwaway_copy(&conn, db_bytes)?;
        let mut clock = actual_sync::load_clock(&conn)?;
        if meta.fields.get("resetClock") == Some(&serde_json::Value::Bool(true)) {
            actual_sync::reset_clock(&conn, &mut clock)?;
            meta.set("resetClock", serde_json::Value::Bool(false));
        }
        Ok(OpenCopy {
            staged,
            conn,
            clock,
        })
    }
}

/// A sync whose first request went out before the database was staged, and its reply.
struct FirstRound {
    sync: FullSync,
    reply: bytes::Bytes,
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
