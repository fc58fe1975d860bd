//! Budget cells: `setBudgetAmount`, `setBudgetCarryover`, `holdBudgetForNextMonth`,
//! `resetBudgetHold` (`server/api.ts` and `server/budget/actions.ts`), and the months
//! the budget has (`server/budget/base.ts` createAllBudgets, getBudgetRange).
//!
//! The table is `zero_budgets` for envelope budgets and `reflect_budgets` for tracking
//! ones (the synced preference `budgetType`). Upstream reads and writes these rows
//! directly, not through its spreadsheet, so the rows are the whole effect.

use actual_sync::Value as Cell;
use chrono::{Datelike, Months, NaiveDate};
use rusqlite::{types::ValueRef, OptionalExtension};
use serde_json::Value;

use super::{query_param, sql_value, thrown};
use crate::dates::{from_date_repr, month_string, parse_date_like, parse_int};
use crate::js;
use crate::schema_fields::raw_cell;
use crate::{args, Budget, BudgetError, Result, Writer};

/// `isTrackingBudget()`.
pub fn is_tracking(b: &Budget) -> Result<bool> {
    let value: Option<Option<String>> = b
        .conn
        .query_row(
            "SELECT value FROM preferences WHERE id = 'budgetType'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(value.flatten().as_deref() == Some("tracking"))
}

/// `getBudgetTable()`.
pub fn budget_table(b: &Budget) -> Result<&'static str> {
    Ok(if is_tracking(b)? {
        "reflect_budgets"
    } else {
        "zero_budgets"
    })
}

/// `dbMonth(month)`: `parseInt` of the month without its first dash; `None` is NaN.
pub fn db_month(month: &str) -> Option<i64> {
    parse_int(&month.replacen('-', "", 1))
}

/// The months of the budget's sheet, first to last inclusive (the meta's
/// `createdMonths`): three months before the earliest dated transaction that is not
/// a split's child (deleted ones count) to twelve after the current local month.
/// Upstream's set only grows during a session, and is computed again on
/// `getBudgetMonths` and month checks; it is computed here on every call, which
/// differs only after a write dated before the earliest transaction and before the
/// next month check.
pub fn sheet_months(b: &Budget) -> Result<Vec<NaiveDate>> {
    let earliest: Option<Option<i64>> = b
        .conn
        .prepare_cached(
            "SELECT date FROM transactions WHERE isChild=0 AND date IS NOT NULL
               ORDER BY date ASC LIMIT 1",
        )?
        .query_row([], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Integer(n) => Some(n),
                _ => None,
            })
        })
        .optional()?;
    let current = month_string(b.now.date());
    let start = match earliest {
        Some(Some(date)) => from_date_repr(date).chars().take(7).collect(),
        // `fromDateRepr` of a value that is not a number throws upstream.
        Some(None) => {
            return Err(BudgetError::Unsupported(
                "a transaction date that is not a number".into(),
            ))
        }
        None => current.clone(),
    };
    let start = if start > current {
        current.clone()
    } else {
        start
    };
    let month =
        |s: &str| parse_date_like(&Value::String(s.to_string())).and_then(|d| d.with_day(1));
    let (Some(first), Some(last)) = (
        month(&start).and_then(|d| d.checked_sub_months(Months::new(3))),
        month(&current).and_then(|d| d.checked_add_months(Months::new(12))),
    ) else {
        return Err(BudgetError::Unsupported(
            "a budget month out of range".into(),
        ));
    };
    let mut months = vec![first];
    let mut m = first;
    while m < last {
        m = m + Months::new(1);
        months.push(m);
    }
    Ok(months)
}

/// `validateMonth(month)` (`server/api.ts`): a `YYYY-MM` string among the months the
/// API lists (`range(start, end)`, the sheet's months but the last).
pub fn validate_month<'a>(b: &Budget, month: Option<&'a Value>) -> Result<&'a str> {
    let month = js::string_method(month, "month", "match")?;
    let bytes = month.as_bytes();
    let shaped = bytes.len() == 7
        && bytes.iter().enumerate().all(|(i, c)| {
            if i == 4 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(BudgetError::api(format!(
            "Invalid month format, use YYYY-MM: {month}"
        )));
    }
    let months = sheet_months(b)?;
    let listed = &months[..months.len() - 1];
    if !listed.iter().any(|m| month_string(*m) == month) {
        return Err(BudgetError::api(format!(
            "No budget exists for month: {month}"
        )));
    }
    Ok(month)
}

/// `validateExpenseCategory(debug, id)`.
fn validate_expense_category<'a>(
    b: &Budget,
    debug: &str,
    id: Option<&'a Value>,
) -> Result<&'a Value> {
    let Some(id) = id.filter(|v| !v.is_null()) else {
        return Err(BudgetError::api(format!(
            "{debug}: category id is required"
        )));
    };
    let sql = "SELECT is_income FROM categories WHERE id = ?";
    let param = sql_value(query_param(Some(id), sql)?);
    let row: Option<Option<i64>> = b.conn.query_row(sql, [param], |r| r.get(0)).optional()?;
    let shown = js::to_string(Some(id));
    match row {
        None => Err(BudgetError::api(format!(
            "{debug}: category \"{shown}\" does not exist"
        ))),
        Some(Some(0)) => Ok(id),
        Some(_) => Err(BudgetError::api(format!(
            "{debug}: category \"{shown}\" is not an expense category"
        ))),
    }
}

/// The id of `table`'s row for (`month`, `category`), if there is one.
fn existing(b: &Budget, table: &str, month: Cell, category: &Value) -> Result<Option<String>> {
    let month = match month {
        Cell::Number(n) => rusqlite::types::Value::Integer(n as i64),
        Cell::String(s) => rusqlite::types::Value::Text(s),
        Cell::Null => rusqlite::types::Value::Null,
    };
    let sql = format!("SELECT id FROM {table} WHERE month = ? AND category = ?");
    Ok(b.conn
        .prepare_cached(&sql)?
        .query_row([month, sql_value(category)], |r| r.get(0))
        .optional()?)
}

/// `setBudget({ category, month, amount })`'s row: an update of the amount, or a new
/// row `<month>-<category>`. Its fields are returned for the caller to send.
pub fn budget_row(
    b: &Budget,
    table: &str,
    month: i64,
    category: &Value,
    amount: i64,
) -> Result<(String, Vec<(&'static str, Cell)>)> {
    let amount = Cell::Number(amount as f64);
    let month_cell = Cell::Number(month as f64);
    Ok(match existing(b, table, month_cell.clone(), category)? {
        Some(id) => (id, vec![("amount", amount)]),
        None => (
            format!("{month}-{}", js::to_string(Some(category))),
            vec![
                ("month", month_cell),
                ("category", raw_cell(category)?),
                ("amount", amount),
            ],
        ),
    })
}

/// `safeNumber(typeof amount === 'number' ? amount : 0)`.
fn safe_amount(amount: Option<&Value>) -> Result<i64> {
    let Some(Value::Number(n)) = amount else {
        return Ok(0);
    };
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.fract() != 0.0 || !f.is_finite() {
        return Err(thrown(format!(
            "safeNumber: number is not an integer: {}",
            js::stringify(&Value::Number(n.clone()), false)
        )));
    }
    const MAX: f64 = 2_251_799_813_685_247.0; // 2 ** 51 - 1
    if f.abs() > MAX {
        return Err(thrown(format!(
            "safeNumber: can't safely perform arithmetic with number: {}",
            js::to_string(amount)
        )));
    }
    Ok(f as i64)
}

/// `setBudgetAmount(month, categoryId, amount)`: `budget/budget-amount` without any
/// check of the month or the category (upstream writes a row for whatever it is
/// given); resolves to undefined.
pub fn set_budget_amount(w: &mut Writer, args: &Value) -> Result<Value> {
    let amount = safe_amount(args::get(args, "amount"))?;
    let table = budget_table(&w.budget)?;
    let month = js::string_method(args.get("month"), "month", "replace")?;
    let sql = format!("SELECT id FROM {table} WHERE month = ? AND category = ?");
    let category = query_param(args.get("categoryId"), &sql)?;
    let Some(month) = db_month(month) else {
        // A NaN month: upstream writes a row its spreadsheet then fails on.
        return Err(BudgetError::Unsupported(format!(
            "setBudgetAmount for a month that is not a number ({month})"
        )));
    };
    let (id, fields) = budget_row(&w.budget, table, month, category, amount)?;
    w.changes.update(table, &id, fields)?;
    Ok(Value::Null)
}

/// `setBudgetCarryover(month, categoryId, flag)`: the flag for that month and every
/// later month of the sheet (`setCategoryCarryover`); resolves to undefined.
pub fn set_budget_carryover(w: &mut Writer, args: &Value) -> Result<Value> {
    let start = validate_month(&w.budget, args.get("month"))?;
    let category =
        validate_expense_category(&w.budget, "budget-set-carryover", args.get("categoryId"))?;
    let table = budget_table(&w.budget)?;
    let carryover = super::flag(args.get("flag"));
    let months = sheet_months(&w.budget)?;
    let mut rows = Vec::new();
    for month in months
        .iter()
        .filter(|m| month_string(**m).as_str() >= start)
    {
        // `setCarryover` is given the month as a string (`dbMonth(month).toString()`).
        let month = format!("{}{:02}", month.year(), month.month());
        rows.push(
            match existing(&w.budget, table, Cell::String(month.clone()), category)? {
                Some(id) => (table, id, vec![("carryover", carryover.clone())]),
                None => (
                    table,
                    format!("{month}-{}", js::to_string(Some(category))),
                    vec![
                        ("month", Cell::String(month)),
                        ("category", raw_cell(category)?),
                        ("carryover", carryover.clone()),
                    ],
                ),
            },
        );
    }
    w.changes.send_rows(rows)?;
    Ok(Value::Null)
}

/// `holdBudgetForNextMonth(month, amount)`: its checks are upstream's; the hold itself
/// needs the month's to-budget from the envelope sheet, which is not computed here.
pub fn hold_budget_for_next_month(w: &mut Writer, args: &Value) -> Result<Value> {
    validate_month(&w.budget, args.get("month"))?;
    // `amount <= 0`: undefined and non-numeric strings are NaN, which compares false.
    if js::to_number(args.get("amount")) <= 0.0 {
        return Err(BudgetError::api(
            "Amount to hold needs to be greater than 0",
        ));
    }
    Err(BudgetError::Unsupported(
        "holdBudgetForNextMonth (the envelope to-budget)".into(),
    ))
}

/// `resetBudgetHold(month)`: the month's `buffered` back to 0 (`setBuffer`), whatever
/// the budget type; resolves to undefined.
pub fn reset_budget_hold(w: &mut Writer, args: &Value) -> Result<Value> {
    let month = validate_month(&w.budget, args.get("month"))?;
    let exists: Option<String> = w
        .budget
        .conn
        .query_row(
            "SELECT id FROM zero_budget_months WHERE id = ?",
            [month],
            |r| r.get(0),
        )
        .optional()?;
    w.changes.update(
        "zero_budget_months",
        exists.as_deref().unwrap_or(month),
        vec![("buffered", Cell::Number(0.0))],
    )?;
    Ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_months_drop_the_first_dash_only() {
        assert_eq!(db_month("2026-01"), Some(202601));
        assert_eq!(db_month("2026-1"), Some(20261));
        assert_eq!(db_month("2026-01-15"), Some(202601));
        assert_eq!(db_month("bad"), None);
    }

    #[test]
    fn amounts_must_be_safe_integers() {
        assert_eq!(safe_amount(Some(&Value::from(5))).unwrap(), 5);
        assert_eq!(safe_amount(Some(&Value::from("100"))).unwrap(), 0);
        assert_eq!(
            safe_amount(Some(&serde_json::json!(1.5)))
                .unwrap_err()
                .to_string(),
            "safeNumber: number is not an integer: 1.5"
        );
        assert_eq!(
            safe_amount(Some(&serde_json::json!(4503599627370496.0)))
                .unwrap_err()
                .to_string(),
            "safeNumber: can't safely perform arithmetic with number: 4503599627370496"
        );
    }
}
