//! Synced preferences (`server/preferences/app.ts` getSyncedPrefs).

use serde_json::{Map, Value};

use crate::foundation::budget::Budget;
use crate::foundation::error::Result;
use crate::foundation::js::sqlite::plain;

/// `getPreferences()`: every row of `preferences` as `{ id: value }` (a later row with
/// the same id wins; JSON.parse on the JavaScript side puts the keys in JavaScript's
/// property order, as upstream's object literal has them).
pub fn get_preferences(b: &Budget, _args: &Value) -> Result<Value> {
    let mut stmt = b.conn.prepare_cached("SELECT id, value FROM preferences")?;
    let mut rows = stmt.query([])?;
    let mut out = Map::new();
    while let Some(r) = rows.next()? {
        let id = match plain(r.get_ref(0)?) {
            Value::String(s) => s,
            other => other.to_string(),
        };
        out.insert(id, plain(r.get_ref(1)?));
    }
    Ok(Value::Object(out))
}
