//! Any bytes as a jet file, read both as a long CSV (jet, level, px, py, pz) and as an .npz of
//! (N, 50, 3) arrays: errors are fine, panics and runaway allocations are not.
#![no_main]
use fastsim_lab::data::JetArrays;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = JetArrays::read_bytes(data, "fuzz.csv");
    let _ = JetArrays::read_bytes(data, "fuzz.npz");
});
