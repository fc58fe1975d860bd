//! A small mutation-based fuzzer that runs on stable Rust (cargo-fuzz needs nightly).
//!
//! Four targets, each a function from bytes to an "outcome" number (which kind of
//! success or refusal the input led to). The driver in `main.rs` mutates a seeded
//! corpus, keeps inputs that reach an outcome not seen before (a cheap stand-in for
//! coverage feedback), and treats any panic as a crash. Invariants that must hold for
//! every input are checked with `assert!`, so a broken one is a crash too.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{Cursor, Write};
use std::sync::OnceLock;

use actual_gateway::{body as gw_body, extract as gw_extract, proto as gw_proto, scope};
use actual_protocol::crypto::BudgetKey;
use actual_protocol::token;
use actual_sync::apply::CrdtRow;
use actual_sync::proto;
use actual_sync::sync::encode_envelope;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::Method;
use prost::Message as _;

/// Every target, by the name used on the command line and in `regressions/<name>/`.
pub const TARGETS: [&str; 4] = ["zip", "sync-proto", "token", "gateway"];

/// Runs one target on one input. Panics are the caller's to catch.
pub fn run(target: &str, data: &[u8]) -> u64 {
    match target {
        "zip" => zip_target(data),
        "sync-proto" => sync_target(data),
        "token" => token_target(data),
        "gateway" => gateway_target(data),
        other => panic!("unknown target {other}"),
    }
}

/// A short, stable label for an error value: its Debug text up to the first `(`/`{`.
fn kind<E: std::fmt::Debug>(e: &E) -> u64 {
    let s = format!("{e:?}");
    let cut = s.find(['(', '{', ' ']).unwrap_or(s.len());
    h(&s[..cut])
}

fn h<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut s = DefaultHasher::new();
    v.hash(&mut s);
    s.finish()
}

// ---------------------------------------------------------------------------
// zip extraction

fn zip_target(data: &[u8]) -> u64 {
    match actual_session::archive::extract(data) {
        Ok(files) => {
            assert!(files.db.len() as u64 <= actual_session::archive::MAX_UNZIPPED_BYTES);
            assert!(files.metadata.len() <= 1024 * 1024);
            h(&(1u8, files.db.len().min(4), files.metadata.is_empty()))
        }
        Err(e) => h(&(2u8, e.code().to_string(), e.to_string())),
    }
}

/// A small but real SQLite database, like a budget's `db.sqlite` (a few tables).
fn small_sqlite() -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("actual-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("db.sqlite");
    let _ = std::fs::remove_file(&path);
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch(
            "PRAGMA page_size = 1024;
             CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT, offbudget INTEGER, closed INTEGER, tombstone INTEGER);
             CREATE TABLE transactions (id TEXT PRIMARY KEY, acct TEXT, amount INTEGER, date INTEGER, notes TEXT, tombstone INTEGER);
             CREATE TABLE messages_clock (id INTEGER PRIMARY KEY, clock TEXT);
             INSERT INTO accounts VALUES ('a1', 'Checking', 0, 0, 0);
             INSERT INTO transactions VALUES ('t1', 'a1', -1250, 20260101, 'coffee', 0);
             INSERT INTO transactions VALUES ('t2', 'a1', 250000, 20260102, 'salary', 0);
             INSERT INTO messages_clock VALUES (1, '{\"timestamp\":\"2026-01-01T00:00:00.000Z-0000-0123456789abcdef\",\"merkle\":{}}');",
        )
        .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

fn make_zip(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }
    buf.into_inner()
}

fn zip_seeds() -> Vec<Vec<u8>> {
    let db = small_sqlite();
    let meta = br#"{"id":"My-Budget-a1b2c3d","budgetName":"My Budget","cloudFileId":"5a3b7c2e-0f1d-4c8e-9a6b-2d4e6f8a0b1c","groupId":"0b7e4f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b","lastUploaded":"2026-01-01","encryptKeyId":null,"resetClock":true}"#;
    let stored = zip::CompressionMethod::Stored;
    let deflated = zip::CompressionMethod::Deflated;
    vec![
        make_zip(&[("db.sqlite", &db), ("metadata.json", meta)], deflated),
        make_zip(&[("db.sqlite", &db), ("metadata.json", meta)], stored),
        make_zip(
            &[
                ("My-Budget/db.sqlite", &db[..2048]),
                ("My-Budget/metadata.json", meta),
            ],
            deflated,
        ),
        make_zip(
            &[("metadata.json", meta), ("db.sqlite", b"SQLite format 3\0")],
            stored,
        ),
        make_zip(&[("../db.sqlite", b"x"), ("metadata.json", b"{}")], stored),
    ]
}

// ---------------------------------------------------------------------------
// sync protobuf decoding

fn key() -> &'static BudgetKey {
    static KEY: OnceLock<BudgetKey> = OnceLock::new();
    KEY.get_or_init(|| BudgetKey::derive("fuzz-password", "c2FsdHNhbHRzYWx0"))
}

fn sync_target(data: &[u8]) -> u64 {
    let plain = actual_sync::sync::decode_response(data, None);
    let keyed = actual_sync::sync::decode_response(data, Some(key()));
    let label = |r: &actual_sync::Result<(Vec<actual_sync::Message>, actual_sync::Trie)>| match r {
        Ok((m, _)) => h(&(1u8, m.len().min(3))),
        Err(e) => kind(e),
    };
    // A body that decodes without a key decodes the same with one (plain messages do
    // not need it).
    if let (Ok((a, ta)), Ok((b, tb))) = (&plain, &keyed) {
        assert_eq!(a.len(), b.len());
        assert_eq!(ta, tb);
    }
    label(&plain) ^ label(&keyed).rotate_left(1)
}

fn envelope(
    ts: &str,
    dataset: &str,
    row: &str,
    column: &str,
    value: &str,
    encrypt: bool,
) -> proto::MessageEnvelope {
    let row = CrdtRow {
        timestamp: ts.into(),
        dataset: dataset.into(),
        row: row.into(),
        column: column.into(),
        value: value.into(),
    };
    encode_envelope(&row, encrypt.then_some(key())).unwrap()
}

fn sync_seeds() -> Vec<Vec<u8>> {
    let merkle = r#"{"hash":1234567,"0":{"hash":1234567,"1":{"hash":1234567}}}"#;
    let msgs = |enc: bool| {
        vec![
            envelope(
                "2026-01-01T00:00:00.000Z-0000-0123456789abcdef",
                "transactions",
                "t1",
                "amount",
                "N:-1250",
                enc,
            ),
            envelope(
                "2026-01-01T00:00:01.000Z-0001-0123456789abcdef",
                "transactions",
                "t1",
                "notes",
                "S:coffee",
                enc,
            ),
            envelope(
                "2026-01-01T00:00:02.000Z-0000-fedcba9876543210",
                "accounts",
                "a1",
                "tombstone",
                "0:",
                enc,
            ),
        ]
    };
    let res = |messages, merkle: &str| {
        proto::SyncResponse {
            messages,
            merkle: merkle.into(),
        }
        .encode_to_vec()
    };
    vec![
        res(msgs(false), merkle),
        res(msgs(true), merkle),
        res(Vec::new(), "{}"),
        res(
            msgs(false)[..1].to_vec(),
            r#"{"hash":-5,"2":{"hash":null}}"#,
        ),
    ]
}

// ---------------------------------------------------------------------------
// token parsing

fn token_target(data: &[u8]) -> u64 {
    let s = String::from_utf8_lossy(data);
    check_token_str(&s);
    match token::check_format(&s) {
        Ok(()) => 1,
        Err(e) => h(&(2u8, e as u8)),
    }
}

/// What must hold for any string, well-formed token or not.
fn check_token_str(s: &str) {
    let prefix = token::display_prefix(s);
    assert!(prefix.len() <= token::DISPLAY_PREFIX_LEN);
    assert!(s.starts_with(prefix));
    if token::check_format(s).is_ok() {
        assert_eq!(s.len(), token::TOKEN_LEN);
        assert!(token::looks_like_token(s));
        assert_eq!(prefix.len(), token::DISPLAY_PREFIX_LEN);
        // The error message never repeats the token: checked on a corrupted copy.
        let bad = format!("{s}!");
        let msg = token::check_format(&bad).unwrap_err().to_string();
        assert!(!msg.contains(&s[4..12]));
    }
}

fn token_seeds() -> Vec<Vec<u8>> {
    let t = token::generate().unwrap();
    vec![
        t.clone().into_bytes(),
        b"act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6".to_vec(),
        format!("{t}\n").into_bytes(),
        format!(" {t}").into_bytes(),
        b"act_".to_vec(),
        b"d2f8a0c1-2e4b-4c6d-8f0a-1b3c5d7e9f00".to_vec(),
    ]
}

// ---------------------------------------------------------------------------
// gateway request inspection

/// Parses `data` as a request head (`METHOD path HTTP/1.1`, `Name: value` lines),
/// a blank line and a body, then runs what the gateway runs on a request before it
/// decides anything: token extraction (headers and JSON body), route classification,
/// and the sync body's protobuf fields.
fn gateway_target(data: &[u8]) -> u64 {
    let (head, body) = match data.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => (&data[..i], &data[i + 4..]),
        None => (data, &[][..]),
    };
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(|&b| b == b' ');
    let method = Method::from_bytes(parts.next().unwrap_or_default()).unwrap_or(Method::GET);
    let target = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let path = target.split('?').next().unwrap_or_default();
    let route = scope::classify(&method, path);

    let mut headers = HeaderMap::new();
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.trim_ascii();
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            headers.append(n, v);
        }
    }
    let header_token = gw_extract::header_token(&headers);
    let json = gw_body::is_json(&headers);
    let body_token = if json {
        gw_extract::body_token(body)
    } else {
        None
    };
    let all = gw_extract::header_tokens(&headers);
    assert_eq!(all.first(), header_token.as_ref());
    for t in all.iter().chain(body_token.iter()) {
        assert!(token::looks_like_token(t));
        // The gateway logs every token it sees by its display prefix.
        check_token_str(t);
    }
    // The one token the gateway goes on with is one of those it found, and it goes on
    // only when they all agree.
    let mut found: Vec<String> = all.iter().chain(body_token.iter()).cloned().collect();
    let single = gw_extract::single_token(found.clone());
    found.sort();
    found.dedup();
    match &single {
        Ok(None) => assert!(found.is_empty()),
        Ok(Some(t)) => assert_eq!(found, vec![t.clone()]),
        Err(_) => assert!(found.len() > 1),
    }
    let sync = gw_proto::sync_request(body);
    if let Ok(info) = &sync {
        // Every message entry takes at least two bytes (key and length).
        assert!(info.messages * 2 <= body.len());
        assert!(info.file_id.as_ref().is_none_or(|f| f.len() < body.len()));
    }
    let mut seen = 0usize;
    let fields = gw_proto::fields(body, |_, _, bytes| {
        assert!(bytes.len() <= body.len());
        seen += 1;
    });
    assert!(seen <= body.len());
    h(&(
        route as u8,
        header_token.is_some(),
        body_token.is_some(),
        single.map(|t| t.is_some()).ok(),
        json,
        sync.as_ref()
            .map(|i| (i.messages.min(2), i.file_id.is_some(), i.group_id.is_some()))
            .ok(),
        fields.is_ok(),
    ))
}

fn pb(field: u8, bytes: &[u8]) -> Vec<u8> {
    let mut v = vec![(field << 3) | 2];
    let mut len = bytes.len();
    loop {
        let b = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            v.push(b);
            break;
        }
        v.push(b | 0x80);
    }
    v.extend_from_slice(bytes);
    v
}

fn gateway_seeds() -> Vec<Vec<u8>> {
    let t = token::generate().unwrap();
    let req = proto::SyncRequest {
        messages: vec![envelope(
            "2026-01-01T00:00:00.000Z-0000-0123456789abcdef",
            "transactions",
            "t1",
            "amount",
            "N:1",
            false,
        )],
        file_id: "5a3b7c2e-0f1d-4c8e-9a6b-2d4e6f8a0b1c".into(),
        group_id: "0b7e4f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b".into(),
        key_id: String::new(),
        since: "2020-01-01T00:00:00.000Z-0000-0000000000000000".into(),
    }
    .encode_to_vec();
    let mut sync = format!(
        "POST /sync/sync HTTP/1.1\r\nHost: 127.0.0.1:5007\r\nX-ACTUAL-TOKEN: {t}\r\nContent-Type: application/actual-sync\r\nContent-Length: {}\r\n\r\n",
        req.len()
    )
    .into_bytes();
    sync.extend_from_slice(&req);
    let mut hand = b"POST /sync/sync HTTP/1.1\r\nAuthorization: Bearer act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6\r\n\r\n".to_vec();
    hand.extend(pb(2, b"file-1"));
    hand.extend(pb(3, b"group-1"));
    hand.extend(pb(
        1,
        &pb(1, b"2026-01-01T00:00:00.000Z-0000-0123456789abcdef"),
    ));
    vec![
        sync,
        hand,
        format!("GET /sync/get-user-file-info HTTP/1.1\r\nX-ACTUAL-TOKEN: {t}\r\nX-ACTUAL-FILE-ID: 5a3b7c2e\r\n\r\n").into_bytes(),
        format!("GET /Sync/List-User-Files/?x=1 HTTP/1.1\r\nAuthorization: Bearer {t}\r\nX-ACTUAL-TOKEN: d2f8a0c1-session\r\n\r\n").into_bytes(),
        format!("POST /sync/user-get-key HTTP/1.1\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{{\"token\":\"{t}\",\"fileId\":\"5a3b7c2e\"}}").into_bytes(),
        format!("POST /account/change-password HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{{\"token\":\"{t}\",\"password\":\"x\"}}").into_bytes(),
        b"GET /admin/users HTTP/1.1\r\nX-ACTUAL-TOKEN: act_x\r\n\r\n".to_vec(),
    ]
}

// ---------------------------------------------------------------------------
// seeds and dictionaries

/// The starting corpus of a target: real, well-formed inputs.
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    match target {
        "zip" => zip_seeds(),
        "sync-proto" => sync_seeds(),
        "token" => token_seeds(),
        "gateway" => gateway_seeds(),
        other => panic!("unknown target {other}"),
    }
}

/// Byte strings worth splicing into a target's inputs.
pub fn dictionary(target: &str) -> Vec<Vec<u8>> {
    let common: [&[u8]; 10] = [
        b"\xc3\xa9",
        b"\xe2\x82\xac",
        b"\xf0\x9f\x98\x80",
        b"\\u00e9",
        b"\xff\xff\xff\xff",
        b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",
        b"\0",
        b" ",
        b"\r\n",
        b"act_",
    ];
    let specific: &[&[u8]] = match target {
        "zip" => &[
            b"PK\x03\x04",
            b"PK\x01\x02",
            b"PK\x05\x06",
            b"PK\x06\x06",
            b"PK\x06\x07",
            b"db.sqlite",
            b"metadata.json",
            b"../",
            b"/",
            b"\xff\xff",
            b"\xff\xff\xff\xff\xff\xff\xff\xff",
        ],
        "sync-proto" => &[
            b"\x0a",
            b"\x12",
            b"\x1a",
            b"\x10\x01",
            b"N:",
            b"S:",
            b"0:",
            b"{\"hash\":",
            b"\"0\":{",
            b"}",
            b"-0000-0123456789abcdef",
            b"2026-01-01T00:00:00.000Z",
            b"1e400",
            b"[",
            b"null",
        ],
        "token" => &[
            b"act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
            b"\t",
            b"\n",
            b"\xc2\xa0",
            b"\xe2\x80\xa8",
            b"-",
            b"_",
        ],
        "gateway" => &[
            b"X-ACTUAL-TOKEN: ",
            b"Authorization: Bearer ",
            b"Authorization: bearer  ",
            b"Content-Type: application/json\r\n",
            b"Content-Type: text/x+json\r\n",
            b"\"token\":\"act_",
            b"\"token\":",
            b"act_a",
            b"/sync/sync",
            b"/SYNC/SYNC/",
            b"/sync/",
            b"%2f",
            b"//",
            b"?",
            b"\x0a\x00",
            b"\x12",
            b"\x1a",
            b"\x12\xff\xff\xff\xff\x0f",
            b"\r\n\r\n",
        ],
        _ => &[],
    };
    common
        .iter()
        .chain(specific.iter())
        .map(|s| s.to_vec())
        .collect()
}

// ---------------------------------------------------------------------------
// mutation

/// xorshift64*: small, fast, good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

const INTERESTING: [u8; 10] = [0, 1, 0x7f, 0x80, 0xff, b'"', b'{', b'\\', 0x08, 0x0a];

/// Applies 1 to 8 random mutations to `input` (result at most `max_len` bytes).
pub fn mutate(
    rng: &mut Rng,
    input: &[u8],
    corpus: &[Vec<u8>],
    dict: &[Vec<u8>],
    max_len: usize,
) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let len = out.len();
        match rng.below(11) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next_u64() as u8;
            }
            2 if len > 0 => {
                let i = rng.below(len);
                out[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            3 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                out.splice(i..i, bytes);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                out.drain(i..i + n);
            }
            5 if len > 0 => {
                // Duplicate a range somewhere else.
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(256));
                let chunk = out[i..i + n].to_vec();
                let at = rng.below(len + 1);
                out.splice(at..at, chunk);
            }
            6 if !dict.is_empty() => {
                let word = &dict[rng.below(dict.len())];
                let i = rng.below(len + 1);
                out.splice(i..i, word.iter().copied());
            }
            7 if !dict.is_empty() && len > 0 => {
                let word = &dict[rng.below(dict.len())];
                let i = rng.below(len);
                let end = (i + word.len()).min(len);
                out.splice(i..end, word.iter().copied());
            }
            8 if !corpus.is_empty() => {
                // Splice: our head with another input's tail.
                let other = &corpus[rng.below(corpus.len())];
                let i = rng.below(len + 1);
                let j = rng.below(other.len() + 1);
                out.truncate(i);
                out.extend_from_slice(&other[j..]);
            }
            9 if len > 0 => {
                // Add or subtract a small number to a byte (lengths, counts).
                let i = rng.below(len);
                let d = (rng.below(33) as u8).wrapping_sub(16);
                out[i] = out[i].wrapping_add(d);
            }
            10 if len > 0 => {
                let i = rng.below(len);
                out.truncate(i);
            }
            _ => {}
        }
    }
    out.truncate(max_len);
    out
}

/// A stable name for a crashing input (FNV-1a, 64 bits).
pub fn fnv_hex(data: &[u8]) -> String {
    let mut x: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        x ^= u64::from(b);
        x = x.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{x:016x}")
}
