//! The serialized query (`Query.serialize()`, `QueryState` in `shared/query.ts`) as
//! the compiler reads it.

use serde_json::{Map, Value};

use super::fail::{unsupported, R};
use crate::foundation::js;
use crate::foundation::js::json;

pub struct QueryState {
    pub table: String,
    pub table_options: Map<String, Value>,
    pub filter_expressions: Vec<Value>,
    pub select_expressions: Vec<Value>,
    pub group_expressions: Vec<Value>,
    pub order_expressions: Vec<Value>,
    pub calculation: bool,
    pub with_dead: bool,
    pub validate_refs: bool,
    pub limit: Option<Value>,
    pub offset: Option<Value>,
}

fn list(state: &Map<String, Value>, key: &str) -> R<Vec<Value>> {
    match state.get(key) {
        Some(Value::Array(a)) => Ok(a.clone()),
        _ => unsupported(format!("a query whose {key} is not a list")),
    }
}

fn flag(state: &Map<String, Value>, key: &str, absent: bool) -> bool {
    state.get(key).map_or(absent, js::is_truthy)
}

/// `limit != null`: the value, or `None`.
fn number_or_null(state: &Map<String, Value>, key: &str) -> Option<Value> {
    state.get(key).filter(|v| !v.is_null()).cloned()
}

impl QueryState {
    pub fn read(v: &Value) -> R<QueryState> {
        let Some(state) = v.as_object() else {
            return unsupported("a query that is not a serialized Query");
        };
        let Some(Value::String(table)) = state.get("table") else {
            return unsupported("a query whose table is not a string");
        };
        let table_options = match state.get("tableOptions") {
            Some(Value::Object(o)) if json::date_millis(o).is_none() => o.clone(),
            _ => return unsupported("tableOptions that are not an object"),
        };
        Ok(QueryState {
            table: table.clone(),
            table_options,
            filter_expressions: list(state, "filterExpressions")?,
            select_expressions: list(state, "selectExpressions")?,
            group_expressions: list(state, "groupExpressions")?,
            order_expressions: list(state, "orderExpressions")?,
            calculation: flag(state, "calculation", false),
            with_dead: flag(state, "withDead", false),
            validate_refs: flag(state, "validateRefs", true),
            limit: number_or_null(state, "limit"),
            offset: number_or_null(state, "offset"),
        })
    }
}
