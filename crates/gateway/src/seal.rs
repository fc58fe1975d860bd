//! What the database holds instead of secrets.
//!
//! * A token is stored only as `SHA-256(token)`, its lookup key.
//! * The owner's upstream session, which the gateway sends upstream in place of an API
//!   token, is stored once per owner, sealed with AES-256-GCM under the gateway key
//!   (kept apart from the database, see `keys`), with the owner's id as associated
//!   data. The database file alone therefore reveals neither tokens nor sessions, and a
//!   new session for an owner (`login`, the token page) serves every token of theirs.
//! * Tokens made by version 1 carry their own copy of the session, sealed under a key
//!   derived from the token (`SHA-256("actual-gateway/session-key/v1" || token)`, the
//!   hash as associated data). [`open_legacy`] still opens it, so those tokens keep
//!   working until their owner's session is stored the version 2 way.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use sha2::{Digest, Sha256};

use crate::error::{GatewayError, Result};
use crate::keys::GatewayKey;

pub const HASH_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const LEGACY_KEY_CONTEXT: &[u8] = b"actual-gateway/session-key/v1\0";
const OWNER_AAD_CONTEXT: &[u8] = b"actual-gateway/owner-session/v2\0";

pub type TokenHash = [u8; HASH_LEN];

#[cfg(test)]
thread_local! {
    /// How many times `open_legacy` ran on this thread: lets tests check that every
    /// verdict does the same work, without timing anything.
    pub static OPENS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The lookup hash of a token.
pub fn token_hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// `nonce || ciphertext || tag`.
fn seal_with(key: &Key<Aes256Gcm>, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| GatewayError::Random)?;
    let sealed = Aes256Gcm::new(key)
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
        .map_err(|_| GatewayError::Random)?;
    Ok([&nonce[..], &sealed].concat())
}

/// Always runs the full AES-GCM check, whatever the input, so that it costs the same
/// for a wrong key or a short blob as for the right one.
fn open_with(key: &Key<Aes256Gcm>, aad: &[u8], sealed: &[u8]) -> Option<String> {
    let (nonce, body) = if sealed.len() >= NONCE_LEN {
        sealed.split_at(NONCE_LEN)
    } else {
        (&[0u8; NONCE_LEN][..], sealed)
    };
    let plain = Aes256Gcm::new(key)
        .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
        .ok()?;
    String::from_utf8(plain).ok()
}

fn owner_aad(owner: &str) -> Vec<u8> {
    [OWNER_AAD_CONTEXT, owner.as_bytes()].concat()
}

/// Seals an owner's upstream session under the gateway key.
pub fn seal_session(key: &GatewayKey, owner: &str, session: &str) -> Result<Vec<u8>> {
    seal_with(key.aes(), &owner_aad(owner), session.as_bytes())
}

/// Opens what [`seal_session`] sealed; `None` for another key, owner or a damaged blob.
pub fn open_session(key: &GatewayKey, owner: &str, sealed: &[u8]) -> Option<String> {
    open_with(key.aes(), &owner_aad(owner), sealed)
}

fn legacy_key(token: &str) -> Key<Aes256Gcm> {
    let mut h = Sha256::new();
    h.update(LEGACY_KEY_CONTEXT);
    h.update(token.as_bytes());
    let bytes: [u8; 32] = h.finalize().into();
    bytes.into()
}

/// Seals a session the version 1 way (the decoy row, and tests of the migration).
pub fn seal_legacy(token: &str, session: &str) -> Result<Vec<u8>> {
    seal_with(&legacy_key(token), &token_hash(token), session.as_bytes())
}

/// Opens a version 1 token's own sealed session with the token presented.
pub fn open_legacy(token: &str, hash: &TokenHash, sealed: &[u8]) -> Option<String> {
    #[cfg(test)]
    OPENS.with(|n| n.set(n.get() + 1));
    open_with(&legacy_key(token), hash, sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_sessions_round_trip_only_with_the_key_and_owner() {
        let key = GatewayKey::generate().unwrap();
        let sealed = seal_session(&key, "user-1", "session-123").unwrap();
        assert_eq!(
            open_session(&key, "user-1", &sealed).as_deref(),
            Some("session-123")
        );
        assert_eq!(open_session(&key, "user-2", &sealed), None, "another owner");
        let other = GatewayKey::generate().unwrap();
        assert_eq!(open_session(&other, "user-1", &sealed), None, "another key");
        assert!(!sealed.windows(11).any(|w| w == b"session-123"));
        assert_eq!(open_session(&key, "user-1", b"short"), None);
    }

    #[test]
    fn legacy_round_trip_and_wrong_token() {
        let t = "act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6";
        let sealed = seal_legacy(t, "session-123").unwrap();
        assert_eq!(
            open_legacy(t, &token_hash(t), &sealed).as_deref(),
            Some("session-123")
        );
        let other = "act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p7";
        assert_eq!(open_legacy(other, &token_hash(other), &sealed), None);
        assert_eq!(open_legacy(other, &token_hash(t), &sealed), None);
        assert!(!token_hash(t).windows(4).any(|w| w == b"act_"));
        assert_eq!(open_legacy(t, &token_hash(t), b""), None);
    }
}
