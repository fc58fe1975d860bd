//! The envelope budget's cells (`server/budget/envelope.ts`): a category's balance
//! carries into the next month, a negative one only with carryover on (otherwise it is
//! taken from the next month's to-budget); income feeds to-budget, less what is held.

use super::sheet::{safe, sum_of, CategoryCells, GroupCells, Inputs, MonthCells, Summary};
use crate::foundation::error::Result;

/// A month's cells ([`super::sheet::MonthFn`]). The month before the first is the blank
/// sheet: balances 0, nothing to budget, nothing held.
pub fn month(
    inputs: &Inputs,
    income: usize,
    m: usize,
    prev: Option<&MonthCells>,
) -> Result<MonthCells> {
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
            GroupCells::add_up(cells().map(CategoryCells::cells))?
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
        Some(p) => sum_of([p.summary.to_budget.unwrap_or(0), p.held])?,
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
    let totals = GroupCells::add_up(expense_groups().map(GroupCells::cells))?;
    // `-sumAmounts(...)`: what is budgeted is taken from to-budget.
    let total_budgeted = -totals.budgeted.unwrap_or(0);
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
        total_spent: totals.spent,
        total_leftover: totals.balance.unwrap_or(0),
    };
    Ok(MonthCells {
        categories,
        groups,
        summary,
        held,
    })
}

#[cfg(test)]
mod tests {
    use super::super::sheet::{each_month, fixture};
    use super::*;

    // Categories: 0 rent, 1 fun (expense); 2 salary, 3 gifts (income).
    fn budget(months: usize) -> Inputs {
        fixture::inputs(
            false,
            months,
            &[
                (
                    "Bills",
                    false,
                    false,
                    &[("rent", false, false), ("fun", false, true)],
                ),
                (
                    "Income",
                    true,
                    false,
                    &[("salary", true, false), ("gifts", true, false)],
                ),
            ],
        )
    }

    #[test]
    fn overspending_moves_to_to_budget_unless_carried_over() {
        let mut inputs = budget(3);
        for m in 0..3 {
            inputs.sums[m][2] = 10_000;
        }
        fixture::budget(&mut inputs, 0, 0, 1_000, false);
        inputs.sums[0][0] = -1_500;
        fixture::budget(&mut inputs, 0, 1, 500, true);
        inputs.sums[0][1] = -800;
        fixture::budget(&mut inputs, 1, 1, 0, true);
        let months = each_month(&inputs, month).unwrap();
        let [first, second, third] = &months[..] else {
            panic!("three months")
        };
        assert_eq!(first.categories[0].balance, Some(-500));
        assert_eq!(first.categories[1].balance, Some(-300));
        // Without carryover the next month starts from 0 and to-budget pays; with it
        // the debt stays in the category.
        assert_eq!(second.categories[0].balance, Some(0));
        assert_eq!(second.categories[1].balance, Some(-300));
        assert_eq!(second.summary.last_month_overspent, Some(-500));
        assert_eq!(first.summary.to_budget, Some(10_000 - 1_500));
        assert_eq!(
            second.summary.to_budget,
            Some(first.summary.to_budget.unwrap() + 10_000 - 500)
        );
        assert_eq!(third.summary.last_month_overspent, Some(0));
        // `total-budgeted` is negative; hidden categories count in envelope budgets.
        assert_eq!(first.summary.total_budgeted, -1_500);
        assert_eq!(first.groups[0].budgeted, Some(1_500));
        assert_eq!(first.summary.total_spent, -2_300);
    }

    #[test]
    fn a_hold_set_by_hand_wins_over_income_carried_over() {
        let mut inputs = budget(2);
        inputs.sums[0][2] = 10_000;
        inputs.sums[0][3] = 700;
        fixture::budget(&mut inputs, 0, 3, 0, true);
        let auto = each_month(&inputs, month).unwrap();
        assert_eq!(auto[0].held, 700);
        assert_eq!(auto[0].summary.to_budget, Some(10_000));
        assert_eq!(auto[1].summary.from_last_month, Some(10_700));
        inputs.buffered[0] = 2_500;
        let manual = each_month(&inputs, month).unwrap();
        assert_eq!(manual[0].summary.buffered, Some(2_500));
        assert_eq!(manual[0].summary.to_budget, Some(10_700 - 2_500));
        assert_eq!(manual[1].summary.from_last_month, Some(10_700));
        assert_eq!(manual[1].summary.available_funds, Some(10_700));
    }

    #[test]
    fn income_categories_have_no_budget_cells_of_their_own() {
        let mut inputs = budget(1);
        inputs.sums[0][2] = 4_000;
        let cells = &each_month(&inputs, month).unwrap()[0];
        assert_eq!(cells.categories[2].budgeted, None);
        assert_eq!(cells.categories[2].balance, None);
        assert_eq!(cells.categories[2].carryover, None);
        assert_eq!(cells.groups[1].budgeted, None);
        assert_eq!(cells.summary.total_income, 4_000);
        assert_eq!(cells.categories[0].carryover, Some(false));
    }
}
