//! The budget model on an open Actual Budget database, in pure Rust: the everyday API's
//! reads, answering exactly what `@actual-app/api` 26.9.0 answers (same values, field
//! names, key order, sorting and null/boolean/date conventions).
//!
//! Every public method is found by its `@actual-app/api` name in [`READS`] and takes
//! the argument object upstream's wrapper hands its handler (`getTransactions(a, s, e)`
//! -> `{ accountId, startDate, endDate }`), with JavaScript `Date`s as `{ "$date": ms }`.
//! Results are JSON values in upstream's shape; the caller serialises them.
//!
//! - [`migrate`]: budgets from other Actual versions: older ones migrated, newer ones
//!   checked against the cross-version contract;
//! - [`dates`]: upstream's local-time date rules (`months.ts`);
//! - [`rows`]: SQLite values as upstream's AQL outputs them;
//! - [`aql`]: what upstream's AQL compiler makes of a filter's JavaScript values, and
//!   the messages of its errors;
//! - [`aql_query`]: ActualQL (`aqlQuery`, `runQuery`): upstream's compiler and
//!   executors;
//! - one module per family of methods.
//!
//! Nothing here knows about Node, HTTP or the sync protocol.

pub mod accounts;
pub mod aql;
pub mod aql_query;
pub mod args;
pub mod bank_sync;
pub mod budget_months;
pub mod categories;
pub mod changes;
pub mod crud_write;
pub mod dates;
pub mod error;
pub mod js;
pub mod json;
pub mod migrate;
pub mod names;
pub mod notes;
pub mod payees;
pub mod preferences;
pub mod rows;
pub mod rules;
pub mod schedules;
pub mod schema_fields;
pub mod tags;
pub mod transactions;
pub mod transactions_write;
pub mod unicode_ranges;
pub mod views;

use rusqlite::Connection;
use serde_json::Value;

pub use changes::Changes;
pub use error::BudgetError;

/// Result alias used throughout the crate.
pub type Result<T, E = BudgetError> = std::result::Result<T, E>;

/// What a read runs against: the open database and the local time it was called at
/// ("today" and "this month" are local time upstream, and so here).
pub struct Budget<'a> {
    pub conn: &'a Connection,
    pub now: chrono::NaiveDateTime,
    /// Inside `runImport` (upstream's syncing mode "import"): writes change the tables
    /// only (see [`Changes`]), and what upstream keeps in memory from the load before
    /// the import began (its rules) is what the import sees (see [`check_import_mode`]).
    pub importing: bool,
}

impl<'a> Budget<'a> {
    /// A reader at the process's local time now.
    pub fn new(conn: &'a Connection) -> Self {
        Budget {
            conn,
            now: chrono::Local::now().naive_local(),
            importing: false,
        }
    }

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
    ) -> Result<schedules::service::ServiceRun> {
        schedules::service::run(&mut self.writer(clock))
    }

    /// A writer on this budget making its changes with `clock`.
    fn writer<'c>(&self, clock: &'c mut actual_sync::Clock) -> Writer<'c>
    where
        Self: 'c,
    {
        Writer {
            budget: Budget {
                conn: self.conn,
                now: self.now,
                importing: self.importing,
            },
            changes: Changes::new(self.conn, clock).importing(self.importing),
        }
    }
}

/// What a write runs with: the budget to read, and the changes it makes.
pub struct Writer<'a> {
    pub budget: Budget<'a>,
    pub changes: Changes<'a>,
}

/// A read's answer: a JSON value, or JSON text written as the rows were read (large
/// answers: no tree of values is built, which halves their peak memory).
#[derive(Debug)]
pub enum Answer {
    Value(Value),
    Json(String),
}

impl Answer {
    /// The answer as JSON text.
    pub fn into_json(self) -> String {
        match self {
            Answer::Value(v) => serde_json::to_string(&v).expect("a JSON value always serialises"),
            Answer::Json(text) => text,
        }
    }

    /// The answer as a JSON value.
    pub fn into_value(self) -> Value {
        match self {
            Answer::Value(v) => v,
            Answer::Json(text) => {
                serde_json::from_str(&text).expect("the engine writes valid JSON")
            }
        }
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
    ("updateNote", notes::update_note),
    ("setPreference", preferences::set_preference),
    ("createRule", rules::write::create_rule),
    ("updateRule", rules::write::update_rule),
    ("deleteRule", rules::write::delete_rule),
    ("createSchedule", schedules::write::create_schedule),
    ("updateSchedule", schedules::update::update_schedule),
    ("deleteSchedule", schedules::write::delete_schedule),
    (
        "importTransactions",
        transactions_write::import_transactions,
    ),
    ("addTransactions", transactions_write::add_transactions),
    ("updateTransaction", transactions_write::update_transaction),
    ("deleteTransaction", transactions_write::delete_transaction),
    (
        "mergeTransactions",
        transactions_write::merge::merge_transactions,
    ),
    ("createAccount", crud_write::accounts::create_account),
    ("updateAccount", crud_write::accounts::update_account),
    ("closeAccount", crud_write::accounts::close_account),
    ("reopenAccount", crud_write::accounts::reopen_account),
    ("deleteAccount", crud_write::accounts::delete_account),
    (
        "createAccountGroup",
        crud_write::account_groups::create_account_group,
    ),
    (
        "updateAccountGroup",
        crud_write::account_groups::update_account_group,
    ),
    (
        "deleteAccountGroup",
        crud_write::account_groups::delete_account_group,
    ),
    (
        "createCategoryGroup",
        crud_write::categories::create_category_group,
    ),
    (
        "updateCategoryGroup",
        crud_write::categories::update_category_group,
    ),
    (
        "deleteCategoryGroup",
        crud_write::categories::delete_category_group,
    ),
    ("createCategory", crud_write::categories::create_category),
    ("updateCategory", crud_write::categories::update_category),
    ("deleteCategory", crud_write::categories::delete_category),
    ("createPayee", crud_write::payees::create_payee),
    ("updatePayee", crud_write::payees::update_payee),
    ("deletePayee", crud_write::payees::delete_payee),
    ("mergePayees", crud_write::payees::merge_payees),
    ("createTag", crud_write::tags::create_tag),
    ("updateTag", crud_write::tags::update_tag),
    ("deleteTag", crud_write::tags::delete_tag),
    (
        "setBudgetAmount",
        crud_write::budget_cells::set_budget_amount,
    ),
    (
        "setBudgetCarryover",
        crud_write::budget_cells::set_budget_carryover,
    ),
    (
        "holdBudgetForNextMonth",
        crud_write::budget_cells::hold_budget_for_next_month,
    ),
    (
        "resetBudgetHold",
        crud_write::budget_cells::reset_budget_hold,
    ),
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
    ("aqlQuery", aql_query::aql_query_answer),
    ("runQuery", aql_query::aql_query_answer),
];

/// Makes a database ready for these reads: checks that it holds every migration they
/// were written for ([`migrate::migrate`] runs them as the budget is opened; a newer
/// release's additive ones are accepted) and installs upstream's views for this
/// connection (see [`views`]).
pub fn prepare(db: &actual_sync::BudgetDb) -> Result<()> {
    let applied = db.applied_migrations().map_err(|e| match e {
        actual_sync::SyncError::Sqlite(e) => BudgetError::Sqlite(e),
        other => BudgetError::invalid("invalid-budget", other.to_string()),
    })?;
    let plan = migrate::plan(&applied)?;
    if !plan.pending.is_empty() {
        return Err(BudgetError::UnsupportedBudget {
            code: "budget-needs-migration",
            message: format!(
                "this budget has {} migrations still to run; open it again to have them run",
                plan.pending.len()
            ),
        });
    }
    views::install(db.conn())?;
    aql_query::sql_functions::register(db.conn())?;
    Ok(())
}

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
