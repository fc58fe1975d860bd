//! The tracking budget's cells (`server/budget/tracking.ts`): budget against actual per
//! month, balances carried only with carryover on, hidden categories and groups left
//! out of the totals; there is no to-budget, hold or overspending roll-over.

use super::sheet::{
    income_group, safe, sum_of, CategoryCells, GroupCells, Inputs, MonthCells, Summary,
};
use crate::Result;

/// Every created month's cells, in order.
pub fn compute(inputs: &Inputs) -> Result<Vec<MonthCells>> {
    let income = income_group(inputs)?;
    let mut months: Vec<MonthCells> = Vec::with_capacity(inputs.sums.len());
    for m in 0..inputs.sums.len() {
        let cells = month(inputs, income, m, months.last())?;
        months.push(cells);
    }
    Ok(months)
}

fn month(
    inputs: &Inputs,
    income: usize,
    m: usize,
    prev: Option<&MonthCells>,
) -> Result<MonthCells> {
    let mut categories = Vec::with_capacity(inputs.categories.len());
    for (c, cat) in inputs.categories.iter().enumerate() {
        let row = inputs.rows[m][c];
        let budgeted = row.and_then(|r| r.amount).unwrap_or(0);
        let spent = inputs.sums[m][c];
        let carried = prev
            .map(|p| &p.categories[c])
            .filter(|cell| cell.carryover == Some(true))
            .map_or(0, |cell| cell.balance.unwrap_or(0));
        // Income's balance is what is still to come in: budgeted less received.
        let balance = if cat.is_income {
            safe(i128::from(budgeted) - i128::from(spent) + i128::from(carried))?
        } else {
            sum_of([budgeted, spent, carried])?
        };
        categories.push(CategoryCells {
            budgeted: Some(budgeted),
            spent,
            balance: Some(balance),
            carryover: Some(row.is_some_and(|r| r.carryover)),
        });
    }

    let mut groups = Vec::with_capacity(inputs.groups.len());
    for group in &inputs.groups {
        let shown = || {
            group
                .categories
                .iter()
                .filter(|&&c| !inputs.categories[c].hidden)
                .map(|&c| &categories[c])
        };
        groups.push(GroupCells {
            budgeted: Some(sum_of(shown().map(|c| c.budgeted.unwrap_or(0)))?),
            spent: sum_of(shown().map(|c| c.spent))?,
            balance: Some(sum_of(shown().map(|c| c.balance.unwrap_or(0)))?),
        });
    }
    let expense_groups = || {
        inputs
            .groups
            .iter()
            .zip(&groups)
            .filter(|(g, _)| !g.is_income && !g.hidden)
            .map(|(_, cells)| cells)
    };
    let summary = Summary {
        available_funds: None,
        last_month_overspent: None,
        buffered: None,
        total_budgeted: sum_of(expense_groups().map(|g| g.budgeted.unwrap_or(0)))?,
        to_budget: None,
        from_last_month: None,
        total_income: groups[income].spent,
        total_spent: sum_of(expense_groups().map(|g| g.spent))?,
        total_leftover: sum_of(expense_groups().map(|g| g.balance.unwrap_or(0)))?,
    };
    Ok(MonthCells {
        categories,
        groups,
        summary,
    })
}
