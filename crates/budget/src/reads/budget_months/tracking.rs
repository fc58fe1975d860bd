//! The tracking budget's cells (`server/budget/tracking.ts`): budget against actual per
//! month, balances carried only with carryover on, hidden categories and groups left
//! out of the totals; there is no to-budget, hold or overspending roll-over.

use super::sheet::{safe, sum_of, CategoryCells, GroupCells, Inputs, MonthCells, Summary};
use crate::foundation::error::Result;

/// A month's cells ([`super::sheet::MonthFn`]).
pub fn month(
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
        groups.push(GroupCells::add_up(shown().map(CategoryCells::cells))?);
    }
    let expense_groups = || {
        inputs
            .groups
            .iter()
            .zip(&groups)
            .filter(|(g, _)| !g.is_income && !g.hidden)
            .map(|(_, cells)| cells)
    };
    let totals = GroupCells::add_up(expense_groups().map(GroupCells::cells))?;
    let summary = Summary {
        available_funds: None,
        last_month_overspent: None,
        buffered: None,
        total_budgeted: totals.budgeted.unwrap_or(0),
        to_budget: None,
        from_last_month: None,
        total_income: groups[income].spent,
        total_spent: totals.spent,
        total_leftover: totals.balance.unwrap_or(0),
    };
    Ok(MonthCells {
        categories,
        groups,
        summary,
        held: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::super::sheet::{each_month, fixture};
    use super::*;

    // Categories: 0 rent, 1 secret (hidden), 2 toys (in a hidden group), 3 salary.
    fn budget(months: usize) -> Inputs {
        fixture::inputs(
            true,
            months,
            &[
                (
                    "Bills",
                    false,
                    false,
                    &[("rent", false, false), ("secret", false, true)],
                ),
                ("Fun", false, true, &[("toys", false, false)]),
                ("Income", true, false, &[("salary", true, false)]),
            ],
        )
    }

    #[test]
    fn hidden_categories_and_groups_stay_out_of_the_totals() {
        let mut inputs = budget(1);
        for c in 0..3 {
            fixture::budget(&mut inputs, 0, c, 1_000, false);
            inputs.sums[0][c] = -400;
        }
        let cells = &each_month(&inputs, month).unwrap()[0];
        assert_eq!(cells.categories[1].balance, Some(600));
        assert_eq!(cells.groups[0].budgeted, Some(1_000));
        assert_eq!(cells.groups[1].spent, -400);
        assert_eq!(cells.summary.total_budgeted, 1_000);
        assert_eq!(cells.summary.total_spent, -400);
        assert_eq!(cells.summary.to_budget, None);
        assert_eq!(cells.summary.buffered, None);
    }

    #[test]
    fn balances_carry_only_with_carryover_and_income_counts_what_is_still_to_come() {
        let mut inputs = budget(3);
        fixture::budget(&mut inputs, 0, 0, 1_000, true);
        inputs.sums[0][0] = -1_300;
        fixture::budget(&mut inputs, 1, 0, 1_000, false);
        fixture::budget(&mut inputs, 0, 3, 5_000, false);
        inputs.sums[0][3] = 4_200;
        let months = each_month(&inputs, month).unwrap();
        assert_eq!(months[0].categories[0].balance, Some(-300));
        assert_eq!(months[1].categories[0].balance, Some(700));
        assert_eq!(months[2].categories[0].balance, Some(0));
        assert_eq!(months[0].categories[3].balance, Some(800));
        assert_eq!(months[0].summary.total_income, 4_200);
    }
}
