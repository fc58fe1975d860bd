//! `runBankSync`: the linked accounts downloaded through the server's bank routes and
//! what they bring written in one transaction.

use reqwest::header::CONTENT_TYPE;

use super::{list_failed, Session};
use crate::budget_dir;
use crate::error::Result;
use crate::open_budget::OpenBudget;
use actual_budget::bank_sync;
use actual_protocol::endpoint::{self, FILE_ID_HEADER};
use actual_sync::Transaction;

/// What `runBankSync` did: whether it wrote (the next sync sends it), and the error
/// it rejects with afterwards, as upstream does (`{ message, code }`).
#[derive(Debug, Default)]
pub struct BankSyncOutcome {
    pub wrote: bool,
    pub error: Option<bank_sync::AccountError>,
}

impl BankSyncOutcome {
    /// `{ wrote, error: { message, code } | null }`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "wrote": self.wrote,
            "error": self.error.as_ref().map(|e| serde_json::json!({ "message": e.message, "code": e.code })),
        })
    }
}

impl Session {
    /// `runBankSync(args)` on the open budget: the accounts upstream downloads for
    /// (none: it resolves, nothing written), each one's download through the server's
    /// bank routes, and what it makes of them written in one transaction, on disk when
    /// this returns (the next sync sends it). The accounts' errors are upstream's,
    /// written as upstream writes them; the first is the call's.
    pub async fn bank_sync(&self, args: serde_json::Value) -> Result<BankSyncOutcome> {
        let mut slot = self.open.clone().lock_owned().await;
        let Some(open) = slot.as_mut() else {
            // Upstream's handler reads the closed database.
            return Err(actual_budget::BudgetError::TypeError(
                "Cannot read properties of null (reading 'prepare')".into(),
            )
            .into());
        };
        let job = open.bank_sync_job(&args)?;
        if job.is_empty() {
            return Ok(BankSyncOutcome::default());
        }
        if open.in_batch() {
            return Err(actual_budget::BudgetError::Unsupported(
                "runBankSync of linked accounts inside batchBudgetUpdates()".into(),
            )
            .into());
        }
        self.check_may_write()?;
        let _other_processes_wait = budget_dir::DataDirLock::acquire(&self.data_dir).await?;
        open.refresh()?;
        let mut transaction = Transaction::begin(&mut *open, "actual_bank_sync")?;
        let errors = self
            .bank_sync_in_transaction(transaction.get_mut(), &job)
            .await?;
        transaction.commit()?;
        Ok(BankSyncOutcome {
            wrote: true,
            error: errors.into_iter().next(),
        })
    }

    /// Upstream's order: SimpleFIN's batch, then the accounts one by one, each
    /// download's changes made before the next request (a later account's start date
    /// reads them).
    async fn bank_sync_in_transaction(
        &self,
        open: &mut OpenBudget,
        job: &bank_sync::BankSyncJob,
    ) -> Result<Vec<bank_sync::AccountError>> {
        let mut clock = actual_sync::load_clock(open.db.conn())?;
        let mut errors = Vec::new();
        if !job.simplefin_batch.is_empty() {
            let body = bank_sync::batch_request(
                &actual_budget::Budget::new(open.db.conn()),
                &job.simplefin_batch,
            )?;
            let reply = self
                .post_bank(&endpoint::SIMPLEFIN_TRANSACTIONS, body, None)
                .await;
            errors.extend(with_writer(open, &mut clock, |w| {
                bank_sync::apply_batch(w, &job.simplefin_batch, &reply)
            })?);
        }
        for target in &job.one_by_one {
            let body =
                bank_sync::single_request(&actual_budget::Budget::new(open.db.conn()), target)?;
            let route = match bank_sync::Provider::of(target) {
                Some(bank_sync::Provider::Pluggy) => &endpoint::PLUGGYAI_TRANSACTIONS,
                Some(bank_sync::Provider::GoCardless) => &endpoint::GOCARDLESS_TRANSACTIONS,
                Some(bank_sync::Provider::EnableBanking) => &endpoint::ENABLEBANKING_TRANSACTIONS,
                Some(bank_sync::Provider::Akahu) => &endpoint::AKAHU_TRANSACTIONS,
                Some(bank_sync::Provider::SimpleFin) | None => &endpoint::SIMPLEFIN_TRANSACTIONS,
            };
            // Upstream names the budget's file to Pluggy.ai, for per-budget credentials.
            let file_id = (route == &endpoint::PLUGGYAI_TRANSACTIONS)
                .then(|| open.meta.text("cloudFileId").map(str::to_string))
                .flatten();
            let reply = self.post_bank(route, body, file_id).await;
            errors.extend(with_writer(open, &mut clock, |w| {
                bank_sync::apply_single(w, target, &reply)
            })?);
        }
        Ok(errors)
    }

    /// One request to the server's bank routes: the reply's `data`, or the reason
    /// upstream's `post` fails with (`PostError`): `network-failure`, `internal` for a
    /// 500, the JSON answer's reason; `None` for one it reads from a text answer.
    async fn post_bank(
        &self,
        endpoint: &'static endpoint::Endpoint,
        body: serde_json::Value,
        file_id: Option<String>,
    ) -> bank_sync::Download {
        let http = self.http().map_err(|_| None)?;
        let mut rb = http
            .request(endpoint, Some(&self.token))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(file_id) = file_id {
            rb = rb.header(FILE_ID_HEADER, file_id);
        }
        let failed = match http
            .send_json::<serde_json::Value>(rb, self.method, list_failed)
            .await
        {
            Ok(data) => return Ok(data),
            Err(e) => e,
        };
        self.log(format!("the bank sync request failed: {failed}"));
        let reply = failed.reply().cloned().unwrap_or_default();
        Err(match (reply.status, reply.reason.as_deref()) {
            (None, _) => Some("network-failure".into()),
            (Some(500), _) => Some("internal".into()),
            (_, Some("unauthorized")) if reply.details.as_deref() == Some("token-not-found") => {
                Some("token-expired".into())
            }
            (_, Some("invalid-response")) => Some("parse-json".into()),
            (_, Some(reason)) => Some(reason.to_string()),
            // `{ status: 'error' }` with neither a description nor a reason.
            (Some(200), None) if reply.unexplained => Some("unknown".into()),
            _ => None,
        })
    }
}

/// Runs `step` with a writer on the open budget's connection (inside the caller's
/// transaction), stamping with `clock`.
fn with_writer<T>(
    open: &OpenBudget,
    clock: &mut actual_sync::Clock,
    step: impl FnOnce(&mut actual_budget::Writer) -> actual_budget::Result<T>,
) -> Result<T> {
    let conn = open.db.conn();
    let mut writer = actual_budget::Writer {
        budget: actual_budget::Budget::new(conn),
        changes: actual_budget::Changes::new(conn, clock),
    };
    Ok(step(&mut writer)?)
}
