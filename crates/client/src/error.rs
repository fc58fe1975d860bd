use actual_protocol::envelope::ServerError;
use thiserror::Error;

/// Declares [`ErrorKind`], its [`ErrorKind::name`]s and [`ErrorKind::ALL`] from one
/// list, so that a kind cannot be added without its name or left out of `ALL`.
macro_rules! error_kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// Which family of public error class a failure belongs to. The JS wrapper turns
        /// each kind into one class (scripts/error-table.js); the `code` says precisely
        /// what happened.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorKind {
            $($variant,)*
        }

        impl ErrorKind {
            /// Every kind, for the check that each has its JavaScript class.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant,)*];

            /// The kind's name in the error payload JavaScript reads.
            pub fn name(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $name,)*
                }
            }
        }
    };
}

error_kinds! {
    Config => "config",
    State => "state",
    Auth => "auth",
    TokenExpired => "token-expired",
    InvalidToken => "invalid-token",
    TokenScope => "token-scope",
    RateLimit => "rate-limit",
    Network => "network",
    BudgetNotFound => "budget-not-found",
    Encryption => "encryption",
    Download => "download",
    Sync => "sync",
    Filesystem => "filesystem",
    Api => "api",
    Type => "type",
    Unsupported => "unsupported",
}

/// What the server said when a request failed: HTTP status and the envelope's slugs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    pub status: Option<u16>,
    pub reason: Option<String>,
    pub details: Option<String>,
    pub retry_after: Option<u64>,
    /// An error envelope with neither a description nor a reason.
    pub unexplained: bool,
}

impl Reply {
    pub fn new(status: u16, server: ServerError) -> Self {
        Reply {
            status: Some(status),
            reason: server.reason,
            details: server.details,
            retry_after: None,
            unexplained: server.unexplained,
        }
    }
}

/// Every failure of the client. Messages are written for the person running the
/// script and never contain a password, session token, API token or key.
#[derive(Debug, Error)]
pub enum ClientError {
    #[error("{message}")]
    InvalidConfig { code: &'static str, message: String },
    #[error("not initialised: call init() first")]
    NotInitialized,
    #[error("{message}")]
    Auth {
        kind: ErrorKind,
        code: String,
        message: String,
        reply: Reply,
    },
    #[error("could not reach the server: {message}")]
    Network { message: String, reply: Reply },
    #[error("budget \"{sync_id}\" not found; check the sync id of your budget in the Advanced section of the settings page")]
    BudgetNotFound { sync_id: String, reply: Reply },
    #[error("budget \"{name}\" is encrypted; pass its encryption password: downloadBudget(syncId, {{ password }})")]
    MissingKey { name: String },
    #[error("the encryption password is wrong, or the encrypted data was altered")]
    DecryptFailure,
    #[error("{message}")]
    Download {
        code: &'static str,
        message: String,
        reply: Reply,
    },
    #[error("{message}")]
    Sync {
        code: String,
        message: String,
        reply: Reply,
    },
    #[error("{action} {path}: {source}")]
    Filesystem {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },
    /// A bug: the work of `operation` panicked (it was rolled back as the panic unwound).
    #[error(
        "{operation} failed on an internal error (a bug in actual-api-native; please report it)"
    )]
    Internal { operation: String },
    /// A read or write on the open budget failed (bad arguments, a budget from another
    /// version, a case the native engine does not take).
    #[error("{0}")]
    Budget(#[from] actual_budget::BudgetError),
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;

impl ClientError {
    pub fn config(code: &'static str, message: impl Into<String>) -> Self {
        ClientError::InvalidConfig {
            code,
            message: message.into(),
        }
    }

    pub fn download(code: &'static str, message: impl Into<String>) -> Self {
        ClientError::Download {
            code,
            message: message.into(),
            reply: Reply::default(),
        }
    }

    pub fn fs(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        ClientError::Filesystem {
            action,
            path: path.display().to_string(),
            source,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            ClientError::InvalidConfig { .. } => ErrorKind::Config,
            ClientError::NotInitialized => ErrorKind::State,
            ClientError::Auth { kind, .. } => *kind,
            ClientError::Network { .. } => ErrorKind::Network,
            ClientError::BudgetNotFound { .. } => ErrorKind::BudgetNotFound,
            ClientError::MissingKey { .. } | ClientError::DecryptFailure => ErrorKind::Encryption,
            ClientError::Download { .. } => ErrorKind::Download,
            ClientError::Sync { .. } => ErrorKind::Sync,
            ClientError::Filesystem { .. } => ErrorKind::Filesystem,
            ClientError::Internal { .. } => ErrorKind::State,
            ClientError::Budget(e) => budget_kind(e),
        }
    }

    /// The stable public code; upstream's wherever upstream has one.
    pub fn code(&self) -> &str {
        match self {
            ClientError::InvalidConfig { code, .. } => code,
            ClientError::NotInitialized => "not-initialized",
            ClientError::Auth { code, .. } => code,
            ClientError::Network { .. } => "network-failure",
            ClientError::BudgetNotFound { .. } => "budget-not-found",
            ClientError::MissingKey { .. } => "missing-key",
            ClientError::DecryptFailure => "decrypt-failure",
            ClientError::Download { code, .. } => code,
            ClientError::Sync { code, .. } => code,
            ClientError::Filesystem { .. } => "filesystem-error",
            ClientError::Internal { .. } => "internal-error",
            ClientError::Budget(e) => e.code(),
        }
    }

    /// The JavaScript error `name` upstream gives this error where it differs from the
    /// class name (see [`actual_budget::BudgetError::js_name`]).
    pub fn js_name(&self) -> Option<&'static str> {
        match self {
            ClientError::Budget(e) => e.js_name(),
            _ => None,
        }
    }

    /// The `meta` upstream's APIError carries, when it has one.
    pub fn meta(&self) -> Option<&serde_json::Value> {
        match self {
            ClientError::Budget(e) => e.meta(),
            _ => None,
        }
    }

    pub fn reply(&self) -> Option<&Reply> {
        match self {
            ClientError::Auth { reply, .. }
            | ClientError::Network { reply, .. }
            | ClientError::BudgetNotFound { reply, .. }
            | ClientError::Download { reply, .. }
            | ClientError::Sync { reply, .. } => Some(reply),
            _ => None,
        }
    }
}

fn budget_kind(e: &actual_budget::BudgetError) -> ErrorKind {
    use actual_budget::BudgetError as B;
    match e {
        B::Api(_) | B::ApiWithMeta { .. } => ErrorKind::Api,
        B::TypeError(_) => ErrorKind::Type,
        B::InvalidArgument { .. } | B::Thrown { .. } | B::UnknownMethod(_) => ErrorKind::Config,
        B::UnsupportedBudget { .. } | B::Sync(_) => ErrorKind::Sync,
        B::Unsupported(_) => ErrorKind::Unsupported,
        B::Sqlite(_) => ErrorKind::State,
    }
}

impl From<actual_protocol::ProtocolError> for ClientError {
    fn from(e: actual_protocol::ProtocolError) -> Self {
        match e {
            actual_protocol::ProtocolError::DecryptFailure => ClientError::DecryptFailure,
            other => ClientError::download("invalid-encrypt-meta", other.to_string()),
        }
    }
}

impl From<actual_sync::SyncError> for ClientError {
    fn from(e: actual_sync::SyncError) -> Self {
        match e {
            actual_sync::SyncError::DecryptFailure { .. } => ClientError::DecryptFailure,
            other => ClientError::Sync {
                code: other.code().to_string(),
                message: format!("syncing the budget failed: {other}"),
                reply: Reply::default(),
            },
        }
    }
}

impl From<rusqlite::Error> for ClientError {
    fn from(e: rusqlite::Error) -> Self {
        actual_sync::SyncError::from(e).into()
    }
}
