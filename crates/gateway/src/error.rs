use thiserror::Error;

/// Errors of the gateway's CLI, store and token management. Messages never carry a
/// token, a password, a session or the gateway key. Each variant has a stable
/// [`code`](GatewayError::code).
#[derive(Debug, Error)]
pub enum GatewayError {
    #[error("{0}")]
    Usage(String),
    /// A request that breaks a token rule (a bad name, no budget, a past expiry);
    /// `code` is the `details` slug `/api-tokens` answers with.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{0}")]
    Config(String),
    #[error("token database error: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot reach the Actual server: {0}")]
    Network(String),
    #[error("the Actual server refused the request ({status}{})", reason.as_deref().map(|r| format!(", {r}")).unwrap_or_default())]
    Upstream { status: u16, reason: Option<String> },
    #[error("no budget with sync id {0} on the Actual server (see Settings > Advanced > Sync ID)")]
    BudgetNotFound(String),
    #[error("no token with id or prefix {0}")]
    TokenNotFound(String),
    #[error("the operating system's random generator failed")]
    Random,
}

impl GatewayError {
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        GatewayError::Io {
            what: what.into(),
            source,
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        GatewayError::Invalid {
            code,
            message: message.into(),
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            GatewayError::Usage(_) => "usage",
            GatewayError::Invalid { code, .. } => code,
            GatewayError::Config(_) => "config",
            GatewayError::Store(_) => "store",
            GatewayError::Io { .. } => "io",
            GatewayError::Network(_) => "upstream-unavailable",
            GatewayError::Upstream { .. } => "upstream-refused",
            GatewayError::BudgetNotFound(_) => "budget-not-found",
            GatewayError::TokenNotFound(_) => "token-not-found",
            GatewayError::Random => "random-failure",
        }
    }

    /// The CLI's exit code: 2 for usage mistakes, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            GatewayError::Usage(_) | GatewayError::Invalid { .. } => 2,
            _ => 1,
        }
    }
}

pub type Result<T, E = GatewayError> = std::result::Result<T, E>;
