//! `batchBudgetUpdates`: one transaction for every write until the batch ends.

use super::{blocking, no_budget_open, Session};
use crate::budget_dir;
use crate::error::Result;

impl Session {
    /// Starts `batchBudgetUpdates`: every write until [`Session::end_batch`] goes into
    /// one transaction, and no sync runs meanwhile.
    pub async fn begin_batch(&self) -> Result<()> {
        self.check_may_write()?;
        let mut slot = self.open.clone().lock_owned().await;
        if slot.is_none() {
            return Err(no_budget_open());
        }
        let lock = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        blocking("batchBudgetUpdates", move || {
            slot.as_mut().expect("checked above").begin_batch(lock)
        })
        .await
    }

    /// Commits the batch's writes.
    pub async fn end_batch(&self) -> Result<()> {
        let mut slot = self.open.clone().lock_owned().await;
        if slot.is_none() {
            return Err(no_budget_open());
        }
        blocking("batchBudgetUpdates", move || {
            slot.as_mut().expect("checked above").end_batch()
        })
        .await
    }
}
