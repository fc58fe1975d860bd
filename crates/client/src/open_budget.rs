//! The budget a client has open: one SQLite connection to `<dataDir>/<id>/db.sqlite`,
//! its `metadata.json`, and its encryption key (in memory only). Reads run on it
//! directly; syncing it happens in place, in one transaction.

use std::path::{Path, PathBuf};

use actual_budget::Budget;
use actual_protocol::crypto::BudgetKey;
use actual_sync::{BudgetDb, Clock};

use crate::budget_dir::{self, Metadata};
use crate::error::{ClientError, Result};

#[derive(Debug)]
pub struct OpenBudget {
    pub id: String,
    pub dir: PathBuf,
    pub db: BudgetDb,
    pub meta: Metadata,
    pub key: Option<BudgetKey>,
    /// Whether the database passed the native reads' checks (`actual_budget::prepare`).
    /// A budget from another version still opens and syncs; its reads fail with the
    /// reason (the JS layer may hand them to the official engine, which may migrate
    /// the file, so the check runs again until it passes).
    ready: bool,
}

impl OpenBudget {
    /// Opens the budget folder `dir` where it lies and applies the load-time clock reset
    /// that `metadata.json` may ask for (`resetClock`), as upstream's `loadBudget` does.
    pub fn open(dir: &Path, key: Option<BudgetKey>) -> Result<Self> {
        let mut meta = Metadata::read(dir)?;
        let db_path = dir.join(budget_dir::DB_FILE);
        if !db_path.is_file() {
            return Err(ClientError::fs(
                "cannot open",
                &db_path,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let db = BudgetDb::open(&db_path)?;
        if meta.fields.get("resetClock") == Some(&serde_json::Value::Bool(true)) {
            db.load_clock(true)?;
            meta.set("resetClock", serde_json::Value::Bool(false));
            budget_dir::write_metadata(dir, &meta)?;
        }
        Ok(OpenBudget {
            id: meta.id.clone(),
            dir: dir.to_path_buf(),
            db,
            meta,
            key,
            ready: false,
        })
    }

    /// Reopens the folder when another process swapped a new copy into place since we
    /// opened it (a fresh download after a sync reset); the key stays.
    pub fn refresh(&mut self) -> Result<()> {
        if !self.db.is_current() {
            let key = self.key.take();
            *self = OpenBudget::open(&self.dir.clone(), key)?;
        }
        Ok(())
    }

    /// Re-reads `metadata.json` (another process may have synced since) and loads the
    /// clock from the database.
    pub fn reload(&mut self) -> Result<Clock> {
        self.refresh()?;
        self.meta = Metadata::read(&self.dir)?;
        Ok(self.db.load_clock(false)?)
    }

    /// Runs the read `method` with upstream's argument object.
    pub fn read(&mut self, method: &str, args: &serde_json::Value) -> Result<serde_json::Value> {
        self.refresh()?;
        if !self.ready {
            actual_budget::prepare(&self.db)?;
            self.ready = true;
        }
        Ok(Budget::new(self.db.conn()).read(method, args)?)
    }
}
