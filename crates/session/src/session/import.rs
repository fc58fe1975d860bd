//! `runImport(name, func)`: a new local budget built in import mode, then opened again
//! and uploaded, or deleted when `func` fails.

use super::{blocking, Session};
use crate::budget_dir;
use crate::budget_new;
use crate::error::{Result, SessionError};
use crate::open_budget::OpenBudget;

fn no_import() -> SessionError {
    SessionError::config(
        "no-import",
        "runImport: the budget being imported is no longer open",
    )
}

impl Session {
    /// upstream's `api/start-import` (the start of `runImport(name, func)`): closes the
    /// open budget, makes a new local budget named `name` (see [`budget_new`]) and opens
    /// it in import mode, where writes change the tables and record nothing to send.
    /// Resolves to its id.
    pub async fn start_import(&self, name: &str) -> Result<String> {
        let mut slot = self.take_slot().await;
        let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        let data_dir = self.data_dir.clone();
        let name = name.to_string();
        let open = blocking("runImport", move || {
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
            blocking("runImport", move || OpenBudget::open(&dir, None)).await?
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
        std::fs::remove_dir_all(&dir).map_err(|e| SessionError::fs("cannot delete", &dir, e))
    }
}
