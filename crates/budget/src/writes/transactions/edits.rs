//! Edits of a split (or simple) transaction as `shared/transactions.ts` and
//! `shared/util.ts` make them, on the one port of the split model
//! ([`crate::foundation::split`]): `makeSplitTransaction`, the `updateTransaction` and
//! `deleteTransaction` edits as diffs, and `diffItems`.
//!
//! Objects are JavaScript objects in key order; assigning `undefined` is removing the
//! key (these objects only ever cross to the database or to JSON, where an
//! `undefined` field is absent).

use serde_json::Value;

use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::{self, set, spread, Obj};
use crate::foundation::split::{self, recalculate_split, Target};

/// `makeSplitTransaction` (`server/accounts/sync.ts`): the parent and its children.
pub fn make_split_transaction(trans: &Obj, subtransactions: &[Value]) -> Vec<Obj> {
    let mut parent = trans.clone();
    parent.insert("is_parent".into(), Value::Bool(true));
    let children: Vec<Value> = subtransactions
        .iter()
        .enumerate()
        .map(|(idx, sub)| {
            let mut data = sub.as_object().cloned().unwrap_or_default();
            data.insert("sort_order".into(), js::number(0.0 - idx as f64));
            Value::Object(make_child(trans, &data))
        })
        .collect();
    parent.insert("subtransactions".into(), Value::Array(children));
    ungroup(recalculate_split(parent))
}

/// `ungroupTransaction`: the parent without `subtransactions`, then its children (ones
/// that are not objects are left out).
fn ungroup(grouped: Obj) -> Vec<Obj> {
    split::ungroup(grouped).rows
}

/// `makeChild(parent, data)`, its `undefined` fields absent.
fn make_child(parent: &Obj, data: &Obj) -> Obj {
    let mut child = split::make_child(parent, data);
    split::drop_undefined(&mut child);
    child
}

/// What an edit changes (`Diff` in `shared/util.ts`).
#[derive(Default, Debug)]
pub struct Diff {
    pub added: Vec<Obj>,
    pub updated: Vec<Obj>,
    pub deleted: Vec<Obj>,
}

/// `getChangedValues(a, b)`: `id` and every key of `b` whose value is not `===`.
fn changed_values(a: &Obj, b: &Obj) -> Option<Obj> {
    let mut diff = Obj::new();
    if js::truthy(a.get("id")) {
        diff.insert("id".into(), a["id"].clone());
    }
    let mut changed = false;
    for (k, v) in b {
        if !js::strict_eq(a.get(k), Some(v)) {
            diff.insert(k.clone(), v.clone());
            changed = true;
        }
    }
    changed.then_some(diff)
}

fn id_key(t: &Obj) -> String {
    js::to_string(t.get("id"))
}

/// `diffItems(items, newItems)`.
pub fn diff_items(items: &[Obj], new_items: &[Obj]) -> Diff {
    let mut diff = Diff {
        deleted: items
            .iter()
            .filter(|item| !new_items.iter().any(|n| id_key(n) == id_key(item)))
            .map(|item| {
                let mut o = Obj::new();
                set(&mut o, "id", item.get("id").cloned());
                o
            })
            .collect(),
        ..Diff::default()
    };
    for new_item in new_items {
        // `_groupById` keeps the last item of an id.
        match items.iter().rev().find(|i| id_key(i) == id_key(new_item)) {
            None => diff.added.push(new_item.clone()),
            Some(item) => {
                if let Some(changes) = changed_values(item, new_item) {
                    diff.updated.push(changes);
                }
            }
        }
    }
    diff
}

/// `replaceTransactions(transactions, id, func)`'s diff.
fn replace(
    transactions: &[Obj],
    id: Option<&Value>,
    func: impl FnOnce(Obj) -> Option<Obj>,
) -> Result<Diff> {
    match split::target(transactions, id) {
        Target::Unknown => Err(BudgetError::plain(split::unknown_id_message(id))),
        Target::NoParent => Ok(Diff::default()),
        Target::Rows { range, grouped } => {
            let new_rows = func(grouped).map(ungroup).unwrap_or_default();
            Ok(diff_items(&transactions[range], &new_rows))
        }
    }
}

fn subtransactions(t: &Obj) -> Option<&Vec<Value>> {
    t.get("subtransactions").and_then(Value::as_array)
}

/// `updateTransaction(transactions, transaction)`'s diff.
pub fn update_diff(transactions: &[Obj], transaction: &Obj) -> Result<Diff> {
    replace(transactions, transaction.get("id"), |trans| {
        let same = js::strict_eq(trans.get("id"), transaction.get("id"));
        if js::truthy(trans.get("is_parent")) {
            let parent = if same {
                spread(&trans, transaction)
            } else {
                trans.clone()
            };
            let original = js::nullish(parent.get("subtransactions"), trans.get("subtransactions"));
            let sub: Option<Vec<Value>> = original.and_then(Value::as_array).map(|subs| {
                subs.iter()
                    .map(|t| {
                        let t = t.as_object().cloned().unwrap_or_default();
                        let child = if same {
                            let mut rest = t.clone();
                            let child_payee = rest.shift_remove("payee");
                            let new_payee =
                                if js::strict_eq(child_payee.as_ref(), trans.get("payee")) {
                                    transaction.get("payee").cloned()
                                } else {
                                    child_payee
                                };
                            if let Some(p) = new_payee.filter(|p| !p.is_null()) {
                                rest.insert("payee".into(), p);
                            }
                            rest
                        } else if js::strict_eq(t.get("id"), transaction.get("id")) {
                            transaction.clone()
                        } else {
                            t
                        };
                        Value::Object(make_child(&parent, &child))
                    })
                    .collect()
            });
            let mut whole = parent;
            if let Some(sub) = sub {
                whole.insert("subtransactions".into(), Value::Array(sub));
            }
            Some(recalculate_split(whole))
        } else if subtransactions(transaction).is_some_and(|s| !s.is_empty()) {
            let mut parent = spread(&trans, transaction);
            parent.insert("is_parent".into(), Value::Bool(true));
            parent.insert("is_child".into(), Value::Bool(false));
            parent.shift_remove("parent_id");
            let subs: Vec<Value> = subtransactions(transaction)
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(index, sub)| {
                    let mut data = sub.as_object().cloned().unwrap_or_default();
                    let order = js::nullish(data.get("sort_order"), None)
                        .cloned()
                        .unwrap_or_else(|| js::number(-(index as f64 + 1.0)));
                    data.insert("sort_order".into(), order);
                    Value::Object(make_child(&parent, &data))
                })
                .collect();
            parent.insert("subtransactions".into(), Value::Array(subs));
            Some(recalculate_split(parent))
        } else {
            Some(transaction.clone())
        }
    })
}

/// `deleteTransaction(transactions, id)`'s diff.
pub fn delete_diff(transactions: &[Obj], id: &Value) -> Result<Diff> {
    replace(transactions, Some(id), |trans| {
        if !js::truthy(trans.get("is_parent")) || js::strict_eq(trans.get("id"), Some(id)) {
            return None;
        }
        let subs = subtransactions(&trans).cloned();
        if subs.as_ref().is_some_and(|s| s.len() == 1) {
            let mut rest = trans.clone();
            rest.shift_remove("subtransactions");
            rest.insert("is_parent".into(), Value::Bool(false));
            rest.insert("error".into(), Value::Null);
            return Some(rest);
        }
        let mut whole = trans.clone();
        if let Some(subs) = subs {
            let kept = subs
                .into_iter()
                .filter(|t| !js::strict_eq(t.get("id"), Some(id)))
                .collect();
            whole.insert("subtransactions".into(), Value::Array(kept));
        }
        Some(recalculate_split(whole))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Obj {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn split_children_inherit_and_the_error_says_the_difference() {
        let parent = obj(
            json!({"id": "p", "account": "a", "date": "2024-01-02", "amount": -900, "payee": "x", "category": null, "cleared": true}),
        );
        let rows = make_split_transaction(
            &parent,
            &[
                json!({"amount": -600}),
                json!({"amount": -200, "payee": "y"}),
            ],
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["is_parent"], json!(true));
        assert_eq!(
            rows[0]["error"],
            json!({"type": "SplitTransactionError", "version": 1, "difference": -100})
        );
        let keys: Vec<_> = rows[1].keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "amount",
                "sort_order",
                "category",
                "payee",
                "id",
                "account",
                "date",
                "cleared",
                "reconciled",
                "starting_balance_flag",
                "is_child",
                "parent_id",
                "error"
            ]
        );
        assert_eq!(rows[1]["payee"], json!("x"));
        assert_eq!(rows[2]["payee"], json!("y"));
        assert_eq!(rows[2]["sort_order"], json!(-1));
        assert_eq!(rows[1]["parent_id"], json!("p"));
    }

    #[test]
    fn a_simple_edit_diffs_only_what_changed() {
        let t = obj(
            json!({"id": "t", "is_parent": false, "is_child": false, "amount": 5, "notes": "a"}),
        );
        let d = update_diff(&[t], &obj(json!({"id": "t", "amount": 5, "notes": "b"}))).unwrap();
        assert_eq!(d.updated, vec![obj(json!({"id": "t", "notes": "b"}))]);
        assert!(d.added.is_empty() && d.deleted.is_empty());
    }

    #[test]
    fn deleting_the_last_but_one_child_keeps_the_parent_as_a_split() {
        let p = obj(
            json!({"id": "p", "is_parent": true, "is_child": false, "amount": 3, "error": null}),
        );
        let c1 = obj(
            json!({"id": "c1", "is_parent": false, "is_child": true, "amount": 1, "parent_id": "p"}),
        );
        let c2 = obj(
            json!({"id": "c2", "is_parent": false, "is_child": true, "amount": 2, "parent_id": "p"}),
        );
        let d = delete_diff(&[p.clone(), c1.clone(), c2.clone()], &json!("c1")).unwrap();
        assert_eq!(d.deleted, vec![obj(json!({"id": "c1"}))]);
        assert_eq!(d.updated[0]["error"]["difference"], json!(1));
        let d = delete_diff(&[p, c1, c2], &json!("p")).unwrap();
        assert_eq!(d.deleted.len(), 3);
    }
}
