//! What the budget's sheet is built from, read from the database as a fresh load reads
//! it (`server/sheet.ts` loadUserBudgets, `server/budget/base.ts` createBudget and
//! getSumAmountsByMonth), and the cells it computes from them.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::types::ValueRef;
use serde_json::{Map, Value};

use super::range::BudgetRange;
use crate::foundation::budget::Budget;
use crate::foundation::error::{BudgetError, Result};
use crate::reads::categories::all_groups;

/// A live category of a live group, in the sheet's order (groups' order, then theirs).
pub struct Category {
    pub id: String,
    pub is_income: bool,
    pub hidden: bool,
    /// `categoryModel.toExternal(category)`.
    pub api: Value,
}

/// A live group and the indices of its categories in [`Inputs::categories`].
pub struct Group {
    pub is_income: bool,
    pub hidden: bool,
    /// `categoryGroupModel.toExternal(group)` without its categories.
    pub api: Map<String, Value>,
    pub categories: Vec<usize>,
}

/// A `zero_budgets` (envelope) or `reflect_budgets` (tracking) row of one category in
/// one month: its amount (`null` stays null) and whether its carryover flag is on.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BudgetRow {
    pub amount: Option<i64>,
    pub carryover: bool,
}

/// Everything a month's cells are computed from; months are the range's created months
/// in order, categories those of [`Inputs::categories`].
pub struct Inputs {
    pub tracking: bool,
    pub categories: Vec<Category>,
    pub groups: Vec<Group>,
    /// `[month][category]`: the month's budget row, if there is one.
    pub rows: Vec<Vec<Option<BudgetRow>>>,
    /// `[month][category]`: `sum-amount`, what the category's on-budget transactions add
    /// up to in the month.
    pub sums: Vec<Vec<i64>>,
    /// `[month]`: the envelope hold for next month (`zero_budget_months.buffered`).
    pub buffered: Vec<i64>,
}

/// A category's cells in one month; `None` is a cell the sheet does not have (or one
/// holding null), which the API reports as null.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CategoryCells {
    pub budgeted: Option<i64>,
    pub spent: i64,
    pub balance: Option<i64>,
    pub carryover: Option<bool>,
}

/// A group's cells in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupCells {
    pub budgeted: Option<i64>,
    pub spent: i64,
    pub balance: Option<i64>,
}

impl GroupCells {
    /// Cells added up (`sumAmounts` of each): a group's from its categories',
    /// `total-budgeted`, `total-spent` and `total-leftover` from the groups'.
    pub fn add_up(cells: impl Iterator<Item = Cells> + Clone) -> Result<GroupCells> {
        Ok(GroupCells {
            budgeted: Some(sum_of(cells.clone().map(|c| c.0.unwrap_or(0)))?),
            spent: sum_of(cells.clone().map(|c| c.1))?,
            balance: Some(sum_of(cells.map(|c| c.2.unwrap_or(0)))?),
        })
    }

    pub fn cells(&self) -> Cells {
        (self.budgeted, self.spent, self.balance)
    }
}

/// The budgeted, spent and balance cells of a category or group.
pub type Cells = (Option<i64>, i64, Option<i64>);

impl CategoryCells {
    pub fn cells(&self) -> Cells {
        (self.budgeted, self.spent, self.balance)
    }
}

/// A month's summary cells (`None`: the budget type has no such cell).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    pub available_funds: Option<i64>,
    pub last_month_overspent: Option<i64>,
    pub buffered: Option<i64>,
    pub total_budgeted: i64,
    pub to_budget: Option<i64>,
    pub from_last_month: Option<i64>,
    pub total_income: i64,
    pub total_spent: i64,
    pub total_leftover: i64,
}

/// Every cell of one month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthCells {
    pub categories: Vec<CategoryCells>,
    pub groups: Vec<GroupCells>,
    pub summary: Summary,
    /// Envelope's `buffered-selected`: what the month holds for the next one.
    pub held: i64,
}

/// One month's cells from the inputs, the first income group's index, the month's index
/// and the month before's cells.
pub type MonthFn = fn(&Inputs, usize, usize, Option<&MonthCells>) -> Result<MonthCells>;

/// Every created month's cells, in order, each from the one before.
pub fn each_month(inputs: &Inputs, month: MonthFn) -> Result<Vec<MonthCells>> {
    let income = income_group(inputs)?;
    let mut months: Vec<MonthCells> = Vec::with_capacity(inputs.sums.len());
    for m in 0..inputs.sums.len() {
        let cells = month(inputs, income, m, months.last())?;
        months.push(cells);
    }
    Ok(months)
}

/// `MAX_SAFE_NUMBER` (`shared/util.ts`).
const MAX_SAFE_NUMBER: i128 = (1 << 51) - 1;

/// `safeNumber`: a computed cell outside ±(2^51 − 1) throws, and upstream's sheet stops
/// computing, leaving cells half done; that budget is not answered natively.
pub fn safe(v: i128) -> Result<i64> {
    if v.abs() > MAX_SAFE_NUMBER {
        return Err(BudgetError::Unsupported(format!(
            "a budget cell beyond the safe amount range ({v})"
        )));
    }
    Ok(v as i64)
}

/// `sumAmounts`: the sum of the given cells, through [`safe`].
pub fn sum_of(values: impl IntoIterator<Item = i64>) -> Result<i64> {
    safe(values.into_iter().map(i128::from).sum())
}

/// The first income group: the one whose income `total-income` is (createSummary).
pub fn income_group(inputs: &Inputs) -> Result<usize> {
    // Without one, createSummary throws and the budget does not load upstream.
    inputs
        .groups
        .iter()
        .position(|g| g.is_income)
        .ok_or_else(|| BudgetError::Unsupported("a budget without an income group".into()))
}

/// A stored amount as a whole number of minor units. A fraction would make
/// `safeNumber` throw once the sheet adds it up, so it is not answered natively.
fn whole(v: ValueRef<'_>, what: &str) -> Result<Option<i64>> {
    match v {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(i) => Ok(Some(i)),
        ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        _ => Err(BudgetError::Unsupported(format!(
            "a {what} that is not a whole number"
        ))),
    }
}

/// `budget` + the month as `YYYYMM`: the name of a month's sheet (`sheetForMonth`).
fn sheet_key(month: NaiveDate) -> String {
    format!("{:04}{:02}", month.year(), month.month())
}

/// The budget type: tracking only when the preference says exactly `tracking`.
pub fn is_tracking(b: &Budget) -> Result<bool> {
    let mut stmt = b
        .conn
        .prepare_cached("SELECT value FROM preferences WHERE id = 'budgetType'")?;
    let mut rows = stmt.query([])?;
    Ok(match rows.next()? {
        Some(r) => matches!(r.get_ref(0)?, ValueRef::Text(t) if t == b"tracking"),
        None => false,
    })
}

impl Inputs {
    /// Reads everything the sheet of `range` is built from.
    pub fn load(b: &Budget, range: &BudgetRange) -> Result<Inputs> {
        let tracking = is_tracking(b)?;
        let (categories, groups) = categories(b)?;
        let by_id: HashMap<&str, usize> = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let month_index: HashMap<String, usize> = range
            .months
            .iter()
            .enumerate()
            .map(|(i, m)| (sheet_key(*m), i))
            .collect();
        let blank = || vec![None; categories.len()];
        let mut rows = vec![blank(); range.months.len()];
        load_rows(b, tracking, |month, category, row| {
            if let (Some(&m), Some(&c)) = (month_index.get(month), by_id.get(category)) {
                rows[m][c] = Some(row);
            }
        })?;
        let mut buffered = vec![0; range.months.len()];
        if !tracking {
            load_buffered(b, |key, amount| {
                if let Some(&m) = month_index.get(key) {
                    buffered[m] = amount;
                }
            })?;
        }
        let sums = load_sums(b, range, &by_id)?;
        Ok(Inputs {
            tracking,
            categories,
            groups,
            rows,
            sums,
            buffered,
        })
    }
}

fn categories(b: &Budget) -> Result<(Vec<Category>, Vec<Group>)> {
    let flag = |v: &Value, key: &str| v.get(key) == Some(&Value::Bool(true));
    let mut categories = Vec::new();
    let mut groups = Vec::new();
    for (api, cats) in all_groups(b)? {
        let first = categories.len();
        for cat in cats {
            categories.push(Category {
                id: cat["id"].as_str().unwrap_or_default().to_string(),
                is_income: flag(&cat, "is_income"),
                hidden: flag(&cat, "hidden"),
                api: cat,
            });
        }
        let group = Value::Object(api);
        let (is_income, hidden) = (flag(&group, "is_income"), flag(&group, "hidden"));
        let Value::Object(api) = group else {
            unreachable!("built as an object above")
        };
        groups.push(Group {
            is_income,
            hidden,
            api,
            categories: (first..categories.len()).collect(),
        });
    }
    Ok((categories, groups))
}

/// loadUserBudgets: every budget row of a live category, in the order the query gives
/// them (a later row of the same month and category wins), with its month as the text
/// `budget${month}` puts in the sheet's name.
fn load_rows(b: &Budget, tracking: bool, mut put: impl FnMut(&str, &str, BudgetRow)) -> Result<()> {
    let table = if tracking {
        "reflect_budgets"
    } else {
        "zero_budgets"
    };
    let sql = format!(
        "SELECT b.month, b.category, b.amount, b.carryover FROM {table} b
           LEFT JOIN categories c ON c.id = b.category
           WHERE c.tombstone = 0"
    );
    let mut stmt = b.conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let month = match r.get_ref(0)? {
            ValueRef::Integer(0) => continue,
            ValueRef::Integer(i) => i.to_string(),
            ValueRef::Text(t) if !t.is_empty() => String::from_utf8_lossy(t).into_owned(),
            // A fractional month names no sheet of the range; null, 0 and '' are skipped.
            _ => continue,
        };
        let ValueRef::Text(category) = r.get_ref(1)? else {
            continue;
        };
        let carryover = match r.get_ref(3)? {
            ValueRef::Integer(i) => i == 1,
            ValueRef::Real(f) => f == 1.0,
            _ => false,
        };
        let row = BudgetRow {
            amount: whole(r.get_ref(2)?, "budget amount")?,
            carryover,
        };
        put(&month, &String::from_utf8_lossy(category), row);
    }
    Ok(())
}

/// The envelope holds (`zero_budget_months`, keyed by `YYYY-MM`), by sheet key; a null
/// hold is 0 (the `buffered` cell's initial value).
fn load_buffered(b: &Budget, mut put: impl FnMut(&str, i64)) -> Result<()> {
    let mut stmt = b
        .conn
        .prepare_cached("SELECT id, buffered FROM zero_budget_months")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        // `sheetForMonth(id)` calls `id.replace`: a non-text id makes the load throw.
        let ValueRef::Text(id) = r.get_ref(0)? else {
            return Err(BudgetError::Unsupported(
                "a budget month hold without a month".into(),
            ));
        };
        let key = String::from_utf8_lossy(id).replacen('-', "", 1);
        put(&key, whole(r.get_ref(1)?, "held amount")?.unwrap_or(0));
    }
    Ok(())
}

/// getSumAmountsByMonth over the whole range: the same rows as its grouped query (live,
/// non-parent transactions of on-budget accounts, categories through
/// `category_mapping`), added up here per category and `date / 100`; SQLite's GROUP BY
/// would sort them first, which costs more than reading them.
fn load_sums(
    b: &Budget,
    range: &BudgetRange,
    by_id: &HashMap<&str, usize>,
) -> Result<Vec<Vec<i64>>> {
    let first = range.months[0];
    let last = *range.months.last().expect("a range has months");
    let start = i64::from(first.year()) * 10_000 + i64::from(first.month()) * 100 + 1;
    let last_day = last
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(last);
    let end = i64::from(last_day.year()) * 10_000
        + i64::from(last_day.month()) * 100
        + i64::from(last_day.day());
    let month_index: HashMap<i64, usize> = range
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| (i64::from(m.year()) * 100 + i64::from(m.month()), i))
        .collect();
    // The range spans (nearly) every transaction: a scan beats the date index (`+` keeps
    // the comparison as it is, without the index).
    let mut stmt = b.conn.prepare_cached(
        "SELECT t.category, t.date, t.amount
           FROM v_transactions_internal_alive t
           LEFT JOIN accounts a ON a.id = t.account
          WHERE +t.date >= ?1 AND +t.date <= ?2
            AND t.category IS NOT NULL
            AND a.offbudget = 0",
    )?;
    let mut totals = vec![vec![Total::default(); by_id.len()]; range.months.len()];
    let mut rows = stmt.query([start, end])?;
    while let Some(r) = rows.next()? {
        // Only a whole-number date gives a month a sheet is named after (`${month}`).
        let ValueRef::Integer(date) = r.get_ref(1)? else {
            continue;
        };
        let ValueRef::Text(category) = r.get_ref(0)? else {
            continue;
        };
        let Some(&m) = month_index.get(&(date / 100)) else {
            continue;
        };
        let Some(&c) = std::str::from_utf8(category)
            .ok()
            .and_then(|id| by_id.get(id))
        else {
            continue;
        };
        totals[m][c].add(r.get_ref(2)?);
    }
    totals
        .into_iter()
        .map(|month| month.into_iter().map(Total::value).collect())
        .collect()
}

/// A `SUM(amount)` being added up: whole numbers, or something else (a fraction, text),
/// which upstream's `safeNumber` would reject once a cell adds it.
#[derive(Clone, Copy, Default)]
struct Total {
    sum: i128,
    not_whole: bool,
}

impl Total {
    fn add(&mut self, amount: ValueRef<'_>) {
        match amount {
            ValueRef::Integer(i) => self.sum += i128::from(i),
            _ => self.not_whole = true,
        }
    }

    fn value(self) -> Result<i64> {
        if self.not_whole {
            return Err(BudgetError::Unsupported(
                "a transaction amount that is not a whole number".into(),
            ));
        }
        safe(self.sum)
    }
}

/// Inputs written by hand, for the formulas' tests.
#[cfg(test)]
pub mod fixture {
    use super::*;

    /// A group: its name, whether it is income and hidden, and its categories (name,
    /// income, hidden). Every month starts with no budget row, spending or hold.
    pub type GroupSpec<'a> = (&'a str, bool, bool, &'a [(&'a str, bool, bool)]);

    pub fn inputs(tracking: bool, months: usize, groups: &[GroupSpec]) -> Inputs {
        let mut categories = Vec::new();
        let mut out = Vec::new();
        for (name, is_income, hidden, cats) in groups {
            let first = categories.len();
            for (id, is_income, hidden) in *cats {
                categories.push(Category {
                    id: id.to_string(),
                    is_income: *is_income,
                    hidden: *hidden,
                    api: serde_json::json!({ "id": id }),
                });
            }
            let mut api = Map::new();
            api.insert("id".into(), Value::String(name.to_string()));
            out.push(Group {
                is_income: *is_income,
                hidden: *hidden,
                api,
                categories: (first..categories.len()).collect(),
            });
        }
        let n = categories.len();
        Inputs {
            tracking,
            categories,
            groups: out,
            rows: vec![vec![None; n]; months],
            sums: vec![vec![0; n]; months],
            buffered: vec![0; months],
        }
    }

    /// Sets a month's budget row of category `c`.
    pub fn budget(inputs: &mut Inputs, m: usize, c: usize, amount: i64, carryover: bool) {
        inputs.rows[m][c] = Some(BudgetRow {
            amount: Some(amount),
            carryover,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_beyond_the_safe_range_are_not_answered() {
        assert_eq!(safe((1 << 51) - 1).unwrap(), (1 << 51) - 1);
        assert!(matches!(safe(1 << 51), Err(BudgetError::Unsupported(_))));
        assert!(matches!(
            sum_of([i64::MAX, i64::MAX]),
            Err(BudgetError::Unsupported(_))
        ));
    }

    #[test]
    fn a_budget_without_an_income_group_is_not_answered() {
        let inputs = fixture::inputs(
            false,
            1,
            &[("Bills", false, false, &[("rent", false, false)])],
        );
        assert!(matches!(
            income_group(&inputs),
            Err(BudgetError::Unsupported(_))
        ));
    }
}
