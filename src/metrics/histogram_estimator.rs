//! The histogram density-estimator baseline of seed 003 (section 4, fig. 8–10, table 1):
//! b_d equal-width bins along dimension d over the training sample's range, density
//! count / (N · cell volume), the bins chosen by cross-validated log-likelihood, then sampled
//! (a cell with probability ∝ its count, uniform inside it). Two ways to choose them:
//! [`HistogramEstimator::fit_cv`], one count for every dimension by k-fold cross-validation
//! (the lab's default, quick enough for the page), and
//! [`HistogramEstimator::fit_cv_per_dimension`], a count per dimension over many random
//! cross-validation sets, as the paper does ("to ensure stable convergence, we form 500
//! cross-validation sets", section 4; table 1 lists the bins per dimension).
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
    /// Bins along each dimension.
    pub bins: Vec<usize>,
    counts: Vec<u32>,
    /// Pseudo-count added to every cell.
    pub pseudo_count: f64,
    /// Mean held-out log-likelihood per event of the chosen binning (NaN if not fitted by CV).
    pub cv_log_likelihood: f64,
}

impl HistogramEstimator {
    /// The estimator with a fixed number of bins per dimension and pseudo-count per cell.
    pub fn with_bins(train: &[f32], dims: usize, bins: usize, pseudo_count: f64) -> Result<Self> {
        Self::with_bins_per_dimension(train, dims, &vec![bins; dims], pseudo_count)
    }

    /// The estimator with `bins[d]` bins along dimension d.
    pub fn with_bins_per_dimension(
        train: &[f32],
        dims: usize,
        bins: &[usize],
        pseudo_count: f64,
    ) -> Result<Self> {
        check_rows(train, dims, 1)?;
        let cells = bins
            .iter()
            .try_fold(1usize, |c, &b| c.checked_mul(b))
            .filter(|&c| c <= MAX_CELLS);
        if bins.len() != dims || bins.contains(&0) || cells.is_none() {
            return Err(Error::invalid(
                "histogram bins",
                format!("{bins:?} in {dims} dimensions (at most {MAX_CELLS} cells)"),
            ));
        }
        let (lo, hi) = range(train, dims);
        let mut h = Self {
            dims,
            lo,
            hi,
            counts: vec![0; cells.unwrap_or(1)],
            bins: bins.to_vec(),
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
        let sets: Vec<Vec<usize>> = (0..k)
            .map(|f| fold.iter().filter(|p| p.1 == f).map(|p| p.0).collect())
            .collect();
        let mut best = (f64::NEG_INFINITY, 1usize);
        for bins in 1..=max_bins {
            let score = cv_score(train, dims, &vec![bins; dims], JEFFREYS, &sets)?;
            if score > best.0 {
                best = (score, bins);
            }
        }
        let mut h = Self::with_bins(train, dims, best.1, JEFFREYS)?;
        h.cv_log_likelihood = best.0;
        Ok(h)
    }

    /// The estimator whose bins along each dimension maximise the mean held-out
    /// log-likelihood over `sets` random cross-validation sets (each holding out a fifth of
    /// the events; the paper: 500), with Jeffreys' pseudo-count ½. The paper does not say how
    /// it searches the grid of bin counts; here by coordinate ascent from the best common
    /// count: each dimension's count is scanned (1 … 200) with the others fixed (at most
    /// 64 N cells in all), until no dimension changes.
    pub fn fit_cv_per_dimension(
        train: &[f32],
        dims: usize,
        sets: usize,
        seed: u64,
    ) -> Result<Self> {
        let n = check_rows(train, dims, 10)?;
        let mut r = rng(seed, stream::CV_SETS);
        let held = (n / 5).max(1);
        let sets: Vec<Vec<usize>> = (0..sets.max(1))
            .map(|_| {
                // The first fifth of a partial Fisher–Yates shuffle.
                let mut idx: Vec<usize> = (0..n).collect();
                for i in 0..held {
                    let j = i + ((uniform(&mut r) * (n - i) as f64) as usize).min(n - i - 1);
                    idx.swap(i, j);
                }
                idx.truncate(held);
                idx
            })
            .collect();
        // More cells than events are allowed (table 1's 4-D histogram of 1k showers has
        // 20 × 19 × 5 × 5 = 9,500): Jeffreys' pseudo-count keeps the empty ones finite.
        let max_cells = (64 * n).min(MAX_CELLS);
        let score = |bins: &[usize]| cv_score(train, dims, bins, JEFFREYS, &sets);
        let mut best = (f64::NEG_INFINITY, vec![1usize; dims]);
        for b in 1..=200usize {
            if b.checked_pow(dims as u32).is_none_or(|c| c > max_cells) {
                break;
            }
            let s = score(&vec![b; dims])?;
            if s > best.0 {
                best = (s, vec![b; dims]);
            }
        }
        for _round in 0..10 {
            let mut changed = false;
            for d in 0..dims {
                let others: usize = (0..dims).filter(|&e| e != d).map(|e| best.1[e]).product();
                for b in 1..=200usize.min(max_cells / others.max(1)) {
                    let mut bins = best.1.clone();
                    bins[d] = b;
                    let s = score(&bins)?;
                    if s > best.0 + 1e-12 {
                        best = (s, bins);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let mut h = Self::with_bins_per_dimension(train, dims, &best.1, JEFFREYS)?;
        h.cv_log_likelihood = best.0;
        Ok(h)
    }

    fn cell(&self, row: &[f32]) -> usize {
        let mut c = 0;
        for (d, &x) in row.iter().enumerate().take(self.dims) {
            let bins = self.bins[d];
            let t = (x as f64 - self.lo[d]) / (self.hi[d] - self.lo[d]);
            let b = ((t * bins as f64).floor().max(0.0) as usize).min(bins - 1);
            c = c * bins + b;
        }
        c
    }

    fn cell_volume(&self) -> f64 {
        (0..self.dims)
            .map(|d| (self.hi[d] - self.lo[d]) / self.bins[d] as f64)
            .product()
    }

    /// The bins as table 1 writes them: "12" in one dimension, "5 × 7" beyond.
    pub fn bins_text(&self) -> String {
        self.bins
            .iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(" × ")
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
                idx[d] = cell % self.bins[d];
                cell /= self.bins[d];
            }
            for (d, &i) in idx.iter().enumerate() {
                let w = (self.hi[d] - self.lo[d]) / self.bins[d] as f64;
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

/// Mean held-out log-likelihood of the binning `bins` over cross-validation sets: each set's
/// held-out rows scored by the histogram of all the others (k folds are k such sets).
fn cv_score(
    train: &[f32],
    dims: usize,
    bins: &[usize],
    alpha: f64,
    sets: &[Vec<usize>],
) -> Result<f64> {
    let full = HistogramEstimator::with_bins_per_dimension(train, dims, bins, alpha)?;
    let n = train.len() / dims;
    let cells_n = full.counts.len() as f64;
    let vol = full.cell_volume();
    let cell: Vec<usize> = train.chunks_exact(dims).map(|row| full.cell(row)).collect();
    let mut held = vec![0u32; full.counts.len()];
    let (mut total, mut scored) = (0.0, 0usize);
    for set in sets {
        for &i in set {
            held[cell[i]] += 1;
        }
        let norm = ((n - set.len()) as f64 + alpha * cells_n) * vol;
        for &i in set {
            let others = (full.counts[cell[i]] - held[cell[i]]) as f64 + alpha;
            if others <= 0.0 {
                return Ok(f64::NEG_INFINITY);
            }
            total += (others / norm).ln();
        }
        scored += set.len();
        for &i in set {
            held[cell[i]] = 0;
        }
    }
    Ok(total / scored.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::random::gaussian_sample as gauss;

    #[test]
    fn cv_picks_a_moderate_binning_and_samples_inside_the_range() {
        let train = gauss(1000, 1);
        let h = HistogramEstimator::fit_cv(&train, 1, 5, 2).unwrap();
        assert!((3..=40).contains(&h.bins[0]), "{:?}", h.bins);
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
        assert!(h.bins[0] >= 2, "{:?}", h.bins);
        assert_eq!(h.sample(100, 6).len(), 200);
    }

    /// The paper's way: a wide dimension and a narrow structure get different bin counts.
    /// Dimension 0 is a smooth Gaussian, dimension 1 two narrow peaks 0.1 apart on a range of
    /// 2: resolving them takes ≥ 20 bins there, which dimension 0 does not want.
    #[test]
    fn per_dimension_bins_follow_each_dimension() {
        let a = gauss(6000, 7);
        let pts: Vec<f32> = a
            .chunks(2)
            .enumerate()
            .flat_map(|(i, p)| {
                [
                    p[0],
                    if i % 2 == 0 { -0.05 } else { 0.05 }
                        + 0.01 * p[1]
                        + if i % 50 == 0 { 0.9 } else { 0.0 },
                ]
            })
            .collect();
        let h = HistogramEstimator::fit_cv_per_dimension(&pts, 2, 50, 3).unwrap();
        assert!(h.bins[1] >= 20 && h.bins[1] > 2 * h.bins[0], "{:?}", h.bins);
        let common = HistogramEstimator::fit_cv(&pts, 2, 5, 3).unwrap();
        assert!(h.cv_log_likelihood.is_finite() && common.cv_log_likelihood.is_finite());
        assert_eq!(h.bins_text(), format!("{} × {}", h.bins[0], h.bins[1]));
        assert_eq!(h.sample(100, 6).len(), 200);
        assert!(HistogramEstimator::with_bins_per_dimension(&pts, 2, &[3], 0.5).is_err());
    }
}
