//! A new local budget, as upstream's `create-budget` makes one
//! (`server/budgetfiles/app.ts` `createBudget`): a folder named after the budget, the
//! database a new budget starts from, and `metadata.json` with its id and name.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::budget_dir::{Metadata, Staged};
use crate::error::Result;

/// upstream's `idFromBudgetName`: the name with every character but ASCII letters and
/// digits made a `-` (per UTF-16 unit, as JavaScript's RegExp replaces), then `-` and
/// 7 characters of a new uuid, then a number should that folder exist already.
pub fn id_from_budget_name(data_dir: &Path, name: &str) -> String {
    let mut id: String = name
        .chars()
        .flat_map(|c| {
            let n = if c.is_ascii_alphanumeric() {
                0
            } else {
                c.len_utf16()
            };
            std::iter::repeat_n('-', n).chain((n == 0).then_some(c))
        })
        .collect();
    id.push('-');
    id.push_str(&actual_budget::foundation::changes::uuid_v4()[..7]);
    let mut index = 0;
    let mut candidate = id.clone();
    while data_dir.join(&candidate).exists() {
        index += 1;
        candidate = format!("{id}{index}");
    }
    candidate
}

/// Makes `<dataDir>/<id>/` for a new budget named `name` (`db.sqlite` and
/// `metadata.json`, `{ id, budgetName }` as upstream's `getDefaultPrefs`) and returns
/// its folder. The caller holds the `dataDir` lock, so the id stays free.
pub fn create(data_dir: &Path, name: &str) -> Result<PathBuf> {
    let id = id_from_budget_name(data_dir, name);
    let staged = Staged::empty(data_dir, "new")?;
    let conn = rusqlite::Connection::open(staged.db_path())?;
    actual_budget::schema::migrate::init_new_budget(&conn)?;
    conn.close().map_err(|(_, e)| e)?;
    let mut fields = Map::new();
    fields.insert("id".into(), Value::String(id.clone()));
    fields.insert("budgetName".into(), Value::String(name.to_string()));
    staged.commit(data_dir, &Metadata { id, fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_made_from_names_as_upstream_makes_them() {
        let dir = tempfile::tempdir().unwrap();
        // é is one UTF-16 unit, the emoji two.
        let id = id_from_budget_name(dir.path(), "My Budget: Été 😀");
        assert_eq!(&id[..18], "My-Budget---t-----");
        assert_eq!(id.len(), 18 + 7);
        assert!(crate::budget_dir::is_valid_budget_id(&id));
    }

    #[test]
    fn a_new_budget_starts_from_upstreams_default_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = create(dir.path(), "New Budget").unwrap();
        let meta = Metadata::read(&path).unwrap();
        assert_eq!(
            serde_json::to_string(&meta.fields).unwrap(),
            format!(r#"{{"id":"{}","budgetName":"New Budget"}}"#, meta.id)
        );
        let conn = rusqlite::Connection::open(path.join(crate::budget_dir::DB_FILE)).unwrap();
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(count("SELECT count(*) FROM categories"), 7);
        assert_eq!(count("SELECT count(*) FROM category_groups"), 3);
        assert_eq!(count("SELECT count(*) FROM __migrations__"), 0);
    }
}
