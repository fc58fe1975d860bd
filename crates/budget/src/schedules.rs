//! Schedules: `getSchedules()` (`server/api.ts` 'api/schedules-get': AQL
//! `q('schedules').select('*')` over the `v_schedules` view, ordered
//! `[{ $condition: { completed: true } }, 'next_date']`, then
//! `server/api-models.ts` scheduleModel.toExternal).
//!
//! What upstream does when it opens a budget, and how it is matched here:
//!
//! - `v_schedules` reads a schedule's payee, account, amount and date out of its rule's
//!   conditions at the JSON paths in `schedules_json_paths`, a local table upstream
//!   fills on every load from the rules in memory and on every synced rule change
//!   (`trackJSONPaths`, `onRuleUpdate` in `server/schedules/app.ts`). A downloaded file
//!   holds the paths as of its upload only, so the paths are worked out here from the
//!   rules the same way and given to the query in place of that table.
//! - After a successful sync, once a day, upstream runs its schedule service
//!   (`advanceSchedulesService`), which posts the transactions of due auto-posting
//!   schedules, moves paid recurring schedules on and completes paid one-off ones: see
//!   [`service`], which runs it as a write.

use std::collections::{HashMap, HashSet};

use rusqlite::types::ValueRef;
use serde_json::{json, Value};

use crate::foundation::budget::Budget;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::is_truthy;
use crate::foundation::js::json;
use crate::foundation::js::sqlite::{boolean, col, date, object, plain};
use crate::rules::load_rules;
use crate::rules::stored::{list_column, parse_list};

/// `schedules_json_paths` for one schedule: where its payee, account, amount and date
/// conditions are (`$[i]`).
#[derive(Clone, PartialEq, Debug, Default)]
pub(crate) struct Paths(pub(crate) [Option<String>; 4]);

/// `extractScheduleConds` over a rule's conditions (public field names), as
/// `onRuleUpdate` records it.
pub(crate) fn paths_of(conditions: &[Value]) -> Paths {
    let find = |pred: &dyn Fn(&str, &str) -> bool| {
        conditions
            .iter()
            .position(|c| {
                let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
                pred(text("op"), text("field"))
            })
            .map(|i| format!("$[{i}]"))
    };
    Paths([
        find(&|op, f| op == "is" && f == "payee"),
        find(&|op, f| op == "is" && f == "account"),
        find(&|op, f| matches!(op, "is" | "isapprox" | "isbetween") && f == "amount"),
        find(&|op, f| matches!(op, "is" | "isapprox") && f == "date"),
    ])
}

/// The schedule a rule row links (its first `link-schedule` action), with the paths
/// `onRuleUpdate` records for it.
pub(crate) fn linked_schedule(
    conditions: ValueRef<'_>,
    actions: ValueRef<'_>,
) -> Result<Option<(String, Paths)>> {
    let parsed = parse_list(Some(&list_column(conditions)))
        .and_then(|c| Ok((c, parse_list(Some(&list_column(actions)))?)));
    let Ok((conditions, actions)) = parsed else {
        return Ok(None);
    };
    let link = actions
        .iter()
        .find(|a| a.get("op") == Some(&json!("link-schedule")));
    match link.and_then(|a| a.get("value")).filter(|v| is_truthy(v)) {
        None => Ok(None),
        Some(Value::String(id)) => Ok(Some((id.clone(), paths_of(&conditions)))),
        Some(other) => Err(BudgetError::Unsupported(format!(
            "a rule links the schedule {other}, which is not a string"
        ))),
    }
}

/// The rows of `schedules_json_paths` as the file holds them.
fn read_stored_paths(conn: &rusqlite::Connection) -> Result<Vec<(String, Paths)>> {
    let mut stored = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT schedule_id, payee, account, amount, date FROM schedules_json_paths",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let text = |i| -> Result<Option<String>> {
            Ok(match row.get_ref(i)? {
                ValueRef::Null => None,
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                _ => {
                    return Err(BudgetError::Unsupported(
                        "a JSON path that is not text".into(),
                    ))
                }
            })
        };
        if let Some(id) = text(0)? {
            stored.push((id, Paths([text(1)?, text(2)?, text(3)?, text(4)?])));
        }
    }
    Ok(stored)
}

/// The paths upstream's `schedules_json_paths` holds for each schedule once it has
/// loaded the budget and applied the sync: those of the rules that link the schedule
/// when they agree; the file's own row when no rule links it.
fn effective_paths(b: &Budget) -> Result<HashMap<String, Paths>> {
    let loaded: HashSet<String> = load_rules(b)?
        .into_iter()
        .filter_map(|r| r.id.as_str().map(str::to_string))
        .collect();
    // schedule -> (paths of every rule row that links it, whether one of them is loaded)
    let mut linked: HashMap<String, (Vec<Paths>, bool)> = HashMap::new();
    let mut stmt = b
        .conn
        .prepare_cached("SELECT id, conditions, actions FROM rules")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        if let Some((schedule, paths)) = linked_schedule(row.get_ref(1)?, row.get_ref(2)?)? {
            let entry = linked.entry(schedule).or_default();
            entry.0.push(paths);
            let ValueRef::Text(id) = row.get_ref(0)? else {
                return Err(BudgetError::Unsupported(
                    "a rule whose id is not text".into(),
                ));
            };
            entry.1 |= loaded.contains(String::from_utf8_lossy(id).as_ref());
        }
    }
    let stored: HashMap<String, Paths> = read_stored_paths(b.conn)?.into_iter().collect();
    let mut stmt = b
        .conn
        .prepare_cached("SELECT id FROM schedules WHERE tombstone = 0")?;
    let live: HashSet<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = stored.clone();
    for (schedule, (all, any_loaded)) in linked {
        if !live.contains(&schedule) {
            continue;
        }
        let first = all[0].clone();
        let agree = all.iter().all(|p| *p == first);
        let file = stored.get(&schedule);
        // A rule that is loaded is recorded at load; one that is not is recorded only
        // if sync touched it, which cannot be told here.
        if agree && (any_loaded || file == Some(&first)) {
            out.insert(schedule, first);
        } else {
            return Err(BudgetError::Unsupported(format!(
                "the JSON paths of schedule {schedule} depend on the order rules were loaded and synced in"
            )));
        }
    }
    Ok(out)
}

/// Writes into `schedules_json_paths` what upstream's `trackJSONPaths` and
/// `onRuleUpdate` leave there once it has loaded the budget and applied a sync, so that
/// the file is as upstream leaves it (the reads work the paths out themselves). Left as
/// it is when that cannot be told.
pub fn record_json_paths(conn: &rusqlite::Connection) -> Result<()> {
    let paths = match effective_paths(&Budget::new(conn)) {
        Ok(paths) => paths,
        Err(BudgetError::Unsupported(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let stored: HashMap<String, Paths> = read_stored_paths(conn)?.into_iter().collect();
    let mut stmt = conn.prepare_cached(
        "INSERT OR REPLACE INTO schedules_json_paths (schedule_id, payee, account, amount, date) \
         VALUES (?, ?, ?, ?, ?)",
    )?;
    let mut ids: Vec<&String> = paths.keys().collect();
    ids.sort();
    for id in ids {
        let p = &paths[id];
        if stored.get(id) != Some(p) {
            let [payee, account, amount, date] = &p.0;
            stmt.execute(rusqlite::params![id, payee, account, amount, date])?;
        }
    }
    Ok(())
}

/// Runs `f` with `schedules_json_paths` reading as upstream's does once it has loaded
/// the budget (see [`effective_paths`]): a temp table of that name shadows the file's
/// for the views (`v_schedules`) while `f` runs.
pub fn with_effective_paths<T>(b: &Budget, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let given: Vec<Value> = effective_paths(b)?
        .into_iter()
        .map(|(id, Paths([p, a, m, d]))| json!([id, p, a, m, d]))
        .collect();
    b.conn
        .execute_batch("DROP TABLE IF EXISTS temp.schedules_json_paths")?;
    b.conn.execute(
        "CREATE TEMP TABLE schedules_json_paths AS
           SELECT json_extract(value, '$[0]') AS schedule_id, json_extract(value, '$[1]') AS payee,
                  json_extract(value, '$[2]') AS account, json_extract(value, '$[3]') AS amount,
                  json_extract(value, '$[4]') AS date
           FROM json_each(?1)",
        [Value::Array(given).to_string()],
    )?;
    let out = f();
    b.conn
        .execute_batch("DROP TABLE IF EXISTS temp.schedules_json_paths")?;
    out
}

/// `q('schedules').select('*')` as AQL compiles it, with `v_schedules` reading the
/// given paths instead of the `schedules_json_paths` table.
const SCHEDULES_SQL: &str = r#"
WITH given_paths(schedule_id, payee, account, amount, date) AS (
  SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
         json_extract(value, '$[3]'), json_extract(value, '$[4]')
  FROM json_each(?1)
),
v_schedules AS (
  SELECT _.id, _.name, _.rule,
    CASE
      WHEN _nd.local_next_date_ts = _nd.base_next_date_ts THEN _nd.local_next_date
      ELSE _nd.base_next_date
    END AS next_date,
    _.completed, _.posts_transaction, _.tombstone, pm.targetId AS _payee,
    json_extract(_rules.conditions, _paths.account || '.value') AS _account,
    json_extract(_rules.conditions, _paths.amount || '.value') AS _amount,
    json_extract(_rules.conditions, _paths.amount || '.op') AS _amountOp,
    json_extract(_rules.conditions, _paths.date || '.value') AS _date,
    _rules.conditions AS _conditions
  FROM schedules _
  LEFT JOIN schedules_next_date _nd ON _nd.schedule_id = _.id
  LEFT JOIN given_paths _paths ON _paths.schedule_id = _.id
  LEFT JOIN rules _rules ON _rules.id = _.rule
  LEFT JOIN payee_mapping pm ON pm.id = json_extract(_rules.conditions, _paths.payee || '.value')
)
SELECT v_schedules.id AS id, v_schedules.name AS name, rules1.id AS rule,
  v_schedules.next_date AS next_date, v_schedules.completed AS completed,
  v_schedules.posts_transaction AS posts_transaction, payees2.id AS _payee,
  accounts3.id AS _account, v_schedules._amount AS _amount,
  v_schedules._amountOp AS _amountOp, v_schedules._date AS _date,
  v_schedules._conditions AS _conditions,
  (v_schedules.completed = 0 AND accounts3.closed = 0) AS _serviced
FROM v_schedules
LEFT JOIN rules rules1 ON rules1.id = v_schedules.rule AND rules1.tombstone = 0
LEFT JOIN v_payees payees2 ON payees2.id = v_schedules._payee AND payees2.tombstone = 0
LEFT JOIN accounts accounts3 ON accounts3.id = v_schedules._account AND accounts3.tombstone = 0
WHERE v_schedules.tombstone = 0
ORDER BY v_schedules.completed = 1, v_schedules.next_date
"#;

/// AQL `json/fallback` where serde must give JavaScript's value or nothing.
fn json_fallback(v: ValueRef<'_>) -> Result<Value> {
    match v {
        ValueRef::Text(t) => match json::parse(t) {
            json::Parsed::Value(v) => Ok(v),
            json::Parsed::SyntaxError => Ok(plain(v)),
            json::Parsed::Unrepresentable => Err(BudgetError::Unsupported(
                "a schedule value serde cannot represent".into(),
            )),
        },
        other => Ok(plain(other)),
    }
}

/// A schedule as AQL outputs it, with what the schedule service looks at.
pub(crate) struct Schedule {
    pub(crate) api: Value,
    pub(crate) id: String,
    /// The live rule's id.
    pub(crate) rule: Option<String>,
    pub(crate) next_date: Option<String>,
    pub(crate) posts_transaction: bool,
    pub(crate) account: Value,
    pub(crate) date: Value,
    /// The rule's conditions, parsed (`_conditions`).
    pub(crate) conditions: Value,
    /// Not completed, with a live account that is not closed: the service's filter.
    pub(crate) serviced: bool,
}

pub(crate) fn schedules(b: &Budget) -> Result<Vec<Schedule>> {
    let paths = effective_paths(b)?;
    let given: Vec<Value> = paths
        .into_iter()
        .map(|(id, Paths([p, a, m, d]))| json!([id, p, a, m, d]))
        .collect();
    let given = Value::Array(given).to_string();
    let mut stmt = b.conn.prepare_cached(SCHEDULES_SQL)?;
    let mut rows = stmt.query([given])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let next_date = match col(r, "next_date")? {
            v @ (ValueRef::Null | ValueRef::Integer(_)) => date(v),
            _ => {
                return Err(BudgetError::Unsupported(
                    "a schedule next date that is not a number".into(),
                ))
            }
        };
        let amount = json_fallback(col(r, "_amount")?)?;
        let when = json_fallback(col(r, "_date")?)?;
        let account = plain(col(r, "_account")?);
        let posts_transaction = boolean(col(r, "posts_transaction")?);
        let api = object([
            ("id", plain(col(r, "id")?)),
            ("name", plain(col(r, "name")?)),
            ("rule", plain(col(r, "rule")?)),
            ("next_date", next_date.clone()),
            ("completed", boolean(col(r, "completed")?)),
            ("posts_transaction", posts_transaction.clone()),
            ("payee", plain(col(r, "_payee")?)),
            ("account", account.clone()),
            ("amount", amount),
            ("amountOp", plain(col(r, "_amountOp")?)),
            ("date", when.clone()),
        ]);
        out.push(Schedule {
            id: api["id"].as_str().unwrap_or_default().to_string(),
            rule: api["rule"].as_str().map(str::to_string),
            api,
            next_date: next_date.as_str().map(str::to_string),
            posts_transaction: posts_transaction == Value::Bool(true),
            account,
            date: when,
            conditions: crate::foundation::js::sqlite::json(col(r, "_conditions")?),
            serviced: matches!(col(r, "_serviced")?, ValueRef::Integer(1)),
        });
    }
    Ok(out)
}

/// `getScheduledAmount(amount)`: a number as it is, `{ num1, num2 }` as their mean
/// (`Math.round`), none as 0.
pub(crate) fn scheduled_amount(amount: Option<&Value>) -> Result<Value> {
    let number = |v: Option<&Value>| v.and_then(Value::as_f64);
    match amount {
        None | Some(Value::Null) => Ok(json!(0)),
        Some(v @ Value::Number(_)) => Ok(v.clone()),
        Some(Value::Object(o)) => match (number(o.get("num1")), number(o.get("num2"))) {
            (Some(a), Some(b)) => Ok(json::number(json::math_round((a + b) / 2.0))),
            _ => Err(BudgetError::Unsupported(
                "a schedule amount of an unusual shape".into(),
            )),
        },
        Some(_) => Err(BudgetError::Unsupported(
            "a schedule amount of an unusual shape".into(),
        )),
    }
}

/// `getSchedules()`.
pub fn get_schedules(b: &Budget, _args: &Value) -> Result<Value> {
    Ok(Value::Array(
        schedules(b)?.into_iter().map(|s| s.api).collect(),
    ))
}
