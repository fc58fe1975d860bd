//! The API-token gateway: a reverse proxy in front of an unmodified Actual
//! sync-server that issues `act_` tokens, checks and scopes them, and forwards
//! allowed requests with the token owner's real upstream session.
//!
//! Nothing here knows about Node: the napi layer calls [`cli::run`] and
//! [`request_shutdown`].

// Handlers return a ready reply as their error value; boxing it buys nothing.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod cli;
pub mod error;
pub mod issue;
pub mod proto;
pub mod ratelimit;
pub mod registry;
pub mod scope;
pub mod seal;
pub mod server;
pub mod store;
pub mod time;
pub mod upstream;

pub use error::GatewayError;

use std::sync::LazyLock;
use tokio::sync::watch;

static SHUTDOWN: LazyLock<watch::Sender<bool>> = LazyLock::new(|| watch::channel(false).0);

/// Asks a running `serve` (started through [`cli::run`]) to stop gracefully:
/// stop accepting, finish in-flight requests, flush `last_used_at`.
pub fn request_shutdown() {
    SHUTDOWN.send_replace(true);
}

/// Resolves once [`request_shutdown`] has been called (after the last reset).
pub(crate) async fn shutdown_requested() {
    let mut rx = SHUTDOWN.subscribe();
    let _ = rx.wait_for(|stop| *stop).await;
}

pub(crate) fn reset_shutdown() {
    SHUTDOWN.send_replace(false);
}
