//! The split-transaction helpers rules use (`shared/transactions.ts`): a transaction as
//! a list of rows (the parent, then its children), `makeChild`, `splitTransaction`,
//! `addSplitTransaction`, `groupTransaction`, `recalculateSplit`. Objects keep
//! JavaScript's key order: spreading keeps a key where it first appeared.

use serde_json::{Map, Value};

use super::error::RuleError;
use crate::foundation::changes::uuid_v4;
use crate::foundation::js;
use crate::foundation::js::json;

pub type Row = Map<String, Value>;

/// `num(n)`: numbers as they are, anything else 0.
fn num(v: Option<&Value>) -> f64 {
    v.and_then(Value::as_f64).unwrap_or(0.0)
}

fn flag(row: &Row, key: &str) -> bool {
    row.get(key).is_some_and(js::is_truthy)
}

/// `SplitTransactionError(total, parent)`.
fn split_error(total: f64, parent: &Row) -> Value {
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

/// `makeChild(parent, data)`.
pub fn make_child(parent: &Row, data: Row) -> Row {
    let mut child = Map::new();
    child.insert("amount".into(), Value::from(0));
    let has = |k: &str| data.contains_key(k);
    let (has_category, has_payee, has_id, has_sort) =
        (has("category"), has("payee"), has("id"), has("sort_order"));
    for (k, v) in data {
        child.insert(k, v);
    }
    if !has_category {
        insert_defined(&mut child, "category", parent.get("category"));
    }
    if !has_payee {
        insert_defined(&mut child, "payee", parent.get("payee"));
    }
    if !has_id {
        let prefix = if parent.get("id").and_then(Value::as_str) == Some("temp") {
            "temp"
        } else {
            ""
        };
        child.insert("id".into(), Value::String(format!("{prefix}{}", uuid_v4())));
    }
    insert_defined(&mut child, "account", parent.get("account"));
    insert_defined(&mut child, "date", parent.get("date"));
    for key in ["cleared", "reconciled", "starting_balance_flag"] {
        child.insert(key.into(), or_null(parent, key));
    }
    if !has_sort {
        child.insert("sort_order".into(), or_null(parent, "sort_order"));
    }
    child.insert("is_child".into(), Value::Bool(true));
    insert_defined(&mut child, "parent_id", parent.get("id"));
    child.insert("error".into(), Value::Null);
    child
}

/// Stands for JavaScript's `undefined` as a value while a split is built: the key keeps
/// its place (a later action may set it), and [`drop_undefined`] removes what is left.
const UNDEFINED: &str = "\u{0}undefined\u{0}";

fn is_undefined(v: &Value) -> bool {
    v.as_str() == Some(UNDEFINED)
}

/// Sets `key` to a value that may be `undefined` (`None`).
fn insert_defined(row: &mut Row, key: &str, value: Option<&Value>) {
    let v = value.cloned().unwrap_or(Value::String(UNDEFINED.into()));
    row.insert(key.into(), v);
}

/// The keys of the parts still `undefined` go (JSON leaves them out).
pub fn drop_undefined(t: &mut Row) {
    if let Some(Value::Array(parts)) = t.get_mut("subtransactions") {
        for part in parts.iter_mut().filter_map(Value::as_object_mut) {
            part.retain(|_, v| !is_undefined(v));
        }
    }
}

/// `ungroupTransaction(t)`: the parent without `subtransactions`, then its children.
pub fn ungroup(t: &Row) -> Result<Vec<Row>, RuleError> {
    let mut parent = t.clone();
    let subs = parent.shift_remove("subtransactions");
    let mut list = vec![parent];
    match subs {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::Object(row) => list.push(row),
                    _ => {
                        return Err(RuleError::Unsupported(
                            "a split rule on subtransactions that are not objects".into(),
                        ))
                    }
                }
            }
        }
        Some(_) => {
            return Err(RuleError::Unsupported(
                "a split rule on subtransactions that are not a list".into(),
            ))
        }
    }
    Ok(list)
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

/// `recalculateSplit(t)`: `error` (moved to the end) says whether the children add up.
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

/// What `recalculateSplit(groupTransaction(list)).error.difference` says is left.
pub fn remainder(list: &[Row]) -> f64 {
    match recalculate_split(group(list)).get("error") {
        Some(Value::Object(e)) => num(e.get("difference")),
        _ => 0.0,
    }
}

/// `replaceTransactions(list, id, func)` for the functions rules use, which never
/// delete: the row `id` (the first whose id is `===` it) or its whole split is passed
/// grouped to `func` and replaced by what it returns.
fn replace(
    list: &[Row],
    id: Option<&Value>,
    func: impl FnOnce(Row) -> Row,
) -> Result<Vec<Row>, RuleError> {
    let same = |t: &Row| match (t.get("id"), id) {
        (None, None) => true,
        (Some(a), Some(b)) => json::strict_eq(a, b),
        _ => false,
    };
    let Some(idx) = list.iter().position(same) else {
        return Err(RuleError::Thrown {
            name: "Error",
            message: format!(
                "Tried to edit unknown transaction id: {}",
                id.map_or("undefined".into(), json::to_string)
            ),
        });
    };
    let mut out = list.to_vec();
    if flag(&list[idx], "is_parent") || flag(&list[idx], "is_child") {
        let Some(parent_idx) = (0..=idx).rev().find(|&i| flag(&list[i], "is_parent")) else {
            return Err(RuleError::Unsupported(
                "a split rule on a child transaction without its parent".into(),
            ));
        };
        let mut end = parent_idx + 1;
        while end < list.len() && flag(&list[end], "is_child") {
            end += 1;
        }
        let grouped = func(group(&list[parent_idx..end]));
        out.splice(parent_idx..end, ungroup(&grouped)?);
    } else {
        let grouped = func(list[idx].clone());
        out.splice(idx..idx + 1, ungroup(&grouped)?);
    }
    Ok(out)
}

/// `splitTransaction(list, id)`: a transaction that is not yet split becomes a parent
/// (its payee cleared) with one child.
pub fn split_transaction(list: &[Row], id: Option<&Value>) -> Result<Vec<Row>, RuleError> {
    replace(list, id, |trans| {
        if flag(&trans, "is_parent") || flag(&trans, "is_child") {
            return trans;
        }
        let mut child = make_child(&trans, Map::new());
        if !child.get("sort_order").is_some_and(js::is_truthy) {
            child.insert("sort_order".into(), Value::from(-1));
        }
        let error = if num(trans.get("amount")) == 0.0 {
            Value::Null
        } else {
            split_error(0.0, &trans)
        };
        let mut out = trans;
        out.shift_remove("error");
        out.insert("is_parent".into(), Value::Bool(true));
        out.insert("payee".into(), Value::Null);
        out.insert("error".into(), error);
        out.insert(
            "subtransactions".into(),
            Value::Array(vec![Value::Object(child)]),
        );
        out
    })
}

/// `addSplitTransaction(list, id)`: one more child, with the last child's payee and
/// the next lower sort order.
pub fn add_split_transaction(list: &[Row], id: Option<&Value>) -> Result<Vec<Row>, RuleError> {
    replace(list, id, |mut trans| {
        if !flag(&trans, "is_parent") {
            return trans;
        }
        let subs = match trans.get("subtransactions") {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        let prev = subs.last().and_then(Value::as_object);
        let payee = prev
            .and_then(|p| p.get("payee"))
            .filter(|p| !p.is_null() && !is_undefined(p))
            .or_else(|| trans.get("payee"));
        let mut data = Map::new();
        data.insert("amount".into(), Value::from(0));
        insert_defined(&mut data, "payee", payee);
        data.insert(
            "sort_order".into(),
            json::number(num(prev.and_then(|p| p.get("sort_order"))) - 1.0),
        );
        let child = make_child(&trans, data);
        let mut subs = subs;
        subs.push(Value::Object(child));
        trans.insert("subtransactions".into(), Value::Array(subs));
        trans
    })
}
