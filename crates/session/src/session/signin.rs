//! Signing in (`init`): one login with a password, one validate with a session or API
//! token; a client without a server; the server's version.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::header::CONTENT_TYPE;

use super::{list_failed, Session};
use crate::config::{Credential, SessionConfig};
use crate::error::{ErrorKind, Reply, Result, SessionError};
use crate::http::{AuthMethod, Http, Secret};
use actual_protocol::endpoint;
use actual_protocol::files::UserInfo;

fn login_failed(reply: Reply) -> SessionError {
    SessionError::Auth {
        kind: ErrorKind::Auth,
        code: reply
            .reason
            .clone()
            .unwrap_or_else(|| "login-failed".into()),
        message: "the server refused the sign-in".into(),
        reply,
    }
}

fn validate_failed(reply: Reply) -> SessionError {
    SessionError::Auth {
        kind: ErrorKind::Auth,
        code: reply
            .reason
            .clone()
            .unwrap_or_else(|| "unauthorized".into()),
        message: "the server did not accept the credentials".into(),
        reply,
    }
}

impl Session {
    /// Signs in: password -> one login; session token or API token -> one validate.
    pub async fn connect(config: SessionConfig) -> Result<Session> {
        let data_dir = prepare_data_dir(&config.data_dir)?;
        let http = Http::new(&config)?;
        let (token, method) = match &config.credential {
            Credential::Password(password) => {
                let body = serde_json::json!({ "loginMethod": "password", "password": password });
                let rb = http
                    .request(&endpoint::LOGIN, None)
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string());
                #[derive(serde::Deserialize)]
                struct Login {
                    token: Option<String>,
                }
                let login: Login = http
                    .send_json(rb, AuthMethod::Password, login_failed)
                    .await?;
                let token = login.token.ok_or_else(|| login_failed(Reply::default()))?;
                (Secret::new(token), AuthMethod::SessionToken)
            }
            Credential::SessionToken(t) => (Secret::new(t.clone()), AuthMethod::SessionToken),
            Credential::ApiToken(t) => (Secret::new(t.clone()), AuthMethod::ApiToken),
        };
        let mut client = Session {
            http: Some(http),
            token,
            method,
            data_dir,
            user: UserInfo::default(),
            verbose: config.verbose,
            open: Arc::default(),
            loaded_keys: Default::default(),
            service_wrote: Default::default(),
        };
        if !matches!(config.credential, Credential::Password(_)) {
            client.user = client.validate().await?;
        }
        client.log(format!("signed in with {}", config.credential.method()));
        Ok(client)
    }

    /// A client without a server (upstream's `init` without `serverURL`): it opens and
    /// reads local copies; anything that needs the server fails with `no-server`.
    pub fn offline(data_dir: &Path, verbose: bool) -> Result<Session> {
        Ok(Session {
            http: None,
            token: Secret::new(String::new()),
            method: AuthMethod::SessionToken,
            data_dir: prepare_data_dir(data_dir)?,
            user: UserInfo::default(),
            verbose,
            open: Arc::default(),
            loaded_keys: Default::default(),
            service_wrote: Default::default(),
        })
    }

    /// `GET /account/validate` with the current credential.
    pub async fn validate(&self) -> Result<UserInfo> {
        let http = self.http()?;
        let rb = http.request(&endpoint::VALIDATE, Some(&self.token));
        http.send_json(rb, self.method, validate_failed).await
    }

    /// `GET /info`: the server's version, as upstream's `getServerVersion` answers it
    /// (`{ version }`, or `{ error }` without rejecting).
    pub async fn server_version(&self) -> serde_json::Value {
        let Ok(http) = self.http() else {
            return serde_json::json!({ "error": "no-server" });
        };
        let rb = http.request(&endpoint::INFO, None);
        let version = http
            .send(rb, self.method, list_failed)
            .await
            .ok()
            .and_then(|body| serde_json::from_slice::<serde_json::Value>(&body).ok())
            .and_then(|info| info.pointer("/build/version").cloned())
            .filter(serde_json::Value::is_string);
        match version {
            Some(version) => serde_json::json!({ "version": version }),
            None => serde_json::json!({ "error": "network-failure" }),
        }
    }
}

/// Creates `dataDir` if missing and checks that it is a writable folder.
fn prepare_data_dir(dir: &Path) -> Result<PathBuf> {
    let bad = |why: String| SessionError::config("invalid-data-dir", why);
    if dir.exists() && !dir.is_dir() {
        return Err(bad(format!(
            "dataDir {} is a file, not a folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| bad(format!("cannot create dataDir {}: {e}", dir.display())))?;
    let probe = dir.join(format!(".actual-native-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| bad(format!("dataDir {} is not writable: {e}", dir.display())))?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir.to_path_buf())
}
