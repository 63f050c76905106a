//! pp → W(→μν) + 1 jet at √s = 13 TeV: a seeded, parametric generator with realistic shapes
//! for the smearing benchmark of Chen et al. (seed 000, section 2). It is not a matrix-element
//! generator: each distribution is a documented parametrisation of the measured shape.

use crate::physics::{FourVector, MU_MASS, W_MASS, W_WIDTH};
use crate::random::{normal, poisson, uniform, Rng};
use serde::{Deserialize, Serialize};

/// Parameters of the W+jet generator; the defaults describe 13 TeV LHC collisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WJetsConfig {
    /// Lowest W transverse momentum generated (GeV); the jet recoils against it, so this sits
    /// below the 30 GeV jet selection.
    pub w_pt_min: f64,
    pub w_pt_max: f64,
    /// W pT spectrum dN/dpT ∝ (1 + pT/p0)^(−n): the power-law fall of the measured 13 TeV
    /// W+jets spectrum (CMS, Phys. Rev. D 96 (2017) 072005: roughly pT^−4…−5 above 50 GeV).
    pub w_pt_p0: f64,
    pub w_pt_power: f64,
    /// W rapidity: Gaussian of this width, truncated at |y| < 4.5 — the broad 13 TeV W
    /// rapidity distribution (flat to |y| ≈ 2, falling beyond; ATLAS EPJC 77 (2017) 367).
    pub w_y_sigma: f64,
    /// W polarisation fractions (helicity frame) for the V−A decay angle; CMS measured
    /// f_L − f_R ≈ 0.3 and f_0 ≈ 0.2 in W+jets at high pT (PRL 107 (2011) 021802).
    pub f_left: f64,
    pub f_right: f64,
    /// Fraction of W⁺ (σ(W⁺)/σ(W) ≈ 0.57 at 13 TeV, ATLAS PLB 759 (2016) 601).
    pub w_plus_fraction: f64,
    /// Jet pseudorapidity: η_jet = a·y_W + N(0, σ) (LO qg → Wq correlates the two), |η| < 4.7.
    pub jet_eta_corr: f64,
    pub jet_eta_sigma: f64,
    /// Jet mass: m/pT log-normal with median and log-width below (light-quark and gluon jets
    /// of R ≈ 0.4–0.5 peak near m/pT ≈ 0.1; e.g. CMS JHEP 05 (2013) 090), capped at 0.4 pT.
    pub jet_m_over_pt_median: f64,
    pub jet_m_log_sigma: f64,
    /// Unclustered hadronic recoil (initial-state radiation, underlying event) per transverse
    /// component, GeV: it keeps the jet from balancing the W exactly.
    pub soft_recoil_sigma: f64,
    /// Mean number of pile-up interactions (Poisson); CMS 2016 ran at ⟨μ⟩ ≈ 27.
    pub mean_pileup: f64,
}

impl Default for WJetsConfig {
    fn default() -> Self {
        Self {
            w_pt_min: 20.0,
            w_pt_max: 1000.0,
            w_pt_p0: 25.0,
            w_pt_power: 5.0,
            w_y_sigma: 2.2,
            f_left: 0.55,
            f_right: 0.25,
            w_plus_fraction: 0.57,
            jet_eta_corr: 0.4,
            jet_eta_sigma: 1.4,
            jet_m_over_pt_median: 0.09,
            jet_m_log_sigma: 0.5,
            soft_recoil_sigma: 6.0,
            mean_pileup: 27.0,
        }
    }
}

/// One generator-level event.
#[derive(Debug, Clone, PartialEq)]
pub struct WJetGenEvent {
    pub mu: FourVector,
    /// Muon charge, ±1.
    pub q: f64,
    pub nu: FourVector,
    pub jet: FourVector,
    /// Unclustered hadronic recoil (px, py), GeV.
    pub soft: (f64, f64),
    /// Number of pile-up interactions in this bunch crossing.
    pub n_pileup: u32,
}

impl WJetGenEvent {
    /// Generator-level missing pT: the neutrino's.
    pub fn met(&self) -> (f64, f64) {
        (self.nu.px, self.nu.py)
    }
}

impl WJetsConfig {
    /// Refuses parameters that give no sensible events (they can come from a file or a link).
    pub fn validate(&self) -> crate::error::Result<()> {
        let finite = [
            self.w_pt_min,
            self.w_pt_max,
            self.w_pt_p0,
            self.w_pt_power,
            self.w_y_sigma,
            self.f_left,
            self.f_right,
            self.w_plus_fraction,
            self.jet_eta_corr,
            self.jet_eta_sigma,
            self.jet_m_over_pt_median,
            self.jet_m_log_sigma,
            self.soft_recoil_sigma,
            self.mean_pileup,
        ];
        let ok = finite.iter().all(|v| v.is_finite())
            && 0.0 <= self.w_pt_min
            && self.w_pt_min < self.w_pt_max
            && self.w_pt_p0 > 0.0
            && self.w_pt_power > 1.0
            && self.w_y_sigma > 0.0
            && self.jet_eta_sigma > 0.0
            && (0.0..=1.0).contains(&self.f_left)
            && (0.0..=1.0).contains(&self.f_right)
            && self.f_left + self.f_right <= 1.0
            && (0.0..=1.0).contains(&self.w_plus_fraction)
            && self.jet_m_over_pt_median > 0.0
            && self.jet_m_log_sigma >= 0.0
            && self.soft_recoil_sigma >= 0.0
            && (0.0..=1000.0).contains(&self.mean_pileup);
        if ok {
            Ok(())
        } else {
            Err(crate::error::Error::invalid("generator", "parameters out of range (finite; pT min < max; power > 1; fractions in [0, 1]; widths > 0; pile-up ≤ 1000)"))
        }
    }

    /// Draws one event.
    pub fn sample(&self, rng: &mut Rng) -> WJetGenEvent {
        let q = if uniform(rng) < self.w_plus_fraction {
            1.0
        } else {
            -1.0
        };
        let w_pt = self.sample_w_pt(rng);
        let w_y = loop {
            let y = self.w_y_sigma * normal(rng);
            if y.abs() < 4.5 {
                break y;
            }
        };
        let w_phi = std::f64::consts::PI * (2.0 * uniform(rng) - 1.0);
        let w_m = sample_breit_wigner(rng, W_MASS, W_WIDTH, 50.0, 110.0);
        let w = FourVector::from_pt_y_phi_m(w_pt, w_y, w_phi, w_m);
        let (mu, nu) = self.decay(rng, &w, q);

        let soft = (
            self.soft_recoil_sigma * normal(rng),
            self.soft_recoil_sigma * normal(rng),
        );
        let (jpx, jpy) = (-w.px - soft.0, -w.py - soft.1);
        let jet_pt = jpx.hypot(jpy).max(1.0);
        let jet_eta = loop {
            let eta = self.jet_eta_corr * w_y + self.jet_eta_sigma * normal(rng);
            if eta.abs() < 4.7 {
                break eta;
            }
        };
        let ratio = (self.jet_m_over_pt_median.ln() + self.jet_m_log_sigma * normal(rng)).exp();
        let jet_m = (ratio * jet_pt).min(0.4 * jet_pt).max(0.1);
        let jet = FourVector::from_pt_eta_phi_m(jet_pt, jet_eta, jpy.atan2(jpx), jet_m);
        let n_pileup = poisson(rng, self.mean_pileup);
        WJetGenEvent {
            mu,
            q,
            nu,
            jet,
            soft,
            n_pileup,
        }
    }

    /// Inverse-CDF draw from dN/dpT ∝ (1 + pT/p0)^(−n) on [min, max].
    fn sample_w_pt(&self, rng: &mut Rng) -> f64 {
        let (p0, k) = (self.w_pt_p0, 1.0 - self.w_pt_power);
        let a = (1.0 + self.w_pt_min / p0).powf(k);
        let b = (1.0 + self.w_pt_max / p0).powf(k);
        let u = uniform(rng);
        p0 * ((a + u * (b - a)).powf(1.0 / k) - 1.0)
    }

    /// W → μν in the W rest frame with the V−A angular distribution in the helicity frame
    /// (θ* between the charged lepton and the W flight direction):
    /// dN/dcosθ* ∝ f_L (1 ∓ cosθ*)² + f_R (1 ± cosθ*)² + 2 f_0 sin²θ*, upper sign for W⁺
    /// (Bern et al., PRD 84 (2011) 034008, eq. 1), then boosted to the lab.
    fn decay(&self, rng: &mut Rng, w: &FourVector, q: f64) -> (FourVector, FourVector) {
        let f0 = (1.0 - self.f_left - self.f_right).max(0.0);
        let cos_t = loop {
            let c = 2.0 * uniform(rng) - 1.0;
            let dens = self.f_left * (1.0 - q * c).powi(2)
                + self.f_right * (1.0 + q * c).powi(2)
                + 2.0 * f0 * (1.0 - c * c);
            if 4.0 * uniform(rng) < dens {
                break c;
            }
        };
        let sin_t = (1.0 - cos_t * cos_t).sqrt();
        let phi = 2.0 * std::f64::consts::PI * uniform(rng);
        let m = w.m();
        let p_star = (m * m - MU_MASS * MU_MASS) / (2.0 * m);
        // Orthonormal frame (e1, e2, ŵ) around the W direction.
        let p = w.p().max(1e-9);
        let wz = [w.px / p, w.py / p, w.pz / p];
        let helper = if wz[2].abs() < 0.9 {
            [0.0, 0.0, 1.0]
        } else {
            [1.0, 0.0, 0.0]
        };
        let e1 = normalise(cross(helper, wz));
        let e2 = cross(wz, e1);
        let dir: Vec<f64> = (0..3)
            .map(|i| sin_t * phi.cos() * e1[i] + sin_t * phi.sin() * e2[i] + cos_t * wz[i])
            .collect();
        let e_mu = (p_star * p_star + MU_MASS * MU_MASS).sqrt();
        let mu_rest = FourVector::new(p_star * dir[0], p_star * dir[1], p_star * dir[2], e_mu);
        let nu_rest = FourVector::new(-mu_rest.px, -mu_rest.py, -mu_rest.pz, p_star);
        let beta = (w.px / w.e, w.py / w.e, w.pz / w.e);
        (
            mu_rest.boost(beta.0, beta.1, beta.2),
            nu_rest.boost(beta.0, beta.1, beta.2),
        )
    }
}

/// Relativistic Breit–Wigner mass, by rejection inside [lo, hi] (GeV).
fn sample_breit_wigner(rng: &mut Rng, m0: f64, width: f64, lo: f64, hi: f64) -> f64 {
    loop {
        // Cauchy proposal, then accept with the ratio of relativistic to Cauchy shapes.
        let m = m0 + 0.5 * width * (std::f64::consts::PI * (uniform(rng) - 0.5)).tan();
        if m <= lo || m >= hi {
            continue;
        }
        let s = m * m;
        let rel = 1.0 / ((s - m0 * m0).powi(2) + (m0 * width).powi(2));
        let cauchy = 1.0 / ((m - m0).powi(2) + 0.25 * width * width);
        // rel/cauchy ≤ 1/(m + m0)² below m0 and ≤ 1/(4 m0²) above: both ≤ 1/(lo + m0)².
        let bound = 1.0 / (lo + m0).powi(2);
        if uniform(rng) * cauchy * bound <= rel {
            return m;
        }
    }
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn normalise(a: [f64; 3]) -> [f64; 3] {
    let n = (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt();
    [a[0] / n, a[1] / n, a[2] / n]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::rng;

    #[test]
    fn same_seed_same_events() {
        let cfg = WJetsConfig::default();
        let (mut a, mut b) = (rng(3, 0), rng(3, 0));
        for _ in 0..100 {
            assert_eq!(cfg.sample(&mut a), cfg.sample(&mut b));
        }
    }

    #[test]
    fn w_mass_and_momentum_balance() {
        let cfg = WJetsConfig::default();
        let mut r = rng(11, 0);
        let mut masses = Vec::new();
        for _ in 0..5000 {
            let ev = cfg.sample(&mut r);
            let w = ev.mu + ev.nu;
            masses.push(w.m());
            // Transverse momentum balance: μ + ν + jet + soft = 0.
            let sx = w.px + ev.jet.px + ev.soft.0;
            let sy = w.py + ev.jet.py + ev.soft.1;
            assert!(sx.abs() < 1e-6 && sy.abs() < 1e-6);
            assert!(ev.jet.m() <= (0.4 * ev.jet.pt()).max(0.1) + 1e-6);
        }
        masses.sort_by(f64::total_cmp);
        let median = masses[masses.len() / 2];
        assert!((median - W_MASS).abs() < 0.3, "median m_W = {median}");
        let q1 = masses[masses.len() / 4];
        let q3 = masses[3 * masses.len() / 4];
        // The interquartile range of a Breit–Wigner is its full width Γ.
        assert!((q3 - q1 - W_WIDTH).abs() < 0.3, "IQR = {}", q3 - q1);
    }
}
