//! Any text as a detector card (the JSON the page exports and `generate --detector` reads).
#![no_main]
use fastsim_lab::detector::WjetsDetector;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = WjetsDetector::from_json(text, "fuzz.json");
    }
});
