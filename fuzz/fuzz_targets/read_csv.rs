//! Any bytes as a .csv file: the reader returns a table or an error, never panics or aborts.
#![no_main]
use fastsim_lab::data::{read_bytes, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_bytes(data, "fuzz.csv", &ReadOptions::default());
});
