//! Running a compiled query as upstream does (`server/aql/exec.ts` `execQuery`, and
//! `server/aql/schema/executors.ts`): `transactions` by its `splits` option
//! (`inline`, `none`, `all`, `grouped`), `category_groups` by its `categories` option,
//! every other table as it compiles; output values converted by the compiled types
//! (`convertOutputType`).

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use super::compiler::{append_where, construct_query, is_aggregate_query, Compiler, SqlPieces};
use super::sql_functions::UNSUPPORTED;
use super::state::QueryState;
use crate::rows::{all_columns, number};
use crate::{dates, json, Budget, BudgetError, Result};

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
    if sql.contains('\0') {
        return Err(BudgetError::Unsupported(
            "an ActualQL query with a NUL character".into(),
        ));
    }
    let refused = |e: rusqlite::Error| {
        let text = e.to_string();
        let why = match text.find(UNSUPPORTED) {
            Some(i) => text[i + UNSUPPORTED.len()..].trim().to_string(),
            None => format!("SQL that SQLite refuses here ({text})"),
        };
        BudgetError::Unsupported(format!("an ActualQL query with {why}"))
    };
    let mut stmt = b.conn.prepare(sql).map_err(refused)?;
    let mut rows = stmt.query([]).map_err(refused)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(refused)? {
        let mut v = Value::Object(all_columns(row)?);
        json::js_key_order(&mut v);
        if let Value::Object(map) = v {
            out.push(map);
        }
    }
    Ok(out)
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

fn transactions(b: &Budget, q: &QueryState, c: &Compiler, s: &SqlPieces) -> Result<Vec<Value>> {
    let split_type = match q.table_options.get("splits").filter(|v| json::truthy(v)) {
        Some(v) => option_text(v)?,
        None => "inline".into(),
    };
    let from = &s.from;
    let rows = match split_type.as_str() {
        "grouped" if !is_aggregate_query(q).map_err(|f| c.into_error(f))? => {
            return grouped(b, q, c, s)
        }
        "grouped" => {
            // Only non-parents, through the alive view under the name the SQL uses.
            let mut s = s.clone();
            s.where_ = append_where(&s.where_, &format!("{from}.is_parent = 0"));
            if !q.with_dead {
                s.from = "v_transactions_internal_alive v_transactions_internal".into();
            }
            exec_query(b, q, c, &s)?
        }
        "all" => exec_query(b, q, c, s)?,
        "inline" | "none" => {
            let mut s = s.clone();
            let condition = if split_type == "none" {
                format!("{from}.parent_id IS NULL")
            } else {
                format!("{from}.is_parent = 0")
            };
            s.where_ = append_where(&s.where_, &condition);
            exec_query(b, q, c, &s)?
        }
        other => {
            return Err(plain_error(format!(
                "Invalid \"splits\" option for transactions: \"{other}\""
            )))
        }
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
            if let Some(v) = value.filter(|v| json::truthy(v)) {
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
fn grouped(b: &Budget, q: &QueryState, c: &Compiler, s: &SqlPieces) -> Result<Vec<Value>> {
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
    for id in &group_ids {
        let shown = format!("'{}'", option_text(id)?);
        if !seen.contains(&shown) {
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
        .filter(|v| json::truthy(v))
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
    let categories = super::query(b, &inner)?;
    for group in &mut groups {
        let id = group.get("id");
        let cats: Vec<Value> = categories
            .iter()
            .filter(|cat| id.is_some() && json::strict_equals(cat.get("group"), id))
            .cloned()
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
            Some(v) if json::truthy(v) => v.clone(),
            _ => number(0.0),
        },
    }
}
