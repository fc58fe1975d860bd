//! The gateway key: 32 random bytes that seal the owners' upstream sessions in the
//! database. It lives apart from the database, in a 0600 file (`--key-file`, by
//! default `gateway.key` beside the database) or in `ACTUAL_GATEWAY_KEY` (base64), so
//! that a copy of the database alone opens nothing. The database records the key's
//! id (a hash, not the key) to tell a wrong key from damage.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use aes_gcm::{Aes256Gcm, Key};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{GatewayError, Result};

pub const KEY_ENV: &str = "ACTUAL_GATEWAY_KEY";
const KEY_LEN: usize = 32;
const ID_CONTEXT: &[u8] = b"actual-gateway/key-id/v1\0";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The key itself; prints as `<redacted>`.
#[derive(Clone)]
pub struct GatewayKey(Key<Aes256Gcm>);

impl fmt::Debug for GatewayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GatewayKey(<redacted>)")
    }
}

impl GatewayKey {
    pub fn generate() -> Result<GatewayKey> {
        let mut b = [0u8; KEY_LEN];
        getrandom::fill(&mut b).map_err(|_| GatewayError::Random)?;
        Ok(GatewayKey(b.into()))
    }

    fn parse(text: &str) -> Option<GatewayKey> {
        let bytes = B64.decode(text.trim()).ok()?;
        let arr: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(GatewayKey(arr.into()))
    }

    /// The base64 text kept in the key file or `ACTUAL_GATEWAY_KEY`.
    pub fn to_text(&self) -> String {
        B64.encode(self.0.as_slice())
    }

    /// A public fingerprint, stored in the database to recognise the key.
    pub fn id(&self) -> String {
        let h = Sha256::new()
            .chain_update(ID_CONTEXT)
            .chain_update(self.0.as_slice())
            .finalize();
        h[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    pub(crate) fn aes(&self) -> &Key<Aes256Gcm> {
        &self.0
    }
}

/// Where the key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `ACTUAL_GATEWAY_KEY`.
    Env,
    File(PathBuf),
}

impl KeySource {
    /// `ACTUAL_GATEWAY_KEY` when set, else `key_file`, else `gateway.key` beside `db`.
    pub fn resolve(key_file: Option<PathBuf>, db: &Path) -> KeySource {
        if std::env::var(KEY_ENV).is_ok_and(|v| !v.trim().is_empty()) {
            return KeySource::Env;
        }
        KeySource::File(key_file.unwrap_or_else(|| db.with_file_name("gateway.key")))
    }

    pub fn describe(&self) -> String {
        match self {
            KeySource::Env => KEY_ENV.to_string(),
            KeySource::File(p) => p.display().to_string(),
        }
    }

    /// Reads the key; a missing key file is created (0600) when `create` is set.
    pub fn load(&self, create: bool) -> Result<GatewayKey> {
        match self {
            KeySource::Env => {
                let text = std::env::var(KEY_ENV).unwrap_or_default();
                GatewayKey::parse(&text).ok_or_else(|| {
                    GatewayError::Config(format!(
                        "{KEY_ENV} must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)"
                    ))
                })
            }
            KeySource::File(path) => match std::fs::read_to_string(path) {
                Ok(text) => GatewayKey::parse(&text).ok_or_else(|| {
                    GatewayError::Config(format!(
                        "{} does not hold a gateway key (32 bytes in base64)",
                        path.display()
                    ))
                }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                    let key = GatewayKey::generate()?;
                    write_private(path, &key, true)?;
                    Ok(key)
                }
                Err(e) => Err(GatewayError::io(
                    format!("cannot read the gateway key {}", path.display()),
                    e,
                )),
            },
        }
    }
}

/// The file a rotation writes first; renamed over the key file once the database
/// holds the sessions sealed under it (see [`finish_rotation`]).
pub fn pending_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

/// Writes a key file readable by its owner only, flushed to disk.
pub fn write_private(path: &Path, key: &GatewayKey, create_new: bool) -> Result<()> {
    crate::private_fs::create_private_dir(path)?;
    let mut o = std::fs::OpenOptions::new();
    o.write(true);
    if create_new {
        o.create_new(true);
    } else {
        o.create(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let io = |e| {
        GatewayError::io(
            format!("cannot write the gateway key {}", path.display()),
            e,
        )
    };
    let mut f = o.open(path).map_err(io)?;
    writeln!(f, "{}", key.to_text()).map_err(io)?;
    f.sync_all().map_err(io)
}

/// Completes a rotation that stopped between committing the database and renaming the
/// new key file: returns the pending key when its id is the one the database expects.
pub fn finish_rotation(source: &KeySource, expected_id: &str) -> Option<GatewayKey> {
    let KeySource::File(path) = source else {
        return None;
    };
    let pending = pending_path(path);
    let key = GatewayKey::parse(&std::fs::read_to_string(&pending).ok()?)?;
    (key.id() == expected_id && std::fs::rename(&pending, path).is_ok()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_text_round_trips_and_ids_differ() {
        let a = GatewayKey::generate().unwrap();
        let b = GatewayKey::parse(&a.to_text()).unwrap();
        assert_eq!(a.id(), b.id());
        assert_ne!(a.id(), GatewayKey::generate().unwrap().id());
        assert!(!format!("{a:?}").contains(&a.to_text()));
        assert!(GatewayKey::parse("too short").is_none());
    }

    #[test]
    fn key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let source = KeySource::File(dir.path().join("k/gateway.key"));
        assert!(source.load(false).is_err(), "not created unless asked");
        let key = source.load(true).unwrap();
        assert_eq!(source.load(false).unwrap().id(), key.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let KeySource::File(p) = &source else {
                unreachable!()
            };
            let mode = std::fs::metadata(p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
