//! One HTTP connection pool per signed-in client, and the mapping of failed replies
//! to typed errors.

use bytes::Bytes;
use std::time::{Duration, Instant};

use actual_protocol::endpoint::{self, Endpoint};
use actual_protocol::envelope::{self, Envelope};
use actual_protocol::transport;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::config::SessionConfig;
use crate::error::{ErrorKind, Reply, Result, SessionError};

pub use actual_protocol::Secret;

const MAX_ATTEMPTS: u32 = 3;

/// Which kind of credential a request carries; decides how a 401 is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Password,
    SessionToken,
    ApiToken,
}

#[derive(Debug)]
pub struct Http {
    client: reqwest::Client,
    base: Url,
    verbose: bool,
}

/// A failed reply that is not about credentials, for the caller to name.
pub type OnError = fn(Reply) -> SessionError;

/// A request to one endpoint of the table, being built: the endpoint says how it is
/// sent (retries, reply size), so its path is named once.
pub struct Call {
    endpoint: &'static Endpoint,
    builder: RequestBuilder,
}

impl Call {
    pub fn header<K, V>(self, key: K, value: V) -> Call
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        Call {
            builder: self.builder.header(key, value),
            ..self
        }
    }

    pub fn body(self, body: impl Into<reqwest::Body>) -> Call {
        Call {
            builder: self.builder.body(body),
            ..self
        }
    }
}

fn method_of(endpoint: &Endpoint) -> Method {
    match endpoint.method {
        endpoint::Method::Get => Method::GET,
        endpoint::Method::Post => Method::POST,
    }
}

impl Http {
    pub fn new(config: &SessionConfig) -> Result<Self> {
        transport::install_crypto_provider();
        let client = reqwest::Client::builder()
            .tls_certs_merge(extra_ca_certs()?)
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .user_agent(concat!("actual-api-native/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| network_error(&e))?;
        Ok(Http {
            client,
            base: config.server_url.clone(),
            verbose: config.verbose,
        })
    }

    pub fn log(&self, message: impl AsRef<str>) {
        if self.verbose {
            eprintln!("[actual-api-native] {}", message.as_ref());
        }
    }

    pub fn request(&self, endpoint: &'static Endpoint, token: Option<&Secret>) -> Call {
        // Paths are the table's constants, so joining cannot fail.
        let url = self.base.join(endpoint.path).expect("static path");
        let mut rb = self.client.request(method_of(endpoint), url);
        if let Some(token) = token {
            let mut headers = HeaderMap::new();
            let mut value =
                HeaderValue::from_str(token.expose()).unwrap_or(HeaderValue::from_static(""));
            value.set_sensitive(true);
            headers.insert(endpoint::TOKEN_HEADER, value);
            rb = rb.headers(headers);
        }
        Call {
            endpoint,
            builder: rb,
        }
    }

    /// Sends a request and returns the body of a 2xx reply (at most the endpoint's
    /// reply size). Credential problems become auth errors; other failures go through
    /// `on_error`. Idempotent endpoints (the GETs) are retried a few times with backoff
    /// after a failed connection or a 502/503/504; nothing else is retried.
    pub async fn send(&self, call: Call, method: AuthMethod, on_error: OnError) -> Result<Bytes> {
        let Call {
            endpoint,
            builder: mut rb,
        } = call;
        let path = endpoint.path;
        let limit = endpoint.reply.limit();
        let idempotent = endpoint.idempotent;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let retry = if idempotent && attempt < MAX_ATTEMPTS {
                rb.try_clone()
            } else {
                None
            };
            let started = Instant::now();
            let outcome = rb.send().await;
            let retryable = match &outcome {
                Err(e) => e.is_connect(),
                Ok(r) => matches!(r.status().as_u16(), 502..=504),
            };
            if let (true, Some(next)) = (retryable, retry) {
                self.log(format!(
                    "{path} failed, retrying (attempt {attempt} of {MAX_ATTEMPTS})"
                ));
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                rb = next;
                continue;
            }
            let response = outcome.map_err(|e| network_error(&e))?;
            let status = response.status();
            self.log(format!(
                "{path} -> {} ({} ms)",
                status.as_u16(),
                started.elapsed().as_millis()
            ));
            if status.is_success() {
                return read_capped(response, limit).await;
            }
            return Err(self.failure(response, method, on_error).await);
        }
    }

    /// Like `send`, then parses the JSON envelope's `data`.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        call: Call,
        method: AuthMethod,
        on_error: OnError,
    ) -> Result<T> {
        let body = self.send(call, method, on_error).await?;
        match envelope::parse::<T>(&body) {
            Some(Envelope::Ok(data)) => Ok(data),
            Some(Envelope::Error(server)) => {
                let reply = Reply::new(200, server);
                Err(classify(&reply, method).unwrap_or_else(|| on_error(reply)))
            }
            None => Err(on_error(Reply {
                status: Some(200),
                reason: Some("invalid-response".into()),
                ..Reply::default()
            })),
        }
    }

    async fn failure(
        &self,
        response: Response,
        method: AuthMethod,
        on_error: OnError,
    ) -> SessionError {
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        // Error bodies are small; a proxy's HTML page is read only to be dropped.
        let body = response.bytes().await.unwrap_or_default();
        let mut reply = Reply::new(status.as_u16(), envelope::parse_error(&body));
        reply.retry_after = retry_after;
        if let Some(e) = classify(&reply, method) {
            return e;
        }
        if status.is_server_error() {
            return SessionError::Network {
                message: format!(
                    "the server answered {}{}",
                    status.as_u16(),
                    status
                        .canonical_reason()
                        .map(|r| format!(" {r}"))
                        .unwrap_or_default()
                ),
                reply,
            };
        }
        on_error(reply)
    }
}

/// Reads a body chunk by chunk, refusing it once it passes `limit`.
async fn read_capped(mut response: Response, limit: usize) -> Result<Bytes> {
    let declared = response.content_length().unwrap_or(0) as usize;
    if declared > limit {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::with_capacity(declared);
    while let Some(chunk) = response.chunk().await.map_err(|e| network_error(&e))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn too_large() -> SessionError {
    SessionError::download(
        "response-too-large",
        "the server sent a reply far larger than any budget",
    )
}

/// Node users add private CAs with NODE_EXTRA_CA_CERTS; honour it as Node does.
fn extra_ca_certs() -> Result<Vec<reqwest::Certificate>> {
    let Some(path) = std::env::var_os("NODE_EXTRA_CA_CERTS").filter(|p| !p.is_empty()) else {
        return Ok(Vec::new());
    };
    let path = std::path::PathBuf::from(path);
    let pem = std::fs::read(&path)
        .map_err(|e| SessionError::fs("cannot read NODE_EXTRA_CA_CERTS file", &path, e))?;
    reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| {
        SessionError::config(
            "invalid-config",
            format!(
                "NODE_EXTRA_CA_CERTS file {} holds no valid PEM certificate",
                path.display()
            ),
        )
    })
}

/// Turns a credential-related reply into the matching typed error; `None` when the
/// reply is about something else.
pub fn classify(reply: &Reply, method: AuthMethod) -> Option<SessionError> {
    let reason = reply.reason.as_deref().unwrap_or("");
    let details = reply.details.as_deref().unwrap_or("");
    let status = reply.status.unwrap_or(0);
    let api = method == AuthMethod::ApiToken;
    let (kind, code, message) = match (reason, details) {
        ("invalid-password", _) => (ErrorKind::Auth, "invalid-password", "the server password is wrong"),
        ("token-scope-error", _) => (
            ErrorKind::TokenScope,
            "token-scope-error",
            "the API token does not have access to this budget",
        ),
        ("token-read-only", _) => (
            ErrorKind::TokenScope,
            "token-read-only",
            "the API token is read-only and cannot change this budget",
        ),
        ("forbidden-auth-method", _) => (
            ErrorKind::TokenScope,
            "forbidden-auth-method",
            "an API token cannot be used for this request",
        ),
        ("too-many-requests", _) => (
            ErrorKind::RateLimit,
            "too-many-requests",
            "too many failed attempts; wait before trying again",
        ),
        (_, "upstream-session-expired") => (
            ErrorKind::Auth,
            "upstream-session-expired",
            "the token gateway's session with the Actual server has expired; the token owner must sign in again",
        ),
        ("token-expired", _) if api => (ErrorKind::TokenExpired, "token-expired", "the API token has expired"),
        ("token-expired", _) => (
            ErrorKind::TokenExpired,
            "token-expired",
            "the session token has expired; sign in again",
        ),
        (_, "api-token-disabled") => (ErrorKind::InvalidToken, "invalid-token", "the API token has been disabled"),
        (_, "invalid-api-token") => (
            ErrorKind::InvalidToken,
            "invalid-token",
            "the API token is not valid (unknown or revoked)",
        ),
        ("unauthorized", _) if api => (
            ErrorKind::InvalidToken,
            "invalid-token",
            "the server does not accept this API token; is it reached through actual-token-gateway?",
        ),
        ("unauthorized", _) if method == AuthMethod::SessionToken => (
            ErrorKind::TokenExpired,
            "token-expired",
            "the session token is unknown or has expired; sign in again",
        ),
        ("unauthorized", _) => (ErrorKind::Auth, "unauthorized", "the server refused the credentials"),
        _ if status == StatusCode::TOO_MANY_REQUESTS.as_u16() => (
            ErrorKind::RateLimit,
            "too-many-requests",
            "the server is rate-limiting requests; wait before trying again",
        ),
        _ => return None,
    };
    Some(SessionError::Auth {
        kind,
        code: code.to_string(),
        message: message.to_string(),
        reply: reply.clone(),
    })
}

/// Describes a transport failure without the URL (which may carry a path we do not
/// want to repeat) and without any header.
pub fn network_error(e: &reqwest::Error) -> SessionError {
    SessionError::Network {
        message: transport::describe(e),
        reply: Reply::default(),
    }
}
