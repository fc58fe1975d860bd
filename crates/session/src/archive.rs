//! Reading a budget zip: find `db.sqlite` and `metadata.json`, refuse anything unsafe.

use std::collections::HashSet;
use std::io::{Cursor, Read, Write};

use crate::error::{Result, SessionError};

/// Upstream's cap on the unzipped size of a budget.
pub const MAX_UNZIPPED_BYTES: u64 = 500 * 1024 * 1024;
/// `metadata.json` is a few hundred bytes; anything huge is hostile.
const MAX_METADATA_BYTES: u64 = 1024 * 1024;

const DB_NAME: &str = "db.sqlite";
const META_NAME: &str = "metadata.json";

/// The two files a budget is made of, still in memory.
pub struct BudgetFiles {
    pub db: Vec<u8>,
    pub metadata: Vec<u8>,
}

fn unsafe_name(name: &str) -> bool {
    name.starts_with('/')
        || name.starts_with('\\')
        || name.contains('\0')
        || name.split(['/', '\\']).any(|part| part == "..")
        || name.as_bytes().get(1) == Some(&b':')
}

/// A checked budget archive whose two files are located but not yet inflated, so
/// `metadata.json` (a few hundred bytes) can be read before `db.sqlite` is.
pub struct BudgetArchive<B: AsRef<[u8]>> {
    archive: zip::ZipArchive<Cursor<B>>,
    dir: String,
}

/// Extracts both budget files into memory (see [`open`]).
pub fn extract(zip_bytes: &[u8]) -> Result<BudgetFiles> {
    let mut archive = open(zip_bytes)?;
    Ok(BudgetFiles {
        metadata: archive.metadata()?,
        db: archive.db()?,
    })
}

/// Checks a budget archive and finds its files. Like upstream, both must sit in the
/// archive root or in exactly one shared folder. Entries with unsafe names, symlinks,
/// duplicate names or a total size past the cap are refused.
pub fn open<B: AsRef<[u8]>>(zip_bytes: B) -> Result<BudgetArchive<B>> {
    let declared = declared_entry_count(zip_bytes.as_ref());
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).map_err(|_| {
        SessionError::download("not-zip-file", "the downloaded file is not a zip archive")
    })?;

    // The zip reader keeps one entry per name; compare with the central directory's own
    // count so that an archive holding one name twice is still caught.
    if declared.is_some_and(|n| n != archive.len()) {
        return Err(SessionError::download(
            "invalid-zip-file",
            "the budget archive holds the same name twice",
        ));
    }
    let mut names = HashSet::new();
    let mut db_dirs = Vec::new();
    let mut meta_dirs = Vec::new();
    let mut declared_total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| {
            SessionError::download("invalid-zip-file", "the budget archive is damaged")
        })?;
        let name = entry
            .name()
            .map_err(|_| {
                SessionError::download(
                    "invalid-zip-file",
                    "the budget archive has an unreadable file name",
                )
            })?
            .to_string();
        if unsafe_name(&name) {
            return Err(SessionError::download(
                "invalid-zip-file",
                "the budget archive holds a file with an unsafe path",
            ));
        }
        if entry.is_symlink() {
            return Err(SessionError::download(
                "invalid-zip-file",
                "the budget archive holds a symbolic link",
            ));
        }
        if !names.insert(name.clone()) {
            return Err(SessionError::download(
                "invalid-zip-file",
                "the budget archive holds the same name twice",
            ));
        }
        declared_total = declared_total.saturating_add(entry.size());
        if let Some(dir) = name
            .strip_suffix(DB_NAME)
            .filter(|d| d.is_empty() || d.ends_with('/'))
        {
            db_dirs.push(dir.to_string());
        }
        if let Some(dir) = name
            .strip_suffix(META_NAME)
            .filter(|d| d.is_empty() || d.ends_with('/'))
        {
            meta_dirs.push(dir.to_string());
        }
    }
    if declared_total > MAX_UNZIPPED_BYTES {
        return Err(too_large());
    }
    let shared: Vec<&String> = db_dirs.iter().filter(|d| meta_dirs.contains(d)).collect();
    let dir = if shared.iter().any(|d| d.is_empty()) {
        String::new()
    } else if shared.len() == 1 {
        shared[0].clone()
    } else {
        return Err(SessionError::download(
            "invalid-zip-file",
            "the budget archive does not hold db.sqlite and metadata.json side by side",
        ));
    };

    Ok(BudgetArchive { archive, dir })
}

impl<B: AsRef<[u8]>> BudgetArchive<B> {
    /// Inflates `metadata.json`.
    pub fn metadata(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let name = format!("{}{META_NAME}", self.dir);
        self.inflate(&name, MAX_METADATA_BYTES, &mut out, in_memory)?;
        Ok(out)
    }

    /// Inflates `db.sqlite` into memory.
    pub fn db(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_db(&mut out, in_memory)?;
        Ok(out)
    }

    /// Inflates `db.sqlite` straight into `out` (a file: the database never sits whole
    /// in memory); a failed write becomes `write_error(e)`. Returns its size.
    pub fn write_db(
        &mut self,
        out: &mut impl Write,
        write_error: impl FnOnce(std::io::Error) -> SessionError,
    ) -> Result<u64> {
        let name = format!("{}{DB_NAME}", self.dir);
        self.inflate(&name, MAX_UNZIPPED_BYTES, out, write_error)
    }

    /// Inflates one entry, never trusting its declared size: reading stops one byte past
    /// the cap.
    fn inflate(
        &mut self,
        name: &str,
        cap: u64,
        out: &mut impl Write,
        write_error: impl FnOnce(std::io::Error) -> SessionError,
    ) -> Result<u64> {
        let damaged =
            || SessionError::download("invalid-zip-file", "the budget archive is damaged");
        let mut entry = self.archive.by_name(name).map_err(|_| damaged())?;
        let written = copy_capped(&mut entry, out, cap + 1).map_err(|e| match e {
            CopyError::Write(e) => write_error(e),
            CopyError::Read => SessionError::download(
                "invalid-zip-file",
                "the budget archive is damaged or truncated",
            ),
        })?;
        if written > cap {
            return Err(if name.ends_with(META_NAME) {
                SessionError::download(
                    "invalid-meta-file",
                    "metadata.json in the budget archive is far too large",
                )
            } else {
                too_large()
            });
        }
        Ok(written)
    }
}

/// Writes into a `Vec` do not fail.
fn in_memory(e: std::io::Error) -> SessionError {
    SessionError::download("download-failure", format!("out of memory unzipping: {e}"))
}

enum CopyError {
    Read,
    Write(std::io::Error),
}

/// `io::copy` of at most `limit` bytes that tells a failed read (a damaged entry) from a
/// failed write.
fn copy_capped(
    from: &mut impl Read,
    to: &mut impl Write,
    limit: u64,
) -> std::result::Result<u64, CopyError> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    while total < limit {
        let want = buf.len().min((limit - total) as usize);
        let n = match from.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(CopyError::Read),
        };
        to.write_all(&buf[..n]).map_err(CopyError::Write)?;
        total += n as u64;
    }
    Ok(total)
}

/// The entry count of the end-of-central-directory record, when it is a plain (not
/// ZIP64) one.
fn declared_entry_count(zip: &[u8]) -> Option<usize> {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const EOCD_LEN: usize = 22;
    let search_from = zip.len().saturating_sub(EOCD_LEN + u16::MAX as usize);
    let at = zip[search_from..]
        .windows(4)
        .rposition(|w| w == EOCD)
        .map(|i| search_from + i)?;
    let record = zip.get(at..at + EOCD_LEN)?;
    let total = u16::from_le_bytes([record[10], record[11]]);
    (total != u16::MAX).then_some(total as usize)
}

fn too_large() -> SessionError {
    SessionError::download(
        "zip-too-large",
        "the budget archive unpacks to more than 500 MB",
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    pub fn make_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            for (name, data) in entries {
                w.start_file(*name, SimpleFileOptions::default()).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn root_and_folder_layouts() {
        let z = make_zip(&[("db.sqlite", b"DB"), ("metadata.json", b"{}")]);
        let f = extract(&z).unwrap();
        assert_eq!(f.db, b"DB");
        let z = make_zip(&[
            ("My-Budget/db.sqlite", b"DB2"),
            ("My-Budget/metadata.json", b"{}"),
        ]);
        assert_eq!(extract(&z).unwrap().db, b"DB2");
        // Root wins over a folder.
        let z = make_zip(&[
            ("a/db.sqlite", b"A"),
            ("a/metadata.json", b"{}"),
            ("db.sqlite", b"ROOT"),
            ("metadata.json", b"{}"),
        ]);
        assert_eq!(extract(&z).unwrap().db, b"ROOT");
    }

    #[test]
    fn refusals() {
        assert_eq!(extract(b"not a zip").err().unwrap().code(), "not-zip-file");
        let z = make_zip(&[("db.sqlite", b"x")]);
        assert_eq!(extract(&z).err().unwrap().code(), "invalid-zip-file");
        let z = make_zip(&[("../db.sqlite", b"x"), ("metadata.json", b"{}")]);
        assert_eq!(extract(&z).err().unwrap().code(), "invalid-zip-file");
        let z = make_zip(&[
            ("/etc/x", b"x"),
            ("db.sqlite", b"x"),
            ("metadata.json", b"{}"),
        ]);
        assert_eq!(extract(&z).err().unwrap().code(), "invalid-zip-file");
        let z = make_zip(&[
            ("a/db.sqlite", b"A"),
            ("a/metadata.json", b"{}"),
            ("b/db.sqlite", b"B"),
            ("b/metadata.json", b"{}"),
        ]);
        assert_eq!(extract(&z).err().unwrap().code(), "invalid-zip-file");
        assert_eq!(
            declared_entry_count(&make_zip(&[("a", b"1"), ("b", b"2")])),
            Some(2)
        );
        let truncated = make_zip(&[("db.sqlite", &[7u8; 10_000]), ("metadata.json", b"{}")]);
        assert!(extract(&truncated[..truncated.len() / 2]).is_err());
    }
}
