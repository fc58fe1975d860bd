//! The API-token gateway as a library: a reverse proxy in front of an unmodified
//! Actual sync-server that issues `act_` tokens, checks and scopes them, and forwards
//! allowed requests with the token owner's real upstream session; `/api-tokens` and
//! the token page manage them.
//!
//! Nothing here knows about Node: the npm package's addon and the standalone
//! executable both call [`cli::run`] and [`request_shutdown`].
//!
//! Requests flow `serve` -> `page` | `api` | `proxy`; all of them use `app` (state and
//! the token check), `reply`, `body` and `extract`; `proxy` forwards with `forward`.

// Handlers return a ready reply as their error value; boxing it buys nothing.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod app;
pub mod body;
pub mod cli;
pub mod error;
pub mod extract;
pub mod forward;
pub mod issue;
pub mod keys;
pub mod manage;
pub mod page;
pub mod private_fs;
pub mod proto;
pub mod proxy;
pub mod ratelimit;
pub mod registry;
pub mod reply;
pub mod scope;
pub mod seal;
pub mod serve;
pub mod sessions;
pub mod store;
pub mod time;
pub mod upstream;
pub mod websession;

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
