//! `fuzz [--seconds N] [--target NAME]... [--seed N] [--max-len N]`
//!
//! Runs each target (default: all) for N seconds (default 20) on mutations of its seed
//! corpus. A panic is a crash: the input goes to `fuzz/crashes/<target>-<hash>.bin`
//! and the run exits with status 1.

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actual_fuzz::{dictionary, fnv_hex, mutate, run, seeds, Rng, TARGETS};

struct Options {
    seconds: f64,
    targets: Vec<String>,
    seed: u64,
    max_len: usize,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: fuzz [--seconds N] [--target {}]... [--seed N] [--max-len BYTES]",
        TARGETS.join("|")
    );
    ExitCode::from(2)
}

fn parse_args() -> Result<Options, ()> {
    let mut o = Options {
        seconds: 20.0,
        targets: Vec::new(),
        seed: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1),
        max_len: 256 * 1024,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(());
        match a.as_str() {
            "--seconds" => o.seconds = value()?.parse().map_err(|_| ())?,
            "--target" => {
                let t = value()?;
                if !TARGETS.contains(&t.as_str()) {
                    return Err(());
                }
                o.targets.push(t);
            }
            "--seed" => o.seed = value()?.parse().map_err(|_| ())?,
            "--max-len" => o.max_len = value()?.parse().map_err(|_| ())?,
            _ => return Err(()),
        }
    }
    if !(o.seconds > 0.0 && o.seconds.is_finite()) {
        return Err(());
    }
    if o.targets.is_empty() {
        o.targets = TARGETS.iter().map(|t| t.to_string()).collect();
    }
    Ok(o)
}

fn crash_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crashes")
}

fn main() -> ExitCode {
    let Ok(opts) = parse_args() else {
        return usage();
    };
    // Panics are expected findings: keep the message, print it once, not per hook call.
    let last_panic = Arc::new(Mutex::new(String::new()));
    {
        let last_panic = last_panic.clone();
        panic::set_hook(Box::new(move |info| {
            *last_panic.lock().unwrap_or_else(|p| p.into_inner()) = info.to_string();
        }));
    }
    println!("seed {} ({} s per target)", opts.seed, opts.seconds);
    let mut rng = Rng::new(opts.seed);
    for target in &opts.targets {
        let mut corpus = seeds(target);
        let dict = dictionary(target);
        let mut outcomes = std::collections::HashSet::new();
        // Seeds must run clean: a crash there is a bug too.
        for s in corpus.clone() {
            match panic::catch_unwind(AssertUnwindSafe(|| run(target, &s))) {
                Ok(o) => {
                    outcomes.insert(o);
                }
                Err(_) => return crash(target, &s, &last_panic),
            }
        }
        let budget = Duration::from_secs_f64(opts.seconds);
        let start = Instant::now();
        let mut iterations: u64 = 0;
        while start.elapsed() < budget {
            for _ in 0..64 {
                let base = &corpus[rng.below(corpus.len())];
                let input = mutate(&mut rng, base, &corpus, &dict, opts.max_len);
                iterations += 1;
                match panic::catch_unwind(AssertUnwindSafe(|| run(target, &input))) {
                    Ok(o) => {
                        // Keep inputs that lead somewhere new (bounded corpus).
                        if outcomes.insert(o) && corpus.len() < 4096 {
                            corpus.push(input);
                        }
                    }
                    Err(_) => return crash(target, &input, &last_panic),
                }
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{target:<10} {iterations:>10} iterations in {secs:.1} s = {:>9.0}/s, {} outcomes, corpus {}",
            iterations as f64 / secs,
            outcomes.len(),
            corpus.len()
        );
    }
    println!("no crash");
    ExitCode::SUCCESS
}

fn crash(target: &str, input: &[u8], last_panic: &Mutex<String>) -> ExitCode {
    let dir = crash_dir();
    let file = dir.join(format!("{target}-{}.bin", fnv_hex(input)));
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&file, input)) {
        eprintln!("could not write {}: {e}", file.display());
    }
    eprintln!(
        "CRASH in {target}: {}\ninput ({} bytes) written to {}",
        last_panic.lock().unwrap_or_else(|p| p.into_inner()),
        input.len(),
        file.display()
    );
    ExitCode::FAILURE
}
