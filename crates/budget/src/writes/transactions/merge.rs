//! `mergeTransactions(ids)` (`@actual-app/api` 26.10): `api/transactions-merge` hands
//! `ids.map(id => ({ id }))` to the `transactions-merge` handler
//! (`server/transactions/merge.ts`, `shared/merge.ts`). Two transactions of one
//! account and one amount become one: the kept one takes the other's payee, category,
//! notes, flags and schedule where it has none, adopts its split children when it has
//! none itself, and the other is deleted as `deleteTransaction` deletes; transfers are
//! relinked (their counterparts merged too when both are transfers). Resolves to the
//! kept transaction's id.
//!
//! Upstream applies each update as it makes it (no batch), so every step reads what
//! the steps before wrote; here the same, inside the call's one transaction. Upstream
//! can fail half way (a transfer counterpart that does not validate); here such a call
//! changes nothing.

use serde_json::Value;

use crate::foundation::budget::{Budget, Writer};
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::{self, Obj};
use crate::schema::fields::{from_select, TRANSACTIONS};
use crate::writes::{query_param, sql_value};

/// `db.getTransaction`'s query.
const GET_TRANSACTION: &str = "SELECT * FROM v_transactions WHERE id = ?";

/// `mergeTransactions(ids)`.
pub fn merge_transactions(w: &mut Writer, args: &Value) -> Result<Value> {
    let (a_id, b_id) = transaction_ids(args.get("ids"))?;
    let a = get_transaction(&w.budget, &a_id)?;
    let b = get_transaction(&w.budget, &b_id)?;
    let (a, b) = valid_for_merge(a, b)?;
    let a_transfer = truthy_field(&a, "transfer_id");
    let b_transfer = truthy_field(&b, "transfer_id");
    if a_transfer.is_none() && b_transfer.is_none() {
        return merge_no_transfer(w, &a, &b).map(Value::String);
    }
    let transfer_account = field(if a_transfer.is_some() { &a } else { &b }, "payee");

    // Unlinked first, so that no delete below reaches into the other account.
    for id in [
        Some(str_field(&a, "id")),
        Some(str_field(&b, "id")),
        a_transfer.clone(),
        b_transfer.clone(),
    ]
    .into_iter()
    .flatten()
    {
        update(w, &id, [("transfer_id", Value::Null)])?;
    }
    let transfer_id = merge_transfers(w, a_transfer.clone(), b_transfer.clone())?;
    let kept = merge_no_transfer(w, &a, &b)?;
    if let Some(transfer_id) = &transfer_id {
        update(
            w,
            &kept,
            [
                ("transfer_id", Value::String(transfer_id.clone())),
                ("payee", transfer_account.clone()),
            ],
        )?;
        update(
            w,
            transfer_id,
            [("transfer_id", Value::String(kept.clone()))],
        )?;
    }

    // A transfer between two on-budget accounts has no category; one to an off-budget
    // account keeps the category the merge gave it.
    if js::truthy(Some(&transfer_account)) && !(a_transfer.is_some() && b_transfer.is_some()) {
        let payee_account = raw_column(&w.budget, "payees", &transfer_account, "transfer_acct")?;
        let account_id = match payee_account {
            Some(Value::Null) | None => Value::String(String::new()),
            Some(v) => v,
        };
        if let Some(offbudget) = raw_column(&w.budget, "accounts", &account_id, "offbudget")? {
            if !js::truthy(Some(&offbudget)) {
                update(w, &kept, [("category", Value::Null)])?;
            }
        }
    }
    Ok(Value::String(kept))
}

/// The two ids: `ids.map(id => ({ id }))`, then the truthy ones, which must be two.
fn transaction_ids(ids: Option<&Value>) -> Result<(Value, Value)> {
    let list = match ids {
        Some(Value::Array(list)) => list,
        None | Some(Value::Null) => {
            return Err(js::type_error(format!(
                "Cannot read properties of {} (reading 'map')",
                js::to_string(ids)
            )))
        }
        Some(_) => return Err(js::type_error("ids.map is not a function")),
    };
    let truthy: Vec<&Value> = list.iter().filter(|id| js::truthy(Some(id))).collect();
    match truthy.as_slice() {
        [a, b] => Ok(((*a).clone(), (*b).clone())),
        _ => {
            let objects: Vec<Value> = list
                .iter()
                .map(|id| serde_json::json!({ "id": id }))
                .collect();
            Err(BudgetError::plain(format!(
                "Merging is only possible with 2 transactions, but found {}",
                js::stringify(&Value::Array(objects), false)
            )))
        }
    }
}

/// `db.getTransaction(id)`: the live row of `v_transactions` in public shape.
fn get_transaction(b: &Budget, id: &Value) -> Result<Option<Obj>> {
    let id = sql_value(query_param(Some(id), GET_TRANSACTION)?);
    let mut stmt = b.conn.prepare_cached(GET_TRANSACTION)?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => Ok(Some(from_select(&TRANSACTIONS, r)?)),
        None => Ok(None),
    }
}

/// `validForMergeExplanation(a, b)`, thrown as upstream's `mapAndValidateTransactions`
/// throws it.
fn valid_for_merge(a: Option<Obj>, b: Option<Obj>) -> Result<(Obj, Obj)> {
    let (Some(a), Some(b)) = (a, b) else {
        return Err(BudgetError::plain(
            "One of the provided transactions does not exist",
        ));
    };
    let same = |key: &str| js::strict_eq(a.get(key), b.get(key));
    if !same("account") {
        return Err(BudgetError::plain(
            "Cannot merge transactions from different accounts",
        ));
    }
    if !same("amount") {
        return Err(BudgetError::plain(
            "Cannot merge transactions with different amounts",
        ));
    }
    if js::truthy(a.get("transfer_id")) && js::truthy(b.get("transfer_id")) && !same("payee") {
        return Err(BudgetError::plain(
            "Cannot merge transfers to different accounts",
        ));
    }
    Ok((a, b))
}

/// `mergeTransfers`: the counterpart that stays linked (both merged when there are two).
fn merge_transfers(w: &mut Writer, a: Option<String>, b: Option<String>) -> Result<Option<String>> {
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (a, b) => return Ok(a.or(b)),
    };
    let at = get_transaction(&w.budget, &Value::String(a))?;
    let bt = get_transaction(&w.budget, &Value::String(b))?;
    let (at, bt) = valid_for_merge(at, bt)?;
    for t in [&at, &bt] {
        update(w, &str_field(t, "id"), [("transfer_id", Value::Null)])?;
    }
    merge_no_transfer(w, &at, &bt).map(Some)
}

/// `mergeTransactionsNoTransfer(a, b)`: the kept transaction's id.
fn merge_no_transfer(w: &mut Writer, a: &Obj, b: &Obj) -> Result<String> {
    let (keep, drop) = keep_and_drop(a, b);
    let keep_id = str_field(keep, "id");
    let drop_id = str_field(drop, "id");
    let mut parents = Vec::new();
    if js::truthy(keep.get("is_parent")) {
        parents.push(keep_id.clone());
    }
    if js::truthy(drop.get("is_parent")) {
        parents.push(drop_id.clone());
    }
    let children = children_of(&w.budget, &parents)?;
    let keep_has_children = children.iter().any(|(_, p)| *p == keep_id);
    // Rows of both parents when keep and drop are one row: they count as keep's.
    let drop_children: Vec<&String> = children
        .iter()
        .filter(|(_, p)| *p != keep_id && *p == drop_id)
        .map(|(id, _)| id)
        .collect();

    let either = |key: &str| {
        js::or(keep.get(key), drop.get(key))
            .cloned()
            .unwrap_or(Value::Null)
    };
    if !keep_has_children && !drop_children.is_empty() {
        for child in drop_children {
            update(w, child, [("parent_id", Value::String(keep_id.clone()))])?;
        }
        update(
            w,
            &keep_id,
            [
                ("is_parent", Value::Bool(true)),
                ("category", Value::Null),
                ("payee", either("payee")),
                ("notes", either("notes")),
                ("cleared", either("cleared")),
                ("reconciled", either("reconciled")),
                ("schedule", either("schedule")),
            ],
        )?;
    } else {
        update(
            w,
            &keep_id,
            [
                ("payee", either("payee")),
                ("category", either("category")),
                ("notes", either("notes")),
                ("cleared", either("cleared")),
                ("reconciled", either("reconciled")),
                ("schedule", either("schedule")),
            ],
        )?;
    }

    // Deleted as `deleteTransaction` deletes (a parent with its children, a child
    // out of its split).
    super::delete_transaction(w, &serde_json::json!({ "id": drop_id }))?;
    Ok(keep_id)
}

/// `determineKeepDrop`: the imported transaction (by `imported_id`, then by
/// `imported_payee`), else the earlier one, else `b`.
fn keep_and_drop<'t>(a: &'t Obj, b: &'t Obj) -> (&'t Obj, &'t Obj) {
    for key in ["imported_id", "imported_payee"] {
        match (js::truthy(a.get(key)), js::truthy(b.get(key))) {
            (false, true) => return (b, a),
            (true, false) => return (a, b),
            _ => {}
        }
    }
    // `a.date.localeCompare(b.date) < 0`: dates are `YYYY-MM-DD`, which sort as text.
    let date = |t: &Obj| js::to_string(t.get("date"));
    if date(a) < date(b) {
        (a, b)
    } else {
        (b, a)
    }
}

/// `SELECT * FROM v_transactions WHERE parent_id IN (...)`: (id, parent id) of the
/// live children, in the view's order.
fn children_of(b: &Budget, parents: &[String]) -> Result<Vec<(String, String)>> {
    if parents.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, parent_id FROM v_transactions WHERE parent_id IN ({})",
        vec!["?"; parents.len()].join(", ")
    );
    let mut stmt = b.conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(parents), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// `db.updateTransaction({ id, ...fields })`: its messages applied at once.
fn update<const N: usize>(w: &mut Writer, id: &str, fields: [(&str, Value); N]) -> Result<()> {
    let mut obj = Obj::new();
    obj.insert("id".into(), Value::String(id.to_string()));
    for (key, value) in fields {
        obj.insert(key.to_string(), value);
    }
    let cells = TRANSACTIONS.convert_for_update(&obj)?;
    w.changes.update("transactions", id, cells)
}

/// `SELECT * FROM <table> WHERE id = ?` (dead rows too): `column` of the row, `None`
/// when there is no row.
fn raw_column(b: &Budget, table: &str, id: &Value, column: &str) -> Result<Option<Value>> {
    let sql = format!("SELECT {column} FROM {table} WHERE id = ?");
    let id = sql_value(query_param(Some(id), &sql)?);
    let mut stmt = b.conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => Ok(Some(crate::foundation::js::sqlite::plain(r.get_ref(0)?))),
        None => Ok(None),
    }
}

fn field(t: &Obj, key: &str) -> Value {
    t.get(key).cloned().unwrap_or(Value::Null)
}

fn str_field(t: &Obj, key: &str) -> String {
    js::to_string(t.get(key))
}

/// A field that upstream tests for truthiness and then uses as an id.
fn truthy_field(t: &Obj, key: &str) -> Option<String> {
    js::truthy(t.get(key)).then(|| str_field(t, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Obj {
        v.as_object().unwrap().clone()
    }

    fn kept(a: Value, b: Value) -> Value {
        let (a, b) = (obj(a), obj(b));
        keep_and_drop(&a, &b).0["id"].clone()
    }

    #[test]
    fn the_imported_transaction_is_kept_then_the_earlier_one_then_b() {
        let manual =
            json!({"id": "m", "date": "2026-01-01", "imported_id": null, "imported_payee": null});
        let imported = json!({"id": "i", "date": "2026-01-09", "imported_id": "bank-1", "imported_payee": null});
        assert_eq!(kept(manual.clone(), imported.clone()), "i");
        assert_eq!(kept(imported.clone(), manual.clone()), "i");
        // An empty imported id is no imported id.
        let empty =
            json!({"id": "e", "date": "2026-01-09", "imported_id": "", "imported_payee": "Shop"});
        assert_eq!(
            kept(manual.clone(), empty.clone()),
            "e",
            "imported_payee decides"
        );
        let early =
            json!({"id": "x", "date": "2026-01-02", "imported_id": null, "imported_payee": null});
        assert_eq!(kept(early.clone(), manual.clone()), "m");
        assert_eq!(kept(manual.clone(), early.clone()), "m");
        let twin =
            json!({"id": "t", "date": "2026-01-01", "imported_id": null, "imported_payee": null});
        assert_eq!(kept(manual, twin), "t", "on the same day b is kept");
    }

    #[test]
    fn ids_are_checked_as_upstream_checks_them() {
        let err = |ids: Value| transaction_ids(Some(&ids)).unwrap_err().to_string();
        assert_eq!(
            err(json!(["a"])),
            r#"Merging is only possible with 2 transactions, but found [{"id":"a"}]"#
        );
        assert_eq!(
            err(json!(["a", "b", "c"])),
            r#"Merging is only possible with 2 transactions, but found [{"id":"a"},{"id":"b"},{"id":"c"}]"#
        );
        assert_eq!(
            err(json!(["a", null])),
            r#"Merging is only possible with 2 transactions, but found [{"id":"a"},{"id":null}]"#
        );
        assert_eq!(err(json!("ab")), "ids.map is not a function");
        assert_eq!(
            transaction_ids(None).unwrap_err().to_string(),
            "Cannot read properties of undefined (reading 'map')"
        );
        // Falsy ids are left out before counting.
        let (a, b) = transaction_ids(Some(&json!(["a", "", 0, "b"]))).unwrap();
        assert_eq!((a, b), (json!("a"), json!("b")));
    }

    #[test]
    fn merges_are_refused_in_upstreams_order_and_words() {
        let t = |account: &str, amount: i64, transfer: Value, payee: &str| {
            Some(obj(
                json!({"account": account, "amount": amount, "transfer_id": transfer, "payee": payee}),
            ))
        };
        let msg = |a, b| valid_for_merge(a, b).unwrap_err().to_string();
        assert_eq!(
            msg(None, t("x", 1, Value::Null, "p")),
            "One of the provided transactions does not exist"
        );
        assert_eq!(
            msg(t("x", 1, Value::Null, "p"), t("y", 2, Value::Null, "p")),
            "Cannot merge transactions from different accounts"
        );
        assert_eq!(
            msg(t("x", 1, Value::Null, "p"), t("x", 2, Value::Null, "p")),
            "Cannot merge transactions with different amounts"
        );
        assert_eq!(
            msg(t("x", 1, json!("t1"), "p"), t("x", 1, json!("t2"), "q")),
            "Cannot merge transfers to different accounts"
        );
        assert!(valid_for_merge(t("x", 1, json!("t1"), "p"), t("x", 1, Value::Null, "q")).is_ok());
    }
}
