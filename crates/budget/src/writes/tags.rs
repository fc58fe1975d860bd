//! Tags (`server/tags/app.ts` createTag, updateTag, deleteTag).

use actual_sync::Value as Cell;
use serde_json::Value;

use super::{delete_id, new_id, raw_fields, raw_update, row_id, spread};
use crate::foundation::budget::Writer;
use crate::foundation::error::Result;
use crate::foundation::js;
use crate::foundation::js::sqlite::plain;
use crate::schema::fields::raw_cell;

/// `createTag({ tag, color, description })`: a tag of exactly that text, deleted or
/// not, is revived and overwritten (color and description too, with null when not
/// given); otherwise a new tag, its text and color trimmed. Resolves to the id.
pub fn create_tag(w: &mut Writer, args: &Value) -> Result<Value> {
    let tag_arg = args.get("tag");
    let tag = js::property(tag_arg, "tag")?;
    let color = js::property(tag_arg, "color")?.unwrap_or(&Value::Null);
    let description = js::property(tag_arg, "description")?.unwrap_or(&Value::Null);
    let mut stmt = w
        .budget
        .conn
        .prepare_cached("SELECT id, tag, color, description, hidden FROM tags")?;
    let all: Vec<(Value, Value)> = stmt
        .query_map([], |r| Ok((plain(r.get_ref(0)?), plain(r.get_ref(1)?))))?
        .collect::<rusqlite::Result<_>>()?;
    drop(stmt);
    let found = all
        .into_iter()
        .find(|(_, t)| js::strict_eq(Some(t), tag))
        .map(|(id, _)| id)
        .filter(|id| js::truthy(Some(id)));
    if let Some(id) = found {
        let row = row_id(Some(&id))?;
        w.changes.update(
            "tags",
            &row,
            vec![
                ("tag", raw_cell(tag.unwrap_or(&Value::Null))?),
                ("color", raw_cell(color)?),
                ("description", raw_cell(description)?),
                ("tombstone", Cell::Number(0.0)),
            ],
        )?;
        return Ok(id);
    }
    let text = js::trim(js::string_method(tag, "tag", "trim")?).to_string();
    let color = if js::truthy(Some(color)) {
        Cell::String(js::trim(js::string_method(Some(color), "color", "trim")?).to_string())
    } else {
        Cell::Null
    };
    let id = new_id();
    w.changes.insert(
        "tags",
        &id,
        vec![
            ("tag", Cell::String(text)),
            ("color", color),
            ("description", raw_cell(description)?),
        ],
    )?;
    Ok(Value::String(id))
}

/// `updateTag(id, fields)`: the fields as they are (`hidden` as 1/0, written last);
/// resolves to undefined.
pub fn update_tag(w: &mut Writer, args: &Value) -> Result<Value> {
    let mut obj = js::Obj::new();
    if let Some(id) = args.get("id") {
        obj.insert("id".into(), id.clone());
    }
    obj.extend(spread(args.get("fields")));
    let hidden = obj.shift_remove("hidden");
    let id = row_id(obj.get("id"))?;
    let mut fields = raw_fields(&obj)?;
    if let Some(hidden) = hidden {
        fields.push(("hidden", super::flag(Some(&hidden))));
    }
    raw_update(w, "tags", &id, fields)?;
    Ok(Value::Null)
}

/// `deleteTag(id)`: resolves to undefined.
pub fn delete_tag(w: &mut Writer, args: &Value) -> Result<Value> {
    let id = delete_id(args.get("id"), "deleteTag")?;
    w.changes.delete("tags", &id)?;
    Ok(Value::Null)
}
