//! Any bytes as the float16 form of a model a link carries (`store::from_half`): refused with a
//! message or rebuilt into a model file that passes every check, never a panic.
#![no_main]
use fastsim_lab::store::{from_half, model_kind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = from_half(data, "fuzz") {
        model_kind(&file, "fuzz").expect("a rebuilt file passes the model checks");
    }
});
