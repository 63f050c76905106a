//! JetNet's Fréchet and kernel physics distances (Kansal et al., "Evaluating generative
//! models in high energy physics", arXiv:2211.10295, section 3; the `jetnet` package's `fpd`
//! and `kpd`; `shared/reference`) on per-jet features, here the 36 energy-flow polynomials
//! of [`super::efps`]. Both first divide every feature by its largest |value| over the real
//! jets.
//! - FPD: the Fréchet distance between Gaussians fitted to batches of real and generated
//!   jets, at ten batch sizes N evenly spaced in 1/N from 20,000 to 50,000 jets, 20 batches
//!   each (drawn with replacement), fitted by a line in 1/N (both coefficients ≥ 0) and
//!   extrapolated to N → ∞: the intercept ± its standard error.
//! - KPD: the unbiased MMD² with the polynomial kernel k(x, y) = (x·y / d + 1)⁴ on 10 batches
//!   of 5,000 jets: the median ± half the 16–84 % inter-quantile range.
//!
//! jetnet draws its batches with numpy's generator, this module with the lab's: the values
//! agree within the metrics' own spread, not digit for digit.

use super::jetnet::Spread;
use crate::random::{rng, uniform, Rng};

/// JetNet's FPD settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FpdOptions {
    pub min_jets: usize,
    pub max_jets: usize,
    pub batches: usize,
    pub points: usize,
    pub seed: u64,
}

impl Default for FpdOptions {
    fn default() -> Self {
        Self {
            min_jets: 20_000,
            max_jets: 50_000,
            batches: 20,
            points: 10,
            seed: 42,
        }
    }
}

impl FpdOptions {
    /// JetNet's, with the batch sizes capped at `cap` jets (a test set is rarely 50,000):
    /// from 40 % of the cap to the cap.
    pub fn capped(cap: usize) -> Self {
        let d = Self::default();
        Self {
            max_jets: d.max_jets.min(cap).max(2),
            min_jets: d.min_jets.min(cap * 2 / 5).max(2),
            ..d
        }
    }
}

/// JetNet's KPD settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpdOptions {
    pub jets: usize,
    pub batches: usize,
    pub seed: u64,
}

impl Default for KpdOptions {
    fn default() -> Self {
        Self {
            jets: 5_000,
            batches: 10,
            seed: 42,
        }
    }
}

impl KpdOptions {
    /// JetNet's, with the batch size capped at `cap` jets.
    pub fn capped(cap: usize) -> Self {
        let d = Self::default();
        Self {
            jets: d.jets.min(cap).max(2),
            ..d
        }
    }
}

/// Both samples divided, feature by feature, by the largest |value| of the real one (a
/// feature that is 0 throughout is left alone).
fn normalised<const D: usize>(
    real: &[[f64; D]],
    gen: &[[f64; D]],
) -> (Vec<[f64; D]>, Vec<[f64; D]>) {
    let mut max = [0f64; D];
    for x in real {
        for k in 0..D {
            max[k] = max[k].max(x[k].abs());
        }
    }
    let max = max.map(|m| if m == 0.0 { 1.0 } else { m });
    let scale = |v: &[[f64; D]]| {
        v.iter()
            .map(|x| std::array::from_fn(|k| x[k] / max[k]))
            .collect::<Vec<_>>()
    };
    (scale(real), scale(gen))
}

fn draw<'a, const D: usize>(v: &'a [[f64; D]], n: usize, r: &mut Rng) -> Vec<&'a [f64; D]> {
    (0..n)
        .map(|_| &v[((uniform(r) * v.len() as f64) as usize).min(v.len() - 1)])
        .collect()
}

/// Mean and covariance (divided by n − 1, as numpy's `cov`) of rows, covariance row-major.
fn moments<const D: usize>(rows: &[&[f64; D]]) -> ([f64; D], Vec<f64>) {
    let n = rows.len() as f64;
    let mut mean = [0f64; D];
    for x in rows {
        for k in 0..D {
            mean[k] += x[k];
        }
    }
    mean = mean.map(|m| m / n);
    let mut cov = vec![0f64; D * D];
    let mut c = [0f64; D];
    for x in rows {
        for k in 0..D {
            c[k] = x[k] - mean[k];
        }
        for i in 0..D {
            let ci = c[i];
            for j in i..D {
                cov[i * D + j] += ci * c[j];
            }
        }
    }
    for i in 0..D {
        for j in i..D {
            let v = cov[i * D + j] / (n - 1.0).max(1.0);
            cov[i * D + j] = v;
            cov[j * D + i] = v;
        }
    }
    (mean, cov)
}

/// Eigenvalues and eigenvectors (columns of the returned row-major matrix) of a symmetric
/// `d × d` matrix, by cyclic Jacobi rotations.
fn symmetric_eigen(a: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0f64; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    let norm: f64 = a.iter().map(|x| x * x).sum::<f64>().max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * d + j] * a[i * d + j])
            .sum();
        if off <= 1e-30 * norm {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq.abs() <= f64::MIN_POSITIVE {
                    continue;
                }
                let theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[k * d + p], a[k * d + q]);
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[p * d + k], a[q * d + k]);
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}

/// The Fréchet distance of two Gaussians, |μ₁ − μ₂|² + tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½), with
/// tr (Σ₁Σ₂)^½ = Σ √λ of Σ₁^½ Σ₂ Σ₁^½ (the same eigenvalues, and symmetric).
pub fn frechet_distance(mu1: &[f64], s1: &[f64], mu2: &[f64], s2: &[f64]) -> f64 {
    let d = mu1.len();
    let (l, v) = symmetric_eigen(s1, d);
    // Σ₁^½ = V diag(√λ) Vᵀ.
    let mut half = vec![0f64; d * d];
    for i in 0..d {
        for j in 0..d {
            half[i * d + j] = (0..d)
                .map(|k| v[i * d + k] * l[k].max(0.0).sqrt() * v[j * d + k])
                .sum();
        }
    }
    let mul = |a: &[f64], b: &[f64]| {
        let mut out = vec![0f64; d * d];
        for i in 0..d {
            for k in 0..d {
                let aik = a[i * d + k];
                for j in 0..d {
                    out[i * d + j] += aik * b[k * d + j];
                }
            }
        }
        out
    };
    let inner = mul(&mul(&half, s2), &half);
    let sym: Vec<f64> = (0..d * d)
        .map(|k| 0.5 * (inner[k] + inner[(k % d) * d + k / d]))
        .collect();
    let (li, _) = symmetric_eigen(&sym, d);
    let tr_sqrt: f64 = li.iter().map(|x| x.max(0.0).sqrt()).sum();
    let dmu: f64 = mu1.iter().zip(mu2).map(|(a, b)| (a - b) * (a - b)).sum();
    let tr: f64 = (0..d).map(|i| s1[i * d + i] + s2[i * d + i]).sum();
    dmu + tr - 2.0 * tr_sqrt
}

/// FPD of `gen` against `real` features; NaN when either has fewer than two jets.
pub fn fpd<const D: usize>(real: &[[f64; D]], gen: &[[f64; D]], o: &FpdOptions) -> Spread {
    if real.len() < 2 || gen.len() < 2 || o.points < 2 {
        return Spread::NAN;
    }
    let (x, y) = normalised(real, gen);
    let mut r = rng(o.seed, 0);
    let (lo, hi) = (1.0 / o.min_jets as f64, 1.0 / o.max_jets as f64);
    let mut inv_n = Vec::new();
    let mut vals = Vec::new();
    for p in 0..o.points {
        // numpy: (1 / linspace(1/min, 1/max, points)).astype(int32).
        let n = (1.0 / (lo + (hi - lo) * p as f64 / (o.points - 1) as f64)) as usize;
        let mut sum = 0.0;
        for _ in 0..o.batches.max(1) {
            let (a, b) = (draw(&x, n, &mut r), draw(&y, n, &mut r));
            let ((m1, s1), (m2, s2)) = (moments(&a), moments(&b));
            sum += frechet_distance(&m1, &s1, &m2, &s2);
        }
        inv_n.push(1.0 / n as f64);
        vals.push(sum / o.batches.max(1) as f64);
    }
    let (intercept, error) = line_intercept(&inv_n, &vals);
    Spread {
        mean: intercept,
        sd: error,
    }
}

/// The intercept of the least-squares line through (x, y) with intercept and slope ≥ 0, as
/// scipy's bounded `curve_fit`, and its standard error √(s² (JᵀJ)⁻¹₀₀), s² = SSR / (n − 2).
fn line_intercept(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (sx, sy) = (x.iter().sum::<f64>(), y.iter().sum::<f64>());
    let sxx: f64 = x.iter().map(|v| v * v).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| a * b).sum();
    let det = n * sxx - sx * sx;
    let (mut a, mut b) = ((sxx * sy - sx * sxy) / det, (n * sxy - sx * sy) / det);
    if b < 0.0 {
        (a, b) = ((sy / n).max(0.0), 0.0);
    } else if a < 0.0 {
        (a, b) = (0.0, (sxy / sxx).max(0.0));
    }
    let ssr: f64 = x.iter().zip(y).map(|(u, v)| (v - a - b * u).powi(2)).sum();
    let s2 = ssr / (n - 2.0).max(1.0);
    (a, (s2 * sxx / det).max(0.0).sqrt())
}

/// Unbiased MMD² of two batches with the kernel (x·y / d + 1)⁴.
fn mmd_poly<const D: usize>(x: &[&[f64; D]], y: &[&[f64; D]]) -> f64 {
    let k = |a: &[f64; D], b: &[f64; D]| {
        let dot: f64 = a.iter().zip(b).map(|(u, v)| u * v).sum();
        (dot / D as f64 + 1.0).powi(4)
    };
    let within = |s: &[&[f64; D]]| {
        let mut sum = 0.0;
        for i in 0..s.len() {
            for j in i + 1..s.len() {
                sum += k(s[i], s[j]);
            }
        }
        2.0 * sum / (s.len() * (s.len() - 1)) as f64
    };
    let mut cross = 0.0;
    for a in x {
        for b in y {
            cross += k(a, b);
        }
    }
    within(x) + within(y) - 2.0 * cross / (x.len() * y.len()) as f64
}

/// The p-th percentile (0–100) of sorted values, interpolated linearly (numpy's default).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let pos = p / 100.0 * (sorted.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos.fract());
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    sorted[i] + f * (next - sorted[i])
}

/// KPD of `gen` against `real` features; NaN when either has fewer than two jets. The
/// batches run on as many threads as the machine has (each batch its own random stream).
pub fn kpd<const D: usize>(real: &[[f64; D]], gen: &[[f64; D]], o: &KpdOptions) -> Spread {
    if real.len() < 2 || gen.len() < 2 || o.jets < 2 {
        return Spread::NAN;
    }
    let (x, y) = normalised(real, gen);
    let batch = |i: usize| {
        let mut r = rng(o.seed, 1000 + i as u64);
        let (a, b) = (draw(&x, o.jets, &mut r), draw(&y, o.jets, &mut r));
        mmd_poly(&a, &b)
    };
    let mut vals = vec![0f64; o.batches.max(1)];
    crate::model::fast::parallel::for_each(&mut vals, || (), |_, i, v| *v = batch(i));
    vals.sort_by(f64::total_cmp);
    Spread {
        mean: percentile(&vals, 50.0),
        sd: (percentile(&vals, 83.725) - percentile(&vals, 16.275)) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::normal;

    fn gauss<const D: usize>(n: usize, shift: f64, seed: u64) -> Vec<[f64; D]> {
        let mut r = rng(seed, 0);
        (0..n)
            .map(|_| std::array::from_fn(|k| normal(&mut r) * (1.0 + k as f64) + shift))
            .collect()
    }

    /// Closed forms: for Σ₁ = diag(1, 4), Σ₂ = diag(4, 1) and μ apart by (1, 0), the distance
    /// is 1 + (1 + 4 + 4 + 1) − 2 (2 + 2) = 3; equal Gaussians give 0; a non-diagonal pair
    /// against its rotation by the eigenvectors keeps tr(Σ₁Σ₂)^½.
    #[test]
    fn frechet_distance_closed_forms() {
        let d = frechet_distance(
            &[1.0, 0.0],
            &[1.0, 0.0, 0.0, 4.0],
            &[0.0, 0.0],
            &[4.0, 0.0, 0.0, 1.0],
        );
        assert!((d - 3.0).abs() < 1e-12, "{d}");
        let s = [2.0, 0.6, 0.6, 1.0];
        assert!(frechet_distance(&[0.3, 0.1], &s, &[0.3, 0.1], &s).abs() < 1e-12);
        let (l, v) = symmetric_eigen(&s, 2);
        for k in 0..2 {
            let av = [s[0] * v[k] + s[1] * v[2 + k], s[2] * v[k] + s[3] * v[2 + k]];
            assert!((av[0] - l[k] * v[k]).abs() < 1e-12 && (av[1] - l[k] * v[2 + k]).abs() < 1e-12);
        }
    }

    /// The line fit: an exact line is recovered with no error; a negative slope is bounded
    /// to zero, leaving the mean.
    #[test]
    fn bounded_line_fit() {
        let x = [0.1, 0.2, 0.3, 0.4];
        let (a, e) = line_intercept(&x, &x.map(|v| 2.0 + 3.0 * v));
        assert!((a - 2.0).abs() < 1e-12 && e < 1e-9, "{a} {e}");
        let (a, _) = line_intercept(&x, &[4.0, 3.0, 2.0, 1.0]);
        assert!((a - 2.5).abs() < 1e-12, "{a}");
    }

    /// Same-distribution samples score near zero (within the spread), a shifted one well above.
    #[test]
    fn fpd_and_kpd_see_a_shift() {
        let o = FpdOptions {
            min_jets: 500,
            max_jets: 2000,
            batches: 5,
            points: 5,
            seed: 1,
        };
        let k = KpdOptions {
            jets: 500,
            batches: 6,
            seed: 1,
        };
        let real = gauss::<3>(4000, 0.0, 1);
        let same = gauss::<3>(4000, 0.0, 2);
        let moved = gauss::<3>(4000, 0.3, 3);
        let (f0, f1) = (fpd(&real, &same, &o), fpd(&real, &moved, &o));
        assert!(f0.mean < 3.0 * f0.sd.max(1e-4) + 1e-3, "{f0:?}");
        assert!(f1.mean > 10.0 * f0.mean.max(f0.sd), "{f0:?} {f1:?}");
        let (k0, k1) = (kpd(&real, &same, &k), kpd(&real, &moved, &k));
        assert!(k0.mean.abs() < 3.0 * k0.sd.max(1e-5) + 1e-4, "{k0:?}");
        assert!(k1.mean > 10.0 * k0.mean.abs().max(k0.sd), "{k0:?} {k1:?}");
        assert!(fpd::<3>(&real[..1], &same, &o).mean.is_nan());
    }
}
