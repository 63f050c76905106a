//! What the density-estimator baselines share: input checks, standardisation and the
//! cross-validation folds.

use crate::error::{Error, Result};
use crate::random::{rng, stream};
use rand::seq::SliceRandom;

/// Refuses a sample that is not `dims`-wide rows, has fewer than `min_rows` of them or holds a
/// non-finite value.
pub(crate) fn check_rows(data: &[f32], dims: usize, min_rows: usize) -> Result<usize> {
    if dims == 0 || !data.len().is_multiple_of(dims) {
        return Err(Error::invalid(
            "training sample",
            format!("{} values do not make rows of {dims}", data.len()),
        ));
    }
    let rows = data.len() / dims;
    if rows < min_rows {
        return Err(Error::invalid(
            "training sample",
            format!("{rows} events; the estimator needs at least {min_rows}"),
        ));
    }
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(
            "training sample",
            format!("event {} holds a non-finite value", i / dims + 1),
        ));
    }
    Ok(rows)
}

/// A sample with every coordinate centred and divided by its standard deviation.
#[derive(Debug, Clone)]
pub(crate) struct Standardised {
    pub z: Vec<f32>,
    pub dims: usize,
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
}

impl Standardised {
    pub fn rows(&self) -> usize {
        self.z.len() / self.dims
    }

    pub fn unscale(&self, d: usize, z: f64) -> f32 {
        (self.mean[d] + z * self.scale[d]) as f32
    }
}

pub(crate) fn standardise(data: &[f32], dims: usize) -> Standardised {
    let rows = (data.len() / dims).max(1) as f64;
    let mut mean = vec![0f64; dims];
    let mut scale = vec![0f64; dims];
    for row in data.chunks_exact(dims) {
        for d in 0..dims {
            mean[d] += row[d] as f64 / rows;
        }
    }
    for row in data.chunks_exact(dims) {
        for d in 0..dims {
            scale[d] += (row[d] as f64 - mean[d]).powi(2) / rows;
        }
    }
    for s in &mut scale {
        // A constant coordinate keeps unit scale (its spread is 0, not a division by 0).
        *s = if *s > 0.0 { s.sqrt() } else { 1.0 };
    }
    let z = data
        .chunks_exact(dims)
        .flat_map(|row| {
            (0..dims)
                .map(|d| ((row[d] as f64 - mean[d]) / scale[d]) as f32)
                .collect::<Vec<_>>()
        })
        .collect();
    Standardised {
        z,
        dims,
        mean,
        scale,
    }
}

/// `m` of the `n` rows (all if m ≥ n), shuffled with `seed`, each with its fold in 0..k.
pub(crate) fn folds(m: usize, n: usize, k: usize, seed: u64) -> Vec<(usize, usize)> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut rng(seed, stream::CV_FOLDS));
    idx.truncate(m.min(n));
    idx.into_iter()
        .enumerate()
        .map(|(i, row)| (row, i % k))
        .collect()
}
