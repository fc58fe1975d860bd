//! Payees (`server/payees/app.ts` createPayee, batchChangePayees, mergePayees;
//! `server/db/index.ts` insertPayee, updatePayee, deletePayee, mergePayees).

use actual_sync::Value as Cell;
use rusqlite::OptionalExtension;
use serde_json::Value;

use super::{delete_id, missing_field, new_id, query_param, row_id, spread, sql_value};
use crate::foundation::budget::Writer;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js;
use crate::foundation::js::sqlite::plain;
use crate::schema::fields::{raw_cell, PAYEES};

/// `db.insertPayee({ name })`'s rows: the payee and its mapping to itself (a merge
/// points mappings elsewhere).
pub fn new_payee_rows(
    id: &str,
    fields: Vec<(&'static str, Cell)>,
) -> Vec<(
    &'static str,
    String,
    crate::foundation::changes::Fields<'static>,
)> {
    vec![
        ("payees", id.to_string(), fields),
        (
            "payee_mapping",
            id.to_string(),
            vec![("targetId", Cell::String(id.to_string()))],
        ),
    ]
}

/// `createPayee({ name })`: no duplicate check and no trimming (the name is stored as
/// given); resolves to the new id.
pub fn create_payee(w: &mut Writer, args: &Value) -> Result<Value> {
    let name = js::property(args.get("payee"), "name")?;
    let Some(name) = name.filter(|n| !n.is_null()) else {
        return Err(missing_field("payee", "name"));
    };
    let id = new_id();
    w.changes
        .send_rows(new_payee_rows(&id, vec![("name", raw_cell(name)?)]))?;
    Ok(Value::String(id))
}

/// `updatePayee(id, fields)`: the fields through `convertForUpdate` (nulls are sent,
/// booleans as 1/0, `name` cannot be null); an unknown id makes a row; resolves to
/// undefined.
pub fn update_payee(w: &mut Writer, args: &Value) -> Result<Value> {
    let fields = spread(args.get("fields"));
    let Some(id) = args.get("id") else {
        // `{ id: undefined, ... }`: conform's check of `id` (left out of the JSON).
        return Err(BudgetError::plain(format!(
            "\"id\" is required for table \"payees\": {}",
            js::stringify(&Value::Object(fields), false)
        )));
    };
    let mut obj = js::Obj::new();
    obj.insert("id".into(), id.clone());
    obj.extend(fields);
    let columns = PAYEES.convert_for_update(&obj)?;
    let id = row_id(obj.get("id"))?;
    w.changes.send_rows(vec![("payees", id, columns)])?;
    Ok(Value::Null)
}

/// `deletePayee(id)`: transfer payees are kept (silently); an unknown id fails as
/// upstream's destructuring of the missing row does; resolves to undefined.
pub fn delete_payee(w: &mut Writer, args: &Value) -> Result<Value> {
    let sql = "SELECT * FROM payees WHERE id = ?";
    let id = query_param(args.get("id"), sql)?;
    let row: Option<Value> = w
        .budget
        .conn
        .query_row(
            "SELECT transfer_acct FROM payees WHERE id = ?",
            [sql_value(id)],
            |r| Ok(plain(r.get_ref(0)?)),
        )
        .optional()?;
    let Some(transfer_acct) = row else {
        return Err(js::type_error(
            "Cannot destructure property 'transfer_acct' of '(intermediate value)' as it is null.",
        ));
    };
    if js::truthy(Some(&transfer_acct)) {
        return Ok(Value::Null);
    }
    let id = delete_id(Some(id), "deletePayee")?;
    w.changes
        .send_rows(vec![("payees", id, vec![("tombstone", Cell::Number(1.0))])])?;
    Ok(Value::Null)
}

/// `mergePayees(targetId, mergeIds)`: unless the target is a transfer payee, every
/// non-transfer payee of the list is deleted and every mapping to it (its own too)
/// points at the target, so its transactions read as the target's. The target itself
/// in the list is deleted too, as upstream does. Resolves to undefined.
pub fn merge_payees(w: &mut Writer, args: &Value) -> Result<Value> {
    // `groupById` of every payee, deleted ones included: id -> transfer_acct.
    let mut stmt = w
        .budget
        .conn
        .prepare_cached("SELECT id, transfer_acct FROM payees")?;
    let payees: std::collections::HashMap<String, Value> = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, plain(r.get_ref(1)?))))?
        .collect::<rusqlite::Result<_>>()?;
    drop(stmt);
    let missing =
        || js::type_error("Cannot read properties of undefined (reading 'transfer_acct')");
    let target = args.get("targetId");
    let target_transfer = payees.get(&js::to_string(target)).ok_or_else(missing)?;
    if !target_transfer.is_null() {
        return Ok(Value::Null);
    }
    let ids = match args.get("mergeIds") {
        Some(Value::Array(ids)) => ids,
        None | Some(Value::Null) => {
            return Err(js::type_error(format!(
                "Cannot read properties of {} (reading 'filter')",
                js::to_string(args.get("mergeIds"))
            )))
        }
        Some(_) => return Err(js::type_error("ids.filter is not a function")),
    };
    let mut merged = Vec::new();
    for id in ids {
        let transfer = payees.get(&js::to_string(Some(id))).ok_or_else(missing)?;
        if transfer.is_null() {
            merged.push(delete_id(Some(id), "mergePayees")?);
        }
    }
    let target = raw_cell(target.unwrap_or(&Value::Null))?;
    let mut rows = Vec::new();
    let mut stmt = w
        .budget
        .conn
        .prepare_cached("SELECT id FROM payee_mapping WHERE targetId = ?")?;
    for id in &merged {
        for m in stmt.query_map([id], |r| r.get::<_, String>(0))? {
            rows.push(("payee_mapping", m?, vec![("targetId", target.clone())]));
        }
    }
    drop(stmt);
    for id in merged {
        rows.push((
            "payee_mapping",
            id.clone(),
            vec![("targetId", target.clone())],
        ));
        rows.push(("payees", id, vec![("tombstone", Cell::Number(1.0))]));
    }
    w.changes.send_rows(rows)?;
    Ok(Value::Null)
}
