//! The double-sided Crystal Ball shape: a Gaussian core with power-law tails on both sides
//! (Oreglia, SLAC-R-236 (1980), appendix D, for one side; the two-sided form CMS fits to its
//! jet response, e.g. the b-jet energy regression, CMS, Comput. Softw. Big Sci. 4 (2020) 10,
//! arXiv:1912.06046, eq. 3). In units of the core width:
//!
//! f(t) ∝ exp(−t²/2) for −α_L ≤ t ≤ α_R,
//!        A_L (B_L − t)^(−n_L) below, A_R (B_R + t)^(−n_R) above,
//!
//! with A = (n/α)ⁿ exp(−α²/2) and B = n/α − α, so f and f′ are continuous at the joins.

use serde::{Deserialize, Serialize};

/// The tails of a double-sided Crystal Ball (the core is N(0, 1)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrystalBall {
    /// Where the low tail starts, in core widths, and its power.
    pub alpha_low: f64,
    pub n_low: f64,
    /// Where the high tail starts and its power.
    pub alpha_high: f64,
    pub n_high: f64,
}

/// Standard normal CDF Φ(x), from erfc (W. J. Cody's rational approximations are overkill
/// here: Abramowitz & Stegun 7.1.26 has |error| < 1.5·10⁻⁷, below any histogram's).
pub fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-z * z).exp();
    if x >= 0.0 {
        1.0 - 0.5 * erfc
    } else {
        0.5 * erfc
    }
}

/// Φ⁻¹(p) for 0 < p < 1 (P. J. Acklam's rational approximation, relative error < 1.2·10⁻⁹,
/// with one Newton step on [`normal_cdf`] so the pair is consistent).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < 0.024_25 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.024_25 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    let pdf = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    x - (normal_cdf(x) - p) / pdf.max(1e-300)
}

impl CrystalBall {
    pub fn validate(&self) -> bool {
        let side = |a: f64, n: f64| a > 0.0 && a.is_finite() && n > 1.0 && n.is_finite();
        side(self.alpha_low, self.n_low) && side(self.alpha_high, self.n_high)
    }

    /// A tail's integral beyond its α: (n/α)·exp(−α²/2)/(n − 1).
    fn tail_mass(alpha: f64, n: f64) -> f64 {
        n / alpha * (-0.5 * alpha * alpha).exp() / (n - 1.0)
    }

    /// The three parts' unnormalised masses: low tail, core, high tail.
    fn masses(&self) -> [f64; 3] {
        let core = (2.0 * std::f64::consts::PI).sqrt()
            * (normal_cdf(self.alpha_high) - normal_cdf(-self.alpha_low));
        [
            Self::tail_mass(self.alpha_low, self.n_low),
            core,
            Self::tail_mass(self.alpha_high, self.n_high),
        ]
    }

    /// The normalised density at `t` (core widths).
    pub fn pdf(&self, t: f64) -> f64 {
        let total: f64 = self.masses().iter().sum();
        let side = |a: f64, n: f64, u: f64| {
            (n / a).powf(n) * (-0.5 * a * a).exp() * (n / a - a + u).powf(-n)
        };
        let f = if t < -self.alpha_low {
            side(self.alpha_low, self.n_low, -t)
        } else if t > self.alpha_high {
            side(self.alpha_high, self.n_high, t)
        } else {
            (-0.5 * t * t).exp()
        };
        f / total
    }

    /// The quantile at `u` ∈ (0, 1): one uniform gives one deviate, by the inverse CDF of
    /// each part (the power-law tails in closed form, the core by Φ⁻¹).
    pub fn quantile(&self, u: f64) -> f64 {
        let [low, core, high] = self.masses();
        let total = low + core + high;
        let m = u.clamp(1e-15, 1.0 - 1e-15) * total;
        let power_law = |mass: f64, a: f64, n: f64| {
            // ∫ beyond t of A (B + s)^(−n) = A (B + t)^(1−n)/(n − 1) = mass, for t ≥ α.
            let amp = (n / a).powf(n) * (-0.5 * a * a).exp();
            (mass * (n - 1.0) / amp).powf(1.0 / (1.0 - n)) - (n / a - a)
        };
        if m < low {
            -power_law(m, self.alpha_low, self.n_low)
        } else if m < low + core {
            let p = normal_cdf(-self.alpha_low) + (m - low) / (2.0 * std::f64::consts::PI).sqrt();
            normal_quantile(p)
        } else {
            power_law(total - m, self.alpha_high, self.n_high)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{rng, uniform};

    #[test]
    fn normal_cdf_and_quantile_agree() {
        for &x in &[-6.0, -2.5, -1.0, -0.1, 0.0, 0.3, 1.7, 4.0] {
            let p = normal_cdf(x);
            assert!((normal_quantile(p) - x).abs() < 1e-5, "{x}");
        }
        assert!((normal_cdf(1.0) - 0.841_344_746).abs() < 2e-7);
    }

    /// Sampled by quantiles, the shape's histogram follows its density, tails included, and
    /// it is continuous at both joins.
    #[test]
    fn sampled_shape_follows_the_density() {
        let cb = CrystalBall {
            alpha_low: 1.2,
            n_low: 3.0,
            alpha_high: 1.8,
            n_high: 5.0,
        };
        assert!(cb.validate());
        for a in [-cb.alpha_low, cb.alpha_high] {
            let (l, r) = (cb.pdf(a - 1e-9), cb.pdf(a + 1e-9));
            assert!((l - r).abs() < 1e-6 * l, "continuous at {a}");
        }
        let mut r = rng(3, 0);
        let n = 400_000;
        let xs: Vec<f64> = (0..n).map(|_| cb.quantile(uniform(&mut r))).collect();
        for (lo, hi) in [
            (-8.0, -4.0),
            (-4.0, -1.2),
            (-1.2, 0.0),
            (0.0, 1.8),
            (1.8, 4.0),
        ] {
            let frac = xs.iter().filter(|&&x| x >= lo && x < hi).count() as f64 / n as f64;
            let steps = 2000;
            let h = (hi - lo) / steps as f64;
            let want: f64 = (0..steps)
                .map(|i| cb.pdf(lo + (i as f64 + 0.5) * h) * h)
                .sum();
            let sigma = (want / n as f64).sqrt();
            assert!(
                (frac - want).abs() < 5.0 * sigma + 1e-4,
                "[{lo}, {hi}): sampled {frac:.5}, density {want:.5}"
            );
        }
        // A heavier low tail than a Gaussian's: P(t < −3) ≫ Φ(−3) = 0.00135.
        let below = xs.iter().filter(|&&x| x < -3.0).count() as f64 / n as f64;
        assert!(below > 0.01, "{below}");
    }
}
