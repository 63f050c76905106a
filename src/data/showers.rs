//! Calorimeter images (DESIGN.md, conventions): an `.npz` with an array `showers` of shape
//! (N, 10, 10), float32, MeV per pixel.

use super::npz::{read_arrays, write_arrays};
use super::MAX_FILE_BYTES;
use crate::error::{Error, Result};
use crate::physics::{IMAGE_PIXELS, IMAGE_SIDE};

/// The array name in shower files.
pub const SHOWERS_ARRAY: &str = "showers";

/// Reads the `showers` array of an `.npz`; refuses another shape, negative or non-finite
/// pixels, naming the file and the first bad shower.
pub fn read_showers(bytes: &[u8], file: &str) -> Result<Vec<f32>> {
    let err = |message: String| Error::Format {
        file: file.to_string(),
        message,
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(err(format!("over the {} MiB limit", MAX_FILE_BYTES >> 20)));
    }
    if !file.to_ascii_lowercase().ends_with(".npz") {
        return Err(err(
            "shower images are read from an .npz with a 'showers' array (N, 10, 10)".into(),
        ));
    }
    let arrays = read_arrays(bytes, file)?;
    let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
    let Some((_, a)) = arrays.iter().find(|(n, _)| n == SHOWERS_ARRAY) else {
        return Err(err(format!(
            "no '{SHOWERS_ARRAY}' array; it has: {}",
            names.join(", ")
        )));
    };
    if a.shape.len() != 3 || a.shape[1] != IMAGE_SIDE || a.shape[2] != IMAGE_SIDE {
        return Err(err(format!(
            "array '{SHOWERS_ARRAY}' has shape {:?}, expected (N, {IMAGE_SIDE}, {IMAGE_SIDE})",
            a.shape
        )));
    }
    if let Some(i) = a.data.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(err(format!(
            "shower {} holds the pixel value {} (energies must be finite and ≥ 0 MeV)",
            i / IMAGE_PIXELS,
            a.data[i]
        )));
    }
    Ok(a.data.clone())
}

/// The `.npz` bytes of `images` (N × 100 values, MeV).
pub fn write_showers(images: &[f32], file: &str) -> Result<Vec<u8>> {
    let n = (images.len() / IMAGE_PIXELS) as u64;
    write_arrays(
        [(
            SHOWERS_ARRAY,
            images,
            vec![n, IMAGE_SIDE as u64, IMAGE_SIDE as u64],
        )],
        file,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bad_files() {
        let images: Vec<f32> = (0..2 * IMAGE_PIXELS).map(|i| i as f32 * 0.5).collect();
        let bytes = write_showers(&images, "s.npz").unwrap();
        assert_eq!(read_showers(&bytes, "s.npz").unwrap(), images);
        let e = read_showers(&bytes, "s.csv").unwrap_err().to_string();
        assert!(
            e.starts_with("s.csv: shower images are read from an .npz"),
            "{e}"
        );
        let wrong = write_arrays([("showers", &images[..], vec![2, 100])], "w.npz").unwrap();
        let e = read_showers(&wrong, "w.npz").unwrap_err().to_string();
        assert_eq!(
            e,
            "w.npz: array 'showers' has shape [2, 100], expected (N, 10, 10)"
        );
        let other = write_arrays([("gen", &images[..], vec![2, 10, 10])], "o.npz").unwrap();
        let e = read_showers(&other, "o.npz").unwrap_err().to_string();
        assert_eq!(e, "o.npz: no 'showers' array; it has: gen");
        let mut nan = images.clone();
        nan[150] = f32::NAN;
        let bad = write_showers(&nan, "n.npz").unwrap();
        let e = read_showers(&bad, "n.npz").unwrap_err().to_string();
        assert!(e.contains("shower 1 holds the pixel value NaN"), "{e}");
    }
}
