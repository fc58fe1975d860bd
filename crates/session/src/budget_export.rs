//! A budget as upstream's export zip (`exportBuffer` in `server/cloud-storage.ts`), and
//! a zip like it made into a local budget (`importBuffer`, `importers/actual.ts`).

use std::io::{Cursor, Write};
use std::path::Path;

use rusqlite::{Connection, MAIN_DB};
use serde_json::{Map, Value};
use zip::write::SimpleFileOptions;

use crate::budget_dir::{self, Metadata, DB_FILE, META_FILE};
use crate::error::{Result, SessionError};

/// Upstream drops its spreadsheet cache from an exported or imported database.
const CLEAR_CACHE: &str = "DELETE FROM kvcache; DELETE FROM kvcache_key;";

/// The zip of the budget folder `dir`: its database without the cache, and its
/// `metadata.json` with `resetClock` set (whoever restores it starts a new clock).
pub fn export_zip(dir: &Path) -> Result<Vec<u8>> {
    let db_path = dir.join(DB_FILE);
    let file =
        std::fs::File::open(&db_path).map_err(|e| SessionError::fs("cannot read", &db_path, e))?;
    let size = file
        .metadata()
        .map_err(|e| SessionError::fs("cannot read", &db_path, e))?
        .len();
    let mut memory = Connection::open_in_memory()?;
    memory.deserialize_read_exact(MAIN_DB, file, size as usize, false)?;
    memory.execute_batch(CLEAR_CACHE)?;
    let db = memory.serialize(MAIN_DB)?.to_vec();
    drop(memory);

    let meta_path = dir.join(META_FILE);
    let raw =
        std::fs::read(&meta_path).map_err(|e| SessionError::fs("cannot read", &meta_path, e))?;
    let mut meta: Map<String, Value> = serde_json::from_slice(&raw).map_err(|_| {
        SessionError::download("invalid-meta-file", "metadata.json is not a JSON object")
    })?;
    meta.insert("resetClock".into(), Value::Bool(true));
    let meta = serde_json::to_vec(&meta).expect("a JSON map always serialises");

    let mut out = Cursor::new(Vec::with_capacity(db.len() / 4));
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in [(DB_FILE, &db), (META_FILE, &meta)] {
        zip.start_file(name, options)
            .and_then(|()| zip.write_all(data).map_err(Into::into))
            .map_err(|e| SessionError::download("internal-error", format!("cannot zip: {e}")))?;
    }
    zip.finish()
        .map_err(|e| SessionError::download("internal-error", format!("cannot zip: {e}")))?;
    Ok(out.into_inner())
}

/// `importBuffer`'s rewrite of an imported budget's `metadata.json`: no server file or
/// key yet, uploaded today.
pub fn imported_metadata(raw: &[u8]) -> Result<Metadata> {
    let mut meta = Metadata::parse(raw)?;
    meta.set_server_file(None, None, None, &budget_dir::today());
    Ok(meta)
}

/// Clears the cache of a database being imported.
pub fn clear_cache(db_path: &Path) -> Result<()> {
    Connection::open(db_path)?.execute_batch(CLEAR_CACHE)?;
    Ok(())
}

/// `encodeURIComponent`: what upstream sends a budget's name as (`X-ACTUAL-NAME`).
pub fn encode_uri_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_as_encode_uri_component_does() {
        assert_eq!(encode_uri_component("My Budget"), "My%20Budget");
        assert_eq!(
            encode_uri_component("Été & co/2026"),
            "%C3%89t%C3%A9%20%26%20co%2F2026"
        );
        assert_eq!(
            encode_uri_component("a-b_c.d!e~f*g'h(i)"),
            "a-b_c.d!e~f*g'h(i)"
        );
    }

    #[test]
    fn an_export_holds_the_database_without_its_cache_and_asks_for_a_new_clock() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.execute_batch(
            "CREATE TABLE kvcache (key TEXT, value TEXT); CREATE TABLE kvcache_key (id INTEGER, key REAL);
             CREATE TABLE accounts (id TEXT); INSERT INTO kvcache VALUES ('a', 'b');
             INSERT INTO kvcache_key VALUES (1, 2); INSERT INTO accounts VALUES ('acct');",
        )
        .unwrap();
        drop(conn);
        std::fs::write(
            dir.path().join(META_FILE),
            r#"{"id":"My-Budget-abc1234","budgetName":"My Budget","resetClock":false,"groupId":"g"}"#,
        )
        .unwrap();
        let zip = export_zip(dir.path()).unwrap();
        let files = crate::archive::extract(&zip).unwrap();
        assert_eq!(
            files.metadata,
            br#"{"id":"My-Budget-abc1234","budgetName":"My Budget","resetClock":true,"groupId":"g"}"#
        );
        let mut db = Connection::open_in_memory().unwrap();
        db.deserialize_read_exact(MAIN_DB, &files.db[..], files.db.len(), true)
            .unwrap();
        let count = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(
            count("SELECT count(*) FROM kvcache") + count("SELECT count(*) FROM kvcache_key"),
            0
        );
        assert_eq!(count("SELECT count(*) FROM accounts"), 1);
        // The folder itself is untouched.
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        assert_eq!(
            conn.query_row("SELECT count(*) FROM kvcache", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            1
        );
    }
}
