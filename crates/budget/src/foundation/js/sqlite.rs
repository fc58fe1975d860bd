//! SQLite values as upstream hands them to a script: the driver's plain values, and
//! AQL's output conversion per field type (`convertOutputType` in
//! `server/aql/schema-helpers.ts`).

use rusqlite::types::ValueRef;
use rusqlite::Row;
use serde_json::{Map, Value};

use crate::foundation::dates::from_date_repr;
use crate::foundation::js;
use crate::foundation::js::json::{number, parse_lossy};

/// What the SQLite driver gives JavaScript for a value.
pub fn plain(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => number(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => Value::String(String::from_utf8_lossy(t).into()),
    }
}

/// AQL `boolean`: only the number 1 is true; NULL is false.
pub fn boolean(v: ValueRef<'_>) -> Value {
    Value::Bool(match v {
        ValueRef::Integer(i) => i == 1,
        ValueRef::Real(f) => f == 1.0,
        _ => false,
    })
}

/// AQL `date`: the integer `YYYYMMDD` as `YYYY-MM-DD`; NULL stays null.
pub fn date(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::String(from_date_repr(i)),
        ValueRef::Real(f) => Value::String(from_date_repr(f as i64)),
        other => plain(other),
    }
}

/// AQL `json`: parsed (objects in JavaScript's key order), or null when it does not
/// parse.
pub fn json(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Text(t) | ValueRef::Blob(t) => parse_lossy(t).unwrap_or(Value::Null),
        other => plain(other),
    }
}

/// AQL `json/fallback`: parsed (objects in JavaScript's key order), or the text itself
/// when it does not parse.
pub fn json_or_text(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => parse_lossy(t).unwrap_or_else(|| plain(v)),
        other => plain(other),
    }
}

/// JavaScript truthiness of what the driver gives for a value (`x ? true : false`).
pub fn truthy(v: ValueRef<'_>) -> bool {
    match v {
        // Not copied: a string is truthy when it is not empty.
        ValueRef::Text(t) | ValueRef::Blob(t) => !t.is_empty(),
        other => js::is_truthy(&plain(other)),
    }
}

/// A row's column by name, as a raw value. When the query has two columns of that
/// name the last one counts, as in the row object JavaScript gets.
pub fn col<'r>(row: &'r Row<'_>, name: &str) -> rusqlite::Result<ValueRef<'r>> {
    let stmt = row.as_ref();
    let index = (0..stmt.column_count())
        .rev()
        .find(|&i| stmt.column_name(i).is_ok_and(|n| n == name))
        .ok_or_else(|| rusqlite::Error::InvalidColumnName(name.to_string()))?;
    row.get_ref(index)
}

/// Builds a JSON object in the given key order.
pub fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    let mut map = Map::with_capacity(N);
    for (k, v) in fields {
        map.insert(k.to_string(), v);
    }
    Value::Object(map)
}

/// Every column of `row` under its own name, as the driver gives them (`SELECT *`).
pub fn all_columns(row: &Row<'_>) -> rusqlite::Result<Map<String, Value>> {
    let stmt = row.as_ref();
    let mut map = Map::with_capacity(stmt.column_count());
    for i in 0..stmt.column_count() {
        // A later column of the same name replaces the value but keeps the key's place.
        map.insert(stmt.column_name(i)?.to_string(), plain(row.get_ref(i)?));
    }
    Ok(map)
}
