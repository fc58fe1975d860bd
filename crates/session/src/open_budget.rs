//! The budget a client has open: one SQLite connection to `<dataDir>/<id>/db.sqlite`,
//! its `metadata.json`, and its encryption key (in memory only). Reads run on it
//! directly; syncing it happens in place, in one transaction.

use std::path::{Path, PathBuf};

use actual_budget::Budget;
use actual_protocol::crypto::BudgetKey;
use actual_sync::db::{HeldTransaction, Transaction};
use actual_sync::{BudgetDb, Clock};

use crate::budget_dir::DataDirLock;

use crate::budget_dir::{self, Metadata};
use crate::error::{Result, SessionError};

#[derive(Debug)]
pub struct OpenBudget {
    pub id: String,
    pub dir: PathBuf,
    pub db: BudgetDb,
    pub meta: Metadata,
    pub key: Option<BudgetKey>,
    /// Whether the database passed the native reads' checks (`actual_budget::prepare`).
    /// A budget this engine cannot read still opens and syncs; its reads fail with the
    /// reason (checked again on each read until it passes).
    ready: bool,
    /// Why upstream's schedule service, due to run after a sync, could not run natively
    /// (see [`OpenBudget::run_schedule_service`]); reads that would see its work are
    /// not answered natively then.
    service_refusal: Option<String>,
    /// An open `batchBudgetUpdates`: its transaction is open on `db`.
    batch: Option<Batch>,
    /// A budget being built by `runImport` (upstream's syncing mode "import"): its
    /// writes change the tables only, nothing is recorded to send.
    importing: bool,
}

/// A batch of writes in one transaction (`batchBudgetUpdates`): the clock they stamp
/// with, and the `dataDir` lock held until the batch commits.
#[derive(Debug)]
struct Batch {
    transaction: HeldTransaction,
    clock: Clock,
    _lock: DataDirLock,
}

/// A transaction on the open budget that keeps the budget at hand (its metadata and key
/// are read while the transaction is open).
impl actual_sync::db::AsConnection for OpenBudget {
    fn as_connection(&self) -> &rusqlite::Connection {
        self.db.conn()
    }
}

impl OpenBudget {
    /// Opens the budget folder `dir` where it lies and applies the load-time clock reset
    /// that `metadata.json` may ask for (`resetClock`), as upstream's `loadBudget` does.
    pub fn open(dir: &Path, key: Option<BudgetKey>) -> Result<Self> {
        let mut meta = Metadata::read(dir)?;
        let db_path = dir.join(budget_dir::DB_FILE);
        if !db_path.is_file() {
            return Err(SessionError::fs(
                "cannot open",
                &db_path,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let db = BudgetDb::open(&db_path)?;
        // As upstream's loadBudget: migrations before the clock, and before any sync.
        actual_budget::schema::migrate::migrate(db.conn(), &meta.fields)?;
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
            service_refusal: None,
            batch: None,
            importing: false,
        })
    }

    /// Opens a budget [`crate::budget_new`] just made, as upstream's `api/start-import`
    /// leaves it: loaded (migrated, its clock made), the default expense categories and
    /// groups deleted without a change recorded, and in import mode.
    pub fn open_for_import(dir: &Path) -> Result<Self> {
        let mut open = OpenBudget::open(dir, None)?;
        open.db.in_transaction(|conn| {
            actual_sync::load_clock(conn)?;
            conn.execute_batch(
                "DELETE FROM categories WHERE is_income = 0;
                 DELETE FROM category_groups WHERE is_income = 0;",
            )?;
            Ok::<_, SessionError>(())
        })?;
        open.importing = true;
        Ok(open)
    }

    pub fn importing(&self) -> bool {
        self.importing
    }

    /// The budget model on `conn`, in import mode when this budget is.
    fn model<'c>(&self, conn: &'c rusqlite::Connection) -> Budget<'c> {
        Budget {
            importing: self.importing,
            ..Budget::new(conn)
        }
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

    /// Checks once that the native engine was written for this database.
    fn ensure_ready(&mut self) -> Result<()> {
        if self.batch.is_none() {
            self.refresh()?;
        }
        if !self.ready {
            actual_budget::prepare(&self.db)?;
            self.ready = true;
        }
        Ok(())
    }

    /// Runs the read `method` with upstream's argument object.
    pub fn read(
        &mut self,
        method: &str,
        args: &serde_json::Value,
    ) -> Result<actual_budget::Answer> {
        self.ensure_ready()?;
        actual_budget::check_schedule_service(method, self.service_refusal.as_deref())?;
        actual_budget::check_import_mode(method, args, self.importing)?;
        Ok(self.model(self.db.conn()).read(method, args)?)
    }

    /// The accounts `runBankSync(args)` downloads for (see
    /// [`actual_budget::bank_sync::job`]); what is not native is refused here.
    pub fn bank_sync_job(
        &mut self,
        args: &serde_json::Value,
    ) -> Result<actual_budget::bank_sync::BankSyncJob> {
        self.ensure_ready()?;
        Ok(actual_budget::bank_sync::job(
            &Budget::new(self.db.conn()),
            args,
        )?)
    }

    pub fn in_batch(&self) -> bool {
        self.batch.is_some()
    }

    /// Runs the write `method`: in a transaction of its own that is on disk when this
    /// returns, under the lock on `data_dir`, or, inside a batch, in a savepoint of the
    /// batch's transaction (the batch holds the lock). A write that fails leaves nothing
    /// behind (its transaction or savepoint is rolled back, the clock too). Blocks while
    /// another process holds the lock.
    pub fn write(
        &mut self,
        method: &str,
        args: &serde_json::Value,
        data_dir: &Path,
    ) -> Result<serde_json::Value> {
        if self.batch.is_some() {
            return self.write_in_batch(method, args);
        }
        // Another process must not swap a fresh download in under this write.
        let _other_processes_wait = DataDirLock::acquire_blocking(data_dir)?;
        self.ensure_ready()?;
        actual_budget::check_import_mode(method, args, self.importing)?;
        let budget = self.model(self.db.conn());
        self.db.in_transaction(|conn| {
            let mut clock = actual_sync::load_clock(conn)?;
            Ok(budget.write(method, args, &mut clock)?)
        })
    }

    fn write_in_batch(
        &mut self,
        method: &str,
        args: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        self.ensure_ready()?;
        actual_budget::check_import_mode(method, args, self.importing)?;
        let conn = self.db.conn();
        let budget = self.model(conn);
        let batch = self.batch.as_mut().expect("checked by write");
        let savepoint = Transaction::begin(conn, "actual_write")?;
        let mut clock = batch.clock.clone();
        let value = budget.write(method, args, &mut clock)?;
        savepoint.commit()?;
        batch.clock = clock;
        Ok(value)
    }

    /// Upstream's schedule service, as upstream runs it after a successful sync: once a
    /// day (`lastScheduleRun` in `metadata.json`, local time), as one write of its own
    /// (on disk before this returns; the next sync sends it), then the day recorded.
    /// When the service cannot run natively nothing is written, the day is not
    /// recorded (the next sync tries again), and the reads that would see its work are
    /// refused; so too when it has work and this session may not write (a read-only API
    /// token). Resolves to the number of messages it made.
    pub fn run_schedule_service(&mut self, may_write: bool) -> Result<usize> {
        let today = budget_dir::today();
        if self.meta.text("lastScheduleRun") == Some(today.as_str()) {
            return Ok(0);
        }
        if self.ensure_ready().is_err() {
            // Not read natively at all (another version's budget): nothing to guard.
            return Ok(0);
        }
        let ran = self.db.in_transaction(|conn| {
            let mut clock = actual_sync::load_clock(conn)?;
            let run = Budget::new(conn).run_schedule_service(&mut clock)?;
            if run.messages > 0 && !may_write {
                // Rolled back: the gateway would refuse to send it.
                return Err(actual_budget::BudgetError::Unsupported(
                    "it has changes to make, and this API token is read-only".into(),
                )
                .into());
            }
            Ok(run)
        });
        match ran {
            Ok(run) => {
                self.service_refusal = None;
                let today = serde_json::Value::String(today);
                self.meta.set("lastScheduleRun", today.clone());
                budget_dir::set_metadata_field(&self.dir, "lastScheduleRun", today)?;
                Ok(run.messages)
            }
            Err(SessionError::Budget(actual_budget::BudgetError::Unsupported(why))) => {
                self.service_refusal = Some(why);
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }

    /// Starts a batch: one transaction for every write until [`OpenBudget::end_batch`].
    pub fn begin_batch(&mut self, lock: DataDirLock) -> Result<()> {
        if self.batch.is_some() {
            return Err(actual_budget::BudgetError::api(
                "Cannot start a batch process: batch already started",
            )
            .into());
        }
        self.ensure_ready()?;
        let transaction = Transaction::begin(self.db.conn(), "actual_batch")?;
        let clock = actual_sync::load_clock(transaction.conn())?;
        self.batch = Some(Batch {
            transaction: transaction.hold(),
            clock,
            _lock: lock,
        });
        Ok(())
    }

    /// Commits the batch's writes (upstream applies a batch's changes even when the
    /// function inside it failed).
    pub fn end_batch(&mut self) -> Result<()> {
        let Some(batch) = self.batch.take() else {
            return Err(actual_budget::BudgetError::api(
                "Cannot end a batch process: no batch started",
            )
            .into());
        };
        Ok(batch.transaction.resume(self.db.conn()).commit()?)
    }
}
