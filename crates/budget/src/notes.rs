//! Notes (`server/notes/app.ts` getNote and updateNotes).

use serde_json::Value;

use crate::rows::{col, object, plain};
use actual_sync::Value as Cell;

use crate::{args, Budget, BudgetError, Result, Writer};

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
    let Some(id) = args::opt_str(args, "id")? else {
        return Err(BudgetError::invalid(
            "invalid-argument",
            "update: id is required",
        ));
    };
    let note = match args.get("note") {
        // An `undefined` note is left out of the update, which then has no field.
        None => return Ok(Value::Null),
        Some(Value::Null) => Cell::Null,
        Some(Value::String(s)) => Cell::String(s.clone()),
        Some(Value::Number(n)) => Cell::Number(n.as_f64().unwrap_or(0.0)),
        Some(other) => {
            return Err(BudgetError::invalid(
                "invalid-argument",
                format!("the note must be a string, not {other}"),
            ))
        }
    };
    w.changes.update("notes", id, vec![("note", note)])?;
    Ok(Value::Null)
}
