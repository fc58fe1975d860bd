//! ActualQL (`server/aql/`): the tables and fields a query may name ([`schema`]), the
//! compiler to SQL ([`compiler`]), the SQL functions it calls ([`sql_functions`]),
//! what it makes of a filter's JavaScript values ([`literals`]), and the executors
//! that run the SQL as upstream's do ([`executors`]). [`compile`] takes a serialized
//! query (`q(table)...serialize()`) as upstream's `aqlQuery` takes it; the API methods
//! `aqlQuery`/`runQuery` are [`crate::query`], and the engine's own queries (rules'
//! balances, bank sync) run here directly.

pub mod compiler;
pub mod diacritics;
pub mod executors;
pub mod fail;
pub mod literals;
pub mod schema;
pub mod sql_functions;
pub mod state;

use serde_json::Value;

use crate::foundation::budget::Budget;
use crate::foundation::error::{BudgetError, Result};
use compiler::{Compiler, SqlPieces};
use state::QueryState;

/// A query's data: a value, or a list of rows as JSON text.
pub enum Data {
    Value(Value),
    Text(Vec<u8>),
}

/// A serialized query compiled as upstream's `aqlQuery` compiles it (refused, or
/// failing with upstream's error, where it would fail).
pub struct Compiled {
    q: QueryState,
    compiled: Compiler,
    pieces: SqlPieces,
}

/// Compiles a serialized query.
pub fn compile(serialized: &Value) -> Result<Compiled> {
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
    Ok(Compiled {
        q,
        compiled,
        pieces,
    })
}

impl Compiled {
    /// The tables the query reads (upstream's `dependencies`).
    pub fn dependencies(&self) -> &[String] {
        &self.compiled.dependencies
    }

    /// Runs the query; with `text`, the rows of a query that is not a calculation are
    /// written as JSON text.
    pub fn execute(&self, b: &Budget, text: bool) -> Result<Data> {
        let (q, c, s) = (&self.q, &self.compiled, &self.pieces);
        Ok(if q.calculation {
            Data::Value(executors::calculation(&executors::run(b, q, c, s)?))
        } else if text {
            Data::Text(executors::run_text(b, q, c, s)?)
        } else {
            Data::Value(Value::Array(executors::run(b, q, c, s)?))
        })
    }
}
