//! Upstream's five JavaScript migrations, ported: each does to the database what its
//! `migrations/<id>_<name>.js` in `@actual-app/core` 26.9.0 does.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};

use crate::foundation::changes::uuid_v4;
use crate::foundation::error::Result;

/// What a JavaScript migration may read besides the database.
pub struct Context<'a> {
    /// `metadata.json` as the budget's loader sees it (the `prefs` migration copies the
    /// synced preferences out of it).
    pub metadata: &'a Map<String, Value>,
}

/// `1632571489012_remove_cache`: budget amounts, buffers and notes move out of the old
/// spreadsheet cache into tables of their own. Upstream ends with `VACUUM`, which cannot
/// run inside the migration's transaction; it only compacts the file.
pub fn remove_cache(conn: &Connection, _: &Context) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE zero_budget_months
  (id TEXT PRIMARY KEY,
   buffered INTEGER DEFAULT 0);

CREATE TABLE zero_budgets
  (id TEXT PRIMARY KEY,
   month INTEGER,
   category TEXT,
   amount INTEGER DEFAULT 0,
   carryover INTEGER DEFAULT 0);

CREATE TABLE reflect_budgets
  (id TEXT PRIMARY KEY,
   month INTEGER,
   category TEXT,
   amount INTEGER DEFAULT 0,
   carryover INTEGER DEFAULT 0);

CREATE TABLE notes
  (id TEXT PRIMARY KEY,
   note TEXT);

CREATE TABLE kvcache (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE kvcache_key (id INTEGER PRIMARY KEY, key REAL);",
    )?;
    // A cell's value: its expression when it has one, else its cached value.
    let cells = |pattern: &str| -> Result<Vec<(String, Option<String>)>> {
        let mut stmt = conn.prepare(
            "SELECT name, CASE WHEN expr IS NOT NULL THEN expr ELSE cachedValue END \
             FROM spreadsheet_cells WHERE name LIKE ?",
        )?;
        let rows = stmt.query_map([pattern], |r| Ok((r.get(0)?, text_of(r.get_ref(1)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };

    for (name, value) in cells("budget%!budget-%")? {
        let Some((kind, digits, category)) = budget_cell(&name) else {
            continue;
        };
        let month = js_month(digits);
        let sheet = name.split('!').next().unwrap_or_default();
        let carryover: Option<Option<String>> = conn
            .query_row(
                "SELECT CASE WHEN expr IS NOT NULL THEN expr ELSE cachedValue END \
                 FROM spreadsheet_cells WHERE name = ?",
                [format!("{sheet}!carryover-{category}")],
                |r| Ok(text_of(r.get_ref(0)?)),
            )
            .optional()?;
        let table = if kind == "budget-report" {
            "reflect_budgets"
        } else {
            "zero_budgets"
        };
        conn.execute(
            &format!(
                "INSERT INTO {table} (id, month, category, amount, carryover) VALUES (?, ?, ?, ?, ?)"
            ),
            params![
                format!("{month}-{category}"),
                js_parse_int(digits).unwrap_or(0),
                category,
                value.as_deref().and_then(js_parse_int).unwrap_or(0),
                i64::from(carryover.flatten().as_deref() == Some("true")),
            ],
        )?;
    }

    for (name, value) in cells("budget%!buffered")? {
        let Some(digits) = name
            .strip_prefix("budget")
            .and_then(|s| s.strip_suffix("!buffered"))
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        conn.execute(
            "INSERT INTO zero_budget_months (id, buffered) VALUES (?, ?)",
            params![
                js_month(digits),
                value.as_deref().and_then(js_parse_int).unwrap_or(0),
            ],
        )?;
    }

    for (name, value) in cells("notes!%")? {
        // JSON.parse of the cell; kept when truthy and not ''.
        let note = value
            .as_deref()
            .and_then(|v| serde_json::from_str::<Value>(v).ok())
            .filter(crate::foundation::js::is_truthy);
        let Some(note) = note else { continue };
        let id = name.split('!').nth(1).unwrap_or_default();
        let note: Box<dyn rusqlite::ToSql> = match note {
            Value::String(s) => Box::new(s),
            Value::Number(n) => Box::new(n.as_f64()),
            Value::Bool(b) => Box::new(i64::from(b)),
            other => Box::new(other.to_string()),
        };
        conn.execute(
            "INSERT INTO notes (id, note) VALUES (?, ?)",
            params![id, note],
        )?;
    }

    conn.execute_batch("DROP TABLE spreadsheet_cells; ANALYZE;")?;
    Ok(())
}

/// A cell value as JavaScript would see it in a string context.
fn text_of(v: rusqlite::types::ValueRef) -> Option<String> {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(actual_sync::value::js_number_to_string(f)),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// `^(budget-report|budget)(\d+)!budget-(.+)$`: the sheet kind, its month digits and
/// the category.
fn budget_cell(name: &str) -> Option<(&str, &str, &str)> {
    let (kind, rest) = if let Some(rest) = name.strip_prefix("budget-report") {
        ("budget-report", rest)
    } else {
        ("budget", name.strip_prefix("budget")?)
    };
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (digits, rest) = rest.split_at(digits_end);
    let category = rest.strip_prefix("!budget-")?;
    if digits.is_empty() || category.is_empty() {
        return None;
    }
    Some((kind, digits, category))
}

/// `digits.slice(0, 4) + '-' + digits.slice(4)` (digits are ASCII).
fn js_month(digits: &str) -> String {
    let (year, month) = digits.split_at(digits.len().min(4));
    format!("{year}-{month}")
}

/// JavaScript `parseInt(s)` (base 10): `None` where it gives `NaN`.
fn js_parse_int(s: &str) -> Option<i64> {
    let t = s.trim_start_matches(actual_sync::value::is_js_whitespace);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let n: i64 = digits[..end].parse().ok()?;
    Some(if negative { -n } else { n })
}

/// `1722717601000_reports_move_selected_categories`: a custom report's selected
/// categories become a `category oneOf` condition, unless every category is selected or
/// the report already filters on category.
pub fn reports_move_selected_categories(conn: &Connection, _: &Context) -> Result<()> {
    let categories: Vec<String> = conn
        .prepare("SELECT id FROM categories WHERE tombstone = 0")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let reports: Vec<(String, Option<String>, Option<String>)> = conn
        .prepare(
            "SELECT id, selected_categories, conditions FROM custom_reports \
             WHERE tombstone = 0 AND selected_categories IS NOT NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, selected, conditions) in reports {
        let parse = |s: Option<String>| -> Result<Vec<Value>> {
            match s.filter(|s| !s.is_empty()) {
                None => Ok(Vec::new()),
                Some(s) => match serde_json::from_str(&s) {
                    Ok(Value::Array(items)) => Ok(items),
                    _ => Err(crate::foundation::error::BudgetError::invalid(
                        "invalid-budget",
                        format!("custom report {id}: a list that is not JSON: {s}"),
                    )),
                },
            }
        };
        let mut conditions = parse(conditions)?;
        let selected: Vec<Value> = parse(selected)?
            .iter()
            .map(|c| c.get("id").cloned().unwrap_or(Value::Null))
            .collect();
        let all_selected = categories
            .iter()
            .all(|c| selected.iter().any(|s| s.as_str() == Some(c)));
        if all_selected
            || conditions
                .iter()
                .any(|c| c.get("field") == Some(&"category".into()))
        {
            continue;
        }
        conditions.push(serde_json::json!({
            "field": "category",
            "op": "oneOf",
            "value": selected,
            "type": "id",
        }));
        conn.execute(
            "UPDATE custom_reports SET conditions = ? WHERE id = ?",
            params![Value::Array(conditions).to_string(), id],
        )?;
    }
    conn.execute(
        "UPDATE custom_reports SET selected_categories = NULL WHERE tombstone = 0",
        [],
    )?;
    Ok(())
}

/// The widgets upstream puts on a new dashboard (`DEFAULT_DASHBOARD_STATE`), generated
/// from its source by `scripts/gen-migrations.js`.
const DEFAULT_DASHBOARD: &str = include_str!("../../../migrations/default-dashboard.json");

/// `1722804019000_create_dashboard_table`: the dashboard table, with upstream's default
/// widgets when there is no custom report, else three cards and one widget per report.
pub fn create_dashboard_table(conn: &Connection, _: &Context) -> Result<()> {
    let reports: Vec<String> = conn
        .prepare(
            "SELECT id FROM custom_reports WHERE tombstone = 0 ORDER BY name COLLATE NOCASE ASC",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute_batch(
        "CREATE TABLE dashboard
        (id TEXT PRIMARY KEY,
         type TEXT,
         width INTEGER,
         height INTEGER,
         x INTEGER,
         y INTEGER,
         meta TEXT,
         tombstone INTEGER DEFAULT 0);",
    )?;
    let insert =
        "INSERT INTO dashboard (id, type, width, height, x, y, meta) VALUES (?, ?, ?, ?, ?, ?, ?)";
    if reports.is_empty() {
        let widgets: Vec<Value> =
            serde_json::from_str(DEFAULT_DASHBOARD).expect("generated JSON is valid");
        for w in &widgets {
            conn.execute(
                insert,
                params![
                    uuid_v4(),
                    w["type"].as_str(),
                    w["width"].as_i64(),
                    w["height"].as_i64(),
                    w["x"].as_i64(),
                    w["y"].as_i64(),
                    w["meta"].as_str(),
                ],
            )?;
        }
        return Ok(());
    }
    for (kind, width, x, y) in [
        ("net-worth-card", 8, 0, 0),
        ("cash-flow-card", 4, 8, 0),
        ("spending-card", 4, 0, 2),
    ] {
        conn.execute(
            "INSERT INTO dashboard (id, type, width, height, x, y) VALUES (?, ?, ?, 2, ?, ?)",
            params![uuid_v4(), kind, width, x, y],
        )?;
    }
    for (i, report) in reports.iter().enumerate() {
        let i = i as i64;
        conn.execute(
            insert,
            params![
                uuid_v4(),
                "custom-report",
                4,
                2,
                (i * 4) % 12,
                2 + (i / 3) * 2,
                serde_json::json!({ "id": report }).to_string(),
            ],
        )?;
    }
    Ok(())
}

/// The preferences `1723665565000_prefs` moves from `metadata.json` into the database:
/// exact names, and prefixes (upstream's regular expressions, all `^prefix`).
const SYNCED_PREF_NAMES: &[&str] = &[
    "firstDayOfWeekIdx",
    "dateFormat",
    "numberFormat",
    "hideFraction",
    "isPrivacyEnabled",
    "budgetType",
];
const SYNCED_PREF_PREFIXES: &[&str] = &[
    "show-extra-balances-",
    "hide-cleared-",
    "parse-date-",
    "csv-mappings-",
    "csv-delimiter-",
    "csv-has-header-",
    "ofx-fallback-missing-payee-",
    "flip-amount-",
    "flags.",
];

/// `1723665565000_prefs`: the preferences table, filled with the synced preferences of
/// `metadata.json` (each as JavaScript's `String(value)`).
pub fn prefs(conn: &Connection, context: &Context) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE preferences
       (id TEXT PRIMARY KEY,
        value TEXT);",
    )?;
    for (key, value) in context.metadata {
        let synced = SYNCED_PREF_NAMES.contains(&key.as_str())
            || SYNCED_PREF_PREFIXES.iter().any(|p| key.starts_with(p));
        if synced {
            conn.execute(
                "INSERT INTO preferences (id, value) VALUES (?, ?)",
                params![key, crate::foundation::js::json::to_string(value)],
            )?;
        }
    }
    Ok(())
}

/// `1765518577215_multiple_dashboards`: dashboard pages, one named "Main" holding every
/// existing widget.
pub fn multiple_dashboards(conn: &Connection, _: &Context) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE dashboard_pages
        (id TEXT PRIMARY KEY,
         name TEXT,
         tombstone INTEGER DEFAULT 0);
      ALTER TABLE dashboard ADD COLUMN dashboard_page_id TEXT;",
    )?;
    let page = uuid_v4();
    conn.execute(
        "INSERT INTO dashboard_pages (id, name) VALUES (?, ?)",
        params![page, "Main"],
    )?;
    conn.execute("UPDATE dashboard SET dashboard_page_id = ?", [page])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_is_javascripts() {
        assert_eq!(js_parse_int(" 12.7abc"), Some(12));
        assert_eq!(js_parse_int("-5"), Some(-5));
        assert_eq!(js_parse_int("abc"), None);
        assert_eq!(js_parse_int(""), None);
    }

    #[test]
    fn budget_cells_are_matched_like_upstreams_pattern() {
        assert_eq!(
            budget_cell("budget202101!budget-abc"),
            Some(("budget", "202101", "abc"))
        );
        assert_eq!(
            budget_cell("budget-report202101!budget-x-y"),
            Some(("budget-report", "202101", "x-y"))
        );
        assert_eq!(budget_cell("budget202101!carryover-abc"), None);
    }
}
