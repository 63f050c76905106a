//! The kernel density estimator baseline of seed 003 (section 4, fig. 8–10, table 1): a
//! Gaussian KDE fitted to the training sample, its bandwidth chosen by k-fold cross-validated
//! log-likelihood (as scikit-learn's `GridSearchCV` over `KernelDensity`, which the paper used),
//! then sampled as many times as the network to compare both on the same JS curves.
//!
//! Coordinates are standardised (each divided by its standard deviation), so one isotropic
//! bandwidth h serves n-D: p(x) = 1/N Σᵢ Π_d φ((z_d − z_id)/h) / (h s_d).

use super::density::{check_rows, folds, standardise, Standardised};
use crate::error::Result;
use crate::random::{normal, rng, stream, uniform};

/// Bandwidths tried (standardised units): 24 values, log-spaced from 0.01 to 1.5.
fn grid() -> Vec<f64> {
    (0..24)
        .map(|i| (0.01f64.ln() + i as f64 / 23.0 * (1.5f64.ln() - 0.01f64.ln())).exp())
        .collect()
}

/// At most this many training points enter the cross-validation (the fit uses them all): the
/// pairwise distances it needs grow as N².
const CV_MAX: usize = 2000;

#[derive(Debug, Clone)]
pub struct Kde {
    data: Standardised,
    /// Bandwidth in standardised units.
    pub bandwidth: f64,
    /// Mean held-out log-likelihood per event of the chosen bandwidth (standardised units).
    pub cv_log_likelihood: f64,
}

impl Kde {
    /// A KDE of `train` (row-major, `dims` per event) with a fixed bandwidth.
    pub fn with_bandwidth(train: &[f32], dims: usize, bandwidth: f64) -> Result<Self> {
        check_rows(train, dims, 2)?;
        Ok(Self {
            data: standardise(train, dims),
            bandwidth,
            cv_log_likelihood: f64::NAN,
        })
    }

    /// A KDE whose bandwidth maximises the `k`-fold cross-validated log-likelihood.
    pub fn fit_cv(train: &[f32], dims: usize, k: usize, seed: u64) -> Result<Self> {
        check_rows(train, dims, 2 * k.max(2))?;
        let data = standardise(train, dims);
        let n = data.rows();
        let fold = folds(n.min(CV_MAX), n, k.max(2), seed);
        let m = fold.len();
        // Squared distances between the CV points, once for every bandwidth.
        let z = |i: usize| &data.z[fold[i].0 * dims..(fold[i].0 + 1) * dims];
        let mut d2 = vec![0f32; m * m];
        for i in 0..m {
            for j in 0..i {
                let d: f32 = z(i).iter().zip(z(j)).map(|(a, b)| (a - b) * (a - b)).sum();
                d2[i * m + j] = d;
                d2[j * m + i] = d;
            }
        }
        let mut fold_size = vec![0usize; k.max(2)];
        for &(_, f) in &fold {
            fold_size[f] += 1;
        }
        let mut best = (f64::NEG_INFINITY, grid()[grid().len() / 2]);
        for h in grid() {
            let norm = dims as f64 * (h * (2.0 * std::f64::consts::PI).sqrt()).ln();
            let mut total = 0.0;
            for i in 0..m {
                let fi = fold[i].1;
                let terms = (0..m)
                    .filter(|&j| fold[j].1 != fi)
                    .map(|j| -(d2[i * m + j] as f64) / (2.0 * h * h));
                let n_train = (m - fold_size[fi]) as f64;
                total += log_sum_exp(terms) - n_train.ln() - norm;
            }
            let score = total / m as f64;
            if score > best.0 {
                best = (score, h);
            }
        }
        Ok(Self {
            data,
            bandwidth: best.1,
            cv_log_likelihood: best.0,
        })
    }

    /// The bandwidth in each coordinate's own units (GeV for momenta).
    pub fn bandwidth_in_units(&self) -> Vec<f64> {
        self.data.scale.iter().map(|s| s * self.bandwidth).collect()
    }

    /// `n` events drawn from the estimate (row-major): a random training point plus a
    /// Gaussian of width h in every standardised coordinate.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<f32> {
        let mut r = rng(seed, stream::SMEAR_NOISE);
        let dims = self.data.dims;
        let rows = self.data.rows();
        let mut out = Vec::with_capacity(n * dims);
        for _ in 0..n {
            let i = ((uniform(&mut r) * rows as f64) as usize).min(rows - 1);
            for d in 0..dims {
                let z = self.data.z[i * dims + d] as f64 + self.bandwidth * normal(&mut r);
                out.push(self.data.unscale(d, z));
            }
        }
        out
    }
}

fn log_sum_exp(terms: impl Iterator<Item = f64> + Clone) -> f64 {
    let max = terms.clone().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + terms.map(|t| (t - max).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauss(n: usize, seed: u64) -> Vec<f32> {
        let mut r = rng(seed, 0);
        (0..n).map(|_| 5.0 + 2.0 * normal(&mut r) as f32).collect()
    }

    #[test]
    fn cv_bandwidth_is_near_silvermans_for_a_gaussian() {
        let train = gauss(1000, 1);
        let kde = Kde::fit_cv(&train, 1, 5, 2).unwrap();
        // Silverman: 1.06 σ N^(-1/5) = 0.27 σ; CV lands in the same range.
        assert!((0.12..0.6).contains(&kde.bandwidth), "{}", kde.bandwidth);
        let h = kde.bandwidth_in_units()[0];
        assert!((h / kde.bandwidth - 2.0).abs() < 0.2, "{h}");
        let s = kde.sample(20_000, 3);
        let mean = s.iter().map(|&v| v as f64).sum::<f64>() / s.len() as f64;
        let var = s.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / s.len() as f64;
        assert!((mean - 5.0).abs() < 0.15, "{mean}");
        // The KDE's variance is σ² (1 + h²).
        assert!((var.sqrt() - 2.0).abs() < 0.25, "{}", var.sqrt());
    }

    #[test]
    fn two_dimensions_and_refusals() {
        let mut r = rng(4, 0);
        let pts: Vec<f32> = (0..600)
            .flat_map(|_| {
                let a = normal(&mut r) as f32;
                [a, a + 0.1 * normal(&mut r) as f32]
            })
            .collect();
        let kde = Kde::fit_cv(&pts, 2, 5, 5).unwrap();
        let s = kde.sample(2000, 6);
        assert_eq!(s.len(), 4000);
        // The strong correlation survives.
        let corr: f64 = s.chunks(2).map(|p| (p[0] * p[1]) as f64).sum::<f64>() / 2000.0;
        assert!(corr > 0.7, "{corr}");
        assert!(Kde::fit_cv(&pts[..3], 2, 5, 1).is_err());
        assert!(Kde::fit_cv(&[1.0, f32::NAN, 2.0, 3.0], 1, 2, 1).is_err());
    }
}
