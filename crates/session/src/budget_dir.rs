//! The local budget folder `<dataDir>/<id>/`, laid out as `@actual-app/api` lays it
//! out, and written so that a failure never leaves a half-written folder behind.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::archive::BudgetArchive;
use crate::error::{Result, SessionError};
use actual_protocol::files::FileInfo;

pub const DB_FILE: &str = "db.sqlite";
pub const META_FILE: &str = "metadata.json";
/// Our scratch folders in `dataDir` start with this; they are never budgets.
const SCRATCH_PREFIX: &str = ".actual-native-";

/// A budget id is used as a folder name: upstream allows only these characters.
pub fn is_valid_budget_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 255
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A budget's `metadata.json`, key order kept as upstream's `JSON.stringify` keeps it.
#[derive(Debug, Clone)]
pub struct Metadata {
    pub id: String,
    pub fields: Map<String, Value>,
}

impl Metadata {
    pub(crate) fn parse(raw: &[u8]) -> Result<Self> {
        let mut fields: Map<String, Value> = match serde_json::from_slice(raw) {
            Ok(Value::Object(map)) => map,
            _ => return Err(invalid_meta("is not a JSON object")),
        };
        let id = match fields.get("id") {
            Some(Value::String(id)) if is_valid_budget_id(id) => id.clone(),
            Some(_) => return Err(invalid_meta("has an id that is not a safe folder name")),
            None => return Err(invalid_meta("has no id")),
        };
        // The official client may have stored its session token here (as `userId`);
        // we never keep a credential. `Session` puts the owner's user id in its place.
        fields.remove("userId");
        Ok(Metadata { id, fields })
    }

    /// Reads the `metadata.json` of a local budget folder.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(META_FILE);
        let raw = fs::read(&path).map_err(|e| SessionError::fs("cannot read", &path, e))?;
        Self::parse(&raw)
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn set(&mut self, key: &str, value: Value) {
        self.fields.insert(key.to_string(), value);
    }

    /// The server file a snapshot belongs to, as upstream's `importBuffer` writes it:
    /// `cloudFileId`, `groupId`, `lastUploaded` and `encryptKeyId` (null where absent).
    pub fn set_server_file(
        &mut self,
        file_id: Option<String>,
        group_id: Option<String>,
        key_id: Option<String>,
        today: &str,
    ) {
        let text = |v: Option<String>| v.map_or(Value::Null, Value::String);
        self.set("cloudFileId", text(file_id));
        self.set("groupId", text(group_id));
        self.set("lastUploaded", Value::String(today.to_string()));
        self.set("encryptKeyId", text(key_id));
    }

    pub fn name(&self) -> Option<String> {
        self.text("budgetName").map(str::to_string)
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.fields).expect("a JSON map always serialises")
    }
}

/// Replaces `metadata.json` in `dir` atomically (a flushed temporary file renamed over
/// it), so a crash leaves the old or the new file, never half of one.
pub fn write_metadata(dir: &Path, meta: &Metadata) -> Result<()> {
    replace_metadata(dir, &meta.to_json())
}

/// Sets one field of the `metadata.json` in `dir` as it is on disk, every other field
/// (`userId` included) left as it is.
pub fn set_metadata_field(dir: &Path, key: &str, value: Value) -> Result<()> {
    let path = dir.join(META_FILE);
    let raw = fs::read(&path).map_err(|e| SessionError::fs("cannot read", &path, e))?;
    let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(&raw) else {
        return Err(invalid_meta("is not a JSON object"));
    };
    fields.insert(key.to_string(), value);
    replace_metadata(
        dir,
        &serde_json::to_vec(&fields).expect("a JSON map always serialises"),
    )
}

fn replace_metadata(dir: &Path, json: &[u8]) -> Result<()> {
    let path = dir.join(META_FILE);
    let tmp = dir.join(format!("{SCRATCH_PREFIX}{META_FILE}-{}", random_suffix()));
    let written = fs::File::create(&tmp).and_then(|mut f| {
        std::io::Write::write_all(&mut f, json)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, &path)) {
        let _ = fs::remove_file(&tmp);
        return Err(SessionError::fs("cannot write", &path, e));
    }
    Ok(())
}

fn invalid_meta(what: &str) -> SessionError {
    SessionError::download(
        "invalid-meta-file",
        format!("metadata.json in the budget archive {what}"),
    )
}

/// Applies upstream's rewrite: `cloudFileId`, `groupId`, `lastUploaded` (today, local
/// time) and `encryptKeyId` overwrite what the snapshot had. `userId` is dropped: the
/// official client stores its session token there, and we never keep a credential.
pub fn rewrite_metadata(raw: &[u8], info: &FileInfo, today: &str) -> Result<Metadata> {
    let mut meta = Metadata::parse(raw)?;
    meta.set_server_file(
        Some(info.file_id.clone()),
        info.group_id.clone(),
        info.encrypt_meta.as_ref().and_then(|m| m.key_id.clone()),
        today,
    );
    Ok(meta)
}

/// Today's date as upstream writes it (`YYYY-MM-DD`, local time).
pub fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A scratch folder inside `dataDir` (same filesystem, so renames are atomic) that
/// removes itself unless it was moved into place.
struct Scratch {
    path: PathBuf,
    keep: bool,
}

impl Scratch {
    fn create(data_dir: &Path, what: &str) -> Result<Self> {
        let path = data_dir.join(format!("{SCRATCH_PREFIX}{what}-{}", random_suffix()));
        fs::create_dir(&path)
            .map_err(|e| SessionError::fs("cannot create a folder in", data_dir, e))?;
        Ok(Scratch { path, keep: false })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// A budget folder being prepared in a scratch folder inside `dataDir` (same
/// filesystem, so the final rename is atomic). Dropped without `commit`, it vanishes.
pub struct Staged {
    scratch: Scratch,
}

impl Staged {
    /// Stages a freshly downloaded database.
    pub fn from_download<B: AsRef<[u8]>>(
        data_dir: &Path,
        archive: &mut BudgetArchive<B>,
    ) -> Result<Self> {
        let scratch = Scratch::create(data_dir, "download")?;
        let path = scratch.path.join(DB_FILE);
        // written in large chunks (see `archive::copy_capped`): no buffering needed
        let mut file =
            fs::File::create(&path).map_err(|e| SessionError::fs("cannot write", &path, e))?;
        archive.write_db(&mut file, |e| SessionError::fs("cannot write", &path, e))?;
        Ok(Staged { scratch })
    }

    /// An empty folder for a budget made here (`what` names the scratch folder).
    pub fn empty(data_dir: &Path, what: &str) -> Result<Self> {
        Ok(Staged {
            scratch: Scratch::create(data_dir, what)?,
        })
    }

    pub fn db_path(&self) -> PathBuf {
        self.scratch.path.join(DB_FILE)
    }

    /// Writes `metadata.json`, flushes both files, and swaps the folder into
    /// `<dataDir>/<id>/`. Other files of an existing folder (upstream keeps backups
    /// there) are carried over; its old database files are not.
    pub fn commit(mut self, data_dir: &Path, meta: &Metadata) -> Result<PathBuf> {
        let staged = self.scratch.path.clone();
        let meta_path = staged.join(META_FILE);
        fs::write(&meta_path, meta.to_json())
            .map_err(|e| SessionError::fs("cannot write", &meta_path, e))?;
        // Flushed before the rename, so a crash cannot leave a renamed but empty file.
        for file in [DB_FILE, META_FILE] {
            let path = staged.join(file);
            fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(|e| SessionError::fs("cannot write", &path, e))?;
        }

        let target = data_dir.join(&meta.id);
        if !target.exists() {
            fs::rename(&staged, &target)
                .map_err(|e| SessionError::fs("cannot move into place", &target, e))?;
            self.scratch.keep = true;
            return Ok(target);
        }
        // Swap: old folder aside, new one in, then bring the old folder's other files over.
        let old = Scratch::create(data_dir, "previous")?;
        let aside = old.path.join("budget");
        fs::rename(&target, &aside)
            .map_err(|e| SessionError::fs("cannot move aside", &target, e))?;
        if let Err(e) = fs::rename(&staged, &target) {
            let _ = fs::rename(&aside, &target);
            return Err(SessionError::fs("cannot move into place", &target, e));
        }
        self.scratch.keep = true;
        if let Ok(entries) = fs::read_dir(&aside) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name_str = name.to_string_lossy();
                // The old database and its WAL/journal files belong to the old copy.
                if name_str.starts_with(DB_FILE) || name_str == META_FILE {
                    continue;
                }
                let _ = fs::rename(entry.path(), target.join(&name));
            }
        }
        Ok(target)
    }
}

/// An exclusive advisory lock on `dataDir` itself (no lock file is left behind), held
/// while a process downloads or syncs into it, so that two processes writing the same
/// budget take turns instead of interleaving their folder swaps.
#[derive(Debug)]
pub struct DataDirLock(Option<fs::File>);

impl DataDirLock {
    /// Waits for the lock off the async threads.
    pub async fn acquire(data_dir: &Path) -> Result<Self> {
        let dir = data_dir.to_path_buf();
        tokio::task::spawn_blocking(move || DataDirLock::acquire_blocking(&dir))
            .await
            .map_err(|_| SessionError::Internal {
                operation: "locking the data folder".into(),
            })?
    }

    /// Waits for the lock on this thread (one that may block).
    pub fn acquire_blocking(dir: &Path) -> Result<Self> {
        // Directories cannot be opened as files everywhere (Windows): there the
        // in-process lock and the atomic swap are all we have.
        let Ok(handle) = fs::File::open(dir) else {
            return Ok(DataDirLock(None));
        };
        handle
            .lock()
            .map_err(|e| SessionError::fs("cannot lock", dir, e))?;
        Ok(DataDirLock(Some(handle)))
    }
}

impl Drop for DataDirLock {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.unlock();
        }
    }
}

/// Removes scratch folders left by a process that was killed mid-download.
pub fn clean_stale_scratch(data_dir: &Path) {
    if let Ok(entries) = fs::read_dir(data_dir) {
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(SCRATCH_PREFIX)
            {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// A budget found on disk, shaped like upstream's `getBudgets()` entries: the fields
/// upstream takes from `metadata.json`, in its order, and no others (the official CLI
/// prints them as they are).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LocalBudget {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_file_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypt_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub name: String,
}

/// The budgets in `dataDir`: every folder with a readable `metadata.json`.
pub fn local_budgets(data_dir: &Path) -> Vec<LocalBudget> {
    let Ok(entries) = fs::read_dir(data_dir) else {
        return Vec::new();
    };
    let mut out: Vec<LocalBudget> = entries
        .flatten()
        .filter_map(|entry| {
            let id = entry.file_name().to_str()?.to_string();
            if !is_valid_budget_id(&id) {
                return None;
            }
            let raw = fs::read(entry.path().join(META_FILE)).ok()?;
            let meta: Map<String, Value> = serde_json::from_slice(&raw).ok()?;
            let text = |k: &str| {
                meta.get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            Some(LocalBudget {
                cloud_file_id: text("cloudFileId"),
                encrypt_key_id: text("encryptKeyId"),
                group_id: text("groupId"),
                owner: text("owner"),
                name: text("budgetName").unwrap_or_else(|| "(no name)".into()),
                id,
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The local copy of a budget with this sync id, if there is one.
pub fn find_local(data_dir: &Path, sync_id: &str) -> Option<LocalBudget> {
    local_budgets(data_dir)
        .into_iter()
        .find(|b| b.group_id.as_deref() == Some(sync_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actual_protocol::crypto::EncryptMeta;

    fn info(encrypted: bool) -> FileInfo {
        FileInfo {
            file_id: "cloud-1".into(),
            group_id: Some("group-1".into()),
            name: Some("My Budget".into()),
            encrypt_meta: encrypted.then(|| EncryptMeta {
                key_id: Some("key-1".into()),
                algorithm: Some("aes-256-gcm".into()),
                iv: String::new(),
                auth_tag: String::new(),
            }),
        }
    }

    #[test]
    fn metadata_rewrite_matches_upstream() {
        let raw = br#"{"id":"My-Budget-abc1234","budgetName":"My Budget","cloudFileId":"old","resetClock":true,"userId":"SESSION-SECRET","groupId":"old-group"}"#;
        let m = rewrite_metadata(raw, &info(true), "2026-11-29").unwrap();
        assert_eq!(m.id, "My-Budget-abc1234");
        let text = String::from_utf8(m.to_json()).unwrap();
        assert_eq!(
            text,
            r#"{"id":"My-Budget-abc1234","budgetName":"My Budget","cloudFileId":"cloud-1","resetClock":true,"groupId":"group-1","lastUploaded":"2026-11-29","encryptKeyId":"key-1"}"#
        );
        assert!(!text.contains("SESSION-SECRET"));
        let plain = rewrite_metadata(raw, &info(false), "2026-11-29").unwrap();
        assert!(String::from_utf8(plain.to_json())
            .unwrap()
            .ends_with(r#""encryptKeyId":null}"#));
    }

    #[test]
    fn one_field_set_leaves_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let raw = br#"{"id":"B-1","userId":"owner-1","budgetName":"B"}"#;
        fs::write(dir.path().join(META_FILE), raw).unwrap();
        set_metadata_field(dir.path(), "lastScheduleRun", Value::from("2026-12-07")).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join(META_FILE)).unwrap(),
            r#"{"id":"B-1","userId":"owner-1","budgetName":"B","lastScheduleRun":"2026-12-07"}"#
        );
    }

    #[test]
    fn metadata_refusals() {
        for raw in [
            &br#"[]"#[..],
            br#"{"budgetName":"x"}"#,
            br#"{"id":"../etc"}"#,
            br#"{"id":"a/b"}"#,
            b"{",
        ] {
            let e = rewrite_metadata(raw, &info(false), "2026-11-29").unwrap_err();
            assert_eq!(e.code(), "invalid-meta-file");
        }
    }

    #[test]
    fn install_replaces_and_keeps_backups() {
        let dir = tempfile::tempdir().unwrap();
        let meta = rewrite_metadata(
            br#"{"id":"B-1","budgetName":"B"}"#,
            &info(false),
            "2026-11-29",
        )
        .unwrap();
        let install = |db: &[u8]| {
            let zip =
                crate::archive::tests::make_zip(&[("db.sqlite", db), ("metadata.json", b"{}")]);
            let mut archive = crate::archive::open(zip.as_slice()).unwrap();
            Staged::from_download(dir.path(), &mut archive)
                .unwrap()
                .commit(dir.path(), &meta)
                .unwrap()
        };
        let path = install(b"first");
        fs::write(path.join("backups-keep.txt"), b"keep").unwrap();
        fs::write(path.join("db.sqlite-wal"), b"old wal").unwrap();
        install(b"second");
        // A staged folder dropped without commit leaves nothing behind.
        let zip =
            crate::archive::tests::make_zip(&[("db.sqlite", b"third"), ("metadata.json", b"{}")]);
        drop(
            Staged::from_download(
                dir.path(),
                &mut crate::archive::open(zip.as_slice()).unwrap(),
            )
            .unwrap(),
        );
        assert_eq!(fs::read(path.join(DB_FILE)).unwrap(), b"second");
        assert_eq!(fs::read(path.join("backups-keep.txt")).unwrap(), b"keep");
        assert!(!path.join("db.sqlite-wal").exists());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("B-1")]);
        let budgets = local_budgets(dir.path());
        assert_eq!(budgets.len(), 1);
        assert_eq!(budgets[0].group_id.as_deref(), Some("group-1"));
        assert_eq!(budgets[0].name, "B");
    }
}
