//! `sync()`: the open budget brought current where it lies, in one transaction; the sync
//! rounds with the server; and upstream's schedule service, which runs after a sync.

use reqwest::header::CONTENT_TYPE;

use super::{blocking, no_budget_open, Session};
use crate::budget_dir;
use crate::error::{Reply, Result, SessionError};
use crate::open_budget::OpenBudget;
use actual_protocol::crypto::BudgetKey;
use actual_protocol::endpoint;
use actual_sync::{FullSync, SyncParams, SyncStep, Transaction};

/// The sync endpoint answers 400 with a plain-text reason such as `file-has-reset`.
fn sync_failed(reply: Reply) -> SessionError {
    let code = reply
        .reason
        .clone()
        .unwrap_or_else(|| "sync-failure".into());
    SessionError::Sync {
        message: format!("the server refused to sync the budget ({code})"),
        code,
        reply,
    }
}

impl Session {
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
            return Err(SessionError::config(
                "batch-in-progress",
                "sync() cannot run inside batchBudgetUpdates(); the batch's changes are sent when it ends",
            ));
        }
        let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        self.sync_in_place(open).await?;
        let may_write = self.check_may_write().is_ok();
        let made = blocking("sync", move || {
            let open = slot.as_mut().expect("checked above");
            open.run_schedule_service(may_write)
        })
        .await?;
        self.note_service_writes(made);
        Ok(())
    }

    /// Syncs an open budget where it lies: every round's messages are applied inside
    /// one transaction that commits only when the server agrees, so a failure (or a
    /// killed process: SQLite rolls a hot journal back) leaves the copy as it was.
    /// `metadata.json` is written after the commit; should that write be lost, the next
    /// sync asks from the older timestamp and the server's repeats are ignored.
    pub(super) async fn sync_in_place(&self, open: &mut OpenBudget) -> Result<()> {
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

    /// Runs upstream's full sync on `db` until the server agrees. `answered` is the
    /// reply to a first request `sync` already sent. (`db` is borrowed mutably only so
    /// that this future is `Send`: a shared SQLite connection is not `Sync`.)
    pub(super) async fn run_sync(
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

    pub(super) async fn post_sync(&self, body: Vec<u8>) -> Result<bytes::Bytes> {
        let http = self.http()?;
        let rb = http
            .request(&endpoint::SYNC, Some(&self.token))
            .header(CONTENT_TYPE, actual_sync::sync::CONTENT_TYPE)
            .body(body);
        http.send(rb, self.method, sync_failed).await
    }

    /// Upstream's schedule service after a successful sync (see
    /// [`OpenBudget::run_schedule_service`]). Upstream starts it in the background and
    /// does not wait for it; here the call that synced resolves once it has run, so a
    /// script reads what upstream's budget holds once its service is done.
    pub(super) async fn run_schedule_service(&self, mut open: OpenBudget) -> Result<OpenBudget> {
        let may_write = self.check_may_write().is_ok();
        let (open, made) = blocking("the schedule service", move || {
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
}

/// Records a finished sync in `metadata.json`'s fields: the synced prefs, and the
/// timestamp the next sync asks from.
pub(super) fn record_sync(meta: &mut budget_dir::Metadata, outcome: actual_sync::SyncOutcome) {
    for (name, value) in outcome.prefs {
        meta.set(&name, pref_to_json(value));
    }
    if let Some(timestamp) = outcome.last_synced_timestamp {
        meta.set("lastSyncedTimestamp", serde_json::Value::String(timestamp));
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

/// What identifies the budget to the sync endpoint, from `metadata.json`.
pub(super) fn sync_params(meta: &budget_dir::Metadata) -> SyncParams {
    SyncParams {
        file_id: meta.text("cloudFileId").unwrap_or_default().to_string(),
        group_id: meta.text("groupId").unwrap_or_default().to_string(),
        key_id: meta.text("encryptKeyId").map(str::to_string),
        last_synced_timestamp: meta.text("lastSyncedTimestamp").map(str::to_string),
    }
}
