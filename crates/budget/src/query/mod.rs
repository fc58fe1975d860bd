//! ActualQL natively: `aqlQuery(query)` / `runQuery(query)` (`api/query`, which runs
//! `aqlQuery` in `server/aql/index.ts` with no parameters) on the serialized query
//! `q(table)...serialize()` makes.
//!
//! The compiler builds the SQL upstream builds for the query ([`crate::schema::aql::compiler`]), on the
//! same views and SQL functions ([`crate::schema::aql::sql_functions`]), and the executors run it as
//! upstream's do ([`executors`]), so the rows, their order and their values are
//! upstream's. A query is answered only when every part of it is one this port
//! follows; anything else (a value of a shape JavaScript would fail on in a way not
//! copied here, SQL that SQLite refuses, a LIKE or RegExp pattern this engine cannot
//! read) is [`BudgetError::Unsupported`] before any answer: the query is refused.

pub mod executors;

use serde_json::Value;

use crate::foundation::budget::{Answer, Budget};
use crate::foundation::error::{BudgetError, Result};
use crate::schema::aql::state::QueryState;
use crate::schema::aql::{compiler, fail, schema};

/// The data of a serialized query (what `aqlQuery` resolves to under `data`).
pub fn query(b: &Budget, serialized: &Value) -> Result<Vec<Value>> {
    Ok(match run(b, serialized, false)? {
        (Data::Value(Value::Array(rows)), _) => rows,
        _ => vec![],
    })
}

/// A query's data: a value, or a list of rows as JSON text.
enum Data {
    Value(Value),
    Text(Vec<u8>),
}

/// Compiles and runs a serialized query: `(data, dependencies)`; with `text`, the rows
/// of a query that is not a calculation are written as JSON text.
fn run(b: &Budget, serialized: &Value, text: bool) -> Result<(Data, Vec<String>)> {
    let q = QueryState::read(serialized).map_err(|f| {
        let why = match f {
            fail::Fail::Unsupported(why) => why,
            fail::Fail::Compile(m) | fail::Fail::Plain(m) => m,
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
    let execute = || -> Result<Data> {
        Ok(if q.calculation {
            Data::Value(executors::calculation(&executors::run(
                b, &q, &compiled, &pieces,
            )?))
        } else if text {
            Data::Text(executors::run_text(b, &q, &compiled, &pieces)?)
        } else {
            Data::Value(Value::Array(executors::run(b, &q, &compiled, &pieces)?))
        })
    };
    let data = if compiled.dependencies.iter().any(|t| t == "schedules") {
        crate::schedules::with_effective_paths(b, execute)?
    } else {
        execute()?
    };
    Ok((data, compiled.dependencies))
}

/// The rows of a query the engine itself makes (upstream's `aqlQuery` inside a
/// handler), as upstream's executors answer them.
pub fn rows(b: &Budget, serialized: &Value) -> Result<Vec<Value>> {
    match run(b, serialized, false)?.0 {
        Data::Value(Value::Array(rows)) => Ok(rows),
        _ => Ok(Vec::new()),
    }
}

/// `aqlQuery(query)` / `runQuery(query)`: `{ data, dependencies }`.
pub fn aql_query(b: &Budget, args: &Value) -> Result<Value> {
    Ok(aql_query_answer(b, args)?.into_value())
}

/// `aqlQuery(query)` / `runQuery(query)` as JSON text, the rows written as they are
/// read.
pub fn aql_query_answer(b: &Budget, args: &Value) -> Result<Answer> {
    let serialized = args.get("query").unwrap_or(&Value::Null);
    let (data, dependencies) = run(b, serialized, true)?;
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"{\"data\":");
    match data {
        Data::Value(v) => serde_json::to_writer(&mut out, &v),
        Data::Text(text) => {
            out.extend_from_slice(&text);
            Ok(())
        }
    }
    .and_then(|()| {
        out.extend_from_slice(b",\"dependencies\":");
        serde_json::to_writer(&mut out, &dependencies)
    })
    .expect("a JSON value always serialises");
    out.push(b'}');
    Ok(Answer::Json(
        String::from_utf8(out).expect("serde_json writes UTF-8"),
    ))
}
