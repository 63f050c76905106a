//! Any text as a detector card (the JSON the page exports and `generate --detector` reads).
#![no_main]
use fastsim_lab::detector::Detector;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Detector::from_json(text, "fuzz.json");
    }
});
