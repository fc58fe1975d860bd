//! `loadBudget`: a local copy opened without the network; and closing the open budget.

use super::{blocking, Session};
use crate::budget_dir;
use crate::error::{Reply, Result, SessionError};
use crate::open_budget::OpenBudget;

impl Session {
    /// Opens the local copy `<dataDir>/<id>/` without the network (upstream
    /// `loadBudget`), closing the budget that was open.
    pub async fn load_budget(&self, id: &str) -> Result<String> {
        let not_found = || SessionError::BudgetNotFound {
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
        let open = blocking("loadBudget", move || OpenBudget::open(&dir, None)).await?;
        let id = open.id.clone();
        *slot = Some(open);
        Ok(id)
    }

    /// Closes the open budget once the calls running on it end.
    pub async fn close_budget(&self) {
        self.open.lock().await.take();
    }
}
