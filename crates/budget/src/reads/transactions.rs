//! `getTransactions(accountId, startDate, endDate)` (`server/api.ts`
//! 'api/transactions-get'): AQL's `transactions` table with `splits: 'grouped'`,
//! filtered with `{ $and: [accountId && { account }, startDate && { date: { $gte } },
//! endDate && { date: { $lte } }].filter(Boolean) }` and `select('*')`, run by
//! `execTransactionsGrouped` (`server/aql/schema/executors.ts`).
//!
//! Upstream runs two queries: the groups (a split's parent id, or the transaction's
//! own id) that have a live row matching the filter, then every live row of those
//! groups, children attached to their parents. One query does both here.

use std::collections::HashMap;

use rusqlite::types::{Value as Sql, ValueRef};
use serde_json::{json, Value};

use crate::aql::literals::{self, Js};
use crate::foundation::budget::Budget;
use crate::foundation::dates;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js;
use crate::foundation::js::sqlite::{boolean, json, plain, truthy};

/// How AQL outputs a field (`convertOutputType` by the schema's type).
#[derive(Clone, Copy)]
enum Output {
    Plain,
    Boolean,
    Date,
    Json,
}

/// `select('*')`: every field of the schema's `transactions` in its order, with the
/// column it is read from. References to other tables are read through a join on
/// their live rows (`transformField` with `validateRefs`), so a reference to a
/// deleted account, category, payee or schedule reads as null.
const FIELDS: &[(&str, &str, Output)] = &[
    ("id", "t.id", Output::Plain),
    ("is_parent", "t.is_parent", Output::Boolean),
    ("is_child", "t.is_child", Output::Boolean),
    ("parent_id", "t.parent_id", Output::Plain),
    ("account", "accounts1.id", Output::Plain),
    ("category", "categories2.id", Output::Plain),
    ("amount", "t.amount", Output::Plain),
    ("payee", "payees3.id", Output::Plain),
    ("notes", "t.notes", Output::Plain),
    ("date", "t.date", Output::Date),
    ("imported_id", "t.imported_id", Output::Plain),
    ("error", "t.error", Output::Json),
    ("imported_payee", "t.imported_payee", Output::Plain),
    (
        "starting_balance_flag",
        "t.starting_balance_flag",
        Output::Boolean,
    ),
    ("transfer_id", "t.transfer_id", Output::Plain),
    ("sort_order", "t.sort_order", Output::Plain),
    ("cleared", "t.cleared", Output::Boolean),
    ("reconciled", "t.reconciled", Output::Boolean),
    ("tombstone", "t.tombstone", Output::Boolean),
    ("schedule", "schedules4.id", Output::Plain),
    ("raw_synced_data", "t.raw_synced_data", Output::Plain),
];

/// The joins `compileJoins` makes for those references, through the views upstream's
/// `tableViews` names for a join.
const JOINS: &str = "
  LEFT JOIN accounts accounts1 ON accounts1.id = t.account AND accounts1.tombstone = 0
  LEFT JOIN v_categories categories2 ON categories2.id = t.category AND categories2.tombstone = 0
  LEFT JOIN v_payees payees3 ON payees3.id = t.payee AND payees3.tombstone = 0
  LEFT JOIN v_schedules schedules4 ON schedules4.id = t.schedule AND schedules4.tombstone = 0";

/// The schema config's default order for `transactions` (`customizeQuery`), children
/// (rows with a parent) first: each class keeps that order, and the parents can then be
/// written out as they come, their children already at hand.
const CHILDREN_FIRST: &str =
    "ORDER BY t.parent_id IS NULL, t.date desc, t.starting_balance_flag, t.sort_order desc, t.id";

/// One condition of the filter after compiling.
enum Compiled {
    /// SQL comparing a column with a value (`{}` is where the value goes), and the value.
    Sql(&'static str, Sql),
    /// Nothing to test (an empty array of conditions).
    Nothing,
    /// A named parameter (a string starting with `:`), which the query is never given.
    Param(String),
    /// An Invalid Date: upstream's SQL then holds `NaNNaNNaN`.
    InvalidDate,
}

/// The compiled filter.
struct Filter {
    /// No condition at all: `isHappyPathQuery`, which lists parents directly and marks
    /// nothing `_unmatched`. Any condition makes upstream take the other path: its
    /// `_isUnhappy` walks the `$and` array's indices as if they were field names.
    happy: bool,
    conditions: Vec<(&'static str, Sql)>,
}

/// A string value as `compileExpr` reads it.
enum StringExpr {
    /// `$field`: a reference to another field.
    Field,
    /// `:name`: a named parameter.
    Param(String),
    Literal(String),
}

fn string_expr(s: &str) -> StringExpr {
    if s.starts_with('$') {
        StringExpr::Field
    } else if let Some(name) = s.strip_prefix(':') {
        StringExpr::Param(name.to_string())
    } else {
        StringExpr::Literal(literals::unescape_string(s))
    }
}

fn field_reference() -> BudgetError {
    BudgetError::Unsupported("a field reference ($...) as a getTransactions argument".into())
}

/// `{ account: accountId }`: compared with the id of the live account (`$eq`).
fn compile_account(v: &Value, filter: &Value) -> Result<Compiled> {
    let stack_entry = |op_data: Value| literals::pretty_value(Some(&json!({ "account": op_data })));
    let js = Js::of(v);
    match js {
        Js::String(s) => match string_expr(s) {
            StringExpr::Field => Err(field_reference()),
            StringExpr::Param(name) => Ok(Compiled::Param(name)),
            // Upstream splices an id into its SQL between quotes, unescaped.
            StringExpr::Literal(id) if id.contains(['\'', '\0']) => Err(BudgetError::Unsupported(
                "an account id with a quote or NUL in it".into(),
            )),
            StringExpr::Literal(id) => Ok(Compiled::Sql("accounts1.id = {}", Sql::Text(id))),
        },
        Js::Number { .. } | Js::Bool(_) | Js::Date(_) => Err(literals::compile_error(
            &format!("Can't convert {} to id", js.literal_type()),
            &[stack_entry(json!({ "$eq": v }))],
            filter,
        )),
        Js::Array([]) | Js::Null => Ok(Compiled::Nothing),
        // An object is an operator (`{ $ne: ... }`); with no key, its operand is undefined.
        Js::Object(o) if o.is_empty() => Err(literals::compile_error(
            "`undefined` is not a valid query value",
            &["undefined".into(), stack_entry(v.clone())],
            filter,
        )),
        Js::Array(_) | Js::Object(_) => Err(BudgetError::Unsupported(
            "an array or an operator object as the account id".into(),
        )),
    }
}

/// `{ date: { [op]: value } }`, the value cast to a date (`castInput`).
fn compile_date(op: &'static str, v: &Value, filter: &Value) -> Result<Compiled> {
    let stack_entry = || literals::pretty_value(Some(&json!({ "date": { op: v } })));
    let sql = if op == "$gte" {
        "t.date >= {}"
    } else {
        "t.date <= {}"
    };
    let js = Js::of(v);
    match js {
        Js::String(s) => match string_expr(s) {
            StringExpr::Field => Err(field_reference()),
            StringExpr::Param(name) => Ok(Compiled::Param(name)),
            StringExpr::Literal(day) => match literals::parse_date(&day) {
                Some(repr) => Ok(Compiled::Sql(sql, Sql::Integer(repr))),
                None => Err(literals::compile_error(
                    &format!("Bad date format: {day}"),
                    &[stack_entry()],
                    filter,
                )),
            },
        },
        Js::Number { .. } | Js::Bool(_) | Js::Array(_) => Err(literals::compile_error(
            &format!("Can't cast {} to date", js.literal_type()),
            &[stack_entry()],
            filter,
        )),
        Js::Date(None) => Ok(Compiled::InvalidDate),
        Js::Date(Some(ms)) => {
            let day = dates::local_day_of_millis(ms).ok_or_else(|| {
                BudgetError::Unsupported("a Date outside the years chrono represents".into())
            })?;
            Ok(Compiled::Sql(
                sql,
                Sql::Integer(literals::native_date_to_int(day)),
            ))
        }
        Js::Object(o) if o.keys().any(|k| k.starts_with('$')) => Err(BudgetError::Unsupported(
            "an AQL function as a getTransactions date".into(),
        )),
        Js::Object(_) => Err(literals::compile_error(
            &format!(
                "Unsupported type of expression: {}",
                crate::foundation::js::json::stringify(v, false)
            ),
            &[literals::pretty_value(Some(v)), stack_entry()],
            filter,
        )),
        Js::Null => Ok(Compiled::Nothing),
    }
}

fn compile(args: &Value) -> Result<Filter> {
    let mut parts: Vec<(Option<&'static str>, &Value)> = Vec::new();
    let mut shown = Vec::new();
    if let Some(v) = args.get("accountId").filter(|v| js::truthy(Some(v))) {
        shown.push(json!({ "account": v }));
        parts.push((None, v));
    }
    for (name, op) in [("startDate", "$gte"), ("endDate", "$lte")] {
        if let Some(v) = args.get(name).filter(|v| js::truthy(Some(v))) {
            shown.push(json!({ "date": { op: v } }));
            parts.push((Some(op), v));
        }
    }
    let filter = json!({ "$and": shown });

    let mut conditions = Vec::new();
    let mut param = None;
    let mut invalid_date = false;
    for (op, v) in &parts {
        let compiled = match op {
            None => compile_account(v, &filter)?,
            Some(op) => compile_date(op, v, &filter)?,
        };
        match compiled {
            Compiled::Sql(sql, value) => conditions.push((sql, value)),
            Compiled::Nothing => {}
            Compiled::Param(name) => {
                param.get_or_insert(name);
            }
            Compiled::InvalidDate => invalid_date = true,
        }
    }
    // `runCompiledAqlQuery` looks for the parameters' values before anything runs.
    if let Some(name) = param {
        return Err(BudgetError::thrown(
            "Error",
            "invalid-query",
            format!("Parameter {name} not provided to query"),
        ));
    }
    if invalid_date {
        return Err(BudgetError::thrown(
            "SqliteError",
            "SQLITE_ERROR",
            "no such column: NaNNaNNaN",
        ));
    }
    Ok(Filter {
        happy: parts.is_empty(),
        conditions,
    })
}

/// The filter's conditions as SQL, the `n`th value as `?n`.
fn conditions_sql(filter: &Filter) -> String {
    if filter.conditions.is_empty() {
        return "1".into();
    }
    let sql: Vec<String> = filter
        .conditions
        .iter()
        .enumerate()
        .map(|(i, (sql, _))| sql.replace("{}", &format!("?{}", i + 1)))
        .collect();
    sql.join(" AND ")
}

/// The query: `matched` holds the groups with a live row that passes the filter (and
/// has a live parent, if a child); the rows are every live row of those groups.
///
/// Whether a row is itself matched is the filter tested on the row: every row of a
/// matched group has a parent that is live (or missing), or the group would have no
/// matched row, except children whose `isChild` is neither 0 nor 1 (upstream tests
/// the parent of `is_child = 1` rows only), so the parent is tested again.
fn query_sql(filter: &Filter) -> String {
    let conditions = conditions_sql(filter);
    let matched = if filter.happy {
        "SELECT t.id AS group_id FROM v_transactions_internal t
           WHERE t.is_child = 0 AND t.tombstone = 0"
            .to_string()
    } else {
        format!(
            "SELECT IFNULL(t.parent_id, t.id) AS group_id FROM v_transactions_internal t
               LEFT JOIN transactions _t2 ON t.is_child = 1 AND _t2.id = t.parent_id
               LEFT JOIN accounts accounts1 ON accounts1.id = t.account AND accounts1.tombstone = 0
               WHERE ({conditions}) AND t.tombstone = 0 AND IFNULL(_t2.tombstone, 0) = 0"
        )
    };
    let fields: Vec<String> = FIELDS
        .iter()
        .map(|(name, column, _)| format!("{column} AS {name}"))
        .collect();
    let (is_matched, parent_join) = if filter.happy {
        ("1".to_string(), "")
    } else {
        (
            format!("({conditions}) AND IFNULL(_t2.tombstone, 0) = 0"),
            "LEFT JOIN transactions _t2 ON t.is_child = 1 AND _t2.id = t.parent_id",
        )
    };
    format!(
        "WITH matched AS ({matched})
         SELECT {}, t.parent_id AS _parent_id, {is_matched} AS _matched
         FROM v_transactions_internal t {JOINS} {parent_join}
         WHERE IFNULL(t.parent_id, t.id) IN (SELECT group_id FROM matched) AND t.tombstone = 0
         {CHILDREN_FIRST}",
        fields.join(", ")
    )
}

fn output(v: ValueRef<'_>, kind: Output) -> Result<Value> {
    Ok(match kind {
        Output::Plain => plain(v),
        Output::Boolean => boolean(v),
        Output::Json => json(v),
        Output::Date => match v {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::String(dates::from_date_repr(i)),
            _ => {
                return Err(BudgetError::Unsupported(
                    "a transaction date that is not an integer".into(),
                ))
            }
        },
    })
}

fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        _ => None,
    }
}

/// `getTransactions(accountId, startDate, endDate)`, as JSON text: each row is written
/// as it is read (its object left open for the parent's `subtransactions`), so no tree
/// of values is built for a year of transactions.
pub fn get_transactions(b: &Budget, args: &Value) -> Result<String> {
    let filter = compile(args)?;
    let mut stmt = b.conn.prepare_cached(&query_sql(&filter))?;
    let params = rusqlite::params_from_iter(filter.conditions.iter().map(|(_, v)| v));
    let mut rows = stmt.query(params)?;

    // Children's objects as JSON text (UTF-8), by parent id; the answer written as the
    // parents come.
    let mut children: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
    let mut out = Vec::with_capacity(64 << 10);
    out.push(b'[');
    let mut first = true;
    // Each field's `"name":` once, JSON-escaped as serde_json would.
    let keys: Vec<String> = FIELDS
        .iter()
        .map(|(name, _, _)| format!("{}:", Value::String((*name).to_string())))
        .collect();
    let mut item = Vec::with_capacity(1024);
    while let Some(row) = rows.next()? {
        item.clear();
        for (i, ((_, _, kind), key)) in FIELDS.iter().zip(&keys).enumerate() {
            item.push(if i == 0 { b'{' } else { b',' });
            item.extend_from_slice(key.as_bytes());
            serde_json::to_writer(&mut item, &output(row.get_ref(i)?, *kind)?)
                .expect("a JSON value always serialises");
        }
        let id = text(row.get_ref(0)?);
        let parent = row.get_ref(FIELDS.len())?;
        // Upstream splices group ids into SQL between quotes, and reads the matched ids
        // back from a comma-separated GROUP_CONCAT (so an id with a comma never matches).
        let odd = |s: &str| s.contains('\'') || (!filter.happy && s.contains(','));
        if id.as_deref().is_some_and(odd) || text(parent).is_some_and(|p| p.contains('\'')) {
            return Err(BudgetError::Unsupported(
                "a transaction id with a quote or comma in it".into(),
            ));
        }
        if !filter.happy && !truthy(row.get_ref(FIELDS.len() + 1)?) {
            item.extend_from_slice(b",\"_unmatched\":true");
        }
        match parent {
            ValueRef::Null => {
                if !first {
                    out.push(b',');
                }
                first = false;
                out.extend_from_slice(&item);
                out.extend_from_slice(b",\"subtransactions\":[");
                // Two parents with one id (a join that doubled a row) both get them.
                let kids = id.as_ref().and_then(|id| children.get(id));
                for (k, child) in kids.into_iter().flatten().enumerate() {
                    if k > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(child);
                    out.push(b'}');
                }
                out.extend_from_slice(b"]}");
            }
            // JavaScript keys its map of children by the parent id's value; anything
            // but a string (a Buffer) never finds its parent.
            other => {
                if let Some(pid) = text(other) {
                    children.entry(pid).or_default().push(item.clone());
                }
            }
        }
    }
    out.push(b']');
    Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// The columns upstream's views read, on tables of their real names.
    const SCHEMA: &str = "
      CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT, tombstone INTEGER DEFAULT 0);
      CREATE TABLE payees (id TEXT PRIMARY KEY, name TEXT, transfer_acct TEXT, tombstone INTEGER DEFAULT 0,
        favorite INTEGER DEFAULT 0, learn_categories INTEGER DEFAULT 1);
      CREATE TABLE payee_mapping (id TEXT PRIMARY KEY, targetId TEXT);
      CREATE TABLE categories (id TEXT PRIMARY KEY, name TEXT, is_income INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0,
        cat_group TEXT, goal_def TEXT, cleanup_def TEXT, template_settings TEXT, sort_order REAL, tombstone INTEGER DEFAULT 0);
      CREATE TABLE category_mapping (id TEXT PRIMARY KEY, transferId TEXT);
      CREATE TABLE rules (id TEXT PRIMARY KEY, conditions TEXT, actions TEXT);
      CREATE TABLE schedules (id TEXT PRIMARY KEY, name TEXT, rule TEXT, completed INTEGER DEFAULT 0,
        posts_transaction INTEGER DEFAULT 0, custom_upcoming_length TEXT, tombstone INTEGER DEFAULT 0, sort_order REAL);
      CREATE TABLE schedules_next_date (id TEXT PRIMARY KEY, schedule_id TEXT, local_next_date INTEGER,
        local_next_date_ts INTEGER, base_next_date INTEGER, base_next_date_ts INTEGER);
      CREATE TABLE schedules_json_paths (schedule_id TEXT PRIMARY KEY, payee TEXT, account TEXT, amount TEXT, date TEXT);
      CREATE TABLE transactions (id TEXT PRIMARY KEY, isParent INTEGER DEFAULT 0, isChild INTEGER DEFAULT 0,
        acct TEXT, category TEXT, amount INTEGER, description TEXT, notes TEXT, date INTEGER, financial_id TEXT,
        error TEXT, imported_description TEXT, starting_balance_flag INTEGER DEFAULT 0, transferred_id TEXT,
        sort_order REAL, tombstone INTEGER DEFAULT 0, cleared INTEGER DEFAULT 1, parent_id TEXT, schedule TEXT,
        reconciled INTEGER DEFAULT 0, raw_synced_data TEXT);
      INSERT INTO accounts (id, name, tombstone) VALUES ('a', 'A', 0), ('b', 'B', 0), ('dead', 'Dead', 1);
      INSERT INTO payees (id, name, tombstone) VALUES ('p', 'P', 0), ('merged', 'Merged', 1), ('gone', 'Gone', 1);
      INSERT INTO payee_mapping VALUES ('p', 'p'), ('merged', 'p'), ('gone', 'gone');
      INSERT INTO categories (id, name, tombstone) VALUES ('c', 'C', 0), ('old', 'Old', 1), ('dropped', 'Dropped', 1);
      INSERT INTO category_mapping VALUES ('c', 'c'), ('old', 'c'), ('dropped', 'dropped');
    ";

    fn budget() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        crate::schema::views::install(&conn).unwrap();
        conn
    }

    /// (id, parent, account, date, sort_order, tombstone)
    type Row<'a> = (&'a str, Option<&'a str>, &'a str, i64, f64, i64);

    fn add(conn: &Connection, rows: &[Row]) {
        for (id, parent, acct, date, sort_order, tombstone) in rows {
            conn.execute(
                "INSERT INTO transactions (id, isParent, isChild, parent_id, acct, date, sort_order, tombstone,
                   amount, description, category, error)
                 VALUES (?1, 0, ?2 IS NOT NULL, ?2, ?3, ?4, ?5, ?6, -1, 'merged', 'old', NULL)",
                rusqlite::params![id, parent, acct, date, sort_order, tombstone],
            )
            .unwrap();
            if let Some(parent) = parent {
                conn.execute(
                    "UPDATE transactions SET isParent = 1 WHERE id = ?",
                    [parent],
                )
                .unwrap();
            }
        }
    }

    fn read(conn: &Connection, args: Value) -> Result<Value> {
        let text = get_transactions(&Budget::new(conn), &args)?;
        Ok(serde_json::from_str(&text).expect("the answer is JSON"))
    }

    /// `(id, [child ids], unmatched ids)` of an answer.
    fn shape(v: &Value) -> Vec<(String, Vec<String>, Vec<String>)> {
        let id = |t: &Value| t["id"].as_str().unwrap().to_string();
        let unmatched = |t: &Value| t.get("_unmatched") == Some(&Value::Bool(true));
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let subs = t["subtransactions"].as_array().unwrap();
                let mut flagged: Vec<String> =
                    subs.iter().filter(|c| unmatched(c)).map(id).collect();
                if unmatched(t) {
                    flagged.insert(0, id(t));
                }
                (id(t), subs.iter().map(id).collect(), flagged)
            })
            .collect()
    }

    fn owned(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn splits_group_their_live_children_and_drop_orphans() {
        let conn = budget();
        add(
            &conn,
            &[
                ("s", None, "a", 20260110, 3.0, 0),
                ("s1", Some("s"), "a", 20260110, 2.0, 0),
                ("s2", Some("s"), "a", 20260110, 1.0, 1),
                ("s3", Some("s"), "a", 20260110, 2.5, 0),
                ("dead-parent", None, "a", 20260111, 1.0, 1),
                ("orphan", Some("dead-parent"), "a", 20260111, 1.0, 0),
                ("plain", None, "a", 20260112, 1.0, 0),
            ],
        );
        let expect = vec![
            ("plain".to_string(), vec![], vec![]),
            ("s".to_string(), owned(&["s3", "s1"]), vec![]),
        ];
        assert_eq!(shape(&read(&conn, json!({})).unwrap()), expect);
        assert_eq!(
            shape(&read(&conn, json!({ "accountId": "a" })).unwrap()),
            expect
        );
    }

    #[test]
    fn rows_of_a_matched_group_that_do_not_match_are_flagged() {
        let conn = budget();
        add(
            &conn,
            &[
                ("s", None, "a", 20260131, 1.0, 0),
                ("on-date", Some("s"), "a", 20260131, 2.0, 0),
                ("next-month", Some("s"), "a", 20260202, 1.0, 0),
                ("other-account", Some("s"), "b", 20260131, 0.0, 0),
            ],
        );
        let january = json!({ "startDate": "2026-01-01", "endDate": "2026-01-31" });
        assert_eq!(
            shape(&read(&conn, january).unwrap()),
            vec![(
                "s".into(),
                owned(&["next-month", "on-date", "other-account"]),
                owned(&["next-month"])
            )]
        );
        let february = json!({ "accountId": "a", "startDate": "2026-02-01" });
        assert_eq!(
            shape(&read(&conn, february).unwrap()),
            vec![(
                "s".into(),
                owned(&["next-month", "on-date", "other-account"]),
                owned(&["s", "on-date", "other-account"])
            )]
        );
        // With no condition at all nothing is flagged.
        assert_eq!(
            shape(&read(&conn, json!({})).unwrap())[0].2,
            Vec::<String>::new()
        );
    }

    #[test]
    fn references_to_dead_rows_read_as_null_and_mappings_apply() {
        let conn = budget();
        add(&conn, &[("t", None, "dead", 20260105, 1.0, 0)]);
        let all = read(&conn, json!({})).unwrap();
        let t = &all[0];
        assert_eq!(t["account"], Value::Null);
        assert_eq!(t["payee"], json!("p"));
        assert_eq!(t["category"], json!("c"));
        assert_eq!(t["date"], json!("2026-01-05"));
        assert_eq!(t["cleared"], json!(true));
        assert_eq!(t["subtransactions"], json!([]));
        // A dead account is never matched by id.
        assert_eq!(
            read(&conn, json!({ "accountId": "dead" })).unwrap(),
            json!([])
        );
        conn.execute_batch("UPDATE transactions SET description = 'gone', category = 'dropped'")
            .unwrap();
        let t = &read(&conn, json!({})).unwrap()[0];
        assert_eq!((&t["payee"], &t["category"]), (&Value::Null, &Value::Null));
    }

    #[test]
    fn field_order_is_the_schemas_then_the_split_fields() {
        let conn = budget();
        add(&conn, &[("t", None, "a", 20260105, 1.0, 0)]);
        conn.execute_batch(r#"UPDATE transactions SET error = '{"type":"x"}'"#)
            .unwrap();
        let all = read(&conn, json!({ "accountId": "a", "endDate": "2026-01-04" })).unwrap();
        assert_eq!(all, json!([]));
        let all = read(&conn, json!({ "accountId": "a" })).unwrap();
        let keys: Vec<&str> = all[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected: Vec<&str> = FIELDS.iter().map(|(name, _, _)| *name).collect();
        expected.push("subtransactions");
        assert_eq!(keys, expected);
        assert_eq!(all[0]["error"], json!({ "type": "x" }));
    }

    #[test]
    fn argument_shapes_compile_as_upstreams_filter_does() {
        let conn = budget();
        let thrown = |args: Value| match read(&conn, args) {
            Err(BudgetError::Thrown { name, message, .. }) => (name, message),
            other => panic!("expected a thrown error, got {other:?}"),
        };
        let (name, message) = thrown(json!({ "accountId": 5 }));
        assert_eq!(name, "Error");
        assert!(message.starts_with("Can't convert integer to id\n\nExpression stack:\n  "));
        assert!(message.ends_with(r#"filter({"$and":[{"account":5}]})"#));
        assert!(thrown(json!({ "startDate": "2026-1-5" }))
            .1
            .starts_with("Bad date format: 2026-1-5\n"));
        assert!(thrown(json!({ "endDate": [] }))
            .1
            .starts_with("Can't cast array to date\n"));
        assert_eq!(
            thrown(json!({ "startDate": ":from" })).1,
            "Parameter from not provided to query"
        );
        assert_eq!(
            thrown(json!({ "endDate": { "$date": null } })).0,
            "SqliteError"
        );
        // Falsy values are no filter; dates are not range-checked.
        for args in [
            json!({ "accountId": "" }),
            json!({ "accountId": 0, "startDate": false }),
            json!({ "startDate": "1994-12-31" }),
        ] {
            assert!(read(&conn, args).is_ok());
        }
        for args in [
            json!({ "accountId": "$payee" }),
            json!({ "accountId": ["a"] }),
            json!({ "accountId": "o'x" }),
        ] {
            assert!(matches!(
                read(&conn, args),
                Err(BudgetError::Unsupported(_))
            ));
        }
    }

    #[test]
    fn dates_become_their_local_day_digits() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(literals::native_date_to_int(day(2026, 1, 5)), 20260105);
        assert_eq!(literals::native_date_to_int(day(5, 12, 31)), 51231);
        assert_eq!(literals::native_date_to_int(day(-5, 1, 1)), -50101);
        assert_eq!(literals::parse_date("2026-02-30"), Some(20260230));
        assert_eq!(literals::parse_date("2026-02-3x"), None);
        assert_eq!(literals::parse_date("2026-02-300"), None);
    }
}
