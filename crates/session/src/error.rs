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
pub enum SessionError {
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

pub type Result<T, E = SessionError> = std::result::Result<T, E>;

impl SessionError {
    pub fn config(code: &'static str, message: impl Into<String>) -> Self {
        SessionError::InvalidConfig {
            code,
            message: message.into(),
        }
    }

    pub fn download(code: &'static str, message: impl Into<String>) -> Self {
        SessionError::Download {
            code,
            message: message.into(),
            reply: Reply::default(),
        }
    }

    pub fn fs(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        SessionError::Filesystem {
            action,
            path: path.display().to_string(),
            source,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            SessionError::InvalidConfig { .. } => ErrorKind::Config,
            SessionError::NotInitialized => ErrorKind::State,
            SessionError::Auth { kind, .. } => *kind,
            SessionError::Network { .. } => ErrorKind::Network,
            SessionError::BudgetNotFound { .. } => ErrorKind::BudgetNotFound,
            SessionError::MissingKey { .. } | SessionError::DecryptFailure => ErrorKind::Encryption,
            SessionError::Download { .. } => ErrorKind::Download,
            SessionError::Sync { .. } => ErrorKind::Sync,
            SessionError::Filesystem { .. } => ErrorKind::Filesystem,
            SessionError::Internal { .. } => ErrorKind::State,
            SessionError::Budget(e) => budget_kind(e),
        }
    }

    /// The stable public code; upstream's wherever upstream has one.
    pub fn code(&self) -> &str {
        match self {
            SessionError::InvalidConfig { code, .. } => code,
            SessionError::NotInitialized => "not-initialized",
            SessionError::Auth { code, .. } => code,
            SessionError::Network { .. } => "network-failure",
            SessionError::BudgetNotFound { .. } => "budget-not-found",
            SessionError::MissingKey { .. } => "missing-key",
            SessionError::DecryptFailure => "decrypt-failure",
            SessionError::Download { code, .. } => code,
            SessionError::Sync { code, .. } => code,
            SessionError::Filesystem { .. } => "filesystem-error",
            SessionError::Internal { .. } => "internal-error",
            SessionError::Budget(e) => e.code(),
        }
    }

    /// The JavaScript error `name` upstream gives this error where it differs from the
    /// class name (see [`actual_budget::BudgetError::js_name`]).
    pub fn js_name(&self) -> Option<&'static str> {
        match self {
            SessionError::Budget(e) => e.js_name(),
            _ => None,
        }
    }

    /// The `meta` upstream's APIError carries, when it has one.
    pub fn meta(&self) -> Option<&serde_json::Value> {
        match self {
            SessionError::Budget(e) => e.meta(),
            _ => None,
        }
    }

    pub fn reply(&self) -> Option<&Reply> {
        match self {
            SessionError::Auth { reply, .. }
            | SessionError::Network { reply, .. }
            | SessionError::BudgetNotFound { reply, .. }
            | SessionError::Download { reply, .. }
            | SessionError::Sync { reply, .. } => Some(reply),
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

impl From<actual_protocol::ProtocolError> for SessionError {
    fn from(e: actual_protocol::ProtocolError) -> Self {
        match e {
            actual_protocol::ProtocolError::DecryptFailure => SessionError::DecryptFailure,
            other => SessionError::download("invalid-encrypt-meta", other.to_string()),
        }
    }
}

impl From<actual_sync::SyncError> for SessionError {
    fn from(e: actual_sync::SyncError) -> Self {
        match e {
            actual_sync::SyncError::DecryptFailure { .. } => SessionError::DecryptFailure,
            other => SessionError::Sync {
                code: other.code().to_string(),
                message: format!("syncing the budget failed: {other}"),
                reply: Reply::default(),
            },
        }
    }
}

impl From<rusqlite::Error> for SessionError {
    fn from(e: rusqlite::Error) -> Self {
        actual_sync::SyncError::from(e).into()
    }
}
