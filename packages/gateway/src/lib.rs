//! The napi layer of the `actual-token-gateway` npm package: two exports for
//! `bin/actual-token-gateway.js`. All logic lives in `crates/gateway`; signals are
//! caught in JS, which calls `gatewayStop`.

use napi_derive::napi;

/// Runs `actual-token-gateway <argv...>`; resolves to the process exit code.
#[napi]
pub async fn gateway_cli(argv: Vec<String>) -> i32 {
    actual_gateway::cli::run(argv).await
}

/// Asks a running `serve` to stop gracefully (finish open requests, flush).
#[napi]
pub fn gateway_stop() {
    actual_gateway::request_shutdown();
}
