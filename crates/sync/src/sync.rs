//! A transport-agnostic full sync, mirroring upstream `_fullSync`: build a request,
//! let the caller POST it to `/sync/sync`, hand the reply back, repeat while the merkle
//! tries differ (bounded as upstream: out-of-sync after 10 rounds stuck on the same diff
//! time, or 100 rounds in all).

use actual_protocol::crypto::BudgetKey;
use prost::Message as _;

use crate::apply::{messages_since, receive_messages_at, CrdtRow, Message, LARGE_BATCH_MESSAGES};
use crate::clock::Clock;
use crate::merkle::Trie;
use crate::proto;
use crate::value::Value;
use crate::{Result, SyncError};
use actual_protocol::timestamp::{now_millis, Timestamp};

/// Content type of `POST /sync/sync` bodies.
pub const CONTENT_TYPE: &str = "application/actual-sync";
/// The largest `/sync/sync` body we send at first: the server refuses bodies past its
/// `upload.fileSizeSyncLimitMB` (20 MB by default), so a larger set of local messages
/// goes in several requests. A server configured lower answers 413, and the request is
/// made again at half the size (see [`FullSync::retry_smaller`]).
pub const DEFAULT_REQUEST_BYTES: usize = 8 << 20;
/// Requests are never made smaller than this.
const MIN_REQUEST_BYTES: usize = 64 << 10;

/// Upstream gives up after this many rounds stuck on the same diff time...
pub const MAX_SAME_DIFF_ROUNDS: u32 = 10;
/// ...or after this many rounds in all.
pub const MAX_ROUNDS: u32 = 100;

/// Encodes a `SyncRequest` (upstream `encoder.encode`). With `key_id` set every message is
/// encrypted with `key` (AES-256-GCM) into an `EncryptedData`; `key_id` goes out as
/// `keyId` (empty when `None`).
pub fn encode_request(
    file_id: &str,
    group_id: &str,
    key_id: Option<&str>,
    since: &str,
    messages: &[CrdtRow],
    key: Option<&BudgetKey>,
) -> Result<Vec<u8>> {
    let (body, _) =
        encode_request_within(file_id, group_id, key_id, since, messages, key, usize::MAX)?;
    Ok(body)
}

/// [`encode_request`] of the longest prefix of `messages` that keeps the body within
/// `limit` bytes (at least one message); also returns how many messages went in.
fn encode_request_within(
    file_id: &str,
    group_id: &str,
    key_id: Option<&str>,
    since: &str,
    messages: &[CrdtRow],
    key: Option<&BudgetKey>,
    limit: usize,
) -> Result<(Vec<u8>, usize)> {
    let mut req = proto::SyncRequest {
        messages: Vec::with_capacity(messages.len()),
        file_id: file_id.to_string(),
        group_id: group_id.to_string(),
        key_id: key_id.unwrap_or("").to_string(),
        since: since.to_string(),
    };
    let encrypt = key_id.is_some_and(|k| !k.is_empty());
    let mut size = req.encoded_len();
    for m in messages {
        let key = match (encrypt, key) {
            (false, _) => None,
            (true, Some(key)) => Some(key),
            (true, None) => return Err(SyncError::EncryptFailure { missing_key: true }),
        };
        let envelope = encode_envelope(m, key)?;
        // a repeated field: the envelope, its length and a one-byte tag
        let len = envelope.encoded_len();
        let added = len + prost::length_delimiter_len(len) + 1;
        if !req.messages.is_empty() && size + added > limit {
            break;
        }
        size += added;
        req.messages.push(envelope);
    }
    let taken = req.messages.len();
    Ok((req.encode_to_vec(), taken))
}

/// Encodes one message as a `MessageEnvelope`, encrypted into an `EncryptedData` when a
/// key is given (upstream `encoder.encode`, per message).
pub fn encode_envelope(m: &CrdtRow, key: Option<&BudgetKey>) -> Result<proto::MessageEnvelope> {
    let plain = proto::Message {
        dataset: m.dataset.clone(),
        row: m.row.clone(),
        column: m.column.clone(),
        value: m.value.clone(),
    }
    .encode_to_vec();
    let Some(key) = key else {
        return Ok(proto::MessageEnvelope {
            timestamp: m.timestamp.clone(),
            is_encrypted: false,
            content: plain.into(),
        });
    };
    let sealed = key
        .encrypt(&plain)
        .map_err(|_| SyncError::EncryptFailure { missing_key: false })?;
    let enc = proto::EncryptedData {
        iv: sealed.iv.to_vec(),
        auth_tag: sealed.auth_tag.to_vec(),
        data: sealed.data,
    };
    Ok(proto::MessageEnvelope {
        timestamp: m.timestamp.clone(),
        is_encrypted: true,
        content: enc.encode_to_vec().into(),
    })
}

/// Decodes one envelope into a [`Message`], decrypting it with `key` when it is encrypted.
pub fn decode_envelope(env: &proto::MessageEnvelope, key: Option<&BudgetKey>) -> Result<Message> {
    let msg = if env.is_encrypted {
        let enc = proto::EncryptedData::decode(env.content.as_ref())?;
        let key = key.ok_or(SyncError::DecryptFailure { missing_key: true })?;
        let plain = key
            .decrypt(&enc.iv, &enc.auth_tag, &enc.data)
            .map_err(|_| SyncError::DecryptFailure { missing_key: false })?;
        proto::Message::decode(plain.as_slice())?
    } else {
        proto::Message::decode(env.content.as_ref())?
    };
    Ok(Message {
        timestamp: Timestamp::parse(&env.timestamp)
            .ok_or_else(|| SyncError::InvalidTimestamp(env.timestamp.clone()))?,
        dataset: msg.dataset,
        row: msg.row,
        column: msg.column,
        value: Value::deserialize_received(msg.value),
    })
}

/// Decodes a `SyncResponse` (upstream `encoder.decode` plus `deserializeValue`): the
/// messages, and the server's merkle trie.
///
/// Given a `bytes::Bytes` body, each envelope's content is a slice of it, not a copy. A
/// large reply ([`LARGE_BATCH_MESSAGES`]) is decoded in two halves on two threads: it
/// arrives all at once, and its decoding is the step between the server's answer and
/// the writes.
pub fn decode_response(
    body: impl bytes::Buf,
    key: Option<&BudgetKey>,
) -> Result<(Vec<Message>, Trie)> {
    let res = proto::SyncResponseEnvelopes::decode(body)?;
    let merkle = Trie::from_json(&res.merkle)?;
    let decode_all = |envelopes: &[bytes::Bytes]| -> Result<Vec<Message>> {
        envelopes
            .iter()
            .map(|e| decode_envelope(&proto::MessageEnvelope::decode(e.clone())?, key))
            .collect()
    };
    let messages = if res.messages.len() >= LARGE_BATCH_MESSAGES {
        let (first, second) = res.messages.split_at(res.messages.len() / 2);
        std::thread::scope(|s| {
            let second = s.spawn(|| decode_all(second));
            let mut messages = decode_all(first)?;
            let second = second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            messages.extend(second);
            Ok::<_, SyncError>(messages)
        })?
    } else {
        decode_all(&res.messages)?
    };
    Ok((messages, merkle))
}

/// What identifies the budget on the server, from `metadata.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncParams {
    /// `cloudFileId`.
    pub file_id: String,
    /// `groupId` (the sync id).
    pub group_id: String,
    /// `encryptKeyId`, when the budget is end-to-end encrypted.
    pub key_id: Option<String>,
    /// `lastSyncedTimestamp`, if any.
    pub last_synced_timestamp: Option<String>,
}

/// The result of a completed full sync.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncOutcome {
    /// Request/response rounds made.
    pub rounds: u32,
    /// Local messages sent, over all rounds.
    pub sent: usize,
    /// Messages received from the server, over all rounds.
    pub received: usize,
    /// Messages written to tables (or prefs), over all rounds.
    pub applied: usize,
    /// Datasets touched, in first-seen order.
    pub tables: Vec<String>,
    /// Synced prefs to save into `metadata.json`, in order (later entries win).
    pub prefs: Vec<(String, Value)>,
    /// When `Some`, the caller saves it as `lastSyncedTimestamp` in `metadata.json`
    /// (upstream saves only when it changed).
    pub last_synced_timestamp: Option<String>,
}

/// What to do after [`FullSync::handle_response`].
#[derive(Clone, Debug, PartialEq)]
pub enum SyncStep {
    /// The tries still differ: build another request (its `since` is [`FullSync::since`]).
    Continue,
    /// In sync with the server.
    Done(SyncOutcome),
}

/// State of one full sync (upstream `fullSync` / `_fullSync`). Holds no borrow of the
/// connection, so a future can keep it across `.await`s:
///
/// ```text
/// let mut clock = load_clock(&conn)?;            // + reset_clock() if metadata.resetClock
/// let mut sync = FullSync::new(params);
/// loop {
///     let body = sync.build_request(&conn, &clock, key)?;
///     let reply = post("/sync/sync", body).await?;
///     match sync.handle_response(&conn, &mut clock, key, &reply)? {
///         SyncStep::Continue => continue,
///         SyncStep::Done(outcome) => break outcome,
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct FullSync {
    params: SyncParams,
    since: String,
    count: u32,
    prev_diff: Option<i64>,
    clock_at_request: Option<String>,
    outcome: SyncOutcome,
    /// The largest body to send (see [`DEFAULT_REQUEST_BYTES`]).
    request_limit: usize,
    /// Local messages up to this timestamp went out in this sync already.
    sent_upto: Option<String>,
    /// `sent_upto` before the last request, to make that request again smaller.
    sent_before: Option<String>,
    /// The last request left local messages for another one.
    more_to_send: bool,
}

impl FullSync {
    /// Starts a sync from `lastSyncedTimestamp`, or from five minutes ago when there is none.
    pub fn new(params: SyncParams) -> Self {
        Self::new_at(params, now_millis())
    }

    /// [`FullSync::new`] with an explicit physical time (ms).
    pub fn new_at(params: SyncParams, now: i64) -> Self {
        let since = match params.last_synced_timestamp.as_deref() {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => Timestamp::new(now - 5 * 60 * 1000, 0, "0").to_string(),
        };
        FullSync {
            params,
            since,
            count: 0,
            prev_diff: None,
            clock_at_request: None,
            outcome: SyncOutcome::default(),
            request_limit: DEFAULT_REQUEST_BYTES,
            sent_upto: None,
            sent_before: None,
            more_to_send: false,
        }
    }

    /// The server refused the last request as too large (413): makes the next one (the
    /// same messages again) half as large. False when it cannot get smaller.
    pub fn retry_smaller(&mut self) -> bool {
        if self.request_limit <= MIN_REQUEST_BYTES {
            return false;
        }
        self.request_limit = (self.request_limit / 2).max(MIN_REQUEST_BYTES);
        self.sent_upto = self.sent_before.clone();
        true
    }

    /// Sets the largest body to send.
    pub fn set_request_limit(&mut self, bytes: usize) {
        self.request_limit = bytes.max(MIN_REQUEST_BYTES);
    }

    /// A sync for a snapshot just downloaded. Without `lastSyncedTimestamp` the snapshot
    /// was uploaded before it ever synced (a new budget, or a sync reset, which starts a
    /// new group): everything its group holds came later, so this asks from the epoch.
    /// Upstream starts five minutes back and lets the merkle comparison walk back to the
    /// same messages, one more round when they are older than that.
    pub fn for_snapshot(params: SyncParams) -> Self {
        let mut sync = Self::new(params);
        if sync
            .params
            .last_synced_timestamp
            .as_deref()
            .is_none_or(str::is_empty)
        {
            sync.since = Timestamp::zero().to_string();
        }
        sync
    }

    /// The `since` of the next request.
    pub fn since(&self) -> &str {
        &self.since
    }

    /// Rounds completed so far.
    pub fn rounds(&self) -> u32 {
        self.outcome.rounds
    }

    /// The first `SyncRequest` body of a sync started before the local database is at
    /// hand: no local messages. Any the database holds after `since` make the tries
    /// differ after the reply, and the next round ([`FullSync::build_request`]) sends them.
    pub fn build_request_without_local_messages(
        &mut self,
        key: Option<&BudgetKey>,
    ) -> Result<Vec<u8>> {
        self.clock_at_request = None;
        self.encode(&[], key)
    }

    /// Builds the next `SyncRequest` body: the local messages after `since` (and after
    /// those this sync sent already), oldest first, as many as fit the request limit,
    /// encrypted with `key` when the budget has a key id.
    pub fn build_request(
        &mut self,
        conn: &rusqlite::Connection,
        clock: &Clock,
        key: Option<&BudgetKey>,
    ) -> Result<Vec<u8>> {
        self.clock_at_request = Some(clock.timestamp.to_string());
        let from = match &self.sent_upto {
            Some(sent) if sent.as_str() > self.since.as_str() => sent.as_str(),
            _ => self.since.as_str(),
        };
        let messages = messages_since(conn, from)?;
        let (body, taken) = encode_request_within(
            &self.params.file_id,
            &self.params.group_id,
            self.params.key_id.as_deref(),
            &self.since,
            &messages,
            key,
            self.request_limit,
        )?;
        self.outcome.sent += taken;
        self.more_to_send = taken < messages.len();
        self.sent_before = self.sent_upto.clone();
        if let Some(last) = messages[..taken].last() {
            self.sent_upto = Some(last.timestamp.clone());
        }
        Ok(body)
    }

    fn encode(&self, messages: &[CrdtRow], key: Option<&BudgetKey>) -> Result<Vec<u8>> {
        encode_request(
            &self.params.file_id,
            &self.params.group_id,
            self.params.key_id.as_deref(),
            &self.since,
            messages,
            key,
        )
    }

    /// Processes a `SyncResponse` body with the system time; see [`FullSync::handle_response_at`].
    pub fn handle_response(
        &mut self,
        conn: &rusqlite::Connection,
        clock: &mut Clock,
        key: Option<&BudgetKey>,
        body: impl bytes::Buf,
    ) -> Result<SyncStep> {
        self.handle_response_at(conn, clock, key, body, now_millis())
    }

    /// Decodes the reply, receives and applies its messages (one transaction), then
    /// compares the server's merkle trie with ours: equal means done; otherwise the next
    /// request starts at the diff time, unless the loop bound is hit (`out-of-sync`).
    pub fn handle_response_at(
        &mut self,
        conn: &rusqlite::Connection,
        clock: &mut Clock,
        key: Option<&BudgetKey>,
        body: impl bytes::Buf,
        now: i64,
    ) -> Result<SyncStep> {
        let (messages, server_merkle) = decode_response(body, key)?;
        self.outcome.rounds += 1;
        let local_time_changed = self
            .clock_at_request
            .as_deref()
            .is_some_and(|t| t != clock.timestamp.to_string());

        if !messages.is_empty() {
            self.outcome.received += messages.len();
            let applied = receive_messages_at(conn, clock, messages, now)?;
            self.outcome.applied += applied.applied.len();
            for t in applied.tables {
                if !self.outcome.tables.contains(&t) {
                    self.outcome.tables.push(t);
                }
            }
            self.outcome.prefs.extend(applied.prefs);
        }

        if std::mem::take(&mut self.more_to_send) {
            return Ok(SyncStep::Continue);
        }
        match server_merkle.diff(&clock.merkle) {
            Some(diff_time) => {
                if (self.count >= MAX_SAME_DIFF_ROUNDS && Some(diff_time) == self.prev_diff)
                    || self.count >= MAX_ROUNDS
                {
                    return Err(SyncError::OutOfSync {
                        attempts: self.outcome.rounds,
                        diff_time,
                    });
                }
                self.since = Timestamp::new(diff_time, 0, "0").to_string();
                self.count = if local_time_changed {
                    0
                } else {
                    self.count + 1
                };
                self.prev_diff = Some(diff_time);
                Ok(SyncStep::Continue)
            }
            None => {
                let now_ts = clock.timestamp.to_string();
                let mut outcome = std::mem::take(&mut self.outcome);
                if self.params.last_synced_timestamp.as_deref() != Some(now_ts.as_str()) {
                    outcome.last_synced_timestamp = Some(now_ts.clone());
                    self.params.last_synced_timestamp = Some(now_ts);
                }
                Ok(SyncStep::Done(outcome))
            }
        }
    }
}
