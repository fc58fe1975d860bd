//! Every write: creating, changing and deleting accounts, account groups, categories,
//! category groups, payees, tags and rules; notes and preferences; transactions
//! (`transactions`); setting budget cells: upstream's `server/api.ts`
//! handlers for them and what those call (`server/db/index.ts`, `server/accounts/`,
//! `server/budget/`, `server/payees/`, `server/tags/`, `server/account-groups/`).
//!
//! Upstream validates as it goes, so a call can fail after some of its changes were
//! applied; here a failing call changes nothing (its error is upstream's): the checks
//! run before the first change, and the caller rolls back a call that fails later.
//! Each upstream `sendMessages` outside a batch is one [`crate::foundation::changes::Changes`] call, and
//! each `batchMessages` one [`crate::foundation::changes::Changes::send_rows`], with the fields in
//! upstream's order.

pub mod account_groups;
pub mod accounts;
pub mod budget_cells;
pub mod categories;
pub mod notes;
pub mod payees;
pub mod preferences;
pub mod rules;
pub mod schedules;
pub mod sort;
pub mod tags;
pub mod transactions;

use actual_sync::Value as Cell;
use serde_json::Value;

use crate::foundation::budget::Writer;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::{self, Obj};
use crate::schema::fields::{invalid_schema, raw_cell};

/// `requiredFields` (`server/models.ts`): a `ValidationError`, named `Error`.
pub(crate) fn missing_field(model: &str, field: &str) -> BudgetError {
    BudgetError::plain(format!("{model} is missing field {field}"))
}

/// `db.update` without an id.
pub(crate) fn update_id_required() -> BudgetError {
    BudgetError::plain("update: id is required")
}

/// `verifyParamTypes` (the SQLite layer): a query parameter that is not a string, a
/// number or null (`undefined` is `None`) fails the query with this error.
pub(crate) fn query_param<'a>(value: Option<&'a Value>, sql: &str) -> Result<&'a Value> {
    match value {
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Null)) => Ok(v),
        other => Err(BudgetError::plain(format!(
            "Invalid field type {} for sql {sql}",
            js::to_string(other)
        ))),
    }
}

/// A JSON value as a SQLite query parameter (after [`query_param`]).
pub(crate) fn sql_value(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::String(s) => rusqlite::types::Value::Text(s.clone()),
        Value::Number(n) => match n.as_i64() {
            Some(i) => rusqlite::types::Value::Integer(i),
            None => rusqlite::types::Value::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        _ => rusqlite::types::Value::Null,
    }
}

/// The id of an update or delete (`update: id is required` when it is missing), as
/// message rows are text.
pub(crate) fn row_id(id: Option<&Value>) -> Result<String> {
    match id {
        None | Some(Value::Null) => Err(update_id_required()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(BudgetError::Unsupported(format!(
            "a row id that is not a string ({})",
            js::to_string(Some(other))
        ))),
    }
}

/// The row of a `db.delete_`: upstream sends its message whatever the id is; a
/// missing one would make a row without an id.
pub(crate) fn delete_id(id: Option<&Value>, what: &str) -> Result<String> {
    match id {
        Some(Value::String(s)) => Ok(s.clone()),
        other => Err(BudgetError::Unsupported(format!(
            "{what} with the id {}",
            js::to_string(other)
        ))),
    }
}

/// The fields of a `db.update(table, { id, ...fields })` that skips the schema: every
/// key but `id`, values as they are.
pub(crate) fn raw_fields(obj: &Obj) -> Result<Vec<(&str, Cell)>> {
    obj.iter()
        .filter(|(k, _)| k.as_str() != "id")
        .map(|(k, v)| Ok((k.as_str(), raw_cell(v)?)))
        .collect()
}

/// `db.update` of fields that skip the schema: a column the table lacks fails the
/// whole update as upstream's `invalid-schema`.
pub(crate) fn raw_update(
    w: &mut Writer,
    table: &str,
    id: &str,
    fields: Vec<(&str, Cell)>,
) -> Result<()> {
    match w.changes.update(table, id, fields) {
        Err(BudgetError::Sync(actual_sync::SyncError::InvalidSchema { .. })) => {
            Err(invalid_schema())
        }
        other => other,
    }
}

/// An argument that upstream spreads or reads properties of (`{ ...fields }`), as an
/// object: absent, null and primitives spread to nothing.
pub(crate) fn spread(v: Option<&Value>) -> Obj {
    match v {
        Some(obj @ Value::Object(o)) if js::date_millis(obj).is_none() => o.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (i.to_string(), item.clone()))
            .collect(),
        Some(Value::String(s)) => s
            .chars()
            .enumerate()
            .map(|(i, c)| (i.to_string(), Value::String(c.to_string())))
            .collect(),
        _ => Obj::new(),
    }
}

/// `'key' in v`: V8's TypeError when `v` is not an object.
pub(crate) fn has_key(v: Option<&Value>, key: &str) -> Result<bool> {
    match v {
        Some(Value::Object(o)) => Ok(o.contains_key(key)),
        Some(Value::Array(_)) => Ok(false),
        other => Err(js::type_error(format!(
            "Cannot use 'in' operator to search for '{key}' in {}",
            js::to_string(other)
        ))),
    }
}

/// JavaScript `x ? 1 : 0`.
pub(crate) fn flag(v: Option<&Value>) -> Cell {
    Cell::Number(if js::truthy(v) { 1.0 } else { 0.0 })
}

/// A new row id (`uuidv4()`).
pub(crate) fn new_id() -> String {
    crate::foundation::changes::uuid_v4()
}
