//! What both sides of the Actual wire share: the endpoint table, the server's reply
//! types, the URL rule, JSON envelopes, token format, key derivation, AES-GCM and how
//! a failed HTTP exchange is described. Knows nothing of Node or of servers.

pub mod crypto;
pub mod endpoint;
pub mod envelope;
pub mod error;
pub mod files;
pub mod secret;
pub mod token;
pub mod transport;
pub mod url;

pub use error::ProtocolError;
pub use secret::Secret;
