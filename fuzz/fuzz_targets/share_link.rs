//! Any text as the URL fragment of a share link, and any bytes inside a validly framed one
//! (so the fuzzer also reaches the decompressor, the JSON state and the inline model checks).
#![no_main]
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fastsim_lab::share::decode;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = decode(text);
    }
    // The same bytes as a deflate stream with a correct checksum: past the outer checks.
    let mut framed = data.to_vec();
    framed.extend_from_slice(&Sha256::digest(data)[..16]);
    let _ = decode(&format!("s1.{}", URL_SAFE_NO_PAD.encode(&framed)));
});
