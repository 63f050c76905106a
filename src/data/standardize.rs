//! Per-feature standardisation z = (x − mean)/std, fitted on the training rows and stored with
//! each model. The papers do not describe their preprocessing (seed 000 is silent on it); this
//! is the lab's choice, the usual one for networks with unit-scale initial weights.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Fits mean and standard deviation per column of a row-major matrix with `k` columns
    /// (accumulated in f64); a constant column gets std 1 so it maps to 0, not NaN.
    pub fn fit(rows: &[f32], k: usize) -> Self {
        let n = (rows.len() / k.max(1)).max(1) as f64;
        let mut mean = vec![0f64; k];
        for row in rows.chunks_exact(k) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += *v as f64;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n);
        let mut var = vec![0f64; k];
        for row in rows.chunks_exact(k) {
            for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
                *s += (*v as f64 - m).powi(2);
            }
        }
        let std = var
            .iter()
            .map(|s| {
                let sd = (s / n).sqrt();
                if sd > 0.0 && sd.is_finite() {
                    sd as f32
                } else {
                    1.0
                }
            })
            .collect();
        Self {
            mean: mean.into_iter().map(|m| m as f32).collect(),
            std,
        }
    }

    pub fn k(&self) -> usize {
        self.mean.len()
    }

    /// Standardises a row-major matrix in place.
    pub fn apply(&self, rows: &mut [f32]) {
        for row in rows.chunks_exact_mut(self.k()) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
    }

    /// Undoes `apply` in place.
    pub fn invert(&self, rows: &mut [f32]) {
        for row in rows.chunks_exact_mut(self.k()) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = *v * s + m;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn apply_then_invert_is_identity(rows in proptest::collection::vec(-1e4f32..1e4, 3..60)) {
            let k = 3;
            let rows: Vec<f32> = rows[..rows.len() / k * k].to_vec();
            let s = Standardizer::fit(&rows, k);
            let mut z = rows.clone();
            s.apply(&mut z);
            s.invert(&mut z);
            for (a, b) in z.iter().zip(&rows) {
                prop_assert!((a - b).abs() <= 1e-3 * (1.0 + b.abs()));
            }
        }
    }

    #[test]
    fn standardised_has_zero_mean_unit_std() {
        let rows: Vec<f32> = (0..1000).flat_map(|i| [i as f32, 5.0]).collect();
        let s = Standardizer::fit(&rows, 2);
        let mut z = rows.clone();
        s.apply(&mut z);
        let m: f32 = z.chunks(2).map(|r| r[0]).sum::<f32>() / 1000.0;
        let v: f32 = z.chunks(2).map(|r| r[0] * r[0]).sum::<f32>() / 1000.0;
        assert!(m.abs() < 1e-4 && (v - 1.0).abs() < 1e-3);
        assert!(z.chunks(2).all(|r| r[1] == 0.0));
    }
}
