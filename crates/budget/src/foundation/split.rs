//! Split transactions as upstream's `shared/transactions.ts` models them: a transaction
//! as a list of rows (the parent, then its children), `makeChild`, `recalculateSplit`,
//! `groupTransaction`, `ungroupTransaction`, and how `replaceTransactions` finds what
//! an edit replaces. Rules (`crate::rules::split`) and the transaction writes
//! (`crate::writes::transactions::edits`) build on this one port.
//!
//! Objects keep JavaScript's key order. A field JavaScript sets to `undefined` keeps
//! its key's place as [`UNDEFINED`] (a later assignment lands where JavaScript puts
//! it); [`drop_undefined`] removes what is left when the object crosses to the
//! database or to JSON, where an `undefined` field is absent.

use std::ops::Range;

use serde_json::{Map, Value};

use super::changes::uuid_v4;
use super::js::{self, json, Obj};

/// A transaction row.
pub type Row = Obj;

/// JavaScript's `undefined` as a value while a split is built.
const UNDEFINED: &str = "\u{0}undefined\u{0}";

/// Whether `v` is [`UNDEFINED`].
pub fn is_undefined(v: &Value) -> bool {
    v.as_str() == Some(UNDEFINED)
}

/// `row[key] = value`, `None` being `undefined` (the key keeps its place).
pub fn set_maybe(row: &mut Row, key: &str, value: Option<&Value>) {
    let v = value.cloned().unwrap_or(Value::String(UNDEFINED.into()));
    row.insert(key.into(), v);
}

/// The keys still `undefined` go.
pub fn drop_undefined(row: &mut Row) {
    row.retain(|_, v| !is_undefined(v));
}

/// `num(n)`: numbers as they are, anything else 0.
pub fn num(v: Option<&Value>) -> f64 {
    v.and_then(Value::as_f64).unwrap_or(0.0)
}

/// `Boolean(row[key])`.
pub fn flag(row: &Row, key: &str) -> bool {
    js::truthy(row.get(key))
}

/// `SplitTransactionError(total, parent)`.
pub fn split_error(total: f64, parent: &Row) -> Value {
    let mut e = Map::new();
    e.insert("type".into(), Value::String("SplitTransactionError".into()));
    e.insert("version".into(), Value::from(1));
    e.insert(
        "difference".into(),
        json::number(num(parent.get("amount")) - total),
    );
    Value::Object(e)
}

/// `x != null ? x : null` of a parent's field.
fn or_null(row: &Row, key: &str) -> Value {
    row.get(key).cloned().unwrap_or(Value::Null)
}

/// `makeChild(parent, data)`; fields the parent lacks are [`UNDEFINED`].
pub fn make_child(parent: &Row, data: &Row) -> Row {
    let mut child = Map::new();
    child.insert("amount".into(), Value::from(0));
    for (k, v) in data {
        child.insert(k.clone(), v.clone());
    }
    let has = |k: &str| data.contains_key(k);
    if !has("category") {
        set_maybe(&mut child, "category", parent.get("category"));
    }
    if !has("payee") {
        set_maybe(&mut child, "payee", parent.get("payee"));
    }
    if !has("id") {
        let prefix = if parent.get("id").and_then(Value::as_str) == Some("temp") {
            "temp"
        } else {
            ""
        };
        child.insert("id".into(), Value::String(format!("{prefix}{}", uuid_v4())));
    }
    set_maybe(&mut child, "account", parent.get("account"));
    set_maybe(&mut child, "date", parent.get("date"));
    for key in ["cleared", "reconciled", "starting_balance_flag"] {
        child.insert(key.into(), or_null(parent, key));
    }
    if !has("sort_order") {
        child.insert("sort_order".into(), or_null(parent, "sort_order"));
    }
    child.insert("is_child".into(), Value::Bool(true));
    set_maybe(&mut child, "parent_id", parent.get("id"));
    child.insert("error".into(), Value::Null);
    child
}

/// `recalculateSplit(t)`: `error` (moved to the end) says by how much the children miss
/// the parent's amount, or is null.
pub fn recalculate_split(mut t: Row) -> Row {
    let total: f64 = match t.get("subtransactions") {
        Some(Value::Array(items)) => items.iter().map(|c| num(c.get("amount"))).sum(),
        _ => 0.0,
    };
    t.shift_remove("error");
    let error = if total == num(t.get("amount")) {
        Value::Null
    } else {
        split_error(total, &t)
    };
    t.insert("error".into(), error);
    t
}

/// `groupTransaction(list)`: `{ ...list[0], subtransactions: list.slice(1) }`.
pub fn group(list: &[Row]) -> Row {
    let mut t = list[0].clone();
    t.insert(
        "subtransactions".into(),
        Value::Array(list[1..].iter().cloned().map(Value::Object).collect()),
    );
    t
}

/// What `ungroupTransaction` made of a transaction.
pub struct Ungrouped {
    /// The parent without `subtransactions`, then the children that are objects.
    pub rows: Vec<Row>,
    /// What was left out: `subtransactions` that are not a list, or not objects
    /// (JavaScript would carry them on as they are).
    pub skipped: Option<&'static str>,
}

/// `ungroupTransaction(t)`.
pub fn ungroup(mut t: Row) -> Ungrouped {
    let subs = t.shift_remove("subtransactions");
    let mut rows = vec![t];
    let mut skipped = None;
    match subs {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::Object(row) => rows.push(row),
                    _ => skipped = Some("subtransactions that are not objects"),
                }
            }
        }
        Some(_) => skipped = Some("subtransactions that are not a list"),
    }
    Ungrouped { rows, skipped }
}

/// Where `replaceTransactions(list, id, …)` edits.
pub enum Target {
    /// The rows `range` of the list, grouped (a whole split, or one simple transaction).
    Rows { range: Range<usize>, grouped: Row },
    /// No row has the id: upstream throws "Tried to edit unknown transaction id".
    Unknown,
    /// A child or parent row with no parent before it.
    NoParent,
}

/// The rows `replaceTransactions` hands its function for `id` (the first row whose id
/// is `===` it, or its whole split).
pub fn target(list: &[Row], id: Option<&Value>) -> Target {
    let Some(idx) = list.iter().position(|t| js::strict_eq(t.get("id"), id)) else {
        return Target::Unknown;
    };
    if !(flag(&list[idx], "is_parent") || flag(&list[idx], "is_child")) {
        return Target::Rows {
            range: idx..idx + 1,
            grouped: list[idx].clone(),
        };
    }
    let Some(parent) = (0..=idx).rev().find(|&i| flag(&list[i], "is_parent")) else {
        return Target::NoParent;
    };
    let end = (parent + 1..list.len())
        .find(|&i| !flag(&list[i], "is_child"))
        .unwrap_or(list.len());
    Target::Rows {
        range: parent..end,
        grouped: group(&list[parent..end]),
    }
}

/// The message upstream throws for an id no row has.
pub fn unknown_id_message(id: Option<&Value>) -> String {
    format!(
        "Tried to edit unknown transaction id: {}",
        js::to_string(id)
    )
}
