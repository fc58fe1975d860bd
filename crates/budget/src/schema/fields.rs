//! The public fields of upstream's schema (`server/aql/schema/index.ts`) and the
//! conversions between them and the stored columns (`server/aql/schema-helpers.ts`):
//! `convertForInsert` (defaults filled, nulls left out), `convertForUpdate` (nulls
//! sent) and `convertInputType` going in, `convertFromSelect` coming out. Writes of
//! every family convert through here.

use actual_sync::Value as Cell;
use rusqlite::types::ValueRef;
use serde_json::Value;

use crate::foundation::dates;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::sqlite;
use crate::foundation::js::{self, Obj};

/// A field's type in the schema (what `convertInputType`/`convertOutputType` do).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Type {
    Id,
    Boolean,
    Integer,
    Float,
    String,
    Date,
    Json,
}

/// A default `convertForInsert` fills in for a missing (or null) field.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Default {
    Zero,
    True,
    False,
    /// `Date.now()`.
    Now,
    /// `{ source: 'notes' }` (categories' `template_settings`).
    NotesTemplate,
}

/// One field of a table's schema.
pub struct Field {
    /// The public name.
    pub name: &'static str,
    /// The stored column (`schemaConfig.views[table].fields`).
    pub column: &'static str,
    pub ty: Type,
    pub default: Option<Default>,
    pub required: bool,
}

const fn f(name: &'static str, column: &'static str, ty: Type) -> Field {
    Field {
        name,
        column,
        ty,
        default: None,
        required: false,
    }
}

const fn with_default(mut field: Field, default: Default) -> Field {
    field.default = Some(default);
    field
}

const fn required(mut field: Field) -> Field {
    field.required = true;
    field
}

/// A table of the schema.
pub struct Table {
    pub name: &'static str,
    pub fields: &'static [Field],
}

/// `schema.transactions`, in its order.
pub const TRANSACTIONS: Table = Table {
    name: "transactions",
    fields: &[
        f("id", "id", Type::Id),
        f("is_parent", "isParent", Type::Boolean),
        f("is_child", "isChild", Type::Boolean),
        f("parent_id", "parent_id", Type::Id),
        required(f("account", "acct", Type::Id)),
        f("category", "category", Type::Id),
        required(with_default(
            f("amount", "amount", Type::Integer),
            Default::Zero,
        )),
        f("payee", "description", Type::Id),
        f("notes", "notes", Type::String),
        required(f("date", "date", Type::Date)),
        f("imported_id", "financial_id", Type::String),
        f("error", "error", Type::Json),
        f("imported_payee", "imported_description", Type::String),
        f(
            "starting_balance_flag",
            "starting_balance_flag",
            Type::Boolean,
        ),
        f("transfer_id", "transferred_id", Type::Id),
        with_default(f("sort_order", "sort_order", Type::Float), Default::Now),
        with_default(f("cleared", "cleared", Type::Boolean), Default::True),
        with_default(f("reconciled", "reconciled", Type::Boolean), Default::False),
        f("tombstone", "tombstone", Type::Boolean),
        f("schedule", "schedule", Type::Id),
        f("raw_synced_data", "raw_synced_data", Type::String),
    ],
};

/// `schema.payees`.
pub const PAYEES: Table = Table {
    name: "payees",
    fields: &[
        f("id", "id", Type::Id),
        required(f("name", "name", Type::String)),
        f("transfer_acct", "transfer_acct", Type::Id),
        f("tombstone", "tombstone", Type::Boolean),
        f("favorite", "favorite", Type::Boolean),
        f("learn_categories", "learn_categories", Type::Boolean),
    ],
};

/// `schema.categories` (`group` is stored as `cat_group`).
pub const CATEGORIES: Table = Table {
    name: "categories",
    fields: &[
        f("id", "id", Type::Id),
        f("name", "name", Type::String),
        f("is_income", "is_income", Type::Boolean),
        f("hidden", "hidden", Type::Boolean),
        f("group", "cat_group", Type::Id),
        f("goal_def", "goal_def", Type::String),
        f("cleanup_def", "cleanup_def", Type::String),
        with_default(
            f("template_settings", "template_settings", Type::Json),
            Default::NotesTemplate,
        ),
        f("sort_order", "sort_order", Type::Float),
        f("tombstone", "tombstone", Type::Boolean),
    ],
};

/// `schema.category_groups`.
pub const CATEGORY_GROUPS: Table = Table {
    name: "category_groups",
    fields: &[
        f("id", "id", Type::Id),
        f("name", "name", Type::String),
        f("is_income", "is_income", Type::Boolean),
        f("hidden", "hidden", Type::Boolean),
        f("sort_order", "sort_order", Type::Float),
        f("tombstone", "tombstone", Type::Boolean),
    ],
};

/// `schema.schedules` (its `_` fields come from the rule and are never written).
pub const SCHEDULES: Table = Table {
    name: "schedules",
    fields: &[
        f("id", "id", Type::Id),
        f("name", "name", Type::String),
        required(f("rule", "rule", Type::Id)),
        f("next_date", "next_date", Type::Date),
        f("completed", "completed", Type::Boolean),
        f("posts_transaction", "posts_transaction", Type::Boolean),
        f(
            "custom_upcoming_length",
            "custom_upcoming_length",
            Type::String,
        ),
        f("tombstone", "tombstone", Type::Boolean),
        f("sort_order", "sort_order", Type::Float),
    ],
};

impl Table {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// `convertForInsert`: the row's columns and values in the order their messages
    /// are made (the object's key order once defaults are filled), without `id`.
    /// `now_ms` is `Date.now()` for a `sort_order` default.
    pub fn convert_for_insert(&self, row: &Obj, now_ms: f64) -> Result<Vec<(&'static str, Cell)>> {
        let mut obj = row.clone();
        for field in self.fields {
            if obj.get(field.name).is_none_or(Value::is_null) {
                match field.default {
                    Some(default) => {
                        let value = match default {
                            Default::Zero => Value::from(0),
                            Default::True => Value::Bool(true),
                            Default::False => Value::Bool(false),
                            Default::Now => js::number(now_ms),
                            Default::NotesTemplate => serde_json::json!({ "source": "notes" }),
                        };
                        obj.insert(field.name.to_string(), value);
                    }
                    None if field.required || field.name == "id" => {
                        return Err(self.required_error(field.name, &obj))
                    }
                    None => {}
                }
            }
        }
        self.conform(&obj, true)
    }

    /// `convertForUpdate`: the changed columns and values in key order, without `id`;
    /// nulls are sent (booleans as 0).
    pub fn convert_for_update(&self, fields: &Obj) -> Result<Vec<(&'static str, Cell)>> {
        self.conform(fields, false)
    }

    /// `conform`: fields renamed and converted; `_` fields are left out.
    fn conform(&self, obj: &Obj, skip_null: bool) -> Result<Vec<(&'static str, Cell)>> {
        let mut out = Vec::with_capacity(obj.len());
        for (key, value) in obj {
            if key.starts_with('_') {
                continue;
            }
            let Some(field) = self.field(key) else {
                return Err(BudgetError::plain(format!(
                    "Field \"{key}\" does not exist on table {}: {}",
                    self.name,
                    js::stringify(&Value::Object(obj.clone()), false)
                )));
            };
            if (field.required || field.name == "id") && value.is_null() {
                return Err(self.required_error(key, obj));
            }
            if skip_null && value.is_null() {
                continue;
            }
            if field.name == "id" {
                // `insert`/`update` take the id apart from the fields.
                input_value(value, field.ty)?;
                continue;
            }
            out.push((field.column, input_value(value, field.ty)?));
        }
        Ok(out)
    }

    fn required_error(&self, field: &str, obj: &Obj) -> BudgetError {
        BudgetError::plain(format!(
            "\"{field}\" is required for table \"{}\": {}",
            self.name,
            js::stringify(&Value::Object(obj.clone()), false)
        ))
    }
}

/// `convertInputType`, then what the message layer accepts (`serializeValue`: only
/// null, numbers and strings).
pub fn input_value(value: &Value, ty: Type) -> Result<Cell> {
    if value.is_null() {
        return Ok(match ty {
            Type::Boolean => Cell::Number(0.0),
            _ => Cell::Null,
        });
    }
    let cell = match ty {
        Type::Date => match (value, js::date_millis(value)) {
            (_, Some(ms)) => {
                let day = ms
                    .and_then(dates::local_day_of_millis)
                    .ok_or_else(dates::invalid_time_value)?;
                Cell::Number(date_repr(&dates::day_string(day)) as f64)
            }
            (Value::String(s), None) => {
                if !is_day_string(s) || s.as_str() < "1995-01-01" {
                    return Err(BudgetError::plain(format!("Invalid date: {s}")));
                }
                Cell::Number(date_repr(s) as f64)
            }
            _ => {
                return Err(BudgetError::thrown(
                    "TypeError",
                    "invalid-argument",
                    "value.match is not a function",
                ))
            }
        },
        Type::Boolean => Cell::Number(if js::truthy(Some(value)) { 1.0 } else { 0.0 }),
        Type::Id => match value {
            Value::String(s) => Cell::String(s.clone()),
            other => {
                return Err(BudgetError::plain(format!(
                    "Invalid id, must be string: {}",
                    js::to_string(Some(other))
                )))
            }
        },
        Type::Integer => {
            if js::is_integer(value) {
                Cell::Number(value.as_f64().unwrap_or(0.0))
            } else {
                return Err(BudgetError::plain(format!(
                    "Can't convert to integer: {}",
                    js::stringify(value, false)
                )));
            }
        }
        Type::Json => Cell::String(js::stringify(value, false)),
        // Passed through as they are: anything but a string or a number then fails
        // where the message is applied (the SQLite driver binds nothing else).
        Type::Float | Type::String => raw_cell(value)?,
    };
    Ok(cell)
}

/// A value a message can carry as it is (`db.update`/`db.insert` of fields that skip
/// the schema): strings, numbers and null. Anything else fails to bind when upstream
/// applies the message, which rejects the whole change as `invalid-schema`.
pub fn raw_cell(value: &Value) -> Result<Cell> {
    match value {
        Value::Null => Ok(Cell::Null),
        Value::String(s) => Ok(Cell::String(s.clone())),
        Value::Number(n) => Ok(Cell::Number(n.as_f64().unwrap_or(f64::NAN))),
        _ => Err(invalid_schema()),
    }
}

/// A field of a `db.update` that skips the schema, as given: `undefined` is still a
/// field of that update, and upstream fails to apply its message.
pub fn given_raw_cell(value: Option<&Value>) -> Result<Cell> {
    value.map_or_else(|| Err(invalid_schema()), raw_cell)
}

/// `SyncError: invalid-schema`: a message upstream could not apply (an unknown
/// column, a value SQLite cannot bind); nothing of that change is written.
pub fn invalid_schema() -> BudgetError {
    BudgetError::plain("SyncError: invalid-schema".to_string())
}

/// `/^\d{4}-\d{2}-\d{2}$/`.
pub fn is_day_string(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// `toDateRepr` of a `YYYY-MM-DD` string.
fn date_repr(day: &str) -> i64 {
    dates::to_date_repr(day).unwrap_or(0)
}

/// `convertOutputType` of a stored value for a field of type `ty`.
pub fn output_value(v: ValueRef<'_>, ty: Type) -> Value {
    match ty {
        Type::Boolean => sqlite::boolean(v),
        Type::Date => sqlite::date(v),
        Type::Json => sqlite::json(v),
        _ => sqlite::plain(v),
    }
}

/// `convertFromSelect`: a row of a view with the table's public column names, as the
/// public object (every schema field, in schema order; missing columns read null).
pub fn from_select(table: &Table, row: &rusqlite::Row<'_>) -> rusqlite::Result<Obj> {
    let mut obj = Obj::with_capacity(table.fields.len());
    for field in table.fields {
        let value = match sqlite::col(row, field.name) {
            Ok(v) => output_value(v, field.ty),
            Err(rusqlite::Error::InvalidColumnName(_)) => output_value(ValueRef::Null, field.ty),
            Err(e) => return Err(e),
        };
        obj.insert(field.name.to_string(), value);
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Obj {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn insert_fills_defaults_in_key_order_and_drops_nulls() {
        let row = obj(
            json!({"account": "a", "date": "2024-05-06", "notes": null, "cleared": null, "payee": "p", "id": "x"}),
        );
        let cols = TRANSACTIONS.convert_for_insert(&row, 5.0).unwrap();
        let names: Vec<_> = cols.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            names,
            [
                "acct",
                "date",
                "cleared",
                "description",
                "amount",
                "sort_order",
                "reconciled"
            ]
        );
        assert_eq!(cols[1].1, Cell::Number(20240506.0));
        assert_eq!(cols[2].1, Cell::Number(1.0));
    }

    #[test]
    fn conversions_fail_as_upstream() {
        let bad = |v: Value| {
            TRANSACTIONS
                .convert_for_update(&obj(v))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            bad(json!({"id": "x", "date": "1990-01-01"})),
            "Invalid date: 1990-01-01"
        );
        assert_eq!(
            bad(json!({"id": "x", "amount": 1.5})),
            "Can't convert to integer: 1.5"
        );
        assert_eq!(
            bad(json!({"id": "x", "payee": 3})),
            "Invalid id, must be string: 3"
        );
        assert_eq!(
            bad(json!({"id": "x", "foo": 1})),
            "Field \"foo\" does not exist on table transactions: {\"id\":\"x\",\"foo\":1}"
        );
        assert_eq!(
            bad(json!({"id": "x", "amount": null})),
            "\"amount\" is required for table \"transactions\": {\"id\":\"x\",\"amount\":null}"
        );
        let missing =
            TRANSACTIONS.convert_for_insert(&obj(json!({"id": "x", "date": "2024-01-01"})), 0.0);
        assert!(missing
            .unwrap_err()
            .to_string()
            .starts_with("\"account\" is required"));
    }

    #[test]
    fn update_sends_nulls() {
        let cols = TRANSACTIONS
            .convert_for_update(&obj(
                json!({"id": "x", "notes": null, "cleared": null, "_x": 1}),
            ))
            .unwrap();
        assert_eq!(
            cols,
            vec![("notes", Cell::Null), ("cleared", Cell::Number(0.0))]
        );
    }
}
