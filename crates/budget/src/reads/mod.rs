//! The everyday reads, one module per family of methods (rules, schedules and ActualQL
//! queries have their own homes).

pub mod accounts;
pub mod budget_months;
pub mod categories;
pub mod names;
pub mod notes;
pub mod payees;
pub mod preferences;
pub mod tags;
pub mod transactions;
