//! Notes (`server/notes/app.ts` getNote).

use serde_json::Value;

use crate::foundation::js::sqlite::{col, object, plain};

use crate::foundation::budget::Budget;
use crate::foundation::error::Result;
use crate::foundation::js::args;

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
