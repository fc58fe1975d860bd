//! The bank importer's writes (`server/api.ts`): `importTransactions`,
//! `addTransactions`, `updateTransaction`, `deleteTransaction` and (26.10)
//! `mergeTransactions`.

pub mod balance_query;
pub mod bank_normalize;
pub mod batch;
pub mod batch_state;
pub mod edits;
pub mod merge;
pub mod normalize;
pub mod reconcile;
pub mod title;
pub mod transfer;
pub mod v8_sort;

use serde_json::{json, Value};

use crate::foundation::budget::{Budget, Writer};
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::{self, Obj};
use crate::schema::fields::{from_select, TRANSACTIONS};

use batch::{batch_update, BatchUpdate};
use batch_state::LazyRules;
use normalize::{Normalization, TRANSACTION_ERROR};
use reconcile::ReconcileOptions;

/// The transactions argument, which upstream iterates with `for...of`.
fn transaction_list(args: &Value) -> Result<&[Value]> {
    match args.get("transactions") {
        Some(Value::Array(list)) => Ok(list),
        // A string iterates as its characters, none of which has a date.
        Some(Value::String(s)) if s.is_empty() => Ok(&[]),
        Some(Value::String(_)) => Err(BudgetError::plain(
            "`date` is required when adding a transaction",
        )),
        _ => Err(BudgetError::thrown(
            "TypeError",
            "invalid-argument",
            "transactions is not iterable",
        )),
    }
}

/// `importTransactions(accountId, transactions, opts)`: `api/transactions-import` ->
/// `transactions-import` (`server/accounts/app.ts`) -> `reconcileTransactions`.
pub fn import_transactions(w: &mut Writer, args: &Value) -> Result<Value> {
    let Some(Value::String(account)) = args.get("accountId") else {
        return Err(BudgetError::api(
            "transactions-import: accountId must be an id",
        ));
    };
    let opts = args.get("opts").filter(|o| !o.is_null());
    let opt = |name: &str| opts.and_then(|o| o.get(name));
    let normalization = match js::nullish(opt("payeeNameNormalization"), None) {
        None => Normalization::TitleCase,
        Some(Value::String(s)) if s == "title-case" => Normalization::TitleCase,
        Some(Value::String(s)) if s == "original" => Normalization::Original,
        Some(other) => {
            return Err(BudgetError::api(format!(
                "transactions-import: payeeNameNormalization must be one of original, title-case, got '{}'",
                js::to_string(Some(other))
            )))
        }
    };
    let transactions = transaction_list(args)?;
    let options = ReconcileOptions::import(
        // The handler's `isPreview = false` default is for `undefined` only.
        js::truthy(args.get("isPreview")),
        opt("defaultCleared").cloned().unwrap_or(Value::Bool(true)),
        opt("reimportDeleted").cloned(),
        normalization,
    );
    match reconcile::reconcile(w, account, transactions, options) {
        Ok(r) => Ok(json!({
            "errors": [],
            "added": r.added,
            "updated": r.updated,
            "updatedPreview": r.updated_preview,
        })),
        // A TransactionError is an answer, not a failure.
        Err(BudgetError::Thrown { code, message, .. }) if code == TRANSACTION_ERROR => Ok(json!({
            "errors": [{ "message": message }],
            "added": [],
            "updated": [],
            "updatedPreview": [],
        })),
        Err(e) => Err(e),
    }
}

/// `addTransactions(accountId, transactions, { learnCategories, runTransfers })`:
/// resolves to `'ok'`.
pub fn add_transactions(w: &mut Writer, args: &Value) -> Result<Value> {
    let transactions = transaction_list(args)?;
    reconcile::add(
        w,
        args.get("accountId"),
        transactions,
        js::truthy(args.get("runTransfers")),
        js::truthy(args.get("learnCategories")),
    )?;
    Ok(Value::from("ok"))
}

/// `updateTransaction(id, fields)`. Upstream's handler returns
/// `handlers['transactions-batch-update'](diff)['updated']`, a property of a promise,
/// so it resolves to undefined (and `[]` for an unknown id).
pub fn update_transaction(w: &mut Writer, args: &Value) -> Result<Value> {
    let id = args.get("id").cloned().unwrap_or(Value::Null);
    let transactions = grouped_by_id(&w.budget, &id)?;
    if transactions.is_empty() {
        return Ok(json!([]));
    }
    let mut transaction = Obj::new();
    crate::foundation::js::set(&mut transaction, "id", args.get("id").cloned());
    if let Some(Value::Object(fields)) = args.get("fields") {
        for (k, v) in fields {
            transaction.insert(k.clone(), v.clone());
        }
    }
    let diff = edits::update_diff(&transactions, &transaction)?;
    run_diff(w, diff)?;
    Ok(Value::Null)
}

/// `deleteTransaction(id)`: resolves to undefined as `updateTransaction` does.
pub fn delete_transaction(w: &mut Writer, args: &Value) -> Result<Value> {
    let id = args.get("id").cloned().unwrap_or(Value::Null);
    let transactions = grouped_by_id(&w.budget, &id)?;
    if transactions.is_empty() {
        return Ok(json!([]));
    }
    let diff = edits::delete_diff(&transactions, &id)?;
    run_diff(w, diff)?;
    Ok(Value::Null)
}

/// `transactions-batch-update` with a diff (transfers run, no category learning).
fn run_diff(w: &mut Writer, diff: edits::Diff) -> Result<()> {
    batch_update(
        w,
        &mut LazyRules::new(None),
        BatchUpdate {
            added: diff.added,
            updated: diff.updated,
            deleted: diff.deleted,
            learn_categories: false,
            run_transfers: true,
        },
    )
}

/// `q('transactions').filter({ id }).select('*').options({ splits: 'grouped' })`,
/// ungrouped: the live transaction's whole split (parent first, children in the
/// default order), references to dead rows read as null, rows other than `id`
/// marked `_unmatched`.
fn grouped_by_id(b: &Budget, id: &Value) -> Result<Vec<Obj>> {
    let Value::String(id) = id else {
        return Ok(Vec::new());
    };
    let fields: Vec<String> = TRANSACTIONS
        .fields
        .iter()
        .map(|f| match f.name {
            "account" => "accounts1.id AS account".to_string(),
            "category" => "categories2.id AS category".to_string(),
            "payee" => "payees3.id AS payee".to_string(),
            "schedule" => "schedules4.id AS schedule".to_string(),
            name => format!("t.{name} AS {name}"),
        })
        .collect();
    let sql = format!(
        "WITH matched AS (
           SELECT IFNULL(t.parent_id, t.id) AS group_id FROM v_transactions_internal t
           LEFT JOIN transactions _t2 ON t.is_child = 1 AND _t2.id = t.parent_id
           WHERE t.id = ?1 AND t.tombstone = 0 AND IFNULL(_t2.tombstone, 0) = 0
         )
         SELECT {}, t.parent_id AS _parent_id FROM v_transactions_internal t
         LEFT JOIN accounts accounts1 ON accounts1.id = t.account AND accounts1.tombstone = 0
         LEFT JOIN v_categories categories2 ON categories2.id = t.category AND categories2.tombstone = 0
         LEFT JOIN v_payees payees3 ON payees3.id = t.payee AND payees3.tombstone = 0
         LEFT JOIN v_schedules schedules4 ON schedules4.id = t.schedule AND schedules4.tombstone = 0
         WHERE IFNULL(t.parent_id, t.id) IN (SELECT group_id FROM matched) AND t.tombstone = 0
         ORDER BY t.date desc, t.starting_balance_flag, t.sort_order desc, t.id",
        fields.join(", ")
    );
    let mut stmt = b.conn.prepare(&sql)?;
    let rows: Vec<(Obj, Option<String>)> = stmt
        .query_map([id], |r| {
            let mut t = from_select(&TRANSACTIONS, r)?;
            if t.get("id").and_then(Value::as_str) != Some(id.as_str()) {
                t.insert("_unmatched".into(), Value::Bool(true));
            }
            Ok((t, r.get::<_, Option<String>>("_parent_id")?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // `toGroup`, then `ungroupTransactions`: each parent followed by its children.
    let mut out = Vec::with_capacity(rows.len());
    for (parent, pid) in &rows {
        if pid.is_some() {
            continue;
        }
        out.push(parent.clone());
        let parent_id = parent.get("id").and_then(Value::as_str);
        out.extend(
            rows.iter()
                .filter(|(_, p)| p.as_deref() == parent_id)
                .map(|(c, _)| c.clone()),
        );
    }
    Ok(out)
}
