//! Importing transactions (`server/accounts/sync.ts`): `normalizeTransactions`,
//! `matchTransactions` (an `imported_id` match, then fuzzy matching on amount and a
//! date within 7 days, first by payee, then any), `reconcileTransactions` (matched
//! transactions updated, the rest added, new payees created) and `addTransactions`.
//!
//! Upstream queries per transaction; here the candidates of the whole file are read
//! with one query for imported ids and one for the date window, then picked in
//! memory with upstream's rules, in upstream's order.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Local, NaiveDate, TimeZone};
use rusqlite::types::ValueRef;
use rusqlite::OptionalExtension;
use serde_json::{json, Value};

use crate::foundation::budget::Writer;
use crate::foundation::changes::uuid_v4;
use crate::foundation::dates;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::sqlite::{all_columns, plain};
use crate::foundation::js::{self, Obj};
use crate::rules::Rules;

use super::batch::{batch_update, BatchUpdate};
use super::batch_state::{now_millis, LazyRules, Pending};
use super::edits::make_split_transaction;
use super::normalize::{normalize, Normalization, Payees};
use super::{balance_query, v8_sort};
use crate::foundation::js::set;

/// `TRANSACTION_SORT_INCREMENT` (`server/db/sort.ts`).
const SORT_INCREMENT: f64 = 1024.0;

/// The options of `reconcileTransactions`.
pub struct ReconcileOptions {
    pub is_preview: bool,
    pub default_cleared: Value,
    /// `None` when not given: the account's preference decides.
    pub reimport_deleted: Option<Value>,
    pub normalization: Normalization,
    /// `isBankSyncAccount`: the transactions are a bank-sync download, normalized as
    /// `normalizeBankSyncTransactions` does.
    pub bank_sync: bool,
    /// `strictIdChecking`: a transaction with an imported id fuzzy-matches only
    /// transactions without one.
    pub strict_id_checking: bool,
    /// `updateDates`: a matched transaction takes the imported date.
    pub update_dates: bool,
}

impl ReconcileOptions {
    /// The API's import (`transactions-import`): strict id checking, dates kept.
    pub fn import(
        is_preview: bool,
        default_cleared: Value,
        reimport_deleted: Option<Value>,
        normalization: Normalization,
    ) -> Self {
        ReconcileOptions {
            is_preview,
            default_cleared,
            reimport_deleted,
            normalization,
            bank_sync: false,
            strict_id_checking: true,
            update_dates: false,
        }
    }
}

/// `{ added, updated, updatedPreview }`.
pub struct Reconciled {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub updated_preview: Vec<Value>,
}

/// One transaction after the rules: its fuzzy-matching window (`None` for an
/// Invalid Date).
struct Ruled {
    trans: Obj,
    subtransactions: Option<Vec<Value>>,
    window: Option<(i64, i64)>,
}

/// The RangeError upstream's `subDays` of an Invalid Date throws for the first
/// transaction that needs a window.
fn first_window_error(ruled: &[Ruled], matches: &[Option<Obj>]) -> Option<BudgetError> {
    ruled
        .iter()
        .zip(matches)
        .any(|(r, m)| r.window.is_none() && m.is_none())
        .then(|| BudgetError::thrown("RangeError", "invalid-date", "Invalid time value"))
}

/// One transaction after matching.
struct Step {
    trans: Obj,
    subtransactions: Option<Vec<Value>>,
    matched: Option<Obj>,
    fuzzy: Option<Vec<Obj>>,
}

/// The columns upstream reads for fuzzy matching.
const FUZZY_COLUMNS: &str =
    "id, is_parent, date, imported_id, payee, imported_payee, category, notes, reconciled, cleared, amount";

/// `reconcileTransactions(acctId, transactions, options)`.
pub fn reconcile(
    w: &mut Writer,
    acct_id: &str,
    transactions: &[Value],
    options: ReconcileOptions,
) -> Result<Reconciled> {
    let reimport_deleted = match &options.reimport_deleted {
        Some(v) => js::truthy(Some(v)),
        None => reimport_deleted_preference(w, acct_id)?,
    };
    let mut payees = Payees::load(w)?;
    let acct = Value::from(acct_id);
    let normalized = if options.bank_sync {
        super::bank_normalize::normalize(w, transactions, acct_id, &mut payees)?
    } else {
        normalize(
            transactions,
            Some(&acct),
            options.normalization,
            &mut payees,
        )?
    };
    let rules = Rules::load(&w.budget)?;

    // The first pass: rules, then each transaction's fuzzy-matching window (whose
    // Invalid Date fails only a transaction left unmatched by imported id).
    let mut ruled: Vec<Ruled> = Vec::with_capacity(normalized.len());
    for n in normalized {
        let trans = match balance_query::check(&n.trans).and_then(|()| rules.run_in(w, n.trans)) {
            Ok(t) => t,
            Err(e) => {
                // An earlier transaction's window failed first upstream.
                let matches = imported_id_matches(w, acct_id, reimport_deleted, &ruled)?;
                return Err(first_window_error(&ruled, &matches).unwrap_or(e));
            }
        };
        let window = trans
            .get("date")
            .and_then(dates::parse_date_like)
            .map(|day| {
                (
                    date_int(day - chrono::Duration::days(7)),
                    date_int(day + chrono::Duration::days(7)),
                )
            });
        ruled.push(Ruled {
            trans,
            subtransactions: n.subtransactions,
            window,
        });
    }

    let imported = imported_id_matches(w, acct_id, reimport_deleted, &ruled)?;
    if let Some(e) = first_window_error(&ruled, &imported) {
        return Err(e);
    }
    let candidates = Candidates::load(w, acct_id, &ruled, &imported)?;
    let mut has_matched: HashSet<String> = HashSet::new();
    let mut steps = Vec::with_capacity(ruled.len());
    for (r, matched) in ruled.into_iter().zip(imported) {
        let Ruled {
            trans,
            subtransactions,
            window,
        } = r;
        if let Some(m) = &matched {
            has_matched.insert(js::to_string(m.get("id")));
        }
        let fuzzy = if let (None, Some((from, to))) = (&matched, window) {
            let amount = fuzzy_amount(&trans);
            let has_imported_id =
                options.strict_id_checking && js::truthy(trans.get("imported_id"));
            let mut set = candidates.matching(amount, from, to, has_imported_id);
            sort_by_distance(&mut set, trans.get("date"))?;
            Some(set)
        } else {
            None
        };
        let subtransactions = match trans.get("subtransactions") {
            Some(Value::Array(s)) if js::truthy(trans.get("subtransactions")) => Some(s.clone()),
            _ => subtransactions,
        };
        steps.push(Step {
            trans,
            subtransactions,
            matched,
            fuzzy,
        });
    }
    // Fuzzy matching in two passes: same payee first, then anything left.
    for same_payee in [true, false] {
        for step in &mut steps {
            if step.matched.is_some() {
                continue;
            }
            let Some(set) = &step.fuzzy else { continue };
            let found = set.iter().find(|row| {
                !has_matched.contains(&js::to_string(row.get("id")))
                    && (!same_payee || js::strict_eq(step.trans.get("payee"), row.get("payee")))
            });
            if let Some(row) = found {
                has_matched.insert(js::to_string(row.get("id")));
                step.matched = Some(row.clone());
            }
        }
    }

    finish(w, steps, payees, rules, options)
}

/// The final pass of `reconcileTransactions`: updates of matched transactions,
/// inserts of the others, then the writes.
fn finish(
    w: &mut Writer,
    steps: Vec<Step>,
    payees: Payees,
    rules: Rules,
    options: ReconcileOptions,
) -> Result<Reconciled> {
    let mut updated: Vec<Obj> = Vec::new();
    let mut added: Vec<Obj> = Vec::new();
    let mut preview: Vec<Value> = Vec::new();
    let mut payee_names: HashMap<String, Option<Value>> = HashMap::new();

    for Step {
        trans,
        subtransactions,
        matched,
        ..
    } in steps
    {
        match matched {
            Some(m) if !js::truthy(trans.get("forceAddTransaction")) => {
                if js::truthy(m.get("reconciled")) {
                    preview.push(json!({ "transaction": trans, "ignored": true }));
                    continue;
                }
                let mut existing = m.clone();
                let cleared = m.get("cleared").and_then(Value::as_f64) == Some(1.0);
                existing.insert("cleared".into(), Value::Bool(cleared));
                let date = m
                    .get("date")
                    .and_then(Value::as_i64)
                    .map(dates::from_date_repr);
                set(&mut existing, "date", date.map(Value::String));

                let or_null = |a: Option<&Value>, b: Option<&Value>| {
                    js::or(a, b).cloned().unwrap_or(Value::Null)
                };
                let mut updates = Obj::new();
                updates.insert(
                    "imported_id".into(),
                    or_null(trans.get("imported_id"), None),
                );
                updates.insert(
                    "payee".into(),
                    or_null(existing.get("payee"), trans.get("payee")),
                );
                updates.insert(
                    "category".into(),
                    or_null(existing.get("category"), trans.get("category")),
                );
                updates.insert(
                    "imported_payee".into(),
                    or_null(trans.get("imported_payee"), None),
                );
                updates.insert(
                    "notes".into(),
                    or_null(existing.get("notes"), trans.get("notes")),
                );
                let cleared_update = js::or(existing.get("cleared"), trans.get("cleared"))
                    .filter(|v| js::truthy(Some(v)))
                    .cloned()
                    .unwrap_or(Value::Bool(false));
                updates.insert("cleared".into(), cleared_update);
                let raw = js::nullish(
                    existing.get("raw_synced_data"),
                    js::nullish(trans.get("raw_synced_data"), None),
                )
                .cloned()
                .unwrap_or(Value::Null);
                updates.insert("raw_synced_data".into(), raw);
                let new_date = trans
                    .get("date")
                    .filter(|d| options.update_dates && js::truthy(Some(d)));
                if let Some(date) = new_date {
                    updates.insert("date".into(), date.clone());
                }

                let skip_raw = !js::truthy(existing.get("raw_synced_data"))
                    && !js::truthy(trans.get("raw_synced_data"));
                let changed = updates
                    .iter()
                    .filter(|(k, _)| !(skip_raw && k.as_str() == "raw_synced_data"))
                    .any(|(k, v)| !js::strict_eq(existing.get(k), Some(v)));

                let existing_id = existing.get("id").cloned().unwrap_or(Value::Null);
                if changed {
                    let mut update = Obj::new();
                    update.insert("id".into(), existing_id.clone());
                    update.extend(updates.clone());
                    updated.push(update);
                    let payee_key = js::to_string(existing.get("payee"));
                    if !payee_names.contains_key(&payee_key) {
                        let name = payee_name(w, existing.get("payee"))?;
                        payee_names.insert(payee_key.clone(), name);
                    }
                    set(&mut existing, "payee_name", payee_names[&payee_key].clone());
                    let amount = existing
                        .get("amount")
                        .and_then(Value::as_f64)
                        .unwrap_or(f64::NAN);
                    existing.insert("amount".into(), js::number(amount / 100.0));
                    preview.push(json!({ "transaction": trans, "existing": existing }));
                } else {
                    preview.push(json!({ "transaction": trans, "ignored": true }));
                }

                let cleared_updated =
                    !js::strict_eq(existing.get("cleared"), updates.get("cleared"));
                let date_updated =
                    new_date.is_some_and(|d| !js::strict_eq(existing.get("date"), Some(d)));
                if js::truthy(existing.get("is_parent")) && (cleared_updated || date_updated) {
                    for child in child_ids(w, &existing_id)? {
                        let mut update = Obj::new();
                        update.insert("id".into(), Value::from(child));
                        if cleared_updated {
                            update.insert("cleared".into(), updates["cleared"].clone());
                        }
                        if let Some(date) = new_date.filter(|_| date_updated) {
                            update.insert("date".into(), date.clone());
                        }
                        updated.push(update);
                    }
                }
            }
            _ if js::truthy(trans.get("tombstone")) => {
                if options.is_preview {
                    preview.push(
                        json!({ "transaction": trans, "existing": false, "tombstone": true }),
                    );
                }
            }
            _ => {
                let category = js::or(trans.get("category"), None)
                    .cloned()
                    .unwrap_or(Value::Null);
                let cleared = js::nullish(trans.get("cleared"), Some(&options.default_cleared))
                    .cloned()
                    .unwrap_or(Value::Null);
                let mut new = trans;
                new.shift_remove("forceAddTransaction");
                new.insert("id".into(), Value::from(uuid_v4()));
                new.insert("category".into(), category);
                new.insert("cleared".into(), cleared);
                match subtransactions.filter(|s| !s.is_empty()) {
                    Some(subs) => added.extend(make_split_transaction(&new, &subs)),
                    None => added.push(new),
                }
            }
        }
    }

    assign_sort_orders(&mut added);
    let result = Reconciled {
        added: added.iter().map(|t| js::to_string(t.get("id"))).collect(),
        updated: updated.iter().map(|t| js::to_string(t.get("id"))).collect(),
        updated_preview: preview,
    };
    if !options.is_preview {
        let mut pending = Pending::default();
        let used: Vec<&Obj> = added.iter().chain(&updated).collect();
        payees.create_used(&mut pending, &used);
        pending.apply(w)?;
        batch_update(
            w,
            &mut LazyRules::new(Some(rules)),
            BatchUpdate {
                added,
                updated,
                run_transfers: true,
                ..BatchUpdate::default()
            },
        )?;
    }
    Ok(result)
}

/// `t.sort_order ??= now - index * TRANSACTION_SORT_INCREMENT`: the file's order kept
/// (children count in the index).
fn assign_sort_orders(added: &mut [Obj]) {
    let now = now_millis();
    for (index, t) in added.iter_mut().enumerate() {
        if t.get("sort_order").is_none_or(Value::is_null) {
            t.insert(
                "sort_order".into(),
                js::number(now - index as f64 * SORT_INCREMENT),
            );
        }
    }
}

/// `addTransactions(acctId, transactions, { runTransfers, learnCategories })`.
pub fn add(
    w: &mut Writer,
    acct_id: Option<&Value>,
    transactions: &[Value],
    run_transfers: bool,
    learn_categories: bool,
) -> Result<()> {
    let mut payees = Payees::load(w)?;
    let normalized = normalize(transactions, acct_id, Normalization::Original, &mut payees)?;
    let rules = Rules::load(&w.budget)?;
    let mut added = Vec::new();
    for n in normalized {
        balance_query::check(&n.trans)?;
        let trans = rules.run_in(w, n.trans)?;
        let mut last = Obj::new();
        last.insert("id".into(), Value::from(uuid_v4()));
        let mut fin = crate::foundation::js::spread(&last, &trans);
        set(&mut fin, "account", acct_id.cloned());
        let cleared = trans
            .get("cleared")
            .filter(|c| !c.is_null())
            .cloned()
            .unwrap_or(Value::Bool(true));
        fin.insert("cleared".into(), cleared);
        let subs = match fin.get("subtransactions") {
            Some(v @ Value::Array(_)) if js::truthy(Some(v)) => v.as_array().cloned(),
            Some(v) if js::truthy(Some(v)) => {
                return Err(BudgetError::Unsupported(
                    "subtransactions that are not an array".into(),
                ))
            }
            _ => n.subtransactions,
        };
        match subs.filter(|s| !s.is_empty()) {
            Some(subs) => added.extend(make_split_transaction(&fin, &subs)),
            None => added.push(fin),
        }
    }
    let mut pending = Pending::default();
    let used: Vec<&Obj> = added.iter().collect();
    payees.create_used(&mut pending, &used);
    pending.apply(w)?;
    assign_sort_orders(&mut added);
    if run_transfers || learn_categories {
        batch_update(
            w,
            &mut LazyRules::new(Some(rules)),
            BatchUpdate {
                added,
                learn_categories,
                run_transfers,
                ..BatchUpdate::default()
            },
        )
    } else {
        let mut pending = Pending::default();
        let now = now_millis();
        for t in &added {
            pending.insert_transaction(t, now)?;
        }
        pending.apply(w)
    }
}

/// `sync-reimport-deleted-<account>`, true unless it says otherwise.
fn reimport_deleted_preference(w: &Writer, acct_id: &str) -> Result<bool> {
    let value: Option<Value> = w
        .budget
        .conn
        .query_row(
            "SELECT value FROM preferences WHERE id = ?",
            [format!("sync-reimport-deleted-{acct_id}")],
            |r| Ok(plain(r.get_ref(0)?)),
        )
        .optional()?;
    Ok(match value {
        None | Some(Value::Null) => true,
        Some(v) => js::to_string(Some(&v)) == "true",
    })
}

/// The transactions whose `imported_id` matches each transaction's (the first row
/// of upstream's `SELECT * FROM <view> WHERE imported_id = ? AND account = ?`).
fn imported_id_matches(
    w: &Writer,
    acct_id: &str,
    reimport_deleted: bool,
    ruled: &[Ruled],
) -> Result<Vec<Option<Obj>>> {
    let view = if reimport_deleted {
        "v_transactions"
    } else {
        "v_transactions_internal"
    };
    let wanted: Vec<String> = ruled
        .iter()
        .filter_map(|r| match r.trans.get("imported_id") {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        })
        .collect();
    let mut by_id: HashMap<String, Vec<Obj>> = HashMap::new();
    if !wanted.is_empty() {
        // The account's transactions with those imported ids (through the index on
        // `acct`), then the view's rows of them, which upstream's query reads.
        let list = serde_json::to_string(&wanted).expect("strings serialize");
        let ids: Vec<String> = {
            let mut stmt = w.budget.conn.prepare_cached(
                "SELECT id FROM transactions WHERE acct = ? AND financial_id IN (SELECT value FROM json_each(?))",
            )?;
            let rows = stmt.query_map(rusqlite::params![acct_id, list], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if !ids.is_empty() {
            // `+account`: found by id, not by scanning the account.
            let sql = format!(
                "SELECT * FROM {view} WHERE id IN (SELECT value FROM json_each(?1)) AND +account = ?2 AND imported_id IN (SELECT value FROM json_each(?3))"
            );
            let mut stmt = w.budget.conn.prepare(&sql)?;
            let id_list = serde_json::to_string(&ids).expect("strings serialize");
            let mut rows = stmt.query(rusqlite::params![id_list, acct_id, list])?;
            while let Some(r) = rows.next()? {
                let row = all_columns(r)?;
                let key = js::to_string(row.get("imported_id"));
                by_id.entry(key).or_default().push(row);
            }
        }
    }
    let exact = format!("SELECT * FROM {view} WHERE imported_id = ? AND account = ?");
    let mut out = Vec::with_capacity(ruled.len());
    for r in ruled {
        let found = match r.trans.get("imported_id") {
            Some(Value::String(s)) if !s.is_empty() => match by_id.get(s) {
                None => None,
                Some(rows) if rows.len() == 1 => Some(rows[0].clone()),
                // Several: the one upstream's own query finds first.
                Some(_) => first_row(w, &exact, &Value::String(s.clone()), acct_id)?,
            },
            Some(v) if js::truthy(Some(v)) => first_row(w, &exact, v, acct_id)?,
            _ => None,
        };
        out.push(found);
    }
    Ok(out)
}

fn first_row(w: &Writer, sql: &str, imported_id: &Value, acct_id: &str) -> Result<Option<Obj>> {
    let param: rusqlite::types::Value = match imported_id {
        Value::String(s) => s.clone().into(),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN).into(),
        Value::Bool(b) => i64::from(*b).into(),
        _ => {
            return Err(BudgetError::Unsupported(
                "an imported_id that is not a string or number".into(),
            ))
        }
    };
    let mut stmt = w.budget.conn.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params![param, acct_id])?;
    Ok(match rows.next()? {
        Some(r) => Some(all_columns(r)?),
        None => None,
    })
}

/// Fuzzy-matching candidates: the account's live transactions in the dates and
/// amounts of the transactions left unmatched, in `v_transactions`' order, with the
/// columns upstream reads.
struct Candidates {
    rows: Vec<Obj>,
    /// Row indexes by amount (`f64` bits), in order.
    by_amount: HashMap<u64, Vec<usize>>,
}

impl Candidates {
    fn load(
        w: &Writer,
        acct_id: &str,
        ruled: &[Ruled],
        imported: &[Option<Obj>],
    ) -> Result<Candidates> {
        let unmatched: Vec<(f64, (i64, i64))> = ruled
            .iter()
            .zip(imported)
            .filter(|(_, m)| m.is_none())
            .filter_map(|(r, _)| r.window.map(|w| (fuzzy_amount(&r.trans), w)))
            .collect();
        let mut out = Candidates {
            rows: Vec::new(),
            by_amount: HashMap::new(),
        };
        let Some((from, to)) = unmatched
            .iter()
            .map(|(_, w)| *w)
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
        else {
            return Ok(out);
        };
        let amounts: Vec<f64> = unmatched.iter().map(|(a, _)| *a).collect();
        let sql = format!(
            "SELECT {FUZZY_COLUMNS} FROM v_transactions
             WHERE date >= ? AND date <= ? AND account = ? AND amount IN (SELECT value FROM json_each(?))"
        );
        let mut stmt = w.budget.conn.prepare_cached(&sql)?;
        let list = serde_json::to_string(&amounts).expect("numbers serialize");
        let rows = stmt.query_map(rusqlite::params![from, to, acct_id, list], all_columns)?;
        for row in rows {
            let row = row?;
            let amount = row
                .get("amount")
                .and_then(Value::as_f64)
                .unwrap_or(f64::NAN);
            out.by_amount
                .entry(amount_key(amount))
                .or_default()
                .push(out.rows.len());
            out.rows.push(row);
        }
        Ok(out)
    }

    /// upstream's query for one transaction: `date >= from AND date <= to AND amount =
    /// ?`, and with an imported id only candidates without one.
    fn matching(&self, amount: f64, from: i64, to: i64, has_imported_id: bool) -> Vec<Obj> {
        let Some(indexes) = self.by_amount.get(&amount_key(amount)) else {
            return Vec::new();
        };
        indexes
            .iter()
            .map(|&i| &self.rows[i])
            .filter(|c| {
                let date = c.get("date").and_then(Value::as_i64).unwrap_or(i64::MIN);
                date >= from
                    && date <= to
                    && (!has_imported_id || c.get("imported_id").is_none_or(Value::is_null))
            })
            .cloned()
            .collect()
    }
}

/// An amount as a map key (`0 === -0`).
fn amount_key(amount: f64) -> u64 {
    if amount == 0.0 {
        0
    } else {
        amount.to_bits()
    }
}

/// `trans.amount || 0`.
fn fuzzy_amount(trans: &Obj) -> f64 {
    js::or(trans.get("amount"), None)
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
}

/// `toDateRepr(dayFromDate(day))`.
fn date_int(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 10_000 + i64::from(day.month()) * 100 + i64::from(day.day())
}

/// date-fns `parseISO` of a `YYYY-MM-DD` string: local midnight in milliseconds,
/// NaN for an impossible day or any other form.
fn parse_iso_day(s: &str) -> f64 {
    if !crate::schema::fields::is_day_string(s) {
        return f64::NAN;
    }
    let (y, m, d) = (&s[0..4], &s[5..7], &s[8..10]);
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return f64::NAN;
    };
    let Some(day) = NaiveDate::from_ymd_opt(y, m, d) else {
        return f64::NAN;
    };
    local_midnight_millis(day)
}

/// Local midnight of a day, as JavaScript's `setHours(0, 0, 0, 0)` gives it: the
/// earlier of two, or the first moment after a gap.
fn local_midnight_millis(day: NaiveDate) -> f64 {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    match Local.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) => t.timestamp_millis() as f64,
        chrono::LocalResult::Ambiguous(a, _) => a.timestamp_millis() as f64,
        chrono::LocalResult::None => {
            // In a gap: the clock before it, carried past the gap.
            let before = midnight - chrono::Duration::hours(3);
            let offset = Local
                .from_local_datetime(&before)
                .earliest()
                .map(|t| *t.offset());
            match offset {
                Some(o) => (midnight - chrono::Duration::seconds(i64::from(o.local_minus_utc())))
                    .and_utc()
                    .timestamp_millis() as f64,
                None => f64::NAN,
            }
        }
    }
}

/// Upstream's sort of the candidates by distance from the transaction's date
/// (`aDistance > bDistance ? 1 : -1`, with V8's sort).
fn sort_by_distance(set: &mut [Obj], date: Option<&Value>) -> Result<()> {
    if set.len() < 2 {
        return Ok(());
    }
    let target = match date {
        Some(Value::String(s)) => parse_iso_day(s),
        _ => {
            return Err(BudgetError::Unsupported(
                "fuzzy matching a transaction date that is not a string".into(),
            ))
        }
    };
    let mut keyed: Vec<(f64, Obj)> = set
        .iter()
        .map(|c| {
            let day = match c.get("date").and_then(Value::as_i64) {
                Some(n) => parse_iso_day(&dates::from_date_repr(n)),
                None => f64::NAN,
            };
            ((target - day).abs(), c.clone())
        })
        .collect();
    v8_sort::sort(&mut keyed, |a, b| if a.0 > b.0 { 1.0 } else { -1.0 });
    for (slot, (_, c)) in set.iter_mut().zip(keyed) {
        *slot = c;
    }
    Ok(())
}

/// `db.getPayee(id)?.name`: `None` (undefined) when there is no such payee.
fn payee_name(w: &Writer, id: Option<&Value>) -> Result<Option<Value>> {
    let Some(id) = id.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let mut stmt = w
        .budget
        .conn
        .prepare_cached("SELECT name FROM payees WHERE id = ?")?;
    let mut rows = stmt.query([js::to_string(Some(id))])?;
    Ok(match rows.next()? {
        Some(r) => Some(plain(r.get_ref(0)?)),
        None => None,
    })
}

/// `SELECT id FROM v_transactions WHERE parent_id = ?`.
fn child_ids(w: &Writer, parent: &Value) -> Result<Vec<String>> {
    let mut stmt = w
        .budget
        .conn
        .prepare_cached("SELECT id FROM v_transactions WHERE parent_id = ?")?;
    let rows = stmt.query_map([js::to_string(Some(parent))], |r| {
        Ok(match r.get_ref(0)? {
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            other => js::to_string(Some(&plain(other))),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_days_reject_impossible_dates() {
        assert!(parse_iso_day("2024-02-30").is_nan());
        assert!(parse_iso_day("2024-1-05").is_nan());
        let a = parse_iso_day("2024-02-28");
        let b = parse_iso_day("2024-02-29");
        assert!((b - a - 86_400_000.0).abs() <= 3_600_000.0);
    }
}
