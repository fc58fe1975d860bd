//! Synced preferences (`server/preferences/app.ts` getSyncedPrefs and saveSyncedPrefs).

use serde_json::{Map, Value};

use crate::rows::plain;
use crate::{js, Budget, Result, Writer};

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

/// `setPreference(id, value)` (`@actual-app/api` 26.10): `preferences/save`, which does
/// nothing for a falsy id and is otherwise `db.update('preferences', { id, value })`;
/// resolves to undefined.
pub fn set_preference(w: &mut Writer, args: &Value) -> Result<Value> {
    if !js::truthy(args.get("id")) {
        return Ok(Value::Null);
    }
    let id = crate::crud_write::row_id(args.get("id"))?;
    let value = crate::schema_fields::given_raw_cell(args.get("value"))?;
    w.changes
        .update("preferences", &id, vec![("value", value)])?;
    Ok(Value::Null)
}
