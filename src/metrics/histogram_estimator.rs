//! The histogram density-estimator baseline of seed 003 (section 4, fig. 8–10, table 1):
//! b equal-width bins per dimension over the training sample's range, density
//! count / (N · cell volume), b chosen by k-fold cross-validated log-likelihood, then sampled
//! (a cell with probability ∝ its count, uniform inside it).
//!
//! Cells get a pseudo-count α besides their events, p = (n_c + α) / ((N + α·B) · vol) for B
//! cells: with α = 0 a held-out event in a cell the other folds left empty has likelihood 0,
//! and in two or more dimensions, where the tails leave most cells empty, cross-validation then
//! always falls back to one bin. The cross-validated estimator uses Jeffreys' α = ½, scores and
//! samples with it alike (an empty cell inside the range keeps a little probability); a fixed
//! binning may use α = 0, a plain histogram of the sample.

use super::density::{check_rows, folds};
use crate::error::{Error, Result};
use crate::random::{rng, stream, uniform};

/// Jeffreys' pseudo-count per cell.
const JEFFREYS: f64 = 0.5;

/// At most this many cells (bins^dims) are tried.
const MAX_CELLS: usize = 1 << 20;

#[derive(Debug, Clone)]
pub struct HistogramEstimator {
    dims: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// Bins per dimension.
    pub bins: usize,
    counts: Vec<u32>,
    /// Pseudo-count added to every cell.
    pub pseudo_count: f64,
    /// Mean held-out log-likelihood per event of the chosen binning (NaN if not fitted by CV).
    pub cv_log_likelihood: f64,
}

impl HistogramEstimator {
    /// The estimator with a fixed number of bins per dimension and pseudo-count per cell.
    pub fn with_bins(train: &[f32], dims: usize, bins: usize, pseudo_count: f64) -> Result<Self> {
        check_rows(train, dims, 1)?;
        if bins == 0 || bins.checked_pow(dims as u32).is_none_or(|c| c > MAX_CELLS) {
            return Err(Error::invalid(
                "histogram bins",
                format!("{bins} per dimension in {dims} dimensions (at most {MAX_CELLS} cells)"),
            ));
        }
        let (lo, hi) = range(train, dims);
        let mut h = Self {
            dims,
            lo,
            hi,
            bins,
            counts: vec![0; bins.pow(dims as u32)],
            pseudo_count: if pseudo_count.is_finite() {
                pseudo_count.max(0.0)
            } else {
                0.0
            },
            cv_log_likelihood: f64::NAN,
        };
        for row in train.chunks_exact(dims) {
            let c = h.cell(row);
            h.counts[c] += 1;
        }
        Ok(h)
    }

    /// The estimator whose bins per dimension maximise the `k`-fold cross-validated
    /// log-likelihood, among 1 … 200 bins in 1-D and up to bins^dims ≤ N beyond, with
    /// Jeffreys' pseudo-count ½.
    pub fn fit_cv(train: &[f32], dims: usize, k: usize, seed: u64) -> Result<Self> {
        let k = k.max(2);
        let n = check_rows(train, dims, 2 * k)?;
        let max_bins = if dims == 1 {
            200.min(n / 2).max(1)
        } else {
            ((n as f64).powf(1.0 / dims as f64).floor() as usize).max(1)
        };
        let fold = folds(n, n, k, seed);
        let mut best = (f64::NEG_INFINITY, 1usize);
        for bins in 1..=max_bins {
            let score = cv_score(train, dims, bins, JEFFREYS, &fold, k)?;
            if score > best.0 {
                best = (score, bins);
            }
        }
        let mut h = Self::with_bins(train, dims, best.1, JEFFREYS)?;
        h.cv_log_likelihood = best.0;
        Ok(h)
    }

    fn cell(&self, row: &[f32]) -> usize {
        let mut c = 0;
        for (d, &x) in row.iter().enumerate().take(self.dims) {
            let t = (x as f64 - self.lo[d]) / (self.hi[d] - self.lo[d]);
            let b = ((t * self.bins as f64).floor().max(0.0) as usize).min(self.bins - 1);
            c = c * self.bins + b;
        }
        c
    }

    fn cell_volume(&self) -> f64 {
        (0..self.dims)
            .map(|d| (self.hi[d] - self.lo[d]) / self.bins as f64)
            .product()
    }

    /// `n` events drawn from the estimate (row-major).
    pub fn sample(&self, n: usize, seed: u64) -> Vec<f32> {
        let mut r = rng(seed, stream::HIST_SAMPLE);
        let mut cum = Vec::with_capacity(self.counts.len());
        let mut total = 0f64;
        for &c in &self.counts {
            total += c as f64 + self.pseudo_count;
            cum.push(total);
        }
        let mut out = Vec::with_capacity(n * self.dims);
        for _ in 0..n {
            let u = uniform(&mut r) * total;
            let mut cell = cum.partition_point(|&c| c <= u).min(self.counts.len() - 1);
            let mut idx = vec![0usize; self.dims];
            for d in (0..self.dims).rev() {
                idx[d] = cell % self.bins;
                cell /= self.bins;
            }
            for (d, &i) in idx.iter().enumerate() {
                let w = (self.hi[d] - self.lo[d]) / self.bins as f64;
                out.push((self.lo[d] + (i as f64 + uniform(&mut r)) * w) as f32);
            }
        }
        out
    }
}

/// The range of every coordinate, widened where it is a single value.
fn range(data: &[f32], dims: usize) -> (Vec<f64>, Vec<f64>) {
    let mut lo = vec![f64::INFINITY; dims];
    let mut hi = vec![f64::NEG_INFINITY; dims];
    for row in data.chunks_exact(dims) {
        for d in 0..dims {
            lo[d] = lo[d].min(row[d] as f64);
            hi[d] = hi[d].max(row[d] as f64);
        }
    }
    for d in 0..dims {
        if hi[d] <= lo[d] {
            lo[d] -= 0.5;
            hi[d] += 0.5;
        }
    }
    (lo, hi)
}

/// Mean held-out log-likelihood of `bins` per dimension over the folds.
fn cv_score(
    train: &[f32],
    dims: usize,
    bins: usize,
    alpha: f64,
    fold: &[(usize, usize)],
    k: usize,
) -> Result<f64> {
    let full = HistogramEstimator::with_bins(train, dims, bins, alpha)?;
    let cells_n = full.counts.len() as f64;
    let vol = full.cell_volume();
    let mut per_fold = vec![vec![0u32; full.counts.len()]; k];
    let mut fold_n = vec![0usize; k];
    let cells: Vec<usize> = fold
        .iter()
        .map(|&(row, f)| {
            let c = full.cell(&train[row * dims..(row + 1) * dims]);
            per_fold[f][c] += 1;
            fold_n[f] += 1;
            c
        })
        .collect();
    let mut total = 0.0;
    for (&(_, f), &c) in fold.iter().zip(&cells) {
        let others = (full.counts[c] - per_fold[f][c]) as f64 + alpha;
        if others <= 0.0 {
            return Ok(f64::NEG_INFINITY);
        }
        total += (others / (((fold.len() - fold_n[f]) as f64 + alpha * cells_n) * vol)).ln();
    }
    Ok(total / fold.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::random::gaussian_sample as gauss;

    #[test]
    fn cv_picks_a_moderate_binning_and_samples_inside_the_range() {
        let train = gauss(1000, 1);
        let h = HistogramEstimator::fit_cv(&train, 1, 5, 2).unwrap();
        assert!((3..=40).contains(&h.bins), "{}", h.bins);
        assert!(h.cv_log_likelihood.is_finite());
        let s = h.sample(10_000, 3);
        let (lo, hi) = (h.lo[0] as f32, h.hi[0] as f32);
        assert!(s.iter().all(|&v| (lo..=hi).contains(&v)));
        let mean = s.iter().sum::<f32>() / s.len() as f32;
        assert!(mean.abs() < 0.1, "{mean}");
    }

    #[test]
    fn a_fixed_binning_reproduces_the_counts() {
        let h = HistogramEstimator::with_bins(&[0.0, 0.1, 0.2, 0.9, 1.0], 1, 2, 0.0).unwrap();
        assert_eq!(h.counts, vec![3, 2]);
        let s = h.sample(10_000, 1);
        let low = s.iter().filter(|&&v| v < 0.5).count() as f64 / 1e4;
        assert!((low - 0.6).abs() < 0.02, "{low}");
        assert!(HistogramEstimator::with_bins(&[0.0; 4], 2, 2000, 0.0).is_err());
        assert!(HistogramEstimator::with_bins(&[0.0, 1.0, 2.0], 2, 2, 0.0).is_err());
    }

    #[test]
    fn two_dimensions() {
        let a = gauss(2000, 4);
        let pts: Vec<f32> = a
            .chunks(2)
            .flat_map(|p| [p[0], p[0] + 0.3 * p[1]])
            .collect();
        let h = HistogramEstimator::fit_cv(&pts, 2, 5, 5).unwrap();
        assert!(h.bins >= 2, "{}", h.bins);
        assert_eq!(h.sample(100, 6).len(), 200);
    }
}
