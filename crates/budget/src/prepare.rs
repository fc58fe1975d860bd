//! Making an open database ready for the engine.

use crate::aql::sql_functions;
use crate::foundation::error::{BudgetError, Result};
use crate::schema::{migrate, views};

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
    sql_functions::register(db.conn())?;
    Ok(())
}
