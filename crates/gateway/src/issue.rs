//! Making a new token row: the token from the OS CSPRNG (protocol crate), its hash
//! and its display prefix. The owner's session is stored apart, once per owner
//! (`sessions`).

use actual_protocol::token;

use crate::error::{GatewayError, Result};
use crate::seal;
use crate::store::TokenRow;

pub struct NewToken {
    pub name: String,
    pub budgets: Vec<String>,
    pub read_only: bool,
    /// Unix milliseconds.
    pub expires_at: Option<i64>,
    pub owner: String,
}

/// A random id for the management API and CLI (not secret).
pub fn new_id() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| GatewayError::Random)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

pub fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(GatewayError::invalid(
            "name-required",
            "a token needs a name",
        ));
    }
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(GatewayError::invalid(
            "invalid-name",
            "a token needs a name of 1 to 100 printable characters",
        ));
    }
    Ok(name.to_string())
}

/// Returns the row to store and the token, to be shown once.
pub fn issue(new: NewToken, now: i64) -> Result<(TokenRow, String)> {
    if new.budgets.is_empty() {
        return Err(crate::upstream::no_budget());
    }
    let secret = token::generate().map_err(|_| GatewayError::Random)?;
    let row = TokenRow {
        id: new_id()?,
        name: check_name(&new.name)?,
        prefix: token::display_prefix(&secret).to_string(),
        hash: seal::token_hash(&secret),
        budgets: new.budgets,
        read_only: new.read_only,
        enabled: true,
        created_at: now,
        expires_at: new.expires_at,
        last_used_at: None,
        owner: new.owner,
        legacy_session: Vec::new(),
    };
    Ok((row, secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Registry, Verdict};
    use crate::store::Store;

    #[test]
    fn issued_tokens_verify_and_only_hashes_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gw.sqlite");
        let store = Store::open(&path).unwrap();
        let session = "0b7f4c1e-aaaa-bbbb-cccc-0123456789ab";
        let (row, secret) = issue(
            NewToken {
                name: "ci".into(),
                budgets: vec!["g1".into()],
                read_only: true,
                expires_at: Some(10_000),
                owner: "u1".into(),
            },
            1_000,
        )
        .unwrap();
        assert_eq!(token::check_format(&secret), Ok(()));
        assert_eq!(row.prefix, &secret[..12]);
        store.insert(&row).unwrap();
        let key = crate::keys::GatewayKey::generate().unwrap();
        crate::sessions::save(&store, &key, "u1", session, 1_000).unwrap();
        let reg = Registry::new();
        reg.load(store.list().unwrap());
        reg.load_sessions(crate::sessions::load_all(&store, &key).unwrap());
        match reg.verify(&secret, 2_000) {
            Verdict::Valid {
                session: Some(s),
                entry,
                ..
            } => {
                assert_eq!(s.expose(), session);
                assert!(entry.row.read_only);
            }
            v => panic!("{v:?}"),
        }
        assert!(matches!(reg.verify(&secret, 10_000), Verdict::Expired));
        // Disable, then revoke.
        store.set_enabled(&row.id, false).unwrap();
        reg.load(store.list().unwrap());
        assert!(matches!(reg.verify(&secret, 2_000), Verdict::Disabled));
        store.set_enabled(&row.id, true).unwrap();
        reg.load(store.list().unwrap());
        assert!(matches!(reg.verify(&secret, 2_000), Verdict::Valid { .. }));
        store.delete(&row.id).unwrap();
        reg.load(store.list().unwrap());
        assert!(matches!(reg.verify(&secret, 2_000), Verdict::Invalid));

        drop(store);
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
        }
        let has = |s: &[u8]| bytes.windows(s.len()).any(|w| w == s);
        assert!(!has(secret.as_bytes()), "token in db");
        assert!(!has(&secret.as_bytes()[4..]), "token body in db");
        assert!(!has(session.as_bytes()), "session in db");
    }

    #[test]
    fn refuses_no_budget_and_bad_names() {
        let mk = |name: &str, budgets: Vec<String>| {
            issue(
                NewToken {
                    name: name.into(),
                    budgets,
                    read_only: false,
                    expires_at: None,
                    owner: String::new(),
                },
                0,
            )
        };
        assert!(mk("x", vec![]).is_err());
        assert!(mk("", vec!["g".into()]).is_err());
        assert!(mk("a\nb", vec!["g".into()]).is_err());
        assert!(mk("ok", vec!["g".into()]).is_ok());
        assert_ne!(new_id().unwrap(), new_id().unwrap());
    }
}
