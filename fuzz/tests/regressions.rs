//! Every input the fuzzer ever crashed on, replayed: `regressions/<target>/*`.

use std::path::PathBuf;

#[test]
fn replay_every_regression_input() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for target in actual_fuzz::TARGETS {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "bin"))
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| actual_fuzz::run(target, &data));
            assert!(outcome.is_ok(), "{} still crashes {target}", file.display());
            replayed += 1;
        }
    }
    println!("replayed {replayed} regression input(s)");
}

#[test]
fn every_seed_runs_clean() {
    for target in actual_fuzz::TARGETS {
        for s in actual_fuzz::seeds(target) {
            actual_fuzz::run(target, &s);
        }
    }
}
