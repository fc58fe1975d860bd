//! Budget months: `getBudgetMonths()` and `getBudgetMonth(month)` (`server/api.ts`
//! 'api/budget-months' and 'api/budget-month') for envelope and tracking budgets.
//!
//! Upstream keeps a spreadsheet of cells per month (`server/sheet.ts`,
//! `server/spreadsheet/`), built when a budget is loaded: budget amounts and carryover
//! flags from `zero_budgets` or `reflect_budgets`, envelope holds from
//! `zero_budget_months`, spending from one grouped query over the transactions, and
//! formulas that chain each month to the one before. Here the same cells are computed
//! from the same rows, from the range's first month on, and kept while the database
//! does not change:
//!
//! - [`range`]: which months the budget has;
//! - [`sheet`]: the rows the cells come from, and the cells' shape;
//! - [`envelope`] and [`tracking`]: the two budget types' formulas;
//! - [`cache`]: the computed months, kept while the database does not change.
//!
//! The answers are a fresh load's. Upstream updates a loaded sheet cell by cell as
//! synced changes arrive (`triggerBudgetChanges` in `server/budget/base.ts`), and in a
//! few cases that leaves it unlike a fresh load until the budget is loaded afresh: in a
//! tracking budget, a category created hidden or moved while hidden, or a group created
//! hidden (or an income group), counts in its group's or the budget's totals.

pub mod cache;
pub mod envelope;
pub mod range;
pub mod sheet;
pub mod tracking;

use serde_json::{Map, Value};

use crate::foundation::budget::Budget;
use crate::foundation::dates::month_string;
use crate::foundation::error::{BudgetError, Result};
use sheet::{CategoryCells, GroupCells, Inputs, MonthCells};

/// A budget's sheet: its months, what their cells come from, and the cells.
pub struct Computed {
    pub range: range::BudgetRange,
    pub inputs: Inputs,
    pub months: Vec<MonthCells>,
}

impl Computed {
    /// Every month's cells as a fresh load of the database computes them.
    pub fn compute(b: &Budget) -> Result<Computed> {
        let range = range::budget_range(b)?;
        let inputs = Inputs::load(b, &range)?;
        let month = if inputs.tracking {
            tracking::month
        } else {
            envelope::month
        };
        let months = sheet::each_month(&inputs, month)?;
        Ok(Computed {
            range,
            inputs,
            months,
        })
    }
}

static COMPUTED: cache::Cache<Computed> = cache::Cache::new();

/// `getBudgetMonths()`: the budget's months, `YYYY-MM`, oldest first.
pub fn get_budget_months(b: &Budget, _args: &Value) -> Result<Value> {
    let range = range::budget_range(b)?;
    Ok(Value::Array(
        range.api_months().map(Value::String).collect(),
    ))
}

/// `getBudgetMonth(month)`: the month's summary, then every group with its categories
/// and their cells.
pub fn get_budget_month(b: &Budget, args: &Value) -> Result<Value> {
    let month = month_argument(args)?;
    let sheet = COMPUTED.get_or_compute(b, || Computed::compute(b))?;
    let index = sheet
        .range
        .api_index(month)
        .ok_or_else(|| BudgetError::api(format!("No budget exists for month: {month}")))?;
    debug_assert_eq!(month_string(sheet.range.months[index]), month);
    Ok(month_answer(&sheet.inputs, month, &sheet.months[index]))
}

/// The envelope sheet's `to-budget` of an API month (`None` in a tracking budget,
/// which has no such cell, or for a month the API does not list).
pub fn to_budget(b: &Budget, month: &str) -> Result<Option<i64>> {
    let sheet = COMPUTED.get_or_compute(b, || Computed::compute(b))?;
    Ok(sheet
        .range
        .api_index(month)
        .and_then(|i| sheet.months[i].summary.to_budget))
}

/// validateMonth's format check: `month.match(/^\d{4}-\d{2}$/)`, and the TypeError a
/// value without `match` gives.
pub fn month_argument(args: &Value) -> Result<&str> {
    match args.get("month") {
        Some(Value::String(s)) => {
            let b = s.as_bytes();
            let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
            if b.len() == 7 && digits(0..4) && b[4] == b'-' && digits(5..7) {
                Ok(s)
            } else {
                Err(BudgetError::api(format!(
                    "Invalid month format, use YYYY-MM: {s}"
                )))
            }
        }
        None => Err(BudgetError::TypeError(
            "Cannot read properties of undefined (reading 'match')".into(),
        )),
        Some(Value::Null) => Err(BudgetError::TypeError(
            "Cannot read properties of null (reading 'match')".into(),
        )),
        Some(_) => Err(BudgetError::TypeError(
            "month.match is not a function".into(),
        )),
    }
}

fn amount(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::from)
}

/// 'api/budget-month''s answer: `value(name)` of each cell (null where the sheet has no
/// such cell), groups and categories as `toExternal` gives them with the cells after.
fn month_answer(inputs: &Inputs, month: &str, cells: &MonthCells) -> Value {
    let s = &cells.summary;
    // Envelope's `total-budgeted` is `-sumAmounts(...)`: nothing budgeted is -0.
    let total_budgeted = if !inputs.tracking && s.total_budgeted == 0 {
        Value::from(-0.0)
    } else {
        Value::from(s.total_budgeted)
    };
    let groups = inputs
        .groups
        .iter()
        .zip(&cells.groups)
        .map(|(group, group_cells)| {
            let mut out = group.api.clone();
            // `...toExternal(group)` puts `categories` here; the answer's own list
            // replaces it in place.
            out.insert("categories".into(), Value::Null);
            let categories = group.categories.iter().map(|&c| {
                let mut cat = match &inputs.categories[c].api {
                    Value::Object(map) => map.clone(),
                    _ => Map::new(),
                };
                category_cells(
                    &mut cat,
                    group.is_income,
                    inputs.tracking,
                    &cells.categories[c],
                );
                Value::Object(cat)
            });
            let categories = Value::Array(categories.collect());
            group_cells_into(
                &mut out,
                group.is_income,
                inputs.tracking,
                group_cells,
                s.total_income,
            );
            out.insert("categories".into(), categories);
            Value::Object(out)
        })
        .collect();
    crate::foundation::js::sqlite::object([
        ("month", Value::String(month.to_string())),
        ("incomeAvailable", amount(s.available_funds)),
        ("lastMonthOverspent", amount(s.last_month_overspent)),
        ("forNextMonth", amount(s.buffered)),
        ("totalBudgeted", total_budgeted),
        ("toBudget", amount(s.to_budget)),
        ("fromLastMonth", amount(s.from_last_month)),
        ("totalIncome", Value::from(s.total_income)),
        ("totalSpent", Value::from(s.total_spent)),
        ("totalBalance", Value::from(s.total_leftover)),
        ("categoryGroups", Value::Array(groups)),
    ])
}

/// A group's cells: an envelope income group has only what it received (the budget's
/// `total-income`, whichever income group it is).
fn group_cells_into(
    out: &mut Map<String, Value>,
    is_income: bool,
    tracking: bool,
    cells: &GroupCells,
    total_income: i64,
) {
    if is_income && !tracking {
        out.insert("received".into(), Value::from(total_income));
    } else {
        put_cells(out, is_income, cells.cells());
    }
}

/// A category's cells, shaped by its group (not by the category's own income flag).
fn category_cells(
    out: &mut Map<String, Value>,
    in_income_group: bool,
    tracking: bool,
    cells: &CategoryCells,
) {
    if in_income_group && !tracking {
        out.insert("received".into(), Value::from(cells.spent));
        return;
    }
    put_cells(out, in_income_group, cells.cells());
    let carryover = cells.carryover.map_or(Value::Null, Value::Bool);
    out.insert("carryover".into(), carryover);
}

/// `budgeted`, `spent` (`received` in an income group) and `balance`.
fn put_cells(out: &mut Map<String, Value>, in_income_group: bool, cells: sheet::Cells) {
    let (budgeted, spent, balance) = cells;
    let spent_key = if in_income_group { "received" } else { "spent" };
    out.insert("budgeted".into(), amount(budgeted));
    out.insert(spent_key.into(), Value::from(spent));
    out.insert("balance".into(), amount(balance));
}

#[cfg(test)]
mod tests {
    use super::sheet::fixture;
    use super::*;
    use serde_json::json;

    #[test]
    fn months_are_checked_as_validate_month_checks_them() {
        let err = |v: Value| month_argument(&v).unwrap_err();
        assert_eq!(
            month_argument(&json!({ "month": "2026-00" })).unwrap(),
            "2026-00"
        );
        for bad in [
            "2026-1",
            " 2026-01",
            "2026-01\n",
            "2026-01-01",
            "",
            "２０２６-01",
        ] {
            assert!(
                matches!(err(json!({ "month": bad })), BudgetError::Api(m) if m == format!("Invalid month format, use YYYY-MM: {bad}"))
            );
        }
        assert!(matches!(err(json!({})), BudgetError::TypeError(m) if m.contains("undefined")));
        assert!(
            matches!(err(json!({ "month": null })), BudgetError::TypeError(m) if m.contains("null"))
        );
        assert!(
            matches!(err(json!({ "month": 202601 })), BudgetError::TypeError(m) if m == "month.match is not a function")
        );
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    #[test]
    fn answers_take_the_group_s_shape() {
        let groups: &[fixture::GroupSpec] = &[
            ("Bills", false, false, &[("rent", false, false)]),
            ("Income", true, false, &[("salary", true, false)]),
        ];
        let envelope = fixture::inputs(false, 1, groups);
        let cells = &sheet::each_month(&envelope, envelope::month).unwrap()[0];
        let answer = month_answer(&envelope, "2026-01", cells);
        // Nothing budgeted: `-sumAmounts()` is -0.
        assert!(answer["totalBudgeted"].as_f64().unwrap().is_sign_negative());
        let [bills, income] = &answer["categoryGroups"].as_array().unwrap()[..] else {
            panic!("two groups")
        };
        assert_eq!(
            keys(bills),
            ["id", "categories", "budgeted", "spent", "balance"]
        );
        assert_eq!(
            keys(&bills["categories"][0]),
            ["id", "budgeted", "spent", "balance", "carryover"]
        );
        assert_eq!(keys(income), ["id", "categories", "received"]);
        assert_eq!(keys(&income["categories"][0]), ["id", "received"]);

        let tracking = fixture::inputs(true, 1, groups);
        let cells = &sheet::each_month(&tracking, tracking::month).unwrap()[0];
        let answer = month_answer(&tracking, "2026-01", cells);
        assert_eq!(answer["totalBudgeted"], json!(0));
        assert_eq!(answer["toBudget"], Value::Null);
        let income = &answer["categoryGroups"][1];
        assert_eq!(
            keys(income),
            ["id", "categories", "budgeted", "received", "balance"]
        );
        assert_eq!(
            keys(&income["categories"][0]),
            ["id", "budgeted", "received", "balance", "carryover"]
        );
    }
}
