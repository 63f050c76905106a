//! JS-versus-n_quant curves with error bands (seed 003, section 4 and figs. 6–7): the quantile
//! cells of one large reference sample, fitted once at the finest n_quant, and the quantile-JS
//! (eq. 3.3) of any sample at every n_quant = 2, 4, 8, … The band is the spread over K
//! independent samples of the same kind (subsamples, trainings or sampling seeds).

use super::{js_divergence, QuantileTree};
use crate::error::{Error, Result};

/// Quantile cells of a reference sample for n_quant = 2, 4, … up to a power of two that
/// leaves at least 10 reference points per cell.
#[derive(Debug, Clone)]
pub struct JsReference {
    tree: QuantileTree,
    ref_counts: Vec<Vec<u64>>,
    n_ref: usize,
}

/// One point of a curve: mean and standard deviation of the JS over the samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    pub n_quant: usize,
    pub mean: f64,
    pub sd: f64,
    /// n_quant ≤ N/10 (N events per sample): about ten events per cell or more. Beyond that the
    /// JS measures empty cells more than the distribution (seed 003, section 3), and plots draw
    /// it dashed.
    pub meaningful: bool,
}

/// The JS curve of one kind of sample against the reference.
#[derive(Debug, Clone, PartialEq)]
pub struct JsCurve {
    pub label: String,
    /// Events per sample.
    pub size: usize,
    /// Samples the mean and spread come from.
    pub repeats: usize,
    pub points: Vec<CurvePoint>,
}

impl JsCurve {
    /// The point at `n_quant`, if the curve reaches it.
    pub fn at(&self, n_quant: usize) -> Option<&CurvePoint> {
        self.points.iter().find(|p| p.n_quant == n_quant)
    }
}

impl JsReference {
    /// Cells of `reference` (row-major, `dims` coordinates per event) for n_quant up to
    /// `max_quant`, and at most N_ref/10.
    pub fn fit(reference: &[f32], dims: usize, max_quant: usize) -> Result<Self> {
        let n_ref = reference.len() / dims.max(1);
        let mut top = 2usize;
        while top * 2 <= max_quant.min(n_ref / 10) {
            top *= 2;
        }
        if n_ref < 20 {
            return Err(Error::invalid(
                "reference sample",
                format!("{n_ref} events; at least 20 are needed for two quantiles"),
            ));
        }
        let tree = QuantileTree::fit(reference, dims, top)?;
        let ref_counts = tree.counts_by_level(reference);
        Ok(Self {
            tree,
            ref_counts,
            n_ref,
        })
    }

    pub fn n_ref(&self) -> usize {
        self.n_ref
    }

    pub fn dims(&self) -> usize {
        self.tree.dims()
    }

    /// n_quant = 2, 4, … of every level.
    pub fn n_quants(&self) -> Vec<usize> {
        (0..self.ref_counts.len()).map(|k| 2 << k).collect()
    }

    /// The JS of one sample at every n_quant. A non-finite value is refused: a model that
    /// returns NaN must not be scored as if the value were somewhere.
    pub fn js(&self, sample: &[f32]) -> Result<Vec<f64>> {
        let dims = self.dims();
        if sample.is_empty() || !sample.len().is_multiple_of(dims) {
            return Err(Error::invalid(
                "sample",
                format!("{} values do not make rows of {dims}", sample.len()),
            ));
        }
        if let Some(i) = sample.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "sample",
                format!("event {} holds a non-finite value", i / dims + 1),
            ));
        }
        Ok(self
            .tree
            .counts_by_level(sample)
            .iter()
            .zip(&self.ref_counts)
            .map(|(c, r)| js_divergence(c, r))
            .collect())
    }

    /// The curve of `samples` (one or more of the same size and kind): mean and sample
    /// standard deviation (0 for a single sample) at every n_quant.
    pub fn curve(&self, label: &str, samples: &[&[f32]]) -> Result<JsCurve> {
        let dims = self.dims();
        let size = samples
            .iter()
            .map(|s| s.len() / dims)
            .min()
            .ok_or_else(|| Error::invalid("curve", format!("no sample for '{label}'")))?;
        let all: Vec<Vec<f64>> = samples.iter().map(|s| self.js(s)).collect::<Result<_>>()?;
        let k = all.len() as f64;
        let points = self
            .n_quants()
            .into_iter()
            .enumerate()
            .map(|(level, n_quant)| {
                let mean = all.iter().map(|v| v[level]).sum::<f64>() / k;
                let sd = if all.len() > 1 {
                    (all.iter().map(|v| (v[level] - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt()
                } else {
                    0.0
                };
                CurvePoint {
                    n_quant,
                    mean,
                    sd,
                    meaningful: n_quant <= size / 10,
                }
            })
            .collect();
        Ok(JsCurve {
            label: label.to_string(),
            size,
            repeats: samples.len(),
            points,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::quantile_js;

    use crate::random::gaussian_sample as gauss;

    #[test]
    fn levels_match_the_direct_estimate() {
        let reference = gauss(5000, 1);
        let test = gauss(800, 2);
        let r = JsReference::fit(&reference, 1, 1 << 20).unwrap();
        assert_eq!(r.n_quants().last(), Some(&256)); // 5000 / 10 = 500 → 256
        let c = r.curve("test", &[&test]).unwrap();
        for p in &c.points {
            let direct = quantile_js(&reference, &test, p.n_quant).unwrap();
            assert!((p.mean - direct).abs() < 1e-12, "{p:?} vs {direct}");
            assert_eq!(p.meaningful, p.n_quant <= 80);
        }
    }

    #[test]
    fn spread_over_samples_and_refusals() {
        let reference = gauss(4000, 3);
        let r = JsReference::fit(&reference, 1, 64).unwrap();
        let (a, b) = (gauss(500, 4), gauss(500, 5));
        let c = r.curve("two", &[&a, &b]).unwrap();
        assert_eq!(c.repeats, 2);
        assert!(c.points.iter().all(|p| p.sd > 0.0 && p.mean > 0.0));
        assert!(r
            .js(&[1.0, f32::NAN])
            .unwrap_err()
            .to_string()
            .contains("event 2"));
        assert!(JsReference::fit(&reference[..10], 1, 64).is_err());
    }
}
