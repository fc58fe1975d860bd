//! The one HTTP client to the real Actual server, and the few calls the gateway
//! makes on its own (login, validate, file listing).

use std::time::Duration;

use actual_protocol::envelope::{self, Envelope};
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteFile {
    pub file_id: String,
    pub group_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub deleted: serde_json::Value,
}

impl RemoteFile {
    pub fn is_deleted(&self) -> bool {
        match &self.deleted {
            serde_json::Value::Bool(b) => *b,
            serde_json::Value::Number(n) => n.as_i64().unwrap_or(0) != 0,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub user_name: Option<String>,
}

#[derive(Clone)]
pub struct Upstream {
    client: reqwest::Client,
    base: String,
}

/// Checks and normalises the upstream URL (`http(s)://host[:port][/prefix]`).
pub fn parse_url(text: &str) -> Result<Url> {
    let url = Url::parse(text.trim()).map_err(|_| {
        GatewayError::Usage(format!(
            "--upstream must be the Actual server's URL, like http://127.0.0.1:5006 (got {text:?})"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(GatewayError::Usage(
            "--upstream must be an http:// or https:// URL".into(),
        ));
    }
    Ok(url)
}

impl Upstream {
    pub fn new(url: &Url) -> Result<Upstream> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| GatewayError::Network(e.to_string()))?;
        let mut base = url.as_str().trim_end_matches('/').to_string();
        if let Some(q) = base.find(['?', '#']) {
            base.truncate(q);
        }
        Ok(Upstream { client, base })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The upstream URL for a request's path and query (which start with `/`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base, path_and_query)
    }

    async fn call(&self, rb: reqwest::RequestBuilder) -> Result<Bytes, Failure> {
        let res = rb
            .send()
            .await
            .map_err(|e| Failure::Network(describe(&e)))?;
        let status = res.status().as_u16();
        let body = res
            .bytes()
            .await
            .map_err(|e| Failure::Network(describe(&e)))?;
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(Failure::Status { status, body })
        }
    }

    fn data<T: serde::de::DeserializeOwned>(body: Bytes) -> Result<T, Failure> {
        match envelope::parse::<T>(&body) {
            Some(Envelope::Ok(v)) => Ok(v),
            _ => Err(Failure::Status { status: 502, body }),
        }
    }

    /// Password login; returns the session token.
    pub async fn login(&self, password: &str) -> Result<String, Failure> {
        let body = serde_json::json!({ "loginMethod": "password", "password": password });
        let rb = self
            .client
            .post(self.url("/account/login"))
            .header("content-type", "application/json")
            .body(body.to_string());
        #[derive(Deserialize)]
        struct Login {
            token: Option<String>,
        }
        let reply = self.call(rb).await?;
        let login: Login = Self::data(reply.clone())?;
        login.token.ok_or(Failure::Status {
            status: 400,
            body: reply,
        })
    }

    pub async fn validate(&self, session: &str) -> Result<UserInfo, Failure> {
        let rb = self
            .client
            .get(self.url("/account/validate"))
            .header("x-actual-token", session);
        Self::data(self.call(rb).await?)
    }

    pub async fn list_files(&self, session: &str) -> Result<Vec<RemoteFile>, Failure> {
        let rb = self
            .client
            .get(self.url("/sync/list-user-files"))
            .header("x-actual-token", session);
        Self::data(self.call(rb).await?)
    }
}

/// A transport error without the URL.
pub fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "HTTP exchange failed"
    };
    actual_protocol::error::with_root_cause(what, e)
}

/// Maps the sync ids (or cloud file ids) a user asked for onto `groupId`s of the
/// listing; unknown ids are an error naming the first one.
pub fn resolve_budgets(files: &[RemoteFile], wanted: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for w in wanted {
        let w = w.trim();
        let live = || files.iter().filter(|f| !f.is_deleted());
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
        return Err(GatewayError::Usage(
            "a token needs at least one budget (--budget SYNC_ID)".into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: &str, group: &str, deleted: bool) -> RemoteFile {
        RemoteFile {
            file_id: id.into(),
            group_id: Some(group.into()),
            name: None,
            deleted: serde_json::Value::Bool(deleted),
        }
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
        assert!(matches!(
            resolve_budgets(&files, &[]),
            Err(GatewayError::Usage(_))
        ));
    }

    #[test]
    fn url_joining_keeps_a_prefix() {
        let u = Upstream::new(&parse_url("https://example.test/actual/").unwrap()).unwrap();
        assert_eq!(
            u.url("/sync/sync?x=1"),
            "https://example.test/actual/sync/sync?x=1"
        );
        assert!(parse_url("ftp://x").is_err());
        assert!(parse_url("nonsense").is_err());
    }
}
