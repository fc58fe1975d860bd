//! ActualQL natively: `aqlQuery(query)` / `runQuery(query)` (`api/query`, which runs
//! `aqlQuery` in `server/aql/index.ts` with no parameters) on the serialized query
//! `q(table)...serialize()` makes.
//!
//! The compiler builds the SQL upstream builds for the query ([`compiler`]), on the
//! same views and SQL functions ([`sql_functions`]), and the executors run it as
//! upstream's do ([`executors`]), so the rows, their order and their values are
//! upstream's. A query is answered only when every part of it is one this port
//! follows; anything else (a value of a shape JavaScript would fail on in a way not
//! copied here, SQL that SQLite refuses, a LIKE or RegExp pattern this engine cannot
//! read) is [`BudgetError::Unsupported`] before any answer, and the caller hands the
//! query to the official engine.

pub mod compiler;
pub mod diacritics;
pub mod executors;
pub mod schema;
pub mod sql_functions;
pub mod state;

use serde_json::{json, Value};

use crate::{Budget, BudgetError, Result};
use state::QueryState;

/// The data of a serialized query (what `aqlQuery` resolves to under `data`).
pub fn query(b: &Budget, serialized: &Value) -> Result<Vec<Value>> {
    Ok(match run(b, serialized)? {
        (Value::Array(rows), _) => rows,
        _ => vec![],
    })
}

/// Compiles and runs a serialized query: `(data, dependencies)`.
fn run(b: &Budget, serialized: &Value) -> Result<(Value, Vec<String>)> {
    let q = QueryState::read(serialized).map_err(|f| {
        let why = match f {
            compiler::Fail::Unsupported(why) => why,
            compiler::Fail::Compile(m) | compiler::Fail::Plain(m) => m,
        };
        BudgetError::Unsupported(format!("an ActualQL query with {why}"))
    })?;
    if schema::is_prototype_name(&q.table) {
        return Err(BudgetError::Unsupported(format!(
            "an ActualQL query on {}, a name JavaScript finds on every object",
            q.table
        )));
    }
    let (pieces, compiled) = compiler::compile_query(&q)?;
    // Upstream's tables outside its schema fail as JavaScript fails on them.
    if schema::table(&q.table).is_none() {
        return Err(BudgetError::Unsupported(format!(
            "an ActualQL query on the table {}, which is not in the schema",
            q.table
        )));
    }
    // `api/query` gives no parameters: the first named one is missing.
    if let Some(param) = compiled.params.first() {
        if schema::is_prototype_name(&param.name) {
            return Err(BudgetError::Unsupported(
                "an ActualQL parameter named like an object's property".into(),
            ));
        }
        return Err(BudgetError::thrown(
            "Error",
            "invalid-query",
            format!("Parameter {} not provided to query", param.name),
        ));
    }
    // Upstream works a schedule's JSON paths out again as it loads the budget.
    let rows = if compiled.dependencies.iter().any(|t| t == "schedules") {
        crate::schedules::with_effective_paths(b, || executors::run(b, &q, &compiled, &pieces))?
    } else {
        executors::run(b, &q, &compiled, &pieces)?
    };
    let data = if q.calculation {
        executors::calculation(&rows)
    } else {
        Value::Array(rows)
    };
    Ok((data, compiled.dependencies))
}

/// `aqlQuery(query)` / `runQuery(query)`: `{ data, dependencies }`.
pub fn aql_query(b: &Budget, args: &Value) -> Result<Value> {
    // Upstream's schedule service changes schedules and transactions as the budget
    // loads; a query racing with it is not answered natively.
    if let Some(change) = crate::schedules::schedule_service_changes(b)?.first() {
        return Err(BudgetError::Unsupported(change.to_string()));
    }
    let serialized = args.get("query").unwrap_or(&Value::Null);
    let (data, dependencies) = run(b, serialized)?;
    Ok(json!({ "data": data, "dependencies": dependencies }))
}
