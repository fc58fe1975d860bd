//! What both sides of the Actual wire share: the endpoint table, the server's reply
//! types, the URL rule, JSON envelopes, token format, key derivation, AES-GCM, how
//! a failed HTTP exchange is described, and the CRDT timestamps messages carry. Knows nothing of Node or of servers.

pub mod crypto;
pub mod endpoint;
pub mod envelope;
pub mod error;
pub mod files;
pub mod murmur;
pub mod secret;
pub mod timestamp;
pub mod token;
pub mod transport;
pub mod url;

pub use error::ProtocolError;
pub use secret::Secret;
