//! The one error type of this crate. Every variant has a stable kebab-case [`SyncError::code`].

use thiserror::Error;

/// Everything that can go wrong while syncing. `code()` is the public contract.
#[derive(Debug, Error)]
pub enum SyncError {
    /// A timestamp string did not parse (upstream `Timestamp.InvalidError`).
    #[error("timestamp is not valid: {0}")]
    InvalidTimestamp(String),
    /// The clock would drift too far ahead of the physical clock (upstream `ClockDriftError`,
    /// sync reason `clock-drift`).
    #[error("maximum clock drift exceeded")]
    ClockDrift,
    /// The logical counter would exceed 0xFFFF (upstream `OverflowError`).
    #[error("timestamp counter overflow")]
    ClockOverflow,
    /// A message value is not `0:`, `N:...` or `S:...`.
    #[error("invalid type key for value: {0}")]
    InvalidValue(String),
    /// The merkle trie JSON (ours in `messages_clock` or the server's) is malformed.
    #[error("invalid merkle trie: {0}")]
    InvalidMerkle(String),
    /// `messages_clock.clock` holds JSON we cannot use.
    #[error("invalid clock in messages_clock: {0}")]
    InvalidClock(String),
    /// A message names a table/column the database does not have, or the row could not be
    /// written (upstream `SyncError('invalid-schema')`). Nothing was applied.
    #[error("could not apply message to {dataset}.{column} (row {row}): {message}")]
    InvalidSchema {
        dataset: String,
        row: String,
        column: String,
        message: String,
    },
    /// A protobuf payload could not be decoded.
    #[error("could not decode sync payload: {0}")]
    Decode(#[from] prost::DecodeError),
    /// An encrypted message could not be decrypted (upstream reason `decrypt-failure`).
    #[error("could not decrypt sync message{}", if *missing_key { " (no key loaded)" } else { "" })]
    DecryptFailure { missing_key: bool },
    /// A local message could not be encrypted (upstream reason `encrypt-failure`).
    #[error("could not encrypt sync message{}", if *missing_key { " (no key loaded)" } else { "" })]
    EncryptFailure { missing_key: bool },
    /// The local merkle never converged with the server's (upstream reason `out-of-sync`).
    #[error(
        "out of sync: merkle trie still differs after {attempts} attempts (diff at {diff_time})"
    )]
    OutOfSync { attempts: u32, diff_time: i64 },
    /// Any other SQLite failure (reading messages, writing messages_crdt/messages_clock).
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl SyncError {
    /// Stable kebab-case code of the variant (matches upstream's reason where it has one).
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::InvalidTimestamp(_) => "invalid-timestamp",
            SyncError::ClockDrift => "clock-drift",
            SyncError::ClockOverflow => "clock-overflow",
            SyncError::InvalidValue(_) => "invalid-value",
            SyncError::InvalidMerkle(_) => "invalid-merkle",
            SyncError::InvalidClock(_) => "invalid-clock",
            SyncError::InvalidSchema { .. } => "invalid-schema",
            SyncError::Decode(_) => "invalid-sync-payload",
            SyncError::DecryptFailure { .. } => "decrypt-failure",
            SyncError::EncryptFailure { .. } => "encrypt-failure",
            SyncError::OutOfSync { .. } => "out-of-sync",
            SyncError::Sqlite(_) => "database-error",
        }
    }
}
