//! Account groups (`server/account-groups/app.ts`, `server/db/index.ts`
//! insertAccountGroup, updateAccountGroup, deleteAccountGroup).

use actual_sync::Value as Cell;
use rusqlite::OptionalExtension;
use serde_json::Value;

use super::{delete_id, new_id, row_id, sort};
use crate::foundation::budget::{Budget, Writer};
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js;
use crate::foundation::js::sqlite::plain;

const OTHER_WITH_NAME: &str =
    "SELECT id, name FROM account_groups WHERE UPPER(name) = ? AND id != ? AND tombstone = 0 LIMIT 1";

/// upstream's message for a live group of that (upper-cased) name, other than `except`.
fn duplicate(b: &Budget, upper: &str, except: Option<&Value>) -> Result<Option<String>> {
    let found: Option<Value> = match except {
        None => b
            .conn
            .query_row(
                "SELECT id, name FROM account_groups WHERE UPPER(name) = ? AND tombstone = 0 LIMIT 1",
                [upper],
                |r| Ok(plain(r.get_ref(1)?)),
            )
            .optional()?,
        Some(id) => b
            .conn
            .query_row(
                OTHER_WITH_NAME,
                rusqlite::params![upper, super::sql_value(id)],
                |r| Ok(plain(r.get_ref(1)?)),
            )
            .optional()?,
    };
    Ok(found.map(|name| {
        format!(
            "An '{}' account group already exists.",
            js::to_string(Some(&name))
        )
    }))
}

/// `createAccountGroup({ name })`: after every other group; resolves to its id.
pub fn create_account_group(w: &mut Writer, args: &Value) -> Result<Value> {
    let name = js::property(args.get("group"), "name")?;
    let text = js::string_method(name, "group.name", "toUpperCase")?;
    if let Some(message) = duplicate(&w.budget, &text.to_uppercase(), None)? {
        return Err(BudgetError::plain(message));
    }
    let sort_order = sort::after_last_live(w.budget.conn, "account_groups")?;
    let id = new_id();
    w.changes.insert(
        "account_groups",
        &id,
        vec![
            ("name", Cell::String(text.to_string())),
            ("sort_order", Cell::Number(sort_order)),
        ],
    )?;
    Ok(Value::String(id))
}

/// `updateAccountGroup(id, { name })`: a new name, unique among live groups; resolves
/// to undefined.
pub fn update_account_group(w: &mut Writer, args: &Value) -> Result<Value> {
    let name = js::property(args.get("fields"), "name")?.filter(|n| !n.is_null());
    let Some(name) = name else {
        return Err(BudgetError::api("Account group name is required"));
    };
    let text = js::string_method(Some(name), "group.name", "toUpperCase")?;
    let id = super::query_param(args.get("id"), OTHER_WITH_NAME)?;
    if let Some(message) = duplicate(&w.budget, &text.to_uppercase(), Some(id))? {
        return Err(BudgetError::plain(message));
    }
    let id = row_id(Some(id))?;
    w.changes.update(
        "account_groups",
        &id,
        vec![("name", Cell::String(text.to_string()))],
    )?;
    Ok(Value::Null)
}

/// `deleteAccountGroup(id)`: its live accounts leave it, then it is deleted; resolves
/// to undefined.
pub fn delete_account_group(w: &mut Writer, args: &Value) -> Result<Value> {
    let id = delete_id(args.get("id"), "deleteAccountGroup")?;
    let members: Vec<String> = w
        .budget
        .conn
        .prepare_cached("SELECT id FROM accounts WHERE account_group_id = ? AND tombstone = 0")?
        .query_map([&id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut rows: Vec<(&str, String, crate::foundation::changes::Fields)> = members
        .into_iter()
        .map(|a| ("accounts", a, vec![("account_group_id", Cell::Null)]))
        .collect();
    rows.push(("account_groups", id, vec![("tombstone", Cell::Number(1.0))]));
    w.changes.send_rows(rows)?;
    Ok(Value::Null)
}
