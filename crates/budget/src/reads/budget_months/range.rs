//! Which months a budget has: from three months before its earliest transaction to a
//! year after the current local month (`server/budget/base.ts` createAllBudgets and
//! getBudgetRange, `shared/months.ts` range and rangeInclusive).

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::types::ValueRef;
use rusqlite::OptionalExtension;
use serde_json::Value;

use crate::foundation::budget::Budget;
use crate::foundation::dates::{from_date_repr, month_string, parse_date_like};
use crate::foundation::error::{BudgetError, Result};

/// The months the budget's sheet is built for, first to last inclusive. The API lists
/// them without the last one (`range(start, end)` excludes `end`), and answers for those
/// only.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetRange {
    pub months: Vec<NaiveDate>,
}

impl BudgetRange {
    /// `getBudgetMonths()`: every month but the last, as `YYYY-MM`.
    pub fn api_months(&self) -> impl Iterator<Item = String> + '_ {
        let n = self.months.len().saturating_sub(1);
        self.months[..n].iter().map(|m| month_string(*m))
    }

    /// The sheet's index of an API month (`YYYY-MM`), if the API answers for it.
    pub fn api_index(&self, month: &str) -> Option<usize> {
        self.api_months().position(|m| m == month)
    }
}

/// The range from the earliest transaction's date (`None`: no transaction) and the
/// current local month, as getBudgetRange computes it: the month part of the date (a
/// slice of its text), never after the current month, minus 3 months; to the current
/// month plus 12.
pub fn range_from(earliest_day: Option<&str>, current: NaiveDate) -> Option<BudgetRange> {
    let end = month_string(current);
    // `getMonth`: the first seven characters, compared as strings.
    let mut start = earliest_day.map_or_else(|| end.clone(), |d| d.chars().take(7).collect());
    if start > end {
        start = end.clone();
    }
    let first = first_of_month(month_of(&start)?.checked_sub_months(Months::new(3))?);
    let last = first_of_month(month_of(&end)?.checked_add_months(Months::new(12))?);
    let mut months = Vec::new();
    let mut month = first;
    while month < last {
        months.push(month);
        month = month.checked_add_months(Months::new(1))?;
    }
    months.push(month);
    Some(BudgetRange { months })
}

/// `_parse` of a month string (`2024-05` is May 1st; out-of-range parts roll over).
fn month_of(s: &str) -> Option<NaiveDate> {
    parse_date_like(&Value::String(s.to_string()))
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("every month has a first day")
}

/// The budget's range now: the earliest dated transaction that is not a split's child
/// counts whatever else it is (deleted, off budget, in a closed or deleted account).
pub fn budget_range(b: &Budget) -> Result<BudgetRange> {
    let earliest: Option<Option<String>> = b
        .conn
        .prepare_cached(
            "SELECT date FROM transactions WHERE isChild=0 AND date IS NOT NULL
               ORDER BY date ASC LIMIT 1",
        )?
        .query_row([], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Integer(n) => Some(from_date_repr(n)),
                // `fromDateRepr` throws for a value that is not a number, and loading
                // the budget fails upstream.
                _ => None,
            })
        })
        .optional()?;
    let earliest = match earliest {
        None => None,
        Some(Some(day)) => Some(day),
        Some(None) => return Err(unsupported_range()),
    };
    range_from(earliest.as_deref(), b.now.date()).ok_or_else(unsupported_range)
}

fn unsupported_range() -> BudgetError {
    BudgetError::Unsupported("a budget whose earliest transaction has no valid date".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn months(r: &BudgetRange) -> Vec<String> {
        r.api_months().collect()
    }

    #[test]
    fn starts_three_months_before_the_earliest_transaction() {
        let r = range_from(Some("2026-02-17"), day("2026-12-02")).unwrap();
        let m = months(&r);
        assert_eq!(m.first().unwrap(), "2025-11");
        // The sheet has the current month + 12; the API stops one month before it.
        assert_eq!(m.last().unwrap(), "2027-11");
        assert_eq!(month_string(*r.months.last().unwrap()), "2027-12");
        assert_eq!(m.len(), 25);
        assert_eq!(r.api_index("2025-11"), Some(0));
        assert_eq!(r.api_index("2027-12"), None);
    }

    #[test]
    fn without_transactions_or_with_future_ones_the_current_month_starts_it() {
        let none = range_from(None, day("2026-01-31")).unwrap();
        assert_eq!(months(&none).first().unwrap(), "2025-10");
        let future = range_from(Some("2030-05-01"), day("2026-01-31")).unwrap();
        assert_eq!(none, future);
    }

    #[test]
    fn impossible_months_roll_over_as_dates_do() {
        // A stored 2025-13-05 is read as 2026-01 before the three months are taken off.
        let r = range_from(Some("2025-13-05"), day("2026-06-10")).unwrap();
        assert_eq!(months(&r).first().unwrap(), "2025-10");
        assert!(range_from(Some("20-x"), day("2026-06-10")).is_none());
    }
}
