//! `exportBudget` and `importBudget` of an Actual export, and the upload of a budget as
//! a new server file.

use reqwest::header::CONTENT_TYPE;

use super::{blocking, Session};
use crate::archive;
use crate::budget_dir;
use crate::budget_export;
use crate::error::{Reply, Result, SessionError};
use crate::open_budget::OpenBudget;
use actual_protocol::endpoint::{self, FILE_ID_HEADER};

fn upload_failed(reply: Reply) -> SessionError {
    SessionError::Network {
        message: "the server did not take the budget file".into(),
        reply,
    }
}

/// A plain JavaScript `Error` with upstream's message (`code`: the reason in it).
fn thrown(code: &'static str, message: impl Into<String>) -> SessionError {
    actual_budget::BudgetError::thrown("Error", code, message).into()
}

impl Session {
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
        blocking("exportBudget", move || {
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
        let mut open = blocking("importBudget", move || {
            let mut archive = archive::open(zip)?;
            let meta = budget_export::imported_metadata(&archive.metadata()?)?;
            let staged = budget_dir::Staged::from_download(&data_dir, &mut archive)?;
            budget_export::clear_cache(&staged.db_path())?;
            let path = staged.commit(&data_dir, &meta)?;
            OpenBudget::open(&path, None)
        })
        .await
        .map_err(|e| match e {
            SessionError::Download { code, .. }
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

    /// Uploads the open budget as a new server file (upstream's `upload` of a budget
    /// without a `cloudFileId`) and records the file in `metadata.json`.
    pub(super) async fn upload_new(&self, open: &mut OpenBudget) -> Result<()> {
        let dir = open.dir.clone();
        let zip = blocking("uploading the budget", move || {
            budget_export::export_zip(&dir)
        })
        .await?;
        let file_id = actual_budget::foundation::changes::uuid_v4();
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
}
