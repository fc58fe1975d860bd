//! Running a compiled query as upstream does (`server/aql/exec.ts` `execQuery`, and
//! `server/aql/schema/executors.ts`): `transactions` by its `splits` option
//! (`inline`, `none`, `all`, `grouped`), `category_groups` by its `categories` option,
//! every other table as it compiles; output values converted by the compiled types
//! (`convertOutputType`).

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use crate::aql::compiler::{
    append_where, compile_query, construct_query, is_aggregate_query, Compiler, SqlPieces,
};
use crate::aql::sql_functions::UNSUPPORTED;
use crate::aql::state::QueryState;
use crate::foundation::js;
use std::io::Write;

use rusqlite::types::ValueRef;

use crate::foundation::budget::Budget;
use crate::foundation::dates;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::json;
use crate::foundation::js::json::number;
use crate::foundation::js::sqlite::{all_columns, plain};

type Row = Map<String, Value>;

fn plain_error(message: String) -> BudgetError {
    BudgetError::thrown("Error", "invalid-query", message)
}

/// `convertOutputType` of a driver value.
fn convert(value: Value, ty: Option<&str>) -> Result<Value> {
    if value.is_null() {
        return Ok(if ty == Some("boolean") {
            Value::Bool(false)
        } else {
            Value::Null
        });
    }
    let date = |n: usize| -> Result<Value> {
        match value.as_i64() {
            Some(i) => Ok(Value::String(
                dates::from_date_repr(i).chars().take(n).collect(),
            )),
            None => Err(BudgetError::Unsupported(
                "an ActualQL date that is not an integer in the budget".into(),
            )),
        }
    };
    Ok(match ty {
        Some("date") => date(usize::MAX)?,
        Some("date-month") => date(7)?,
        Some("date-year") => date(4)?,
        Some("boolean") => Value::Bool(value.as_f64() == Some(1.0)),
        Some(kind @ ("json" | "json/fallback")) => {
            let text = match &value {
                Value::String(s) => s.clone(),
                other => json::to_string(other),
            };
            match json::parse_lossy(text.as_bytes()) {
                Some(v) => v,
                None if kind == "json/fallback" => value,
                None => Value::Null,
            }
        }
        _ => value,
    })
}

/// Runs `sql` and lists its rows as the driver gives them (keys in JavaScript's
/// order). SQL that SQLite refuses, or a function that cannot answer as JavaScript
/// would, is not answered natively.
fn all(b: &Budget, sql: &str) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    each_row(b, sql, |row| {
        let mut v = Value::Object(all_columns(row)?);
        json::js_key_order(&mut v);
        if let Value::Object(map) = v {
            out.push(map);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Why SQLite's refusal of a query means it is not answered natively.
fn refused(e: rusqlite::Error) -> BudgetError {
    let text = e.to_string();
    let why = match text.find(UNSUPPORTED) {
        Some(i) => text[i + UNSUPPORTED.len()..].trim().to_string(),
        None => format!("SQL that SQLite refuses here ({text})"),
    };
    BudgetError::Unsupported(format!("an ActualQL query with {why}"))
}

/// What SQLite says of a query's own shape in words every release of it says the same
/// way (a token it cannot parse, a missing argument upstream prints as `undefined`, an
/// aggregate inside an aggregate, a limit that is not an integer): upstream's
/// `SqliteError`, decided before any row is answered. Anything else SQLite refuses is
/// not answered natively.
fn sqlite_refusal(e: rusqlite::Error) -> BudgetError {
    let (error, msg) = match &e {
        rusqlite::Error::SqlInputError { error, msg, .. } => (error, msg.as_str()),
        rusqlite::Error::SqliteFailure(error, Some(msg)) => (error, msg.as_str()),
        _ => return refused(e),
    };
    let code = match error.code {
        rusqlite::ErrorCode::Unknown
            if (msg.starts_with("near \"") && msg.ends_with("\": syntax error"))
                || msg == "no such column: undefined"
                || msg == "aggregate functions are not allowed in the GROUP BY clause"
                || msg.starts_with("misuse of aggregate function ")
                || msg.starts_with("misuse of window function ") =>
        {
            "SQLITE_ERROR"
        }
        rusqlite::ErrorCode::TypeMismatch if msg == "datatype mismatch" => "SQLITE_MISMATCH",
        _ => return refused(e),
    };
    BudgetError::thrown("SqliteError", code, msg)
}

/// Runs `sql`: `start` reads its column names, then `f` each row.
fn each_row(b: &Budget, sql: &str, f: impl FnMut(&rusqlite::Row<'_>) -> Result<()>) -> Result<()> {
    let mut f = f;
    each_row_named(b, sql, |_| Ok(()), |_, row| f(row))
}

/// Runs `sql`: `start` reads its column names, then `f` each row with what `start`
/// made of them.
fn each_row_named<S>(
    b: &Budget,
    sql: &str,
    start: impl FnOnce(&[&str]) -> Result<S>,
    mut f: impl FnMut(&S, &rusqlite::Row<'_>) -> Result<()>,
) -> Result<()> {
    if sql.contains('\0') {
        return Err(BudgetError::Unsupported(
            "an ActualQL query with a NUL character".into(),
        ));
    }
    let mut stmt = b.conn.prepare(sql).map_err(sqlite_refusal)?;
    let shape = start(&stmt.column_names())?;
    let mut rows = stmt.query([]).map_err(sqlite_refusal)?;
    while let Some(row) = rows.next().map_err(sqlite_refusal)? {
        f(&shape, row)?;
    }
    Ok(())
}

/// `execQuery`: the query as compiled, values converted.
fn exec_query(b: &Budget, q: &QueryState, c: &Compiler, s: &SqlPieces) -> Result<Vec<Row>> {
    let sql = construct_query(q.with_dead, &c.implicit_table_name, &c.implicit_table_id, s);
    let mut rows = all(b, &sql)?;
    for row in &mut rows {
        apply_types(row, c)?;
    }
    Ok(rows)
}

fn apply_types(row: &mut Row, c: &Compiler) -> Result<()> {
    for (name, value) in row.iter_mut() {
        let ty = c.output_types.get(name).copied();
        *value = convert(std::mem::take(value), ty)?;
    }
    Ok(())
}

/// Runs a compiled query by its table's executor.
pub fn run(b: &Budget, q: &QueryState, c: &Compiler, s: &SqlPieces) -> Result<Vec<Value>> {
    let rows = match c.implicit_table_name.as_str() {
        "transactions" => return transactions(b, q, c, s),
        "category_groups" => category_groups(b, q, c, s)?,
        _ => exec_query(b, q, c, s)?,
    };
    Ok(rows.into_iter().map(Value::Object).collect())
}

fn option_text(v: &Value) -> Result<String> {
    match v {
        Value::Array(_) | Value::Object(_) => Err(BudgetError::Unsupported(
            "an ActualQL table option that is not a plain value".into(),
        )),
        other => Ok(json::to_string(other)),
    }
}

/// What `transactions`' executor runs for its `splits` option: the grouped executor, or
/// the query with the option's condition.
enum SplitPlan {
    Grouped,
    Pieces(SqlPieces),
}

fn split_plan(q: &QueryState, c: &Compiler, s: &SqlPieces) -> Result<SplitPlan> {
    let split_type = match q.table_options.get("splits").filter(|v| js::is_truthy(v)) {
        Some(v) => option_text(v)?,
        None => "inline".into(),
    };
    let from = &s.from;
    Ok(match split_type.as_str() {
        "grouped" if !is_aggregate_query(q).map_err(|f| c.into_error(f))? => SplitPlan::Grouped,
        "grouped" => {
            // Only non-parents, through the alive view under the name the SQL uses.
            let mut s = s.clone();
            s.where_ = append_where(&s.where_, &format!("{from}.is_parent = 0"));
            if !q.with_dead {
                s.from = "v_transactions_internal_alive v_transactions_internal".into();
            }
            SplitPlan::Pieces(s)
        }
        "all" => SplitPlan::Pieces(s.clone()),
        "inline" | "none" => {
            let mut s = s.clone();
            let condition = if split_type == "none" {
                format!("{from}.parent_id IS NULL")
            } else {
                format!("{from}.is_parent = 0")
            };
            s.where_ = append_where(&s.where_, &condition);
            SplitPlan::Pieces(s)
        }
        other => {
            return Err(plain_error(format!(
                "Invalid \"splits\" option for transactions: \"{other}\""
            )))
        }
    })
}

fn transactions(b: &Budget, q: &QueryState, c: &Compiler, s: &SqlPieces) -> Result<Vec<Value>> {
    let rows = match split_plan(q, c, s)? {
        SplitPlan::Grouped => return grouped(b, q, c, s),
        SplitPlan::Pieces(s) => exec_query(b, q, c, &s)?,
    };
    Ok(rows.into_iter().map(Value::Object).collect())
}

/// `_isUnhappy`: a filter on anything but the account or the date (or a list, whose
/// indices are taken for field names).
fn is_unhappy(filter: &Value) -> Result<bool> {
    let keys: Vec<(String, Option<&Value>)> = match filter {
        Value::Object(o) if json::date_millis(o).is_none() => {
            o.iter().map(|(k, v)| (k.clone(), Some(v))).collect()
        }
        Value::Object(_) | Value::Bool(_) | Value::Number(_) => vec![],
        Value::Array(a) => (0..a.len()).map(|i| (i.to_string(), a.get(i))).collect(),
        Value::String(s) => (0..s.encode_utf16().count())
            .map(|i| (i.to_string(), None))
            .collect(),
        Value::Null => {
            return Err(BudgetError::Unsupported(
                "an ActualQL null filter on grouped transactions".into(),
            ))
        }
    };
    for (key, value) in keys {
        if key == "$or" || key == "$and" {
            if let Some(v) = value.filter(|v| js::is_truthy(v)) {
                if is_unhappy(v)? {
                    return Ok(true);
                }
            }
        } else if !(key.starts_with("account") || key == "date") {
            return Ok(true);
        }
    }
    Ok(false)
}

fn limit_offset(s: &SqlPieces) -> String {
    let limit = s
        .limit
        .as_ref()
        .map(|l| format!("LIMIT {l}"))
        .unwrap_or_default();
    let offset = s
        .offset
        .as_ref()
        .map(|o| format!("OFFSET {o}"))
        .unwrap_or_default();
    format!("{limit}\n{offset}")
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// `execTransactionsGrouped` for a query that is not an aggregate: the groups (a
/// split's parent, or a transaction alone) with a row the filter matches, then every
/// row of those groups, children under their parents; rows of a matched group that do
/// not match themselves are `_unmatched` unless the filter is on account and date only.
/// The grouped executor's last query (every row of the matched groups, each with its
/// `_parent_id`), and the ids the filter matched when it is not on account and date
/// only.
fn grouped_plan(
    b: &Budget,
    q: &QueryState,
    s: &SqlPieces,
) -> Result<(String, Option<HashSet<String>>)> {
    let from = &s.from;
    let where_dead = if q.with_dead {
        String::new()
    } else {
        format!("AND {from}.tombstone = 0")
    };
    let mut happy = true;
    for f in &q.filter_expressions {
        if is_unhappy(f)? {
            happy = false;
            break;
        }
    }
    let (group_ids, matched): (Vec<Value>, Option<HashSet<String>>) = if happy {
        let sql = format!(
            "SELECT {from}.id as group_id FROM {from}\n{}\n{}\n{}\n{}",
            s.joins,
            append_where(&s.where_, &format!("is_child = 0 {where_dead}")),
            s.order_by,
            limit_offset(s)
        );
        let rows = all(b, &sql)?;
        (
            rows.iter()
                .map(|r| r.get("group_id").cloned().unwrap_or(Value::Null))
                .collect(),
            None,
        )
    } else {
        let sql = format!(
            "SELECT group_id, matched FROM (
               SELECT group_id, GROUP_CONCAT(id) as matched FROM (
                 SELECT {from}.id, IFNULL({from}.parent_id, {from}.id) as group_id
                 FROM {from}
                 LEFT JOIN transactions _t2 ON {from}.is_child = 1 AND _t2.id = {from}.parent_id
                 {}
                 {}
               )
               GROUP BY group_id
             )
             LEFT JOIN {from} ON {from}.id = group_id
             {}
             {}
             {}",
            s.joins,
            append_where(
                &s.where_,
                &format!("{from}.tombstone = 0 AND IFNULL(_t2.tombstone, 0) = 0")
            ),
            s.joins,
            s.order_by,
            limit_offset(s)
        );
        let rows = all(b, &sql)?;
        let mut matched = HashSet::new();
        for r in &rows {
            let Some(list) = text(r.get("matched")) else {
                return Err(BudgetError::Unsupported(
                    "an ActualQL group whose matched ids are not text".into(),
                ));
            };
            matched.extend(list.split(',').map(str::to_string));
        }
        (
            rows.iter()
                .map(|r| r.get("group_id").cloned().unwrap_or(Value::Null))
                .collect(),
            Some(matched),
        )
    };

    // `whereIn`: the distinct ids spliced between quotes, as upstream does.
    let mut seen = Vec::new();
    let mut distinct = HashSet::new();
    for id in &group_ids {
        let shown = format!("'{}'", option_text(id)?);
        if distinct.insert(shown.clone()) {
            seen.push(shown);
        }
    }
    let sql = format!(
        "SELECT {}, parent_id AS _parent_id FROM {from}\n{}\nWHERE IFNULL({from}.parent_id, {from}.id) IN ({}) {where_dead}\n{}",
        s.select,
        s.joins,
        seen.join(","),
        s.order_by
    );
    Ok((sql, matched))
}

fn grouped(b: &Budget, q: &QueryState, c: &Compiler, s: &SqlPieces) -> Result<Vec<Value>> {
    let (sql, matched) = grouped_plan(b, q, s)?;
    let mut parents: Vec<Row> = Vec::new();
    let mut children: HashMap<String, Vec<Row>> = HashMap::new();
    for mut row in all(b, &sql)? {
        match row.shift_remove("_parent_id") {
            None | Some(Value::Null) => parents.push(row),
            Some(Value::String(pid)) => children.entry(pid).or_default().push(row),
            Some(_) => {
                return Err(BudgetError::Unsupported(
                    "an ActualQL split whose parent id is not text".into(),
                ))
            }
        }
    }
    let mapper = |mut row: Row| -> Result<Row> {
        apply_types(&mut row, c)?;
        if let Some(m) = &matched {
            if !text(row.get("id")).is_some_and(|id| m.contains(&id)) {
                row.insert("_unmatched".into(), Value::Bool(true));
            }
        }
        Ok(row)
    };
    let mut out = Vec::with_capacity(parents.len());
    let mut used = HashSet::new();
    for parent in parents {
        let id = text(parent.get("id"));
        // Upstream converts a child again for a second parent of the same id.
        if let Some(id) = &id {
            if !used.insert(id.clone()) && children.contains_key(id) {
                return Err(BudgetError::Unsupported(
                    "an ActualQL split listed under two parents".into(),
                ));
            }
        }
        let kids = id
            .and_then(|id| children.get(&id).cloned())
            .unwrap_or_default();
        let mut group = mapper(parent)?;
        let subs = kids.into_iter().map(mapper).collect::<Result<Vec<_>>>()?;
        group.insert(
            "subtransactions".into(),
            Value::Array(subs.into_iter().map(Value::Object).collect()),
        );
        out.push(Value::Object(group));
    }
    Ok(out)
}

/// `execCategoryGroups`: with `categories: 'all'` (the default) every group gets its
/// live categories (upstream's own `q('categories')` query, run here the same way).
fn category_groups(b: &Budget, q: &QueryState, c: &Compiler, s: &SqlPieces) -> Result<Vec<Row>> {
    let option = match q
        .table_options
        .get("categories")
        .filter(|v| js::is_truthy(v))
    {
        Some(v) => option_text(v)?,
        None => "all".into(),
    };
    if option != "all" && option != "none" {
        return Err(plain_error(format!(
            "Invalid \"categories\" option for category_groups: \"{option}\""
        )));
    }
    let mut groups = exec_query(b, q, c, s)?;
    if option == "none" {
        return Ok(groups);
    }
    // A row without an id (an aggregate) is `undefined` to upstream: never a group.
    let ids: Vec<Value> = groups
        .iter()
        .map(|g| g.get("id").cloned().unwrap_or_else(|| json!("undefined")))
        .collect();
    let inner = json!({
        "table": "categories",
        "tableOptions": {},
        "filterExpressions": [{ "group": { "$oneof": ids } }],
        "selectExpressions": ["*"],
        "groupExpressions": [],
        "orderExpressions": [],
        "calculation": false,
        "rawMode": false,
        "withDead": false,
        "validateRefs": true,
        "limit": null,
        "offset": null,
    });
    let inner = QueryState::read(&inner)
        .map_err(|_| BudgetError::Unsupported("the categories of category groups".into()))?;
    let (pieces, compiled) = compile_query(&inner)?;
    let categories = exec_query(b, &inner, &compiled, &pieces)?;
    for group in &mut groups {
        let id = group.get("id");
        let cats: Vec<Value> = categories
            .iter()
            .filter(|cat| id.is_some() && json::strict_equals(cat.get("group"), id))
            .map(|cat| Value::Object(cat.clone()))
            .collect();
        group.insert("categories".into(), Value::Array(cats));
    }
    Ok(groups)
}

/// `row[k] || 0` for a calculation: the first value of the first row, falsy ones as 0.
pub fn calculation(data: &[Value]) -> Value {
    match data.first() {
        None => Value::Null,
        Some(row) => match row.as_object().and_then(|o| o.values().next()) {
            Some(v) if js::is_truthy(v) => v.clone(),
            _ => number(0.0),
        },
    }
}

// ---------------------------------------------------------------------------------
// The answer as JSON text, written as the rows are read: the same text as the values
// above serialised, without building them.

/// One key of a row object: its JSON-escaped `"name":`, the column whose value it
/// holds, and the field type its value is converted by.
struct Field {
    name: String,
    key: Vec<u8>,
    index: usize,
    ty: Option<&'static str>,
}

/// The row object's keys for a statement's columns, as [`all`] builds it: a name
/// repeated keeps its first place and its last column's value, and integer-like keys
/// come first, ascending (JavaScript's order).
fn shape(names: &[&str], c: &Compiler) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        match fields.iter_mut().find(|f| f.name == *name) {
            Some(f) => f.index = index,
            None => fields.push(Field {
                name: name.to_string(),
                key: format!("{}:", Value::String(name.to_string())).into_bytes(),
                index,
                ty: c.output_types.get(*name).copied(),
            }),
        }
    }
    if fields.iter().any(|f| json::is_array_index(&f.name)) {
        let (mut indices, others): (Vec<_>, Vec<_>) = fields
            .into_iter()
            .partition(|f| json::is_array_index(&f.name));
        indices.sort_by_key(|f| f.name.parse::<u64>().unwrap_or(0));
        fields = indices.into_iter().chain(others).collect();
    }
    fields
}

fn write_json(out: &mut Vec<u8>, v: &Value) {
    serde_json::to_writer(out, v).expect("a JSON value always serialises");
}

/// A driver value converted by `ty`, as JSON text ([`convert`] of [`plain`]).
fn write_value(out: &mut Vec<u8>, v: ValueRef<'_>, ty: Option<&str>) -> Result<()> {
    let date_len = match ty {
        Some("date") => Some(10),
        Some("date-month") => Some(7),
        Some("date-year") => Some(4),
        _ => None,
    };
    match (date_len, v) {
        // An eight-digit `YYYYMMDD` as `"YYYY-MM-DD"` cut to the type's length (ASCII,
        // nothing to escape): what `from_date_repr` writes.
        (Some(n), ValueRef::Integer(i)) if (10_000_000..=99_999_999).contains(&i) => {
            let mut digits = [0u8; 8];
            let mut rest = i;
            for d in digits.iter_mut().rev() {
                *d = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            let [y0, y1, y2, y3, m0, m1, d0, d1] = digits;
            let text = [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1];
            out.push(b'"');
            out.extend_from_slice(&text[..n]);
            out.push(b'"');
            return Ok(());
        }
        (None, ValueRef::Null | ValueRef::Integer(_)) if ty == Some("boolean") => {
            out.extend_from_slice(if matches!(v, ValueRef::Integer(1)) {
                b"true"
            } else {
                b"false"
            });
            return Ok(());
        }
        _ => {}
    }
    match ty {
        Some("date" | "date-month" | "date-year" | "boolean" | "json" | "json/fallback") => {
            write_json(out, &convert(plain(v), ty)?)
        }
        _ => match v {
            ValueRef::Null => out.extend_from_slice(b"null"),
            ValueRef::Integer(i) => {
                let _ = write!(out, "{i}");
            }
            ValueRef::Real(f) => write_json(out, &number(f)),
            ValueRef::Text(t) | ValueRef::Blob(t) => {
                serde_json::to_writer(&mut *out, &*String::from_utf8_lossy(t))
                    .expect("a string always serialises")
            }
        },
    }
    Ok(())
}

/// A row's object, converted, left open (no closing brace).
fn write_object(out: &mut Vec<u8>, row: &rusqlite::Row<'_>, fields: &[Field]) -> Result<()> {
    out.push(b'{');
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&f.key);
        write_value(out, row.get_ref(f.index)?, f.ty)?;
    }
    Ok(())
}

/// `execQuery` as a JSON array.
fn exec_query_text(
    b: &Budget,
    q: &QueryState,
    c: &Compiler,
    s: &SqlPieces,
    out: &mut Vec<u8>,
) -> Result<()> {
    let sql = construct_query(q.with_dead, &c.implicit_table_name, &c.implicit_table_id, s);
    out.push(b'[');
    let mut first = true;
    each_row_named(
        b,
        &sql,
        |names| Ok(shape(names, c)),
        |fields, row| {
            if !first {
                out.push(b',');
            }
            first = false;
            write_object(out, row, fields)?;
            out.push(b'}');
            Ok(())
        },
    )?;
    out.push(b']');
    Ok(())
}

/// [`run`]'s rows as a JSON array.
pub fn run_text(b: &Budget, q: &QueryState, c: &Compiler, s: &SqlPieces) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(16 << 10);
    match c.implicit_table_name.as_str() {
        "transactions" => match split_plan(q, c, s)? {
            SplitPlan::Grouped => grouped_text(b, q, c, s, &mut out)?,
            SplitPlan::Pieces(s) => exec_query_text(b, q, c, &s, &mut out)?,
        },
        "category_groups" => write_json(&mut out, &Value::Array(run(b, q, c, s)?)),
        _ => exec_query_text(b, q, c, s, &mut out)?,
    }
    Ok(out)
}

/// A grouped row: its object's text left open (or why it does not convert), and its
/// id as read.
type Item = (Result<Vec<u8>>, Option<String>);

/// `,"name":` after a row object's fields (none: no comma).
fn push_key(item: &mut Vec<u8>, after_fields: bool, key: &[u8]) {
    if after_fields {
        item.push(b',');
    }
    item.extend_from_slice(key);
}

/// [`grouped`] as a JSON array.
fn grouped_text(
    b: &Budget,
    q: &QueryState,
    c: &Compiler,
    s: &SqlPieces,
    out: &mut Vec<u8>,
) -> Result<()> {
    let (sql, matched) = grouped_plan(b, q, s)?;
    let mut fallback = false;
    let mut after_fields = false;
    let mut parents: Vec<Item> = Vec::new();
    let mut children: HashMap<String, Vec<Item>> = HashMap::new();
    let read = each_row_named(
        b,
        &sql,
        |names| {
            let mut fields = shape(names, c);
            let parent_col = fields
                .iter()
                .position(|f| f.name == "_parent_id")
                .map(|i| fields.remove(i).index);
            // Keys the executor sets itself replace a selected one in place: as values.
            if fields
                .iter()
                .any(|f| f.name == "_unmatched" || f.name == "subtransactions")
            {
                fallback = true;
                return Err(BudgetError::Unsupported(String::new()));
            }
            let id_field = fields
                .iter()
                .find(|f| f.name == "id")
                .map(|f| (f.index, f.ty));
            Ok((fields, parent_col, id_field))
        },
        |(fields, parent_col, id_field), row| {
            after_fields = !fields.is_empty();
            let raw_id = match *id_field {
                Some((i, _)) => match row.get_ref(i)? {
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Some(String::from_utf8_lossy(t).into_owned())
                    }
                    _ => None,
                },
                None => None,
            };
            let mut item = Vec::with_capacity(512);
            let written = write_object(&mut item, row, fields).and_then(|()| {
                if let Some(m) = &matched {
                    let id = match *id_field {
                        Some((i, ty)) => text(Some(&convert(plain(row.get_ref(i)?), ty)?)),
                        None => None,
                    };
                    if !id.is_some_and(|id| m.contains(&id)) {
                        push_key(&mut item, !fields.is_empty(), b"\"_unmatched\":true");
                    }
                }
                Ok(())
            });
            let entry = (written.map(|()| item), raw_id);
            match parent_col.map(|i| row.get_ref(i)).transpose()? {
                None | Some(ValueRef::Null) => parents.push(entry),
                Some(ValueRef::Text(t) | ValueRef::Blob(t)) => children
                    .entry(String::from_utf8_lossy(t).into_owned())
                    .or_default()
                    .push(entry),
                Some(_) => {
                    return Err(BudgetError::Unsupported(
                        "an ActualQL split whose parent id is not text".into(),
                    ))
                }
            }
            Ok(())
        },
    );
    if fallback {
        write_json(out, &Value::Array(grouped(b, q, c, s)?));
        return Ok(());
    }
    read?;
    out.push(b'[');
    let mut used = HashSet::new();
    let mut taken = HashSet::new();
    for (k, (parent, id)) in parents.into_iter().enumerate() {
        // Upstream converts a child again for a second parent of the same id.
        let kids = match id {
            Some(id) => {
                if !used.insert(id.clone()) && (children.contains_key(&id) || taken.contains(&id)) {
                    return Err(BudgetError::Unsupported(
                        "an ActualQL split listed under two parents".into(),
                    ));
                }
                let kids = children.remove(&id);
                if kids.is_some() {
                    taken.insert(id);
                }
                kids.unwrap_or_default()
            }
            None => Vec::new(),
        };
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&parent?);
        push_key(out, after_fields, b"\"subtransactions\":[");
        for (j, (kid, _)) in kids.into_iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&kid?);
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }
    out.push(b']');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(sql: &str) -> BudgetError {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let err = conn
            .prepare(sql)
            .and_then(|mut stmt| stmt.query([]).and_then(|mut rows| rows.next().map(|_| ())))
            .unwrap_err();
        sqlite_refusal(err)
    }

    /// What the query's shape decides is upstream's `SqliteError`; the rest is handed over.
    #[test]
    fn sqlite_refusals_of_the_querys_shape_are_upstreams_errors() {
        for (sql, code, message) in [
            (
                "SELECT 1 AS a ORDER BY a OFFSET 2",
                "SQLITE_ERROR",
                "near \"OFFSET\": syntax error",
            ),
            (
                "SELECT 1 AS a b",
                "SQLITE_ERROR",
                "near \"b\": syntax error",
            ),
            (
                "SELECT undefined",
                "SQLITE_ERROR",
                "no such column: undefined",
            ),
            (
                "SELECT SUM(COUNT(1))",
                "SQLITE_ERROR",
                "misuse of aggregate function COUNT()",
            ),
            ("SELECT 1 LIMIT 1.5", "SQLITE_MISMATCH", "datatype mismatch"),
        ] {
            match refusal(sql) {
                BudgetError::Thrown {
                    name,
                    code: c,
                    message: m,
                } => {
                    assert_eq!(
                        (name, c, m.as_str()),
                        ("SqliteError", code, message),
                        "{sql}"
                    )
                }
                other => panic!("{sql}: {other:?}"),
            }
        }
        for sql in ["SELECT nope", "SELECT 'a", "SELECT * FROM absent"] {
            let got = refusal(sql);
            assert!(matches!(got, BudgetError::Unsupported(_)), "{sql}: {got:?}");
        }
    }

    /// The text written for a value is the converted value's JSON, for every type.
    #[test]
    fn written_values_are_the_converted_values_json() {
        let texts: [&[u8]; 5] = [
            b"",
            b"abc \"q\" \\ \n \x01",
            b"{\"b\":1,\"1\":2}",
            b"[1,",
            b"\xff",
        ];
        let mut values = vec![ValueRef::Null];
        for i in [
            0,
            1,
            2,
            -1,
            20240506,
            10_000_000,
            99_999_999,
            9_999_999,
            100_000_000,
            -20240506,
            i64::MAX,
            i64::MIN,
        ] {
            values.push(ValueRef::Integer(i));
        }
        for f in [0.0, 1.0, 1.5, -0.0, 20240506.0, 1e300, f64::NAN, 2.5e-8] {
            values.push(ValueRef::Real(f));
        }
        for t in texts {
            values.push(ValueRef::Text(t));
            values.push(ValueRef::Blob(t));
        }
        let types = [
            None,
            Some("id"),
            Some("string"),
            Some("integer"),
            Some("date"),
            Some("date-month"),
            Some("date-year"),
            Some("boolean"),
            Some("json"),
            Some("json/fallback"),
        ];
        for ty in types {
            for v in &values {
                let mut out = Vec::new();
                let written = write_value(&mut out, *v, ty);
                match convert(plain(*v), ty) {
                    Ok(expected) => {
                        assert!(written.is_ok(), "{v:?} as {ty:?}");
                        assert_eq!(
                            String::from_utf8(out).unwrap(),
                            serde_json::to_string(&expected).unwrap(),
                            "{v:?} as {ty:?}"
                        );
                    }
                    Err(_) => assert!(written.is_err(), "{v:?} as {ty:?}"),
                }
            }
        }
    }
}
