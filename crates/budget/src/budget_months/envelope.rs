//! The envelope budget's cells (`server/budget/envelope.ts`): a category's balance
//! carries into the next month, a negative one only with carryover on (otherwise it is
//! taken from the next month's to-budget); income feeds to-budget, less what is held.

use super::sheet::{
    income_group, safe, sum_of, CategoryCells, GroupCells, Inputs, MonthCells, Summary,
};
use crate::Result;

/// Every created month's cells, in order. The month before the first is the blank
/// sheet: balances 0, nothing to budget, nothing held.
pub fn compute(inputs: &Inputs) -> Result<Vec<MonthCells>> {
    let income = income_group(inputs)?;
    let mut months: Vec<MonthCells> = Vec::with_capacity(inputs.sums.len());
    let mut held_before = 0;
    for m in 0..inputs.sums.len() {
        let (cells, held) = month(inputs, income, m, months.last(), held_before)?;
        held_before = held;
        months.push(cells);
    }
    Ok(months)
}

/// One month's cells, and its `buffered-selected` (what it holds for the next month).
fn month(
    inputs: &Inputs,
    income: usize,
    m: usize,
    prev: Option<&MonthCells>,
    held_before: i64,
) -> Result<(MonthCells, i64)> {
    // The previous month's balance and carryover of an expense category.
    let before = |c: usize| {
        prev.map_or((0, false), |p| {
            let cell = &p.categories[c];
            (cell.balance.unwrap_or(0), cell.carryover == Some(true))
        })
    };
    let mut categories = Vec::with_capacity(inputs.categories.len());
    for (c, cat) in inputs.categories.iter().enumerate() {
        let row = inputs.rows[m][c];
        let spent = inputs.sums[m][c];
        categories.push(if cat.is_income {
            // Income categories have only `sum-amount`; their budget and carryover cells
            // hold whatever a budget row put there.
            CategoryCells {
                budgeted: row.and_then(|r| r.amount),
                spent,
                balance: None,
                carryover: row.map(|r| r.carryover),
            }
        } else {
            let budgeted = row.and_then(|r| r.amount).unwrap_or(0);
            let (prev_balance, prev_carryover) = before(c);
            // `leftover-pos`: without carryover only a positive balance moves on.
            let carried = if prev_carryover {
                prev_balance
            } else {
                prev_balance.max(0)
            };
            CategoryCells {
                budgeted: Some(budgeted),
                spent,
                balance: Some(sum_of([budgeted, spent, carried])?),
                carryover: Some(row.is_some_and(|r| r.carryover)),
            }
        });
    }

    let mut groups = Vec::with_capacity(inputs.groups.len());
    for group in &inputs.groups {
        let cells = || group.categories.iter().map(|&c| &categories[c]);
        let spent = sum_of(cells().map(|c| c.spent))?;
        groups.push(if group.is_income {
            GroupCells {
                budgeted: None,
                spent,
                balance: None,
            }
        } else {
            GroupCells {
                budgeted: Some(sum_of(cells().map(|c| c.budgeted.unwrap_or(0)))?),
                spent,
                balance: Some(sum_of(cells().map(|c| c.balance.unwrap_or(0)))?),
            }
        });
    }
    let expense_groups = || {
        inputs
            .groups
            .iter()
            .zip(&groups)
            .filter(|(g, _)| !g.is_income)
            .map(|(_, cells)| cells)
    };

    let total_income = groups[income].spent;
    let from_last_month = match prev {
        Some(p) => sum_of([p.summary.to_budget.unwrap_or(0), held_before])?,
        None => 0,
    };
    let available_funds = sum_of([total_income, from_last_month])?;
    // Last month's overspending in categories without carryover comes off to-budget.
    let last_month_overspent = sum_of(
        inputs
            .categories
            .iter()
            .enumerate()
            .filter(|(_, cat)| !cat.is_income)
            .map(|(c, _)| match before(c) {
                (_, true) => 0,
                (balance, false) => balance.min(0),
            }),
    )?;
    let total_budgeted = -sum_of(expense_groups().map(|g| g.budgeted.unwrap_or(0)))?;
    // `buffered-auto`: income in income categories with carryover on is held for the
    // next month by itself, unless a hold was set by hand.
    let buffered = inputs.buffered[m];
    let held = if buffered != 0 {
        buffered
    } else {
        sum_of(
            inputs
                .categories
                .iter()
                .zip(&categories)
                .filter(|(cat, cell)| cat.is_income && cell.carryover == Some(true))
                .map(|(_, cell)| cell.spent),
        )?
    };
    let to_budget = safe(
        i128::from(available_funds) + i128::from(last_month_overspent) + i128::from(total_budgeted)
            - i128::from(held),
    )?;
    let summary = Summary {
        available_funds: Some(available_funds),
        last_month_overspent: Some(last_month_overspent),
        buffered: Some(buffered),
        total_budgeted,
        to_budget: Some(to_budget),
        from_last_month: Some(from_last_month),
        total_income,
        total_spent: sum_of(expense_groups().map(|g| g.spent))?,
        total_leftover: sum_of(expense_groups().map(|g| g.balance.unwrap_or(0)))?,
    };
    let cells = MonthCells {
        categories,
        groups,
        summary,
    };
    Ok((cells, held))
}
