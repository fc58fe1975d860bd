//! Category groups and categories (`server/budget/app.ts` getCategoryGroups and
//! getCategories over AQL's `category_groups` executor, `server/api-models.ts`
//! categoryModel and categoryGroupModel).

use rusqlite::ToSql;
use serde_json::Value;

use crate::foundation::budget::Budget;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::sqlite::{boolean, col, object, plain};

/// The `hidden` option: JavaScript tells `undefined` (no filter) from `null` (a filter
/// on `hidden IS NULL`, which no category matches in practice).
#[derive(Clone, Copy, PartialEq)]
enum Hidden {
    Any,
    Null,
    Is(bool),
}

fn hidden_option(args: &Value) -> Result<Hidden> {
    match args.get("hidden") {
        None => Ok(Hidden::Any),
        Some(Value::Null) => Ok(Hidden::Null),
        Some(Value::Bool(b)) => Ok(Hidden::Is(*b)),
        Some(other) => Err(BudgetError::invalid(
            "invalid-argument",
            format!("hidden must be true or false, not {other}"),
        )),
    }
}

/// A group or category as AQL outputs it, in the API's shape.
struct Category {
    group: Value,
    api: Value,
    hidden: bool,
}

fn hidden_filter(hidden: Hidden, column: &str) -> String {
    match hidden {
        Hidden::Any => String::new(),
        Hidden::Null => format!(" AND {column} IS NULL"),
        Hidden::Is(true) => format!(" AND {column} = 1"),
        Hidden::Is(false) => format!(" AND {column} = 0"),
    }
}

fn categories(b: &Budget, filter: &str, params: &[&dyn ToSql]) -> Result<Vec<Category>> {
    let sql = format!(
        "SELECT id, name, is_income, hidden, cat_group FROM categories
           WHERE tombstone = 0{filter} ORDER BY sort_order, id"
    );
    let mut stmt = b.conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params, |r| {
        let hidden = boolean(col(r, "hidden")?);
        Ok(Category {
            group: plain(col(r, "cat_group")?),
            hidden: hidden == Value::Bool(true),
            api: object([
                ("id", plain(col(r, "id")?)),
                ("name", plain(col(r, "name")?)),
                ("is_income", boolean(col(r, "is_income")?)),
                ("hidden", hidden),
                ("group_id", plain(col(r, "cat_group")?)),
            ]),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A group's fields in the API's shape, and its categories.
pub(crate) type Group = (serde_json::Map<String, Value>, Vec<Value>);

/// The groups (AQL `category_groups` with its categories), filtered as upstream's
/// getCategoryGroups filters them; each with its categories in the API's shape.
fn groups(b: &Budget, hidden: Hidden) -> Result<Vec<Group>> {
    let sql = format!(
        "SELECT id, name, is_income, hidden FROM category_groups
           WHERE tombstone = 0{} ORDER BY is_income, sort_order, id",
        hidden_filter(hidden, "hidden")
    );
    let mut stmt = b.conn.prepare_cached(&sql)?;
    let groups: Vec<serde_json::Map<String, Value>> = stmt
        .query_map([], |r| {
            let Value::Object(map) = object([
                ("id", plain(col(r, "id")?)),
                ("name", plain(col(r, "name")?)),
                ("is_income", boolean(col(r, "is_income")?)),
                ("hidden", boolean(col(r, "hidden")?)),
            ]) else {
                unreachable!("object() builds an object")
            };
            Ok(map)
        })?
        .collect::<rusqlite::Result<_>>()?;
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&Value> = groups.iter().map(|g| &g["id"]).collect();
    let ids: Vec<String> = ids
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    let placeholders = vec!["?"; ids.len()].join(", ");
    let params: Vec<&dyn ToSql> = ids.iter().map(|s| s as &dyn ToSql).collect();
    let cats = categories(b, &format!(" AND cat_group IN ({placeholders})"), &params)?;
    Ok(groups
        .into_iter()
        .map(|g| {
            let list = cats
                .iter()
                .filter(|c| c.group == g["id"])
                .filter(|c| match hidden {
                    Hidden::Any => true,
                    Hidden::Null => false,
                    Hidden::Is(h) => c.hidden == h,
                })
                .map(|c| c.api.clone())
                .collect();
            (g, list)
        })
        .collect())
}

/// Every live group with its live categories, in the API's shape and upstream's order:
/// what AQL's `q('category_groups').select('*')` gives (`server/budget/base.ts`
/// createBudget and `server/api.ts` 'api/budget-month' build on it).
pub(crate) fn all_groups(b: &Budget) -> Result<Vec<Group>> {
    groups(b, Hidden::Any)
}

/// `getCategoryGroups({ hidden })`.
pub fn get_category_groups(b: &Budget, args: &Value) -> Result<Value> {
    let hidden = hidden_option(args)?;
    Ok(Value::Array(
        groups(b, hidden)?
            .into_iter()
            .map(|(mut g, cats)| {
                g.insert("categories".into(), Value::Array(cats));
                Value::Object(g)
            })
            .collect(),
    ))
}

/// `getCategories({ hidden })`: the groups' categories in group order; asked for hidden
/// ones, every hidden category, wherever its group is.
pub fn get_categories(b: &Budget, args: &Value) -> Result<Value> {
    let hidden = hidden_option(args)?;
    if hidden == Hidden::Is(true) {
        let list = categories(b, " AND hidden = 1", &[])?;
        return Ok(Value::Array(list.into_iter().map(|c| c.api).collect()));
    }
    Ok(Value::Array(
        groups(b, hidden)?
            .into_iter()
            .flat_map(|(_, cats)| cats)
            .collect(),
    ))
}
