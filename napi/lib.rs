//! The napi layer: `#[napi]` exports only. Protocol and client logic live in
//! `crates/`; this file converts arguments and errors at the boundary. `allocator.rs`
//! names the addon's own allocator.

mod allocator;
mod errors;
mod native_session;
// Test-only (`__test__/rules.test.js`), only in the test build: not in the published addon.
#[cfg(feature = "test-rules")]
mod rules_testing;
