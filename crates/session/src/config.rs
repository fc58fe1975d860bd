use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use actual_protocol::token;
use url::Url;

use crate::error::{ErrorKind, Reply, Result, SessionError};

/// How the script signs in. Debug output never shows the secret.
#[derive(Clone)]
pub enum Credential {
    Password(String),
    SessionToken(String),
    ApiToken(String),
}

impl Credential {
    pub fn method(&self) -> &'static str {
        match self {
            Credential::Password(_) => "password",
            Credential::SessionToken(_) => "sessionToken",
            Credential::ApiToken(_) => "token",
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credential::{}(<redacted>)", self.method())
    }
}

/// The credential fields of `init`, each optional; exactly one must be set.
#[derive(Default, Clone)]
pub struct CredentialFields {
    pub password: Option<String>,
    pub session_token: Option<String>,
    pub token: Option<String>,
}

impl CredentialFields {
    /// Picks the one credential, or says why there is not exactly one. An API token is
    /// checked for shape here, before any network call.
    pub fn into_credential(self) -> Result<Credential> {
        let mut given: Vec<Credential> = [
            self.password.map(Credential::Password),
            self.session_token.map(Credential::SessionToken),
            self.token.map(Credential::ApiToken),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() != 1 {
            let none = given.is_empty();
            return Err(auth_error(
                ErrorKind::Auth,
                if none {
                    "missing-credentials"
                } else {
                    "multiple-auth-methods"
                },
                if none {
                    "no credential given: pass exactly one of password, sessionToken or token (or set ACTUAL_API_TOKEN)"
                } else {
                    "more than one credential given: pass exactly one of password, sessionToken or token"
                },
            ));
        }
        let credential = given.remove(0);
        match &credential {
            Credential::ApiToken(t) => token::check_format(t).map_err(|e| {
                auth_error(ErrorKind::InvalidToken, "invalid-token", &e.to_string())
            })?,
            Credential::Password(p) if p.is_empty() => {
                return Err(auth_error(
                    ErrorKind::Auth,
                    "invalid-password",
                    "the password is empty",
                ))
            }
            Credential::SessionToken(t) if t.trim().is_empty() => {
                return Err(auth_error(
                    ErrorKind::Auth,
                    "token-expired",
                    "the session token is empty",
                ))
            }
            _ => {}
        }
        Ok(credential)
    }
}

fn auth_error(kind: ErrorKind, code: &str, message: &str) -> SessionError {
    SessionError::Auth {
        kind,
        code: code.to_string(),
        message: message.to_string(),
        reply: Reply::default(),
    }
}

/// Everything `init` needs, already checked.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub server_url: Url,
    pub data_dir: PathBuf,
    pub credential: Credential,
    pub verbose: bool,
    pub connect_timeout: Duration,
    /// Longest wait for any single read from the server.
    pub read_timeout: Duration,
}

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Parses `serverURL` by the protocol's one URL rule (http(s), no credentials, a
/// path prefix kept).
pub fn parse_server_url(raw: &str) -> Result<Url> {
    actual_protocol::url::parse_server_url(raw)
        .map_err(|e| SessionError::config("invalid-server-url", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_server_urls_are_config_errors() {
        let e = parse_server_url("http://u:p@host").unwrap_err();
        assert_eq!(e.code(), "invalid-server-url");
        assert!(!e.to_string().contains("u:p"));
    }

    #[test]
    fn exactly_one_credential() {
        let e = CredentialFields {
            password: Some("pw".into()),
            token: Some("act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6".into()),
            ..Default::default()
        }
        .into_credential()
        .unwrap_err();
        assert_eq!(e.code(), "multiple-auth-methods");
        let e = CredentialFields::default().into_credential().unwrap_err();
        assert_eq!(e.code(), "missing-credentials");
    }

    #[test]
    fn malformed_token_is_rejected_locally() {
        let secret = "act_short\n";
        let e = CredentialFields {
            token: Some(secret.into()),
            ..Default::default()
        }
        .into_credential()
        .unwrap_err();
        assert_eq!(e.code(), "invalid-token");
        assert_eq!(e.kind(), ErrorKind::InvalidToken);
        assert!(!e.to_string().contains("short"));
        assert!(e.to_string().contains("whitespace"));
    }

    #[test]
    fn debug_redacts() {
        let c = Credential::Password("hunter2".into());
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
