//! What the compiler knows of upstream's schema (`server/aql/schema/index.ts`): every
//! table's public fields in their order, with their type and the table a reference
//! points to, the views `schemaConfig.tableViews` reads a table through, and the
//! default orders `customizeQuery` gives a query without one.

use serde_json::{json, Value};

/// One field: name, type (as the compiler names it), referenced table.
pub type Field = (&'static str, &'static str, Option<&'static str>);

const fn f(name: &'static str, ty: &'static str) -> Field {
    (name, ty, None)
}

const fn r(name: &'static str, ty: &'static str, table: &'static str) -> Field {
    (name, ty, Some(table))
}

/// `schema`, table by table, fields in upstream's order.
pub const TABLES: &[(&str, &[Field])] = &[
    (
        "transactions",
        &[
            f("id", "id"),
            f("is_parent", "boolean"),
            f("is_child", "boolean"),
            f("parent_id", "id"),
            r("account", "id", "accounts"),
            r("category", "id", "categories"),
            f("amount", "integer"),
            r("payee", "id", "payees"),
            f("notes", "string"),
            f("date", "date"),
            f("imported_id", "string"),
            f("error", "json"),
            f("imported_payee", "string"),
            f("starting_balance_flag", "boolean"),
            f("transfer_id", "id"),
            f("sort_order", "float"),
            f("cleared", "boolean"),
            f("reconciled", "boolean"),
            f("tombstone", "boolean"),
            r("schedule", "id", "schedules"),
            f("raw_synced_data", "string"),
        ],
    ),
    (
        "payees",
        &[
            f("id", "id"),
            f("name", "string"),
            r("transfer_acct", "id", "accounts"),
            f("tombstone", "boolean"),
            f("favorite", "boolean"),
            f("learn_categories", "boolean"),
        ],
    ),
    (
        "accounts",
        &[
            f("id", "id"),
            f("name", "string"),
            f("offbudget", "boolean"),
            f("closed", "boolean"),
            f("sort_order", "float"),
            f("tombstone", "boolean"),
            f("account_id", "string"),
            f("official_name", "string"),
            f("account_sync_source", "string"),
            f("last_reconciled", "string"),
            f("last_sync", "string"),
            f("bank_sync_status", "string"),
            r("account_group_id", "id", "account_groups"),
        ],
    ),
    (
        "account_groups",
        &[
            f("id", "id"),
            f("name", "string"),
            f("sort_order", "float"),
            f("tombstone", "boolean"),
        ],
    ),
    (
        "categories",
        &[
            f("id", "id"),
            f("name", "string"),
            f("is_income", "boolean"),
            f("hidden", "boolean"),
            r("group", "id", "category_groups"),
            f("goal_def", "string"),
            f("cleanup_def", "string"),
            f("template_settings", "json"),
            f("sort_order", "float"),
            f("tombstone", "boolean"),
        ],
    ),
    (
        "category_groups",
        &[
            f("id", "id"),
            f("name", "string"),
            f("is_income", "boolean"),
            f("hidden", "boolean"),
            f("sort_order", "float"),
            f("tombstone", "boolean"),
        ],
    ),
    (
        "cleanup_groups",
        &[
            f("id", "id"),
            f("name", "string"),
            f("tombstone", "boolean"),
        ],
    ),
    (
        "schedules",
        &[
            f("id", "id"),
            f("name", "string"),
            r("rule", "id", "rules"),
            f("next_date", "date"),
            f("completed", "boolean"),
            f("posts_transaction", "boolean"),
            f("custom_upcoming_length", "string"),
            f("tombstone", "boolean"),
            f("sort_order", "float"),
            r("_payee", "id", "payees"),
            r("_account", "id", "accounts"),
            f("_amount", "json/fallback"),
            f("_amountOp", "string"),
            f("_date", "json/fallback"),
            f("_conditions", "json"),
            f("_actions", "json"),
            f("_has_splits", "boolean"),
        ],
    ),
    (
        "rules",
        &[
            f("id", "id"),
            f("stage", "string"),
            f("conditions_op", "string"),
            f("conditions", "json"),
            f("actions", "json"),
            f("tombstone", "boolean"),
        ],
    ),
    ("notes", &[f("id", "id"), f("note", "string")]),
    ("preferences", &[f("id", "id"), f("value", "string")]),
    (
        "transaction_filters",
        &[
            f("id", "id"),
            f("name", "string"),
            f("conditions_op", "string"),
            f("conditions", "json"),
            f("tombstone", "boolean"),
        ],
    ),
    (
        "custom_reports",
        &[
            f("id", "id"),
            f("name", "string"),
            f("start_date", "string"),
            f("end_date", "string"),
            f("date_static", "integer"),
            f("date_range", "string"),
            f("mode", "string"),
            f("group_by", "string"),
            f("sort_by", "string"),
            f("balance_type", "string"),
            f("show_empty", "integer"),
            f("show_offbudget", "integer"),
            f("show_hidden", "integer"),
            f("show_uncategorized", "integer"),
            f("trim_intervals", "integer"),
            f("show_trend_lines", "integer"),
            f("include_current", "integer"),
            f("graph_type", "string"),
            f("conditions", "json"),
            f("conditions_op", "string"),
            f("metadata", "json"),
            f("interval", "string"),
            f("color_scheme", "json"),
            f("tombstone", "boolean"),
        ],
    ),
    (
        "reflect_budgets",
        &[
            f("id", "id"),
            f("month", "integer"),
            f("category", "string"),
            f("amount", "integer"),
            f("carryover", "integer"),
            f("goal", "integer"),
            f("long_goal", "integer"),
        ],
    ),
    (
        "zero_budgets",
        &[
            f("id", "id"),
            f("month", "integer"),
            r("category", "string", "categories"),
            f("amount", "integer"),
            f("carryover", "integer"),
            f("goal", "integer"),
            f("long_goal", "integer"),
        ],
    ),
    (
        "dashboard_pages",
        &[
            f("id", "id"),
            f("name", "string"),
            f("tombstone", "boolean"),
        ],
    ),
    (
        "dashboard",
        &[
            f("id", "id"),
            r("dashboard_page_id", "id", "dashboard_pages"),
            f("type", "string"),
            f("width", "integer"),
            f("height", "integer"),
            f("x", "integer"),
            f("y", "integer"),
            f("meta", "json"),
            f("tombstone", "boolean"),
        ],
    ),
    (
        "payee_locations",
        &[
            f("id", "id"),
            r("payee_id", "id", "payees"),
            f("latitude", "float"),
            f("longitude", "float"),
            f("created_at", "integer"),
            f("tombstone", "boolean"),
        ],
    ),
];

/// A table's fields, `None` when the schema has no such table.
pub fn table(name: &str) -> Option<&'static [Field]> {
    TABLES
        .iter()
        .find(|(t, _)| *t == name)
        .map(|(_, fields)| *fields)
}

/// A table's field.
pub fn field(table_name: &str, name: &str) -> Option<&'static Field> {
    table(table_name)?.iter().find(|(n, _, _)| *n == name)
}

/// Whether a table has a `tombstone` field (`addTombstone` then filters dead rows).
pub fn has_tombstone(table_name: &str) -> bool {
    field(table_name, "tombstone").is_some()
}

/// Names JavaScript finds on every object through its prototype: upstream's
/// `schema[name]` and `table[field]` find these too (a function, not a table or field),
/// with results of their own; such a query is not answered natively.
pub fn is_prototype_name(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "constructor",
        "__proto__",
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
    ];
    NAMES.contains(&name)
}

/// `schemaConfig.tableViews`: what a table is read from (`splits` is the query's
/// option as JavaScript's `||` sees it: `None` when falsy).
pub fn table_view(name: &str, is_join: bool, with_dead: bool, splits: Option<&Value>) -> String {
    match name {
        "transactions" => {
            let inline_or_none = match splits {
                None => true,
                Some(v) => *v == json!("inline") || *v == json!("none"),
            };
            if is_join || (!with_dead && inline_or_none) {
                "v_transactions_internal_alive".into()
            } else {
                "v_transactions_internal".into()
            }
        }
        "schedules" => "v_schedules".into(),
        "categories" => "v_categories".into(),
        "payees" => "v_payees".into(),
        other => other.into(),
    }
}

/// `customizeQuery`: the orders given, then `id` so that ties are decided; or the
/// table's default order.
pub fn orders(table_name: &str, given: &[Value]) -> Vec<Value> {
    if !given.is_empty() {
        let mut out = given.to_vec();
        out.push(json!("id"));
        return out;
    }
    match table_name {
        "transactions" => vec![
            json!({ "date": "desc" }),
            json!("starting_balance_flag"),
            json!({ "sort_order": "desc" }),
            json!("id"),
        ],
        "category_groups" => vec![json!("is_income"), json!("sort_order"), json!("id")],
        "categories" => vec![json!("sort_order"), json!("id")],
        "payees" => vec![
            json!({ "$condition": { "transfer_acct": null }, "$dir": "desc" }),
            json!({ "$nocase": "$name" }),
        ],
        "accounts" => vec![json!("sort_order"), json!("name")],
        "account_groups" => vec![json!("sort_order"), json!("id")],
        "schedules" => vec![
            json!({ "$condition": { "completed": true } }),
            json!("next_date"),
        ],
        _ => vec![],
    }
}
