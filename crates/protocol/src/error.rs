use thiserror::Error;

/// Failures of the pure protocol helpers. Each variant has a stable `code`.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("the encryption metadata is malformed: {0}")]
    BadEncryptMeta(&'static str),
    #[error("decryption failed: the key is wrong or the data was altered")]
    DecryptFailure,
    #[error("the server reply is not the expected JSON envelope")]
    BadEnvelope,
}

impl ProtocolError {
    pub fn code(&self) -> &'static str {
        match self {
            ProtocolError::BadEncryptMeta(_) => "invalid-encrypt-meta",
            ProtocolError::DecryptFailure => "decrypt-failure",
            ProtocolError::BadEnvelope => "invalid-response",
        }
    }
}
