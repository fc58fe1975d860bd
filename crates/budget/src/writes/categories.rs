//! Categories and category groups (`server/budget/app.ts` createCategory,
//! updateCategory, deleteCategory and their group equivalents; `server/db/index.ts`
//! insertCategory, updateCategory, deleteCategory, insertCategoryGroup,
//! updateCategoryGroup, deleteCategoryGroup; `server/budget/base.ts` doTransfer).
//!
//! Names are compared for duplicates as upstream does: SQLite's `UPPER` (ASCII only)
//! of the stored name against JavaScript's `toUpperCase` of the new one.

use actual_sync::Value as Cell;
use rusqlite::OptionalExtension;
use serde_json::Value;

use super::budget_cells::{budget_row, budget_table, db_month, sheet_months};
use super::sort;
use super::{delete_id, flag, has_key, new_id, query_param, row_id, spread, sql_value};
use crate::foundation::budget::{Budget, Writer};
use crate::foundation::changes::Fields;
use crate::foundation::dates::month_string;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::sqlite::{plain, truthy};
use crate::foundation::js::{self, Obj};
use crate::schema::fields::{raw_cell, CATEGORIES, CATEGORY_GROUPS};

/// The rows one batch writes: table, row id, fields.
type Rows = Vec<(&'static str, String, Fields<'static>)>;

/// `createCategoryGroup({ name, hidden })` (`is_income` is not passed on): the new
/// group after every other; resolves to its id.
pub fn create_category_group(w: &mut Writer, args: &Value) -> Result<Value> {
    let group = args.get("group");
    let name = js::property(group, "name")?;
    let hidden = js::property(group, "hidden")?;
    let upper = js::string_method(name, "group.name", "toUpperCase")?.to_uppercase();
    if let Some(message) = duplicate_group(&w.budget, &upper, None)? {
        return Err(BudgetError::plain(message));
    }
    let sort_order = sort::after_last_live(w.budget.conn, "category_groups")?;
    let id = new_id();
    w.changes.insert(
        "category_groups",
        &id,
        vec![
            ("name", raw_cell(name.unwrap_or(&Value::Null))?),
            ("is_income", Cell::Number(0.0)),
            ("hidden", flag(hidden)),
            ("sort_order", Cell::Number(sort_order)),
        ],
    )?;
    Ok(Value::String(id))
}

/// upstream's message for a live group of that (upper-cased) name, other than `except`.
fn duplicate_group(b: &Budget, upper: &str, except: Option<&str>) -> Result<Option<String>> {
    let sql = match except {
        None => "SELECT id, name, hidden FROM category_groups WHERE UPPER(name) = ? and tombstone = 0 LIMIT 1",
        Some(_) => {
            "SELECT id, name, hidden FROM category_groups WHERE UPPER(name) = ? AND id != ? AND tombstone = 0 LIMIT 1"
        }
    };
    let mut stmt = b.conn.prepare_cached(sql)?;
    let mut rows = match except {
        None => stmt.query([upper])?,
        Some(id) => stmt.query([upper, id])?,
    };
    Ok(match rows.next()? {
        Some(r) => Some(format!(
            "A {}'{}' category group already exists.",
            if truthy(r.get_ref(2)?) { "hidden " } else { "" },
            js::to_string(Some(&plain(r.get_ref(1)?)))
        )),
        None => None,
    })
}

/// `{ id, ...fields }` as the handlers build it (an absent id stays absent, as
/// JavaScript's `undefined` is left out of every message and `JSON.stringify`).
fn with_id(id: Option<&Value>, fields: Obj) -> Obj {
    let mut obj = Obj::new();
    if let Some(id) = id {
        obj.insert("id".into(), id.clone());
    }
    for (k, v) in fields {
        obj.insert(k, v);
    }
    obj
}

/// `updateCategoryGroup(id, fields)`: the fields through `convertForInsert` (upstream's
/// `toDb` is called without its update flag, so nulls are dropped), `sort_order`
/// dropped; the name is required and must not be another live group's; resolves to
/// undefined.
pub fn update_category_group(w: &mut Writer, args: &Value) -> Result<Value> {
    let fields = args.get("fields");
    let mut obj = with_id(args.get("id"), spread(fields));
    // `categoryGroupModel.fromExternal` maps the categories; the schema then refuses them.
    if has_key(fields, "categories")? {
        if let Some(cats) = obj
            .get("categories")
            .filter(|c| js::truthy(Some(c)))
            .cloned()
        {
            obj.insert("categories".into(), categories_from_external(&cats)?);
        }
    }
    let columns = CATEGORY_GROUPS.convert_for_insert(&obj, 0.0)?;
    let id = row_id(obj.get("id"))?;
    let upper = match columns.iter().find(|(c, _)| *c == "name") {
        Some((_, Cell::String(name))) => name.to_uppercase(),
        Some(_) => return Err(js::type_error("group.name.toUpperCase is not a function")),
        None => {
            return Err(js::type_error(
                "Cannot read properties of undefined (reading 'toUpperCase')",
            ))
        }
    };
    if let Some(message) = duplicate_group(&w.budget, &upper, Some(&id))? {
        return Err(BudgetError::plain(message));
    }
    let fields = columns
        .into_iter()
        .filter(|(c, _)| *c != "sort_order")
        .collect();
    w.changes.update("category_groups", &id, fields)?;
    Ok(Value::Null)
}

/// `categories.map(categoryModel.fromExternal)`: `group_id` becomes `group`.
fn categories_from_external(cats: &Value) -> Result<Value> {
    let Value::Array(items) = cats else {
        return Err(js::type_error("group.categories.map is not a function"));
    };
    let mapped = items
        .iter()
        .map(|c| {
            let (group_id, rest) = without_group_id(Some(c))?;
            let mut rest = rest;
            if let Some(g) = group_id {
                rest.insert("group".into(), g);
            }
            Ok(Value::Object(rest))
        })
        .collect::<Result<_>>()?;
    Ok(Value::Array(mapped))
}

/// `const { group_id, ...rest } = category` (`categoryModel.fromExternal`).
fn without_group_id(category: Option<&Value>) -> Result<(Option<Value>, Obj)> {
    if matches!(category, None | Some(Value::Null)) {
        return Err(js::type_error(format!(
            "Cannot destructure property 'group_id' of 'category' as it is {}.",
            js::to_string(category)
        )));
    }
    let mut rest = spread(category);
    let group_id = rest.shift_remove("group_id");
    Ok((group_id, rest))
}

/// `createCategory({ name, group_id, is_income, hidden })`: the name trimmed, unique
/// in its group (the group itself is not checked), placed first in its group;
/// resolves to the new id.
pub fn create_category(w: &mut Writer, args: &Value) -> Result<Value> {
    let category = args.get("category");
    let name = js::property(category, "name")?;
    let group = js::property(category, "group_id")?;
    let is_income = js::property(category, "is_income")?;
    let hidden = js::property(category, "hidden")?;
    if !js::truthy(group) {
        return Err(BudgetError::api("Creating a category: groupId is required"));
    }
    let name = js::trim(js::string_method(name, "name", "trim")?).to_string();
    let dup_sql = "SELECT id FROM categories WHERE cat_group = ? and UPPER(name) = ? and tombstone = 0 LIMIT 1";
    let group = query_param(group, dup_sql)?;
    let dup: Option<String> = w
        .budget
        .conn
        .query_row(
            dup_sql,
            rusqlite::params![sql_value(group), name.to_uppercase()],
            |r| r.get(0),
        )
        .optional()?;
    if dup.is_some() {
        return Err(BudgetError::plain(format!(
            "Category '{name}' already exists in group '{}'",
            js::to_string(Some(group))
        )));
    }
    let siblings = sort::ordered(
        w.budget.conn,
        "SELECT id, sort_order FROM categories WHERE cat_group = ? AND tombstone = 0 ORDER BY sort_order, id",
        [sql_value(group)],
    )?;
    let first = siblings.first().map(|(id, _)| id.clone());
    let (shoved, sort_order) = sort::before(&siblings, first.as_deref());
    let id = new_id();
    let mut rows: Rows = shoved
        .into_iter()
        .map(|(row, order)| ("categories", row, vec![("sort_order", Cell::Number(order))]))
        .collect();
    rows.push((
        "categories",
        id.clone(),
        vec![
            ("name", Cell::String(name)),
            ("cat_group", raw_cell(group)?),
            ("is_income", flag(is_income)),
            ("hidden", flag(hidden)),
            ("sort_order", Cell::Number(sort_order)),
        ],
    ));
    // Every category maps to itself until it is deleted with a transfer.
    rows.push((
        "category_mapping",
        id.clone(),
        vec![("transferId", Cell::String(id.clone()))],
    ));
    w.changes.send_rows(rows)?;
    Ok(Value::String(id))
}

/// `updateCategory(id, fields)`: `group_id` is `group` (a move to another group keeps
/// the sort order), the name is required and trimmed, the fields go through
/// `convertForInsert` (upstream's `toDb` without its update flag: nulls are dropped
/// and `template_settings` is written as its default when not given), `sort_order`
/// is dropped; resolves to undefined.
pub fn update_category(w: &mut Writer, args: &Value) -> Result<Value> {
    let (group_id, rest) = without_group_id(args.get("fields"))?;
    let mut obj = with_id(args.get("id"), rest);
    let name = js::trim(js::string_method(obj.get("name"), "category.name", "trim")?).to_string();
    // `{ ...rest, group: group_id }`: an undefined `group_id` hides any `group` given.
    match group_id {
        Some(group) => obj.insert("group".into(), group),
        None => obj.shift_remove("group"),
    };
    obj.insert("name".into(), Value::String(name));
    let columns = CATEGORIES.convert_for_insert(&obj, 0.0)?;
    let id = row_id(obj.get("id"))?;
    let fields = columns
        .into_iter()
        .filter(|(c, _)| *c != "sort_order")
        .collect();
    w.changes.update("categories", &id, fields)?;
    Ok(Value::Null)
}

/// `deleteCategory(id, transferCategoryId)`: with a transfer category, an expense
/// category's budget amounts are added to the transfer's in every month of the sheet,
/// and its transactions (through `category_mapping`) read as the transfer category;
/// resolves to undefined.
pub fn delete_category(w: &mut Writer, args: &Value) -> Result<Value> {
    let id = args.get("id");
    let transfer = args.get("transferCategoryId");
    let sql = "SELECT is_income FROM categories WHERE id = ?";
    let income = |v: &Value| -> Result<Option<Value>> {
        Ok(w.budget
            .conn
            .query_row(sql, [sql_value(v)], |r| Ok(plain(r.get_ref(0)?)))
            .optional()?)
    };
    let Some(row_income) = income(query_param(id, sql)?)? else {
        return Err(BudgetError::plain(format!(
            "Category with id {} not found.",
            js::to_string(id)
        )));
    };
    let transfer = match transfer.filter(|t| js::truthy(Some(t))) {
        None => None,
        Some(t) => {
            let Some(transfer_income) = income(query_param(Some(t), sql)?)? else {
                return Err(BudgetError::plain(format!(
                    "Transfer category with id {} not found.",
                    js::to_string(Some(t))
                )));
            };
            if !js::strict_eq(Some(&row_income), Some(&transfer_income)) {
                return Err(BudgetError::plain(
                    "Cannot transfer between income and expense categories.",
                ));
            }
            Some(transfer_id(t)?)
        }
    };
    let id = delete_id(id, "deleteCategory")?;
    let mut rows = Rows::new();
    if let Some(t) = &transfer {
        // Only expense categories carry budget amounts over (upstream's TODO for income).
        if js::strict_eq(Some(&row_income), Some(&Value::from(0))) {
            rows.extend(transfer_budgets(&w.budget, std::slice::from_ref(&id), t)?);
        }
    }
    rows.extend(category_deletion(&w.budget, &id, transfer.as_deref())?);
    w.changes.send_rows(rows)?;
    Ok(Value::Null)
}

/// `deleteCategoryGroup(id, transferCategoryId)`: with a transfer category, the live
/// categories' budget amounts are added to it (nothing is checked about it), then
/// every category of the group, deleted ones too, is deleted as `deleteCategory`
/// deletes it, then the group; resolves to undefined.
pub fn delete_category_group(w: &mut Writer, args: &Value) -> Result<Value> {
    let id = args.get("id");
    let sql = "SELECT id FROM categories WHERE cat_group = ? AND tombstone = 0";
    let group = sql_value(query_param(id, sql)?);
    let live: Vec<String> = w
        .budget
        .conn
        .prepare_cached(sql)?
        .query_map([&group], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let transfer = match args
        .get("transferCategoryId")
        .filter(|t| js::truthy(Some(t)))
    {
        Some(t) => Some(transfer_id(t)?),
        None => None,
    };
    let id = delete_id(id, "deleteCategoryGroup")?;
    let mut rows = Rows::new();
    if let Some(t) = &transfer {
        rows.extend(transfer_budgets(&w.budget, &live, t)?);
    }
    let all: Vec<String> = w
        .budget
        .conn
        .prepare_cached("SELECT id FROM categories WHERE cat_group = ?")?
        .query_map([&group], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // `Promise.all(categories.map(cat => deleteCategory(cat, transferId)))`: each
    // deletion awaits once per message, so their messages are made in turns.
    let mut steps = all
        .iter()
        .map(|c| Ok(category_deletion(&w.budget, c, transfer.as_deref())?.into_iter()))
        .collect::<Result<Vec<_>>>()?;
    loop {
        let before = rows.len();
        rows.extend(steps.iter_mut().filter_map(Iterator::next));
        if rows.len() == before {
            break;
        }
    }
    rows.push((
        "category_groups",
        id,
        vec![("tombstone", Cell::Number(1.0))],
    ));
    w.changes.send_rows(rows)?;
    Ok(Value::Null)
}

/// A transfer category id upstream would look up and write.
fn transfer_id(t: &Value) -> Result<String> {
    match t {
        Value::String(s) => Ok(s.clone()),
        other => Err(BudgetError::Unsupported(format!(
            "a transfer category id that is not a string ({})",
            js::to_string(Some(other))
        ))),
    }
}

/// `doTransfer(categoryIds, transferId)`: in every month of the sheet, the transfer
/// category's amount becomes its own plus the categories' (rows are written for
/// months where that is 0 too).
fn transfer_budgets(b: &Budget, categories: &[String], transfer: &str) -> Result<Rows> {
    let table = budget_table(b)?;
    let amount_sql = format!("SELECT amount FROM {table} WHERE month = ? AND category = ?");
    let mut stmt = b.conn.prepare_cached(&amount_sql)?;
    let mut amount = |month: i64, category: &str| -> Result<i64> {
        let v: Option<Option<f64>> = stmt
            .query_row(rusqlite::params![month, category], |r| r.get(0))
            .optional()?;
        Ok(v.flatten().unwrap_or(0.0) as i64)
    };
    let transfer_value = Value::String(transfer.to_string());
    let mut rows = Rows::new();
    for month in sheet_months(b)? {
        let month = db_month(&month_string(month)).unwrap_or(0);
        let mut total = 0;
        for category in categories {
            total += amount(month, category)?;
        }
        total += amount(month, transfer)?;
        let (row, fields) = budget_row(b, table, month, &transfer_value, total)?;
        rows.push((table, row, fields));
    }
    Ok(rows)
}

/// `db.deleteCategory(category, transferId)`: with a transfer, every mapping that
/// points at the category (its own included) is pointed at the transfer, and its own
/// once more; then the category's tombstone.
fn category_deletion(b: &Budget, id: &str, transfer: Option<&str>) -> Result<Rows> {
    let mut rows = Rows::new();
    if let Some(t) = transfer {
        let mut stmt = b
            .conn
            .prepare_cached("SELECT id FROM category_mapping WHERE transferId = ?")?;
        let mapped: Vec<String> = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for m in mapped.into_iter().chain(std::iter::once(id.to_string())) {
            rows.push((
                "category_mapping",
                m,
                vec![("transferId", Cell::String(t.to_string()))],
            ));
        }
    }
    rows.push((
        "categories",
        id.to_string(),
        vec![("tombstone", Cell::Number(1.0))],
    ));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn categories_lose_group_id_for_group() {
        let (group, rest) =
            without_group_id(Some(&json!({"name": "x", "group_id": "g", "hidden": true}))).unwrap();
        assert_eq!(group, Some(json!("g")));
        assert_eq!(Value::Object(rest), json!({"name": "x", "hidden": true}));
        assert_eq!(
            without_group_id(None).unwrap_err().to_string(),
            "Cannot destructure property 'group_id' of 'category' as it is undefined."
        );
    }
}
