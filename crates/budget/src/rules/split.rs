//! The split-transaction functions of `shared/transactions.ts` only rules use
//! (`splitTransaction`, `addSplitTransaction`, and what is left to split), on the one
//! port of the split model ([`crate::foundation::split`]).

use serde_json::{Map, Value};

use super::error::RuleError;
use crate::foundation::js::{self, json};
use crate::foundation::split::{
    self, flag, make_child, num, set_maybe, split_error, target, unknown_id_message, Target,
};

pub use crate::foundation::split::{group, recalculate_split, Row};

/// `ungroupTransaction(t)`; subtransactions JavaScript would carry on as they are (not
/// objects) are refused.
pub fn ungroup(t: &Row) -> Result<Vec<Row>, RuleError> {
    let ungrouped = split::ungroup(t.clone());
    match ungrouped.skipped {
        None => Ok(ungrouped.rows),
        Some(what) => Err(RuleError::Unsupported(format!("a split rule on {what}"))),
    }
}

/// The keys of the children still `undefined` go (JSON leaves them out).
pub fn drop_undefined(t: &mut Row) {
    if let Some(Value::Array(parts)) = t.get_mut("subtransactions") {
        for part in parts.iter_mut().filter_map(Value::as_object_mut) {
            split::drop_undefined(part);
        }
    }
}

/// What `recalculateSplit(groupTransaction(list)).error.difference` says is left.
pub fn remainder(list: &[Row]) -> f64 {
    match recalculate_split(group(list)).get("error") {
        Some(Value::Object(e)) => num(e.get("difference")),
        _ => 0.0,
    }
}

/// `replaceTransactions(list, id, func)` for the functions rules use, which never
/// delete: the row `id` or its whole split is passed grouped to `func` and replaced by
/// what it returns.
fn replace(
    list: &[Row],
    id: Option<&Value>,
    func: impl FnOnce(Row) -> Row,
) -> Result<Vec<Row>, RuleError> {
    match target(list, id) {
        Target::Unknown => Err(RuleError::Thrown {
            name: "Error",
            message: unknown_id_message(id),
        }),
        Target::NoParent => Err(RuleError::Unsupported(
            "a split rule on a child transaction without its parent".into(),
        )),
        Target::Rows { range, grouped } => {
            let mut out = list.to_vec();
            out.splice(range, ungroup(&func(grouped))?);
            Ok(out)
        }
    }
}

/// `splitTransaction(list, id)`: a transaction that is not yet split becomes a parent
/// (its payee cleared) with one child.
pub fn split_transaction(list: &[Row], id: Option<&Value>) -> Result<Vec<Row>, RuleError> {
    replace(list, id, |trans| {
        if flag(&trans, "is_parent") || flag(&trans, "is_child") {
            return trans;
        }
        let mut child = make_child(&trans, &Map::new());
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
            .filter(|p| !p.is_null() && !split::is_undefined(p))
            .or_else(|| trans.get("payee"));
        let mut data = Map::new();
        data.insert("amount".into(), Value::from(0));
        set_maybe(&mut data, "payee", payee);
        data.insert(
            "sort_order".into(),
            json::number(num(prev.and_then(|p| p.get("sort_order"))) - 1.0),
        );
        let child = make_child(&trans, &data);
        let mut subs = subs;
        subs.push(Value::Object(child));
        trans.insert("subtransactions".into(), Value::Array(subs));
        trans
    })
}
