//! Notes (`server/notes/app.ts` updateNotes).

use serde_json::Value;

use crate::foundation::budget::Writer;
use crate::foundation::error::Result;
use crate::schema::fields::given_raw_cell;
use crate::writes::row_id;

/// `updateNote(id, note)`: `db.update('notes', { id, note })`; resolves to undefined.
pub fn update_note(w: &mut Writer, args: &Value) -> Result<Value> {
    let id = row_id(args.get("id"))?;
    let note = given_raw_cell(args.get("note"))?;
    w.changes.update("notes", &id, vec![("note", note)])?;
    Ok(Value::Null)
}
