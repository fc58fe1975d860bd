//! The one error type of this crate. Every variant has a stable kebab-case
//! [`BudgetError::code`].

use thiserror::Error;

#[derive(Debug, Error)]
pub enum BudgetError {
    /// What upstream rejects with an `APIError` (`{ type: 'APIError', message }`); the
    /// message is upstream's, word for word.
    #[error("{0}")]
    Api(String),
    /// An `APIError` that carries upstream's `meta` as well (createRule's and
    /// updateRule's `{ conditionErrors, actionErrors }`).
    #[error("{message}")]
    ApiWithMeta {
        message: String,
        meta: serde_json::Value,
    },
    /// An argument upstream would reject with an error of its own (its message kept),
    /// or one this crate cannot take.
    #[error("{message}")]
    InvalidArgument { code: &'static str, message: String },
    /// What upstream throws as a plain JavaScript error rather than an APIError (the AQL
    /// compiler's `CompileError`s, SQLite's errors): the error's `name` and its message
    /// word for word; `code` is upstream's where it has one (SQLite's `SQLITE_ERROR`).
    #[error("{message}")]
    Thrown {
        name: &'static str,
        code: &'static str,
        message: String,
    },
    /// What upstream's handler fails with as a JavaScript `TypeError` (an argument of a
    /// type it does not check, such as `month.match` on a number); the message is the
    /// one V8 gives.
    #[error("{0}")]
    TypeError(String),
    /// No read of that name.
    #[error("no native method named {0}")]
    UnknownMethod(String),
    /// The database was written by a client other than the one these reads were written
    /// for (`code` says newer or older).
    #[error("{message}")]
    UnsupportedBudget { code: &'static str, message: String },
    /// The database holds something these reads cannot answer for exactly (the case is
    /// named); the call is rejected (`UnsupportedError` in JavaScript).
    #[error("not supported natively: {0}")]
    Unsupported(String),
    /// Stamping or applying a change failed (clock drift, a schema the message does
    /// not fit); nothing of the call was kept.
    #[error("{0}")]
    Sync(actual_sync::SyncError),
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl From<actual_sync::SyncError> for BudgetError {
    fn from(e: actual_sync::SyncError) -> Self {
        match e {
            actual_sync::SyncError::Sqlite(e) => BudgetError::Sqlite(e),
            other => BudgetError::Sync(other),
        }
    }
}

impl BudgetError {
    pub fn api(message: impl Into<String>) -> Self {
        BudgetError::Api(message.into())
    }

    pub fn api_with_meta(message: impl Into<String>, meta: serde_json::Value) -> Self {
        BudgetError::ApiWithMeta {
            message: message.into(),
            meta,
        }
    }

    /// The `meta` of an APIError that has one.
    pub fn meta(&self) -> Option<&serde_json::Value> {
        match self {
            BudgetError::ApiWithMeta { meta, .. } => Some(meta),
            _ => None,
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        BudgetError::InvalidArgument {
            code,
            message: message.into(),
        }
    }

    /// What upstream throws as a plain `Error` (about an argument or the data).
    pub fn plain(message: impl Into<String>) -> Self {
        BudgetError::thrown("Error", "invalid-argument", message)
    }

    pub fn thrown(name: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        BudgetError::Thrown {
            name,
            code,
            message: message.into(),
        }
    }

    /// The JavaScript error `name` upstream's error has, where it is not the name of
    /// the class the error kind maps to.
    pub fn js_name(&self) -> Option<&'static str> {
        match self {
            BudgetError::Thrown { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Stable kebab-case code of the variant.
    pub fn code(&self) -> &str {
        match self {
            BudgetError::Api(_) | BudgetError::ApiWithMeta { .. } => "api-error",
            BudgetError::InvalidArgument { code, .. } => code,
            BudgetError::Thrown { code, .. } => code,
            BudgetError::TypeError(_) => "type-error",
            BudgetError::UnknownMethod(_) => "unknown-method",
            BudgetError::UnsupportedBudget { code, .. } => code,
            BudgetError::Unsupported(_) => "unsupported-feature",
            BudgetError::Sync(e) => e.code(),
            BudgetError::Sqlite(_) => "database-error",
        }
    }
}

/// Result alias used throughout the crate.
pub type Result<T, E = BudgetError> = std::result::Result<T, E>;
