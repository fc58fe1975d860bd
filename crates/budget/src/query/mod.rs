//! ActualQL natively: `aqlQuery(query)` / `runQuery(query)` (`api/query`, which runs
//! `aqlQuery` in `server/aql/index.ts` with no parameters) on the serialized query
//! `q(table)...serialize()` makes.
//!
//! The query is compiled and run by [`crate::aql`] as upstream's `aqlQuery` does;
//! here, what the method adds: a query that reads schedules sees their JSON paths
//! worked out again (upstream does so as it loads the budget), and the answer's shape.

use serde_json::Value;

use crate::aql::{self, Data};
use crate::foundation::budget::{Answer, Budget};
use crate::foundation::error::Result;

/// Compiles and runs a serialized query: `(data, dependencies)`; with `text`, the rows
/// of a query that is not a calculation are written as JSON text.
fn run(b: &Budget, serialized: &Value, text: bool) -> Result<(Data, Vec<String>)> {
    let compiled = aql::compile(serialized)?;
    let data = if compiled.dependencies().iter().any(|t| t == "schedules") {
        crate::schedules::with_effective_paths(b, || compiled.execute(b, text))?
    } else {
        compiled.execute(b, text)?
    };
    Ok((data, compiled.dependencies().to_vec()))
}

/// The rows of a query the engine itself makes (upstream's `aqlQuery` inside a
/// handler), as upstream's executors answer them.
pub fn rows(b: &Budget, serialized: &Value) -> Result<Vec<Value>> {
    match run(b, serialized, false)?.0 {
        Data::Value(Value::Array(rows)) => Ok(rows),
        _ => Ok(Vec::new()),
    }
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
