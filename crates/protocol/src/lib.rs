//! What both sides of the Actual wire share. Knows nothing of Node, HTTP clients or
//! servers: plain data types and pure functions, tested by `cargo test`.

pub mod crypto;
pub mod envelope;
pub mod error;
pub mod token;

pub use error::ProtocolError;
