//! `downloadBudget`: a local copy is synced in place; otherwise the server's snapshot is
//! downloaded, decrypted and unzipped into a scratch folder, synced there and swapped in.

use std::path::Path;

use serde::Serialize;

use super::sync::{record_sync, sync_params};
use super::{blocking, Session};
use crate::archive;
use crate::budget_dir;
use crate::error::{ErrorKind, Reply, Result, SessionError};
use crate::http::AuthMethod;
use crate::open_budget::OpenBudget;
use actual_protocol::endpoint::{self, FILE_ID_HEADER};
use actual_protocol::files::{FileInfo, RemoteFile};
use actual_sync::FullSync;

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

fn download_failed(reply: Reply) -> SessionError {
    SessionError::Download {
        code: "download-failure",
        message: "the server did not send the budget file".into(),
        reply,
    }
}

impl Session {
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
            return Err(SessionError::config(
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
            return Err(SessionError::MissingKey { name: file.name });
        }

        if let Some(local) = budget_dir::find_local(&self.data_dir, sync_id) {
            let key = match (&file.encrypt_key_id, password) {
                (Some(_), Some(p)) => Some(self.budget_key(&file.file_id, p).await?),
                _ => None,
            };
            let dir = self.data_dir.join(&local.id);
            let mut open = blocking("downloadBudget", move || OpenBudget::open(&dir, key)).await?;
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
                None => return Err(SessionError::MissingKey { name: file.name }),
            },
            (_, key) => key,
        };

        let unpack_key = key.clone();
        let started = std::time::Instant::now();
        // Decrypt, check the archive and read metadata.json; db.sqlite is inflated below,
        // while the first sync request is already on its way.
        let (mut meta, mut archive) = blocking("downloadBudget", move || {
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
            blocking("downloadBudget", move || {
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
        let (meta, path) = blocking("downloadBudget", move || {
            let path = staged.commit(&data_dir, &meta)?;
            Ok((meta, path))
        })
        .await?;
        self.log(format!(
            "written in place in {} ms",
            committing.elapsed().as_millis()
        ));
        let result = self.result(sync_id, &file, &meta, &path);
        let open = blocking("downloadBudget", move || OpenBudget::open(&path, key)).await?;
        Ok((open, result))
    }

    /// The error for a sync id missing from the listing. A token gateway lists only the
    /// token's budgets, so with an API token we ask it about that id: it answers
    /// `token-scope-error` for a budget the token may not reach.
    async fn not_found(&self, sync_id: &str) -> SessionError {
        let not_found = SessionError::BudgetNotFound {
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
                SessionError::Network { message, reply } => SessionError::Download {
                    code: "download-failure",
                    message: format!("downloading the budget failed: {message}"),
                    reply,
                },
                other => other,
            })
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
        actual_budget::schema::migrate::migrate(db.conn(), &meta.fields)?;
        let reset = meta.fields.get("resetClock") == Some(&serde_json::Value::Bool(true));
        let clock = db.load_clock(reset)?;
        if reset {
            meta.set("resetClock", serde_json::Value::Bool(false));
        }
        Ok(ScratchCopy { staged, db, clock })
    }
}
