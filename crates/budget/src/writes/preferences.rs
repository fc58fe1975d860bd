//! Synced preferences (`server/preferences/app.ts` saveSyncedPrefs).

use serde_json::Value;

use crate::foundation::budget::Writer;
use crate::foundation::error::Result;
use crate::foundation::js;
use crate::schema::fields::given_raw_cell;
use crate::writes::row_id;

/// `setPreference(id, value)` (`@actual-app/api` 26.10): `preferences/save`, which does
/// nothing for a falsy id and is otherwise `db.update('preferences', { id, value })`;
/// resolves to undefined.
pub fn set_preference(w: &mut Writer, args: &Value) -> Result<Value> {
    if !js::truthy(args.get("id")) {
        return Ok(Value::Null);
    }
    let id = row_id(args.get("id"))?;
    let value = given_raw_cell(args.get("value"))?;
    w.changes
        .update("preferences", &id, vec![("value", value)])?;
    Ok(Value::Null)
}
