//! Times the phases of applying one captured sync reply to a budget snapshot, the
//! hot path of a download, without a server or a Node process:
//!
//! ```text
//! cargo run --release -p actual-sync --example apply_timing -- <db.sqlite> <reply.bin> [runs]
//! ```
//!
//! `db.sqlite` is the snapshot's database (unzipped from `download-user-file`) and
//! `reply.bin` the body of a `/sync/sync` reply for it. Each run works on a fresh copy of
//! the database, opened with the settings the client uses.
use std::time::Instant;

use actual_sync::sync::decode_response;
use actual_sync::{load_clock, receive_messages};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, reply, rest @ ..] = args.as_slice() else {
        eprintln!("usage: apply_timing <db.sqlite> <reply.bin> [runs]");
        std::process::exit(2);
    };
    let runs: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(5);
    let body = std::fs::read(reply).expect("read the reply");
    let scratch = std::env::temp_dir().join(format!("apply-timing-{}.sqlite", std::process::id()));
    for run in 1..=runs {
        std::fs::copy(db, &scratch).expect("copy the database");
        let db = actual_sync::BudgetDb::open_scratch(&scratch).expect("open");
        let conn = db.conn();
        let mut clock = load_clock(conn).expect("clock");
        // as the client hands it over: a `Bytes`, which envelopes are sliced from
        let reply = bytes::Bytes::from(body.clone());
        let t = Instant::now();
        let (messages, _merkle) = decode_response(reply, None).expect("decode");
        let decoded = t.elapsed();
        let count = messages.len();
        let t = Instant::now();
        let outcome = receive_messages(conn, &mut clock, messages).expect("apply");
        let applied = t.elapsed();
        println!(
            "run {run}: {count} messages ({} applied, {} old): decode {:.1} ms, receive+apply {:.1} ms",
            outcome.applied.len(),
            outcome.old.len(),
            decoded.as_secs_f64() * 1e3,
            applied.as_secs_f64() * 1e3
        );
        drop(db);
    }
    let _ = std::fs::remove_file(&scratch);
}
