//! The owners' upstream sessions: one per owner, sealed under the gateway key. A new
//! session (from `login`, `token create`, `/api-tokens` or the token page) replaces
//! the old one, and every token of that owner works again with it.

use std::collections::HashMap;

use crate::error::{GatewayError, Result};
use crate::keys::{self, GatewayKey, KeySource};
use crate::registry::Session;
use crate::seal;
use crate::store::Store;

/// The gateway key for `store`: read from `source` (created there when the database
/// has none yet and `create` is set) and checked against the key id the database
/// recorded, so that a wrong or lost key is named as such instead of every session
/// failing to open.
pub fn open_key(store: &Store, source: &KeySource, create: bool) -> Result<GatewayKey> {
    let recorded = store.key_id()?;
    let key = match source.load(create && recorded.is_none()) {
        Ok(k) => k,
        Err(e) if recorded.is_some() => {
            return Err(GatewayError::Config(format!(
                "{e}. The sessions in this database were sealed with a gateway key that is \
                 not there: restore it (see docs/gateway.md, \"Backing up the key\"), or run \
                 `actual-token-gateway key forget-sessions` and `login` again"
            )))
        }
        Err(e) => return Err(e),
    };
    match recorded {
        None => store.set_key_id(&key.id())?,
        Some(id) if id == key.id() => {}
        Some(id) => {
            return keys::finish_rotation(source, &id).ok_or_else(|| {
                GatewayError::Config(format!(
                    "the gateway key from {} is not the one this database's sessions were \
                     sealed with: use the right key, or run `actual-token-gateway key \
                     forget-sessions` and `login` again",
                    source.describe()
                ))
            })
        }
    }
    Ok(key)
}

/// Stores `session` as `owner`'s, in place of any older one (and of the version 1
/// copies their tokens carry).
pub fn save(store: &Store, key: &GatewayKey, owner: &str, session: &str, now: i64) -> Result<()> {
    let sealed = seal::seal_session(key, owner, session)?;
    store.set_owner_session(owner, &sealed, now, true)
}

/// Stores a version 1 token's own session as its owner's, when the owner has none:
/// the migration of a token made before sessions were kept per owner.
pub fn adopt_legacy(
    store: &Store,
    key: &GatewayKey,
    owner: &str,
    session: &str,
    now: i64,
) -> Result<()> {
    let sealed = seal::seal_session(key, owner, session)?;
    store.set_owner_session(owner, &sealed, now, false)
}

/// Every owner's session, unsealed. One that does not open (damaged) is left out:
/// its owner's tokens answer `upstream-session-expired` until they sign in again.
pub fn load_all(store: &Store, key: &GatewayKey) -> Result<HashMap<String, Session>> {
    Ok(store
        .owner_sessions()?
        .into_iter()
        .filter_map(|(owner, sealed)| {
            let s = seal::open_session(key, &owner, &sealed)?;
            Some((owner, Session::new(s)))
        })
        .collect())
}

/// Seals every session under a new key. With a key file, the new key is written
/// beside it first (`<file>.new`), the database then moves to it in one transaction,
/// and the new file finally replaces the old; an interruption in between is finished
/// by the next start. With `ACTUAL_GATEWAY_KEY`, the new key is returned for the
/// operator to put in place of the old value. Returns the key and how many sessions
/// moved.
pub fn rotate(store: &Store, source: &KeySource) -> Result<(GatewayKey, usize)> {
    let old = open_key(store, source, false)?;
    let new = GatewayKey::generate()?;
    if let KeySource::File(path) = source {
        keys::write_private(&keys::pending_path(path), &new, false)?;
    }
    let moved = store.reseal_all(&new.id(), |owner, sealed| {
        let plain = seal::open_session(&old, owner, sealed).unwrap_or_default();
        seal::seal_session(&new, owner, &plain)
    })?;
    if let KeySource::File(path) = source {
        std::fs::rename(keys::pending_path(path), path).map_err(|e| {
            GatewayError::io(format!("cannot put the new key in {}", path.display()), e)
        })?;
    }
    Ok((new, moved))
}

/// For a lost key: drops every stored session and adopts the key `source` has now
/// (creating a key file when there is none). Tokens stay; their owners sign in again.
pub fn forget(store: &Store, source: &KeySource) -> Result<usize> {
    let key = source.load(true)?;
    store.forget_sessions(&key.id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_survive_a_rotation_and_a_wrong_key_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("gw.sqlite");
        let store = Store::open(&db).unwrap();
        let source = KeySource::File(dir.path().join("gateway.key"));
        let key = open_key(&store, &source, true).unwrap();
        save(&store, &key, "u1", "session-1", 1).unwrap();
        assert_eq!(load_all(&store, &key).unwrap()["u1"].expose(), "session-1");

        let (new, moved) = rotate(&store, &source).unwrap();
        assert_eq!(moved, 1);
        assert_ne!(new.id(), key.id());
        let reopened = open_key(&store, &source, false).unwrap();
        assert_eq!(reopened.id(), new.id());
        assert_eq!(
            load_all(&store, &reopened).unwrap()["u1"].expose(),
            "session-1"
        );

        // The old key no longer fits the database.
        let old_file = dir.path().join("old.key");
        keys::write_private(&old_file, &key, true).unwrap();
        let err = open_key(&store, &KeySource::File(old_file), false).unwrap_err();
        assert!(err.to_string().contains("forget-sessions"), "{err}");
        // A missing key is not silently replaced by a new one.
        let missing = KeySource::File(dir.path().join("missing.key"));
        assert!(open_key(&store, &missing, true).is_err());
        assert_eq!(forget(&store, &missing).unwrap(), 1);
        assert!(open_key(&store, &missing, false).is_ok());
    }

    #[test]
    fn an_interrupted_rotation_is_finished_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("gw.sqlite")).unwrap();
        let path = dir.path().join("gateway.key");
        let source = KeySource::File(path.clone());
        open_key(&store, &source, true).unwrap();
        // As if `rotate` stopped after the commit, before the rename.
        let new = GatewayKey::generate().unwrap();
        keys::write_private(&keys::pending_path(&path), &new, false).unwrap();
        store.reseal_all(&new.id(), |_, s| Ok(s.to_vec())).unwrap();
        assert_eq!(open_key(&store, &source, false).unwrap().id(), new.id());
        assert!(!keys::pending_path(&path).exists());
    }
}
