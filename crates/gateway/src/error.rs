use thiserror::Error;

/// Errors of the gateway's CLI and store. Messages never carry a token, a password
/// or a session token.
#[derive(Debug, Error)]
pub enum GatewayError {
    #[error("{0}")]
    Usage(String),
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

    /// The CLI's exit code: 2 for usage mistakes, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            GatewayError::Usage(_) => 2,
            _ => 1,
        }
    }
}

pub type Result<T, E = GatewayError> = std::result::Result<T, E>;
