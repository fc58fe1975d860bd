//! The gateway's HTTP client to the real Actual server: the connection pool that
//! forwarding uses, and the few calls the gateway makes on its own (login, validate,
//! file listing), on the endpoint table and reply types of `actual-protocol`.

use std::time::Duration;

use actual_protocol::endpoint::{self, Endpoint};
use actual_protocol::envelope::{self, Envelope};
use actual_protocol::files::{RemoteFile, UserInfo};
use actual_protocol::transport;
use bytes::Bytes;
use serde::Deserialize;
use url::Url;

use crate::error::{GatewayError, Result};

/// A failed upstream call: the transport broke, or the server answered non-2xx.
#[derive(Debug)]
pub enum Failure {
    Network(String),
    Status { status: u16, body: Bytes },
}

impl Failure {
    pub fn into_error(self) -> GatewayError {
        match self {
            Failure::Network(m) => GatewayError::Network(m),
            Failure::Status { status, body } => GatewayError::Upstream {
                status,
                reason: envelope::parse_error(&body).reason,
            },
        }
    }

    /// The server does not know the session (or it expired).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Failure::Status { status: 401, .. })
    }
}

/// Checks `--upstream` by the protocol's URL rule.
pub fn parse_url(text: &str) -> Result<Url> {
    actual_protocol::url::parse_server_url(text)
        .map_err(|e| GatewayError::Usage(format!("--upstream: {e} (got {text:?})")))
}

#[derive(Clone)]
pub struct Upstream {
    client: reqwest::Client,
    /// The server URL without its trailing slash: request paths start with `/`.
    base: String,
}

impl Upstream {
    pub fn new(url: &Url) -> Result<Upstream> {
        transport::install_crypto_provider();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| GatewayError::Network(transport::describe(&e)))?;
        Ok(Upstream {
            client,
            base: url.as_str().trim_end_matches('/').to_string(),
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The upstream URL for a request's path and query (which start with `/`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base, path_and_query)
    }

    fn request(&self, ep: &Endpoint, session: Option<&str>) -> reqwest::RequestBuilder {
        let method = match ep.method {
            endpoint::Method::Get => reqwest::Method::GET,
            endpoint::Method::Post => reqwest::Method::POST,
        };
        let rb = self
            .client
            .request(method, format!("{}/{}", self.base, ep.path));
        match session {
            Some(s) => rb.header(endpoint::TOKEN_HEADER, s),
            None => rb,
        }
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        rb: reqwest::RequestBuilder,
    ) -> Result<T, Failure> {
        let network = |e: reqwest::Error| Failure::Network(transport::describe(&e));
        let res = rb.send().await.map_err(network)?;
        let status = res.status().as_u16();
        let body = res.bytes().await.map_err(network)?;
        if !(200..300).contains(&status) {
            return Err(Failure::Status { status, body });
        }
        match envelope::parse::<T>(&body) {
            Some(Envelope::Ok(v)) => Ok(v),
            _ => Err(Failure::Status { status: 502, body }),
        }
    }

    /// Password login; returns the session token.
    pub async fn login(&self, password: &str) -> Result<String, Failure> {
        let body = serde_json::json!({ "loginMethod": "password", "password": password });
        let rb = self
            .request(&endpoint::LOGIN, None)
            .header("content-type", "application/json")
            .body(body.to_string());
        #[derive(Deserialize)]
        struct Login {
            token: Option<String>,
        }
        let login: Login = self.call(rb).await?;
        login.token.ok_or(Failure::Status {
            status: 400,
            body: Bytes::from_static(br#"{"status":"error","reason":"invalid-password"}"#),
        })
    }

    pub async fn validate(&self, session: &str) -> Result<UserInfo, Failure> {
        self.call(self.request(&endpoint::VALIDATE, Some(session)))
            .await
    }

    pub async fn list_files(&self, session: &str) -> Result<Vec<RemoteFile>, Failure> {
        self.call(self.request(&endpoint::LIST_FILES, Some(session)))
            .await
    }
}

/// The user a session belongs to, as the token table names owners.
pub fn owner_of(user: &UserInfo) -> String {
    user.user_id.clone().unwrap_or_default()
}

/// Maps the sync ids (or cloud file ids) a user asked for onto `groupId`s of the
/// listing; unknown ids are an error naming the first one.
pub fn resolve_budgets(files: &[RemoteFile], wanted: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for w in wanted {
        let w = w.trim();
        let live = || files.iter().filter(|f| !f.deleted);
        let hit = live()
            .find(|f| f.group_id.as_deref() == Some(w))
            .or_else(|| live().find(|f| f.file_id == w))
            .and_then(|f| f.group_id.clone())
            .ok_or_else(|| GatewayError::BudgetNotFound(w.to_string()))?;
        if !out.contains(&hit) {
            out.push(hit);
        }
    }
    if out.is_empty() {
        return Err(no_budget());
    }
    Ok(out)
}

pub fn no_budget() -> GatewayError {
    GatewayError::invalid(
        "budget-ids-required",
        "a token needs at least one budget (--budget SYNC_ID)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: &str, group: &str, deleted: bool) -> RemoteFile {
        serde_json::from_value(serde_json::json!({
            "fileId": id, "groupId": group, "deleted": deleted
        }))
        .unwrap()
    }

    #[test]
    fn resolves_sync_ids() {
        let files = vec![
            file("f1", "g1", false),
            file("f2", "g2", false),
            file("f3", "g3", true),
        ];
        assert_eq!(
            resolve_budgets(&files, &["g2".into(), "f1".into(), "g2".into()]).unwrap(),
            vec!["g2".to_string(), "g1".to_string()]
        );
        assert!(matches!(
            resolve_budgets(&files, &["g3".into()]),
            Err(GatewayError::BudgetNotFound(id)) if id == "g3"
        ));
        assert_eq!(
            resolve_budgets(&files, &[]).unwrap_err().code(),
            "budget-ids-required"
        );
    }

    #[test]
    fn url_joining_keeps_a_prefix() {
        let u = Upstream::new(&parse_url("https://example.test/actual/").unwrap()).unwrap();
        assert_eq!(
            u.url("/sync/sync?x=1"),
            "https://example.test/actual/sync/sync?x=1"
        );
        assert!(parse_url("ftp://x").is_err());
        assert!(parse_url("http://user:pw@host").is_err());
    }
}
