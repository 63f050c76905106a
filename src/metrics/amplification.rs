//! Amplification (seed 003, section 4, "GANplification"): the effective sample size of a
//! generated sample is the size of a truth sample whose quantile-JS against the reference, at
//! the same n_quant, equals the generated sample's; the amplification factor is that size over
//! the training size.
//!
//! The truth sample is shuffled (seeded) and split once: a pool holding `repeats` disjoint
//! subsamples of every size, and the rest as the reference the quantiles come from. Sizes are
//! the training size × 1, 2, 5, 10, 20, 50, … as far as the pool allows (half the truth sample
//! at most). Between two sizes the JS is interpolated linearly in (ln N, ln JS): a truth sample's
//! JS falls about as 1/N when the noise dominates, a straight line there.

use super::{HistogramEstimator, JsCurve, JsReference, Kde};
use crate::error::{Error, Result};
use crate::random::{rng, stream, Rng};
use rand::seq::SliceRandom;

/// How a study splits the truth sample.
#[derive(Debug, Clone)]
pub struct StudyOptions {
    /// Disjoint truth subsamples per size (seed 003 uses five).
    pub repeats: usize,
    /// The finest n_quant considered.
    pub max_quant: usize,
    /// The largest truth subsample (the page keeps this small); `usize::MAX` for no limit.
    pub max_size: usize,
    pub seed: u64,
}

impl Default for StudyOptions {
    fn default() -> Self {
        Self {
            repeats: 5,
            max_quant: 1 << 20,
            max_size: usize::MAX,
            seed: 1,
        }
    }
}

/// How the histogram baseline chooses its bins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistogramCv {
    /// One count for every dimension, by 5-fold cross-validation (the lab's default).
    #[default]
    CommonBins,
    /// A count per dimension over this many random cross-validation sets (seed 003: 500).
    PerDimension { sets: usize },
}

impl HistogramCv {
    /// Seed 003's choice (section 4, table 1).
    pub const PAPER: HistogramCv = HistogramCv::PerDimension { sets: 500 };
}

/// The effective size at one n_quant: a value with its error, or a bound where the generated
/// sample's JS lies outside the range the truth subsamples span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effective {
    Estimate {
        n: f64,
        err: f64,
    },
    /// Better than the largest truth subsample: at least this many events.
    AtLeast(f64),
    /// Worse than the smallest truth subsample: at most this many events.
    AtMost(f64),
}

/// The amplification of one generated sample at one n_quant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amplification {
    pub n_quant: usize,
    pub effective: Effective,
    pub train_size: usize,
}

impl Effective {
    /// The effective size, or the bound.
    pub fn size(&self) -> f64 {
        match *self {
            Effective::Estimate { n, .. } | Effective::AtLeast(n) | Effective::AtMost(n) => n,
        }
    }
}

impl Amplification {
    /// The factor N_eff / N_train and its error (the bound itself for a bound).
    pub fn factor(&self) -> (f64, f64) {
        let t = self.train_size as f64;
        match self.effective {
            Effective::Estimate { n, err } => (n / t, err / t),
            Effective::AtLeast(n) | Effective::AtMost(n) => (n / t, 0.0),
        }
    }

    /// "12.3 ± 1.4", "> 100" or "< 1" (the factor).
    pub fn factor_text(&self) -> String {
        let (f, e) = self.factor();
        match self.effective {
            Effective::Estimate { .. } => {
                let d = decimals(f);
                format!("{f:.d$} ± {e:.d$}")
            }
            Effective::AtLeast(_) => format!("> {}", sig(f)),
            Effective::AtMost(_) => format!("< {}", sig(f)),
        }
    }

    /// The effective size as text, e.g. "35,200 ± 4,100" or "> 100,000".
    pub fn size_text(&self) -> String {
        match self.effective {
            Effective::Estimate { n, err } => format!("{} ± {}", round_int(n), round_int(err)),
            Effective::AtLeast(n) => format!("> {}", round_int(n)),
            Effective::AtMost(n) => format!("< {}", round_int(n)),
        }
    }
}

/// Decimals for three significant digits up to 100 (and none beyond).
fn decimals(x: f64) -> usize {
    if x >= 100.0 {
        0
    } else if x >= 10.0 {
        1
    } else {
        2
    }
}

fn sig(x: f64) -> String {
    format!("{x:.*}", decimals(x))
}

fn round_int(x: f64) -> String {
    crate::numfmt::thousands(x.round().max(0.0) as usize)
}

/// Truth subsample sizes: `train` × 1, 2, 5, 10, 20, 50, … while `repeats` of the size fit
/// in `pool` events and the size is at most `max_size`.
pub fn truth_sizes(train: usize, pool: usize, repeats: usize, max_size: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut decade = 1usize;
    'outer: loop {
        for m in [1, 2, 5] {
            let s = train.saturating_mul(m).saturating_mul(decade);
            if s == 0 || s > max_size || s.saturating_mul(repeats) > pool {
                break 'outer;
            }
            out.push(s);
        }
        decade = decade.saturating_mul(10);
    }
    out
}

/// A JS study of one observable (1-D) or several jointly (n-D) against a truth sample.
pub struct Study {
    reference: JsReference,
    dims: usize,
    pool: Vec<f32>,
    pub train_size: usize,
    pub sizes: Vec<usize>,
    pub repeats: usize,
    /// The truth subsample curves computed so far, by increasing size.
    pub truth: Vec<JsCurve>,
    /// Every other curve (training sample, model, baselines), in the order added.
    pub curves: Vec<JsCurve>,
}

impl Study {
    /// Shuffles `truth` (row-major, `dims` per event) with the options' seed and splits it
    /// into the subsample pool and the reference, and fits the reference quantiles.
    pub fn new(truth: &[f32], dims: usize, train_size: usize, opts: &StudyOptions) -> Result<Self> {
        if dims == 0 || !truth.len().is_multiple_of(dims) {
            return Err(Error::invalid(
                "truth sample",
                format!("{} values do not make rows of {dims}", truth.len()),
            ));
        }
        if train_size == 0 {
            return Err(Error::invalid("training size", "0 events"));
        }
        let n = truth.len() / dims;
        let repeats = opts.repeats.max(2);
        let sizes = truth_sizes(train_size, n / 2, repeats, opts.max_size);
        let Some(&largest) = sizes.last() else {
            return Err(Error::invalid(
                "truth sample",
                format!(
                    "{n} events: at least {} (twice {repeats} × the training size {train_size}) are needed",
                    2 * repeats * train_size
                ),
            ));
        };
        let mut order: Vec<usize> = (0..n).collect();
        let mut r: Rng = rng(opts.seed, stream::SHUFFLE);
        order.shuffle(&mut r);
        let gather = |idx: &[usize]| -> Vec<f32> {
            idx.iter()
                .flat_map(|&i| truth[i * dims..(i + 1) * dims].iter().copied())
                .collect()
        };
        let n_pool = repeats * largest;
        let pool = gather(&order[..n_pool]);
        let reference = JsReference::fit(&gather(&order[n_pool..]), dims, opts.max_quant)?;
        Ok(Self {
            reference,
            dims,
            pool,
            train_size,
            sizes,
            repeats,
            truth: Vec::new(),
            curves: Vec::new(),
        })
    }

    pub fn reference(&self) -> &JsReference {
        &self.reference
    }

    /// Computes the next truth size's curve; true once every size is done. Call it in a loop
    /// (the page yields to the browser between calls).
    pub fn next_truth(&mut self) -> Result<bool> {
        if let Some(&size) = self.sizes.get(self.truth.len()) {
            let chunk = size * self.dims;
            let parts: Vec<&[f32]> = (0..self.repeats)
                .map(|k| &self.pool[k * chunk..(k + 1) * chunk])
                .collect();
            let curve = self.reference.curve("truth", &parts)?;
            self.truth.push(curve);
        }
        Ok(self.truth.len() == self.sizes.len())
    }

    /// Adds the curve of one kind of sample (several for a band) and returns it.
    pub fn add(&mut self, label: &str, samples: &[&[f32]]) -> Result<&JsCurve> {
        let curve = self.reference.curve(label, samples)?;
        self.curves.retain(|c| c.label != label);
        self.curves.push(curve);
        Ok(self.curves.last().expect("just pushed"))
    }

    /// Adds the curve of one large generated sample, with its band from `parts` disjoint
    /// parts: their spread divided by √parts. (The JS of a sample N events large fluctuates as
    /// 1/√N where a model's bias dominates and as 1/N where noise does; √parts is the
    /// conservative of the two.)
    pub fn add_split(&mut self, label: &str, sample: &[f32], parts: usize) -> Result<&JsCurve> {
        let mut curve = self.reference.curve(label, &[sample])?;
        let rows = sample.len() / self.dims;
        let parts = parts.max(2);
        if rows >= 20 * parts {
            let chunk = rows / parts * self.dims;
            let split: Vec<&[f32]> = (0..parts)
                .map(|k| &sample[k * chunk..(k + 1) * chunk])
                .collect();
            let spread = self.reference.curve(label, &split)?;
            for (p, s) in curve.points.iter_mut().zip(&spread.points) {
                p.sd = s.sd / (parts as f64).sqrt();
            }
        }
        self.curves.retain(|c| c.label != label);
        self.curves.push(curve);
        Ok(self.curves.last().expect("just pushed"))
    }

    /// Adds the training sample's own curve ("training sample") and the density-estimator
    /// baselines fitted to it ("KDE" by 5-fold cross-validation, "histogram" as `hist_cv`
    /// says), each sampled `size` times with `seed` (seed 003, figs. 8–10); returns the
    /// fitted estimators.
    pub fn add_baselines(
        &mut self,
        train: &[f32],
        size: usize,
        seed: u64,
        hist_cv: HistogramCv,
    ) -> Result<(Kde, HistogramEstimator)> {
        self.add("training sample", &[train])?;
        let kde = Kde::fit_cv(train, self.dims, 5, seed)?;
        let hist = match hist_cv {
            HistogramCv::CommonBins => HistogramEstimator::fit_cv(train, self.dims, 5, seed)?,
            HistogramCv::PerDimension { sets } => {
                HistogramEstimator::fit_cv_per_dimension(train, self.dims, sets, seed)?
            }
        };
        self.add_split("KDE", &kde.sample(size, seed), 5)?;
        self.add_split("histogram", &hist.sample(size, seed), 5)?;
        Ok((kde, hist))
    }

    pub fn curve(&self, label: &str) -> Option<&JsCurve> {
        self.curves.iter().find(|c| c.label == label)
    }

    /// The default n_quant of the amplification of curve `label`. Seed 003 (section 3,
    /// fig. 6) reads the amplification at high resolution, on the plateau of the generated
    /// sample's curve, against truth curves that are meaningful there (results past n/10
    /// quantiles of a sample are discarded). So: the finest n_quant of the reference at which
    /// the generated sample holds at least 10 events per quantile and the effective size read
    /// there does too (the truth curve it is read from is meaningful) — an estimate inside the
    /// truth sizes if one qualifies, else a bound; the coarsest when nothing qualifies. A
    /// model that only copies its training sample is read at about N_train/10 quantiles.
    pub fn default_n_quant(&self, label: &str) -> usize {
        let quants = self.reference.n_quants();
        let sample = self.curve(label).map_or(0, |c| c.size);
        let qualifies = |q: usize, estimate: bool| {
            10 * q <= sample
                && self.amplification(label, Some(q)).is_ok_and(|a| {
                    a.effective.size() >= 10.0 * q as f64
                        && (!estimate || matches!(a.effective, Effective::Estimate { .. }))
                })
        };
        let finest = |estimate: bool| {
            quants
                .iter()
                .rev()
                .copied()
                .find(|&q| qualifies(q, estimate))
        };
        finest(true).or_else(|| finest(false)).unwrap_or(quants[0])
    }

    /// The amplification of curve `label` at `n_quant` (the default if None).
    pub fn amplification(&self, label: &str, n_quant: Option<usize>) -> Result<Amplification> {
        let n_quant = n_quant.unwrap_or_else(|| self.default_n_quant(label));
        let curve = self
            .curve(label)
            .ok_or_else(|| Error::invalid("amplification", format!("no curve '{label}'")))?;
        let gen = curve.at(n_quant).ok_or_else(|| {
            Error::invalid(
                "n_quant",
                format!(
                    "{n_quant}: the reference gives {:?}",
                    self.reference.n_quants()
                ),
            )
        })?;
        if self.truth.len() < self.sizes.len() || self.truth.is_empty() {
            return Err(Error::invalid(
                "amplification",
                "the truth subsample curves are not computed yet",
            ));
        }
        let truth: Vec<(f64, f64, f64)> = self
            .truth
            .iter()
            .filter_map(|c| {
                c.at(n_quant).map(|p| {
                    let sem = p.sd / (c.repeats as f64).sqrt();
                    (c.size as f64, p.mean, sem)
                })
            })
            .collect();
        let effective = effective_size(&truth, gen.mean, gen.sd);
        Ok(Amplification {
            n_quant,
            effective,
            train_size: self.train_size,
        })
    }
}

/// N_eff from truth points (size, mean JS, error of the mean), sorted by size, for a JS of
/// `js` ± `js_err`. The error combines, in quadrature, the shift of N_eff when the generated
/// JS moves by ±js_err and when the truth curve moves by ± its errors.
pub fn effective_size(truth: &[(f64, f64, f64)], js: f64, js_err: f64) -> Effective {
    let central = match interpolate(truth, js, 0.0) {
        Ok(n) => n,
        Err(bound) => return bound,
    };
    let spread = |a: std::result::Result<f64, Effective>,
                  b: std::result::Result<f64, Effective>| {
        let edge = |r: std::result::Result<f64, Effective>| match r {
            Ok(n) => n,
            Err(Effective::AtLeast(n)) | Err(Effective::AtMost(n)) => n,
            Err(Effective::Estimate { n, .. }) => n,
        };
        0.5 * (edge(a) - edge(b)).abs()
    };
    let from_gen = spread(
        interpolate(truth, js - js_err, 0.0),
        interpolate(truth, js + js_err, 0.0),
    );
    let from_truth = spread(interpolate(truth, js, 1.0), interpolate(truth, js, -1.0));
    Effective::Estimate {
        n: central,
        err: from_gen.hypot(from_truth),
    }
}

/// The size where the truth curve (shifted by `shift` × its errors) crosses `js`, linear in
/// (ln N, ln JS) between the bracketing sizes; a bound outside their range.
fn interpolate(
    truth: &[(f64, f64, f64)],
    js: f64,
    shift: f64,
) -> std::result::Result<f64, Effective> {
    let pts: Vec<(f64, f64)> = truth
        .iter()
        .map(|&(n, m, e)| (n, (m + shift * e).max(1e-12)))
        .collect();
    let (first, last) = match (pts.first(), pts.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => return Err(Effective::AtMost(0.0)),
    };
    let js = js.max(1e-12);
    if js >= first.1 {
        return Err(Effective::AtMost(first.0));
    }
    // The first crossing from above: noise can make the curve non-monotonic near its floor.
    for w in pts.windows(2) {
        let ((n0, j0), (n1, j1)) = (w[0], w[1]);
        if j0 >= js && js >= j1 {
            let t = if (j0.ln() - j1.ln()).abs() < 1e-15 {
                0.5
            } else {
                (j0.ln() - js.ln()) / (j0.ln() - j1.ln())
            };
            return Ok((n0.ln() + t * (n1.ln() - n0.ln())).exp());
        }
    }
    Err(Effective::AtLeast(last.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::HistogramEstimator;

    use crate::random::gaussian_sample as gauss;

    #[test]
    fn sizes_follow_1_2_5() {
        assert_eq!(
            truth_sizes(1000, 500_000, 5, usize::MAX),
            vec![1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000]
        );
        assert_eq!(truth_sizes(1000, 40_000, 5, 5000), vec![1000, 2000, 5000]);
        assert!(truth_sizes(1000, 4000, 5, usize::MAX).is_empty());
    }

    #[test]
    fn interpolation_is_log_log_and_bounded() {
        // JS = 1/N exactly: the crossing of 1/3000 is 3000.
        let truth: Vec<(f64, f64, f64)> = [1000.0, 2000.0, 5000.0, 10000.0]
            .iter()
            .map(|&n| (n, 1.0 / n, 0.0))
            .collect();
        match effective_size(&truth, 1.0 / 3000.0, 0.0) {
            Effective::Estimate { n, err } => {
                assert!((n - 3000.0).abs() < 1e-6 && err == 0.0)
            }
            e => panic!("{e:?}"),
        }
        assert_eq!(
            effective_size(&truth, 1e-6, 0.0),
            Effective::AtLeast(10000.0)
        );
        assert_eq!(effective_size(&truth, 1.0, 0.0), Effective::AtMost(1000.0));
    }

    /// Seed 003's sanity check: a sample of the truth distribution itself, G events large, is
    /// worth G events, so its amplification is G / N_train.
    #[test]
    fn a_truth_sample_is_worth_its_size() {
        let truth = gauss(400_000, 1);
        let mut s = Study::new(&truth, 1, 1000, &StudyOptions::default()).unwrap();
        while !s.next_truth().unwrap() {}
        let gen = gauss(10_000, 2);
        s.add_split("model", &gen, 5).unwrap();
        for q in [16, 64] {
            let a = s.amplification("model", Some(q)).unwrap();
            let (f, e) = a.factor();
            assert!((6.0..16.0).contains(&f), "n_quant {q}: {f} ± {e}");
            assert!(e > 0.0 && e < f, "n_quant {q}: {f} ± {e}");
        }
    }

    /// A model that only re-samples a histogram of its training sample carries no more
    /// information than that sample: amplification ≈ 1 at large n_quant.
    #[test]
    fn a_histogram_of_the_training_sample_gives_about_one() {
        let truth = gauss(400_000, 3);
        let train = gauss(1000, 4);
        let hist = HistogramEstimator::with_bins(&train, 1, 250, 0.0).unwrap();
        let gen = hist.sample(20_000, 5);
        let mut s = Study::new(&truth, 1, 1000, &StudyOptions::default()).unwrap();
        while !s.next_truth().unwrap() {}
        s.add_split("histogram", &gen, 5).unwrap();
        let a = s.amplification("histogram", None).unwrap();
        // Read where the truth curve at its effective size is meaningful: ≈ N_train/10.
        assert!(10 * a.n_quant <= a.effective.size() as usize, "{a:?}");
        assert!(a.n_quant >= 32, "{a:?}");
        let (f, e) = a.factor();
        assert!((0.5..2.0).contains(&f), "{f} ± {e}");
    }

    /// Issue 17: the default n_quant followed the training size (N_train/10 quantiles, 64
    /// for 1,000 events) whatever the generated sample resolves; seed 003 reads the
    /// amplification at high resolution, as far as the generated and truth samples allow.
    #[test]
    fn the_default_n_quant_follows_the_samples_compared() {
        let truth = gauss(400_000, 5);
        let mut s = Study::new(&truth, 1, 1000, &StudyOptions::default()).unwrap();
        while !s.next_truth().unwrap() {}
        s.add_split("small", &gauss(5_000, 6), 5).unwrap();
        s.add_split("large", &gauss(100_000, 7), 5).unwrap();
        assert_eq!(s.default_n_quant("small"), 256); // ≤ 500, not N_train/10 = 100 → 64
        assert_eq!(s.default_n_quant("no such curve"), 2);
        let large = s.default_n_quant("large");
        assert!(large >= 1024, "{large}");
        let a = s.amplification("large", None).unwrap();
        assert!(10.0 * large as f64 <= a.effective.size(), "{a:?}");
        assert_eq!(s.amplification("large", None).unwrap().n_quant, large);
    }
}
