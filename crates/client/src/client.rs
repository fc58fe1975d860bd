//! A signed-in client: what `init` returns and what every later call uses.

use std::path::{Path, PathBuf};

use actual_protocol::crypto::{BudgetKey, KeyTest};
use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use serde::Serialize;

use crate::archive;
use crate::budget_dir::{self, LocalBudget};
use crate::config::{ClientConfig, Credential};
use crate::error::{ClientError, ErrorKind, Reply, Result};
use crate::files::{FileInfo, RemoteFile, UserInfo, UserKey};
use crate::http::{AuthMethod, Http, Secret};

const FILE_ID_HEADER: &str = "x-actual-file-id";

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
                    .request(Method::POST, "account/login", None)
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string());
                #[derive(serde::Deserialize)]
                struct Login {
                    token: Option<String>,
                }
                let login: Login = http
                    .send_json(rb, "account/login", AuthMethod::Password, login_failed)
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

    /// `GET /account/validate` with the current credential.
    pub async fn validate(&self) -> Result<UserInfo> {
        let rb = self
            .http
            .request(Method::GET, "account/validate", Some(&self.token));
        self.http
            .send_json(rb, "account/validate", self.method, validate_failed)
            .await
    }

    /// The files the credential can see on the server.
    pub async fn remote_files(&self) -> Result<Vec<RemoteFile>> {
        let rb = self
            .http
            .request(Method::GET, "sync/list-user-files", Some(&self.token));
        self.http
            .send_json(rb, "sync/list-user-files", self.method, list_failed)
            .await
    }

    async fn file_info(&self, file_id: &str) -> Result<FileInfo> {
        let rb = self
            .http
            .request(Method::GET, "sync/get-user-file-info", Some(&self.token))
            .header(FILE_ID_HEADER, file_id);
        self.http
            .send_json(rb, "sync/get-user-file-info", self.method, download_failed)
            .await
    }

    async fn file_bytes(&self, file_id: &str) -> Result<bytes::Bytes> {
        let rb = self
            .http
            .request(Method::GET, "sync/download-user-file", Some(&self.token))
            .header(FILE_ID_HEADER, file_id);
        self.http
            .send(rb, "sync/download-user-file", self.method, download_failed)
            .await
    }

    /// Fetches the file's key parameters and checks the password against the key test.
    async fn budget_key(&self, file_id: &str, password: &str) -> Result<BudgetKey> {
        let body = serde_json::json!({ "fileId": file_id });
        let rb = self
            .http
            .request(Method::POST, "sync/user-get-key", Some(&self.token))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        let key: UserKey = self
            .http
            .send_json(rb, "sync/user-get-key", self.method, key_failed)
            .await?;
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

    /// Downloads the budget whose sync id (`groupId`) is `sync_id` into
    /// `<dataDir>/<id>/`, replacing any previous copy in one step.
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
        let files = self.remote_files().await?;
        let file = files
            .into_iter()
            .find(|f| !f.deleted && f.group_id.as_deref() == Some(sync_id))
            .ok_or_else(|| ClientError::BudgetNotFound {
                sync_id: sync_id.to_string(),
                reply: Reply::default(),
            })?;
        let password = password.filter(|p| !p.is_empty());
        let encrypted = file.encrypt_key_id.is_some();
        if encrypted && password.is_none() {
            return Err(ClientError::MissingKey { name: file.name });
        }

        // Key check, file info and file bytes in parallel: none depends on another.
        let key_check = async {
            match (encrypted, password) {
                (true, Some(p)) => self.budget_key(&file.file_id, p).await.map(Some),
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

        let data_dir = self.data_dir.clone();
        let fallback_name = file.name.clone();
        let installed =
            tokio::task::spawn_blocking(move || -> Result<(budget_dir::Metadata, PathBuf)> {
                let plain = match (&info.encrypt_meta, &key) {
                    (Some(meta), Some(key)) => meta.decrypt(key, &bytes)?,
                    _ => bytes.to_vec(),
                };
                let files = archive::extract(&plain)?;
                drop(plain);
                let meta =
                    budget_dir::rewrite_metadata(&files.metadata, &info, &budget_dir::today())?;
                let path = budget_dir::install(&data_dir, &meta, &files.db)?;
                Ok((meta, path))
            })
            .await
            .map_err(|_| {
                ClientError::download("download-failure", "the download task stopped unexpectedly")
            })?;
        let (meta, path) = installed?;
        self.http.log(format!("budget {} written", meta.id));
        Ok(DownloadedBudget {
            name: meta.name.unwrap_or(fallback_name),
            id: meta.id,
            sync_id: sync_id.to_string(),
            cloud_file_id: file.file_id,
            path: path.display().to_string(),
        })
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
    budget_dir::clean_stale_scratch(dir);
    Ok(dir.to_path_buf())
}
