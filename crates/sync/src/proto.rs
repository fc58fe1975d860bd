//! The protobuf messages of `POST /sync/sync` (upstream `packages/crdt/src/proto/sync.proto`,
//! checked against the descriptor embedded in `@actual-app/crdt`), written by hand for prost.

/// `EncryptedData { bytes iv = 1; bytes authTag = 2; bytes data = 3; }`: the content of an
/// encrypted envelope; the plaintext of `data` is a protobuf [`Message`].
#[derive(Clone, PartialEq, prost::Message)]
pub struct EncryptedData {
    #[prost(bytes = "vec", tag = "1")]
    pub iv: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub auth_tag: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub data: Vec<u8>,
}

/// `Message { string dataset = 1; string row = 2; string column = 3; string value = 4; }`.
/// `value` is the serialised value (`0:`, `N:...`, `S:...`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Message {
    #[prost(string, tag = "1")]
    pub dataset: String,
    #[prost(string, tag = "2")]
    pub row: String,
    #[prost(string, tag = "3")]
    pub column: String,
    #[prost(string, tag = "4")]
    pub value: String,
}

/// `MessageEnvelope { string timestamp = 1; bool isEncrypted = 2; bytes content = 3; }`.
/// `content` is a [`Message`], or an [`EncryptedData`] when `is_encrypted`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MessageEnvelope {
    #[prost(string, tag = "1")]
    pub timestamp: String,
    #[prost(bool, tag = "2")]
    pub is_encrypted: bool,
    /// Decoded from a `Bytes` buffer, a slice of it rather than a copy.
    #[prost(bytes = "bytes", tag = "3")]
    pub content: bytes::Bytes,
}

/// `SyncRequest { repeated MessageEnvelope messages = 1; string fileId = 2;
/// string groupId = 3; string keyId = 5; string since = 6; }` (4 is reserved).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SyncRequest {
    #[prost(message, repeated, tag = "1")]
    pub messages: Vec<MessageEnvelope>,
    #[prost(string, tag = "2")]
    pub file_id: String,
    #[prost(string, tag = "3")]
    pub group_id: String,
    #[prost(string, tag = "5")]
    pub key_id: String,
    #[prost(string, tag = "6")]
    pub since: String,
}

/// `SyncResponse { repeated MessageEnvelope messages = 1; string merkle = 2; }`;
/// `merkle` is the server's trie as JSON text.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SyncResponse {
    #[prost(message, repeated, tag = "1")]
    pub messages: Vec<MessageEnvelope>,
    #[prost(string, tag = "2")]
    pub merkle: String,
}

/// [`SyncResponse`] with each envelope left undecoded (a length-delimited field reads the
/// same as `bytes`), so that the envelopes can be decoded apart, on several threads.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SyncResponseEnvelopes {
    #[prost(bytes = "bytes", repeated, tag = "1")]
    pub messages: Vec<bytes::Bytes>,
    #[prost(string, tag = "2")]
    pub merkle: String,
}
