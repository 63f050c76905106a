//! Any bytes as a .root file: read_root returns a table or an error. oxyroot panics on some
//! malformed files and read_root catches those (as fastsim-root does, with a quiet hook), so
//! the fuzzer's abort-on-panic hook is replaced by the same quiet one; an abort, overflow,
//! out-of-memory or hang is still a crash.
#![no_main]
use fastsim_root::{read_root, Jagged, ReadOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::Once;

static HOOK: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let path = std::env::temp_dir().join(format!("fuzz-{}.root", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    for jagged in [Jagged::First(1), Jagged::Flatten] {
        let opts = ReadOptions { tree: None, branches: None, jagged };
        let _ = read_root(&path, "fuzz.root", &opts, &mut Vec::new());
    }
});
