//! End-to-end encryption as the Actual client does it: PBKDF2-HMAC-SHA512 key
//! derivation and AES-256-GCM over whole blobs, no additional authenticated data.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::Deserialize;

use crate::ProtocolError;

pub const KEY_LEN: usize = 32;
const PBKDF2_ROUNDS: u32 = 10_000;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// A derived budget key. Its bytes are never printed.
#[derive(Clone)]
pub struct BudgetKey([u8; KEY_LEN]);

impl std::fmt::Debug for BudgetKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BudgetKey(..)")
    }
}

impl BudgetKey {
    /// Derives the key from the encryption password. The salt is used as the UTF-8
    /// bytes of the base64 string the server sent, not its decoded bytes: that is
    /// what the real client does.
    pub fn derive(password: &str, salt: &str) -> Self {
        let mut key = [0u8; KEY_LEN];
        pbkdf2::pbkdf2_hmac::<sha2::Sha512>(
            password.as_bytes(),
            salt.as_bytes(),
            PBKDF2_ROUNDS,
            &mut key,
        );
        BudgetKey(key)
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Decrypts one AES-256-GCM blob with the iv and auth tag kept beside it.
    pub fn decrypt(
        &self,
        iv: &[u8],
        auth_tag: &[u8],
        data: &[u8],
    ) -> Result<Vec<u8>, ProtocolError> {
        if iv.len() != IV_LEN {
            return Err(ProtocolError::BadEncryptMeta("iv must be 12 bytes"));
        }
        if auth_tag.len() != TAG_LEN {
            return Err(ProtocolError::BadEncryptMeta("authTag must be 16 bytes"));
        }
        // aes-gcm wants ciphertext || tag in one buffer.
        let mut sealed = Vec::with_capacity(data.len() + TAG_LEN);
        sealed.extend_from_slice(data);
        sealed.extend_from_slice(auth_tag);
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0));
        cipher
            .decrypt(
                Nonce::from_slice(iv),
                Payload {
                    msg: &sealed,
                    aad: &[],
                },
            )
            .map_err(|_| ProtocolError::DecryptFailure)
    }

    /// Encrypts with a fresh random iv; used by tests and by tools that upload.
    pub fn encrypt(&self, plain: &[u8]) -> Result<Sealed, ProtocolError> {
        let mut iv = [0u8; IV_LEN];
        getrandom::fill(&mut iv).map_err(|_| ProtocolError::BadEncryptMeta("no randomness"))?;
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0));
        let mut data = cipher
            .encrypt(
                Nonce::from_slice(&iv),
                Payload {
                    msg: plain,
                    aad: &[],
                },
            )
            .map_err(|_| ProtocolError::DecryptFailure)?;
        let tag_at = data.len() - TAG_LEN;
        let mut auth_tag = [0u8; TAG_LEN];
        auth_tag.copy_from_slice(&data[tag_at..]);
        data.truncate(tag_at);
        Ok(Sealed { data, iv, auth_tag })
    }
}

/// An encrypted blob with the iv and tag that travel beside it.
pub struct Sealed {
    pub data: Vec<u8>,
    pub iv: [u8; IV_LEN],
    pub auth_tag: [u8; TAG_LEN],
}

/// `encryptMeta` of a file, and `meta` of a key test: base64 iv and tag.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EncryptMeta {
    pub key_id: Option<String>,
    pub algorithm: Option<String>,
    pub iv: String,
    pub auth_tag: String,
}

impl EncryptMeta {
    pub fn decrypt(&self, key: &BudgetKey, data: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        if let Some(alg) = &self.algorithm {
            if alg != "aes-256-gcm" {
                return Err(ProtocolError::BadEncryptMeta("unsupported algorithm"));
            }
        }
        let iv = B64
            .decode(&self.iv)
            .map_err(|_| ProtocolError::BadEncryptMeta("iv is not base64"))?;
        let tag = B64
            .decode(&self.auth_tag)
            .map_err(|_| ProtocolError::BadEncryptMeta("authTag is not base64"))?;
        key.decrypt(&iv, &tag, data)
    }
}

/// The `test` string of `/sync/user-get-key`: `{"value":<b64>,"meta":{...}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyTest {
    pub value: String,
    pub meta: EncryptMeta,
}

impl KeyTest {
    pub fn parse(json: &str) -> Result<Self, ProtocolError> {
        serde_json::from_str(json)
            .map_err(|_| ProtocolError::BadEncryptMeta("key test is not JSON"))
    }

    /// True when `key` opens the test value, i.e. the password is right.
    pub fn accepts(&self, key: &BudgetKey) -> Result<bool, ProtocolError> {
        let value = B64
            .decode(&self.value)
            .map_err(|_| ProtocolError::BadEncryptMeta("test value is not base64"))?;
        match self.meta.decrypt(key, &value) {
            Ok(_) => Ok(true),
            Err(ProtocolError::DecryptFailure) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = BudgetKey::derive("pw", "c2FsdA==");
        let Sealed {
            data,
            iv,
            auth_tag: tag,
        } = key.encrypt(b"hello").unwrap();
        assert_eq!(key.decrypt(&iv, &tag, &data).unwrap(), b"hello");
        let mut bad = data.clone();
        bad[0] ^= 1;
        assert_eq!(
            key.decrypt(&iv, &tag, &bad),
            Err(ProtocolError::DecryptFailure)
        );
        let other = BudgetKey::derive("other", "c2FsdA==");
        assert_eq!(
            other.decrypt(&iv, &tag, &data),
            Err(ProtocolError::DecryptFailure)
        );
    }

    #[test]
    fn debug_hides_key() {
        let key = BudgetKey::derive("pw", "salt");
        assert_eq!(format!("{key:?}"), "BudgetKey(..)");
    }
}
