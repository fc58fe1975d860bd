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
    #[error("{0}")]
    InvalidServerUrl(&'static str),
}

impl ProtocolError {
    pub fn code(&self) -> &'static str {
        match self {
            ProtocolError::BadEncryptMeta(_) => "invalid-encrypt-meta",
            ProtocolError::DecryptFailure => "decrypt-failure",
            ProtocolError::BadEnvelope => "invalid-response",
            ProtocolError::InvalidServerUrl(_) => "invalid-server-url",
        }
    }
}

/// `what`, followed by the innermost cause of `error` when it has one. Transport
/// errors are described this way (by client and gateway alike) so that the message
/// names the real cause (refused, reset, certificate) but never the URL or headers
/// that the outer error carries.
pub fn with_root_cause(what: &str, error: &dyn std::error::Error) -> String {
    let mut source = error.source();
    let mut cause = None;
    while let Some(s) = source {
        cause = Some(s.to_string());
        source = s.source();
    }
    match cause {
        Some(cause) if !cause.is_empty() => format!("{what}: {cause}"),
        _ => what.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("request to http://secret-url failed")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn names_the_innermost_cause_not_the_outer_error() {
        let e = Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "refused",
        ));
        assert_eq!(
            with_root_cause("connection failed", &e),
            "connection failed: refused"
        );
        let plain = std::io::Error::other("no source");
        assert_eq!(with_root_cause("failed", &plain), "failed");
    }
}
