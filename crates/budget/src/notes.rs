//! Notes (`server/notes/app.ts` getNote and updateNotes).

use serde_json::Value;

use crate::rows::{col, object, plain};

use crate::{args, Budget, Result, Writer};

/// `getNote(id)`: `{ id, note }`, or null when there is none.
pub fn get_note(b: &Budget, args: &Value) -> Result<Value> {
    let Some(id) = args::opt_str(args, "id")? else {
        return Ok(Value::Null);
    };
    let mut stmt = b
        .conn
        .prepare_cached("SELECT id, note FROM notes WHERE id = ?")?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => Ok(object([
            ("id", plain(col(r, "id")?)),
            ("note", plain(col(r, "note")?)),
        ])),
        None => Ok(Value::Null),
    }
}

/// `updateNote(id, note)`: `db.update('notes', { id, note })`; resolves to undefined.
pub fn update_note(w: &mut Writer, args: &Value) -> Result<Value> {
    let id = crate::crud_write::row_id(args.get("id"))?;
    let note = crate::schema_fields::given_raw_cell(args.get("note"))?;
    w.changes.update("notes", &id, vec![("note", note)])?;
    Ok(Value::Null)
}
