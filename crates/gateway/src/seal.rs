//! What the database holds instead of secrets.
//!
//! * The token itself is stored only as `SHA-256(token)`, the lookup key.
//! * The owner's upstream session token, which the gateway must send upstream in
//!   place of the API token, is sealed with AES-256-GCM under a key derived from the
//!   API token (`SHA-256("actual-gateway/session-key/v1" || token)`), with the lookup
//!   hash as associated data. The database file alone therefore reveals neither the
//!   API token nor the session: the session can be unsealed only while a request
//!   presents the matching token.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use sha2::{Digest, Sha256};

use crate::error::{GatewayError, Result};

pub const HASH_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const KEY_CONTEXT: &[u8] = b"actual-gateway/session-key/v1\0";

pub type TokenHash = [u8; HASH_LEN];

#[cfg(test)]
thread_local! {
    /// How many times `open` ran on this thread: lets tests check that every verdict
    /// does the same work, without timing anything.
    pub static OPENS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The lookup hash of a token.
pub fn token_hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

fn session_key(token: &str) -> Key<Aes256Gcm> {
    let mut h = Sha256::new();
    h.update(KEY_CONTEXT);
    h.update(token.as_bytes());
    let bytes: [u8; 32] = h.finalize().into();
    bytes.into()
}

/// Seals `session` for `token`: `nonce || ciphertext || tag`.
pub fn seal(token: &str, session: &str) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| GatewayError::Random)?;
    let cipher = Aes256Gcm::new(&session_key(token));
    let aad = token_hash(token);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: session.as_bytes(),
                aad: &aad,
            },
        )
        .map_err(|_| GatewayError::Random)?;
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens a sealed session with the token presented and its hash. Always runs the
/// full AES-GCM check, whatever the input, so that it costs the same for a wrong
/// token as for the right one.
pub fn open(token: &str, hash: &TokenHash, sealed: &[u8]) -> Option<String> {
    #[cfg(test)]
    OPENS.with(|n| n.set(n.get() + 1));
    let cipher = Aes256Gcm::new(&session_key(token));
    let (nonce, body) = if sealed.len() >= NONCE_LEN {
        sealed.split_at(NONCE_LEN)
    } else {
        (&[0u8; NONCE_LEN][..], sealed)
    };
    let plain = cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: body,
                aad: hash,
            },
        )
        .ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrong_token() {
        let t = "act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6";
        let sealed = seal(t, "session-123").unwrap();
        assert_eq!(
            open(t, &token_hash(t), &sealed).as_deref(),
            Some("session-123")
        );
        let other = "act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p7";
        assert_eq!(open(other, &token_hash(other), &sealed), None);
        assert_eq!(open(other, &token_hash(t), &sealed), None);
        // Neither the session nor the token appears in what is stored.
        assert!(!sealed.windows(11).any(|w| w == b"session-123"));
        assert!(!token_hash(t).windows(4).any(|w| w == b"act_"));
        assert_eq!(open(t, &token_hash(t), b"short"), None);
    }
}
