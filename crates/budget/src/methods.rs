//! The method table: every method this crate answers, by its `@actual-app/api` name,
//! and the checks that decide, before anything runs, whether one is answered here.

use serde_json::Value;

use crate::foundation::budget::{Answer, Budget, Writer};
use crate::foundation::error::{BudgetError, Result};
use crate::reads::{
    accounts, budget_months, categories, names, notes, payees, preferences, tags, transactions,
};
use crate::{query, rules, schedules, writes};

impl<'a> Budget<'a> {
    /// Runs the read method `method` (its `@actual-app/api` name) with upstream's
    /// argument object.
    pub fn read(&self, method: &str, args: &Value) -> Result<Answer> {
        let (_, run) = READS
            .iter()
            .find(|(name, _)| *name == method)
            .ok_or_else(|| BudgetError::UnknownMethod(method.to_string()))?;
        run(self, args)
    }
}

impl Budget<'_> {
    /// Runs the write method `method` with upstream's argument object, making its
    /// changes with `clock`. The caller holds the transaction around it: a write that
    /// fails has made changes that must be rolled back.
    pub fn write(
        &self,
        method: &str,
        args: &Value,
        clock: &mut actual_sync::Clock,
    ) -> Result<Value> {
        let (_, run) = WRITES
            .iter()
            .find(|(name, _)| *name == method)
            .ok_or_else(|| BudgetError::UnknownMethod(method.to_string()))?;
        run(&mut self.writer(clock), args)
    }

    /// Runs upstream's schedule service ([`schedules::service`]) as one write with
    /// `clock`; the caller holds the transaction, as for [`Budget::write`].
    pub fn run_schedule_service(
        &self,
        clock: &mut actual_sync::Clock,
    ) -> Result<writes::schedules::service::ServiceRun> {
        writes::schedules::service::run(&mut self.writer(clock))
    }
}

type ReadFn = fn(&Budget, &Value) -> Result<Answer>;

/// A read whose function answers a JSON value.
macro_rules! value {
    ($f:path) => {
        |b: &Budget, args: &Value| $f(b, args).map(Answer::Value)
    };
}
type WriteFn = fn(&mut Writer, &Value) -> Result<Value>;

/// Every write this crate makes natively, by its `@actual-app/api` name.
pub const WRITES: &[(&str, WriteFn)] = &[
    ("updateNote", writes::notes::update_note),
    ("setPreference", writes::preferences::set_preference),
    ("createRule", writes::rules::create_rule),
    ("updateRule", writes::rules::update_rule),
    ("deleteRule", writes::rules::delete_rule),
    ("createSchedule", writes::schedules::create_schedule),
    ("updateSchedule", writes::schedules::update::update_schedule),
    ("deleteSchedule", writes::schedules::delete_schedule),
    (
        "importTransactions",
        writes::transactions::import_transactions,
    ),
    ("addTransactions", writes::transactions::add_transactions),
    (
        "updateTransaction",
        writes::transactions::update_transaction,
    ),
    (
        "deleteTransaction",
        writes::transactions::delete_transaction,
    ),
    (
        "mergeTransactions",
        writes::transactions::merge::merge_transactions,
    ),
    ("createAccount", writes::accounts::create_account),
    ("updateAccount", writes::accounts::update_account),
    ("closeAccount", writes::accounts::close_account),
    ("reopenAccount", writes::accounts::reopen_account),
    ("deleteAccount", writes::accounts::delete_account),
    (
        "createAccountGroup",
        writes::account_groups::create_account_group,
    ),
    (
        "updateAccountGroup",
        writes::account_groups::update_account_group,
    ),
    (
        "deleteAccountGroup",
        writes::account_groups::delete_account_group,
    ),
    (
        "createCategoryGroup",
        writes::categories::create_category_group,
    ),
    (
        "updateCategoryGroup",
        writes::categories::update_category_group,
    ),
    (
        "deleteCategoryGroup",
        writes::categories::delete_category_group,
    ),
    ("createCategory", writes::categories::create_category),
    ("updateCategory", writes::categories::update_category),
    ("deleteCategory", writes::categories::delete_category),
    ("createPayee", writes::payees::create_payee),
    ("updatePayee", writes::payees::update_payee),
    ("deletePayee", writes::payees::delete_payee),
    ("mergePayees", writes::payees::merge_payees),
    ("createTag", writes::tags::create_tag),
    ("updateTag", writes::tags::update_tag),
    ("deleteTag", writes::tags::delete_tag),
    ("setBudgetAmount", writes::budget_cells::set_budget_amount),
    (
        "setBudgetCarryover",
        writes::budget_cells::set_budget_carryover,
    ),
    (
        "holdBudgetForNextMonth",
        writes::budget_cells::hold_budget_for_next_month,
    ),
    ("resetBudgetHold", writes::budget_cells::reset_budget_hold),
];

/// Whether `method` is one of [`WRITES`].
pub fn is_write(method: &str) -> bool {
    WRITES.iter().any(|(name, _)| *name == method)
}

/// Every read this crate answers natively, by its `@actual-app/api` name.
pub const READS: &[(&str, ReadFn)] = &[
    ("getAccounts", value!(accounts::get_accounts)),
    ("getAccountBalance", value!(accounts::get_account_balance)),
    ("getAccountGroups", value!(accounts::get_account_groups)),
    ("getCategoryGroups", value!(categories::get_category_groups)),
    ("getCategories", value!(categories::get_categories)),
    ("getPayees", value!(payees::get_payees)),
    ("getCommonPayees", value!(payees::get_common_payees)),
    ("getIDByName", value!(names::get_id_by_name)),
    ("getNote", value!(notes::get_note)),
    ("getTags", value!(tags::get_tags)),
    ("getPreferences", value!(preferences::get_preferences)),
    ("getRules", value!(rules::get_rules)),
    ("getPayeeRules", value!(rules::get_payee_rules)),
    ("getSchedules", value!(schedules::get_schedules)),
    ("getTransactions", |b, args| {
        transactions::get_transactions(b, args).map(Answer::Json)
    }),
    ("getBudgetMonths", value!(budget_months::get_budget_months)),
    ("getBudgetMonth", value!(budget_months::get_budget_month)),
    ("aqlQuery", query::aql_query_answer),
    ("runQuery", query::aql_query_answer),
];

/// The reads whose answer upstream's schedule service changes (schedules, posted
/// transactions, their balances and budget months, common payees, any query).
const READS_OF_SERVICE_CHANGES: &[&str] = &[
    "getSchedules",
    "getTransactions",
    "getAccountBalance",
    "getBudgetMonth",
    "getBudgetMonths",
    "getCommonPayees",
    "aqlQuery",
    "runQuery",
];

/// Refuses the read `method` when upstream's schedule service was to run on the budget
/// and could not be run natively (`why`): its answer would depend on that run.
pub fn check_schedule_service(method: &str, why: Option<&str>) -> Result<()> {
    match why {
        Some(why) if READS_OF_SERVICE_CHANGES.contains(&method) => Err(BudgetError::Unsupported(
            format!("upstream's schedule service runs on this budget as it syncs, and cannot run natively here: {why}"),
        )),
        _ => Ok(()),
    }
}

/// What upstream answers from state it loaded before `runImport` began and does not
/// update while importing (its syncing mode "import" runs no sync listeners): the rules
/// index (`getRules`, `getPayeeRules`, and the rules' JSON paths schedules are read
/// with) and the budget sheet (`getBudgetMonth`; `holdBudgetForNextMonth` reads it).
const STALE_WHILE_IMPORTING: &[&str] = &[
    "getRules",
    "getPayeeRules",
    "getSchedules",
    "getBudgetMonth",
    "holdBudgetForNextMonth",
];

/// Why `method` is not answered natively inside `runImport` (see
/// [`STALE_WHILE_IMPORTING`]; ActualQL on `schedules` reads the same JSON paths).
pub fn check_import_mode(method: &str, args: &Value, importing: bool) -> Result<()> {
    if !importing {
        return Ok(());
    }
    let query_of_schedules = matches!(method, "aqlQuery" | "runQuery")
        && args.pointer("/query/table").and_then(Value::as_str) == Some("schedules");
    if STALE_WHILE_IMPORTING.contains(&method) || query_of_schedules {
        return Err(BudgetError::Unsupported(format!(
            "{method} inside runImport (upstream answers it from state it does not update while importing)"
        )));
    }
    Ok(())
}

/// Whether `method` is one of [`READS`].
pub fn is_read(method: &str) -> bool {
    READS.iter().any(|(name, _)| *name == method)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_what_upstream_answers_from_stale_state_is_refused_while_importing() {
        let none = json!({});
        for method in STALE_WHILE_IMPORTING {
            assert!(check_import_mode(method, &none, true).is_err(), "{method}");
            assert!(check_import_mode(method, &none, false).is_ok(), "{method}");
        }
        let schedules = json!({ "query": { "table": "schedules" } });
        let transactions = json!({ "query": { "table": "transactions" } });
        assert!(check_import_mode("aqlQuery", &schedules, true).is_err());
        assert!(check_import_mode("runQuery", &schedules, true).is_err());
        assert!(check_import_mode("aqlQuery", &transactions, true).is_ok());
        for method in [
            "getAccounts",
            "createRule",
            "importTransactions",
            "setBudgetAmount",
        ] {
            assert!(check_import_mode(method, &none, true).is_ok(), "{method}");
        }
    }
}
