//! Jets with constituents at generator level, for the jet VAE of Touranakou et al. (seed 001,
//! section 3: boosted W → qq from pp → WW, and QCD jets). Not a parton shower: each
//! distribution is a documented parametrisation with the measured shape, enough to give the
//! VAE jets with realistic multiplicity, momentum sharing, angular spread and particle mix.

use crate::physics::Particle;
use crate::random::{normal, poisson, uniform, Rng};
use serde::{Deserialize, Serialize};

use crate::physics::{W_MASS, W_WIDTH};

/// What a generated constituent is: it decides which detector measures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Species {
    ChargedHadron,
    Photon,
    NeutralHadron,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenParticle {
    pub p: Particle,
    pub species: Species,
}

/// One generated jet seed: its particles and the direction it was generated along.
#[derive(Debug, Clone, PartialEq)]
pub struct GenJetEvent {
    pub particles: Vec<GenParticle>,
    pub eta: f64,
    pub phi: f64,
    /// True for W → qq, false for a QCD (quark or gluon) jet.
    pub is_w: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JetsConfig {
    /// Fraction of boosted W → qq jets; the rest are QCD jets.
    pub w_fraction: f64,
    /// Generated jet pT range (GeV): below the training threshold of 130 GeV so that
    /// detector migrations across it are populated (seed 001, section 5).
    pub pt_min: f64,
    pub pt_max: f64,
    /// dN/dpT ∝ pT^−n: the steep fall of the inclusive jet and of the boosted-W spectrum at
    /// 13 TeV (n ≈ 4–5 for pT of a few hundred GeV; CMS, JHEP 02 (2022) 142).
    pub pt_power: f64,
    /// Jet pseudorapidity, uniform in |η| < this: a little beyond the |η| < 2.5 acceptance,
    /// which is applied after inference.
    pub eta_max: f64,
    /// Fraction of QCD jets initiated by gluons (≈ 0.6 for dijets of a few hundred GeV).
    pub gluon_fraction: f64,
    /// Mean multiplicity of a quark prong of energy E: a + b·ln(E / 10 GeV), the logarithmic
    /// rise of the measured charged+neutral multiplicity (e.g. ATLAS EPJC 76 (2016) 322:
    /// ≈ 20–30 particles in a 300 GeV quark jet). Gluons radiate C_A/C_F = 9/4 times as much,
    /// so their multiplicity is larger by `gluon_multiplicity` (≈ 1.5 measured).
    pub mult_a: f64,
    pub mult_b: f64,
    pub gluon_multiplicity: f64,
    /// Log-normal width of the per-particle momentum weights: gives a leading particle that
    /// carries ≈ 20–30 % of a prong, and many soft ones.
    pub sharing_sigma: f64,
    /// Mean transverse momentum (GeV) of a particle relative to its prong's axis (Gamma
    /// distribution of shape 2): soft particles spread wider (θ ≈ kT/p), as hadronisation does.
    pub kt_mean: f64,
    /// Mean number of extra hard emissions of a QCD jet (quark; ×9/4 for gluons), each
    /// taking a momentum fraction z ∝ 1/z in [0.05, 0.5] at an angle log-uniform in
    /// [0.02, 0.4]: the source of QCD jet mass.
    pub emissions: f64,
    /// Particle mix by count: charged hadrons and photons (from π⁰); the rest are neutral
    /// hadrons. PF jets carry ≈ 65 % / 25 % / 10 % of their energy this way (CMS PF, JINST 12
    /// (2017) P10003).
    pub charged_fraction: f64,
    pub photon_fraction: f64,
}

impl Default for JetsConfig {
    fn default() -> Self {
        Self {
            w_fraction: 0.5,
            pt_min: 120.0,
            pt_max: 1500.0,
            pt_power: 4.5,
            eta_max: 2.7,
            gluon_fraction: 0.6,
            mult_a: 2.0,
            mult_b: 2.5,
            gluon_multiplicity: 1.5,
            sharing_sigma: 1.1,
            kt_mean: 0.6,
            emissions: 1.2,
            charged_fraction: 0.62,
            photon_fraction: 0.26,
        }
    }
}

impl JetsConfig {
    /// Refuses a setting outside its range, naming it.
    pub fn validate(&self) -> crate::error::Result<()> {
        let fields = [
            ("w_fraction", self.w_fraction, 0.0, 1.0),
            ("pt_min (GeV)", self.pt_min, 1.0, 14_000.0),
            ("pt_max (GeV)", self.pt_max, self.pt_min + 1e-6, 14_000.0),
            ("pt_power", self.pt_power, 1.0 + 1e-6, 20.0),
            ("eta_max", self.eta_max, 0.0, 5.0),
            ("gluon_fraction", self.gluon_fraction, 0.0, 1.0),
            ("mult_a", self.mult_a, 0.0, 50.0),
            ("mult_b", self.mult_b, 0.0, 20.0),
            ("gluon_multiplicity", self.gluon_multiplicity, 0.1, 5.0),
            ("sharing_sigma", self.sharing_sigma, 0.0, 10.0),
            ("kt_mean (GeV)", self.kt_mean, 1e-3, 20.0),
            ("emissions", self.emissions, 0.0, 10.0),
            ("charged_fraction", self.charged_fraction, 0.0, 1.0),
            (
                "photon_fraction",
                self.photon_fraction,
                0.0,
                1.0 - self.charged_fraction,
            ),
        ];
        crate::error::check_ranges("jet generator", &fields)
    }

    /// One jet seed: its direction and particles at generator level.
    pub fn generate(&self, rng: &mut Rng) -> GenJetEvent {
        let pt = power_law(rng, self.pt_min, self.pt_max, self.pt_power);
        let eta = (2.0 * uniform(rng) - 1.0) * self.eta_max;
        let phi = (2.0 * uniform(rng) - 1.0) * std::f64::consts::PI;
        let is_w = uniform(rng) < self.w_fraction;
        // Prongs: (pT fraction, Δη, Δφ, multiplicity scale) around the jet axis.
        let mut prongs: Vec<(f64, f64, f64, f64)> = Vec::new();
        if is_w {
            // W → qq: Breit–Wigner mass; the quarks share the W momentum as z and 1 − z with
            // the (1 + cos²θ*) decay-angle distribution of a transverse W; their opening
            // angle is ΔR ≈ m / (pT √(z(1 − z))).
            let m = breit_wigner(rng, W_MASS, W_WIDTH);
            let cos = sample_one_plus_cos2(rng);
            let z = (0.5 * (1.0 + cos)).clamp(0.05, 0.95);
            let dr = (m / (pt * (z * (1.0 - z)).sqrt())).min(1.2);
            let a = 2.0 * std::f64::consts::PI * uniform(rng);
            let (dx, dy) = (dr * a.cos(), dr * a.sin());
            prongs.push((z, -(1.0 - z) * dx, -(1.0 - z) * dy, 1.0));
            prongs.push((1.0 - z, z * dx, z * dy, 1.0));
        } else {
            let gluon = uniform(rng) < self.gluon_fraction;
            let (colour, mult) = if gluon {
                (9.0 / 4.0, self.gluon_multiplicity)
            } else {
                (1.0, 1.0)
            };
            let mut lead = 1.0;
            let n_emit = poisson(rng, self.emissions * colour);
            for _ in 0..n_emit.min(4) {
                // z ∝ 1/z on [0.05, 0.5], angle log-uniform on [0.02, 0.4].
                let z = 0.05 * 10f64.powf(uniform(rng));
                let theta = 0.02 * 20f64.powf(uniform(rng));
                let a = 2.0 * std::f64::consts::PI * uniform(rng);
                let share = lead * z.min(0.5);
                lead -= share;
                prongs.push((share, theta * a.cos(), theta * a.sin(), mult));
            }
            prongs.push((lead, 0.0, 0.0, mult));
        }
        let mut particles = Vec::new();
        for (frac, deta, dphi, mult) in prongs {
            self.fragment(rng, pt * frac, eta + deta, phi + dphi, mult, &mut particles);
        }
        GenJetEvent {
            particles,
            eta,
            phi,
            is_w,
        }
    }

    /// Splits a prong of transverse momentum `pt` along (η, φ) into particles.
    fn fragment(
        &self,
        rng: &mut Rng,
        pt: f64,
        eta: f64,
        phi: f64,
        mult: f64,
        out: &mut Vec<GenParticle>,
    ) {
        let e = pt * eta.cosh();
        let mean = mult * (self.mult_a + self.mult_b * (e / 10.0).max(1.0).ln());
        let n = poisson(rng, mean).max(1) as usize;
        let weights: Vec<f64> = (0..n)
            .map(|_| (self.sharing_sigma * normal(rng)).exp())
            .collect();
        let sum: f64 = weights.iter().sum();
        for w in weights {
            let p_pt = pt * w / sum;
            // kT ~ Gamma(2, kt_mean/2): the sum of two exponentials.
            let kt = -0.5 * self.kt_mean * ((1.0 - uniform(rng)) * (1.0 - uniform(rng))).ln();
            let p = p_pt * eta.cosh();
            let theta = (kt / p.max(1e-3)).min(1.5);
            let a = 2.0 * std::f64::consts::PI * uniform(rng);
            let species = {
                let u = uniform(rng);
                if u < self.charged_fraction {
                    Species::ChargedHadron
                } else if u < self.charged_fraction + self.photon_fraction {
                    Species::Photon
                } else {
                    Species::NeutralHadron
                }
            };
            let p_eta = eta + theta * a.cos();
            let p_phi = crate::physics::delta_phi(phi + theta * a.sin(), 0.0);
            // Keep the particle's momentum, not its pT, as its angle moves it in η.
            let p_pt = p / p_eta.cosh();
            out.push(GenParticle {
                p: Particle::from_pt_eta_phi(p_pt, p_eta, p_phi),
                species,
            });
        }
    }
}

/// pT from dN/dpT ∝ pT^−n on [lo, hi] by inverting the cumulative distribution.
fn power_law(rng: &mut Rng, lo: f64, hi: f64, n: f64) -> f64 {
    let k = 1.0 - n;
    let (a, b) = (lo.powf(k), hi.powf(k));
    (a + uniform(rng) * (b - a)).powf(1.0 / k)
}

/// Relativistic Breit–Wigner in m² (as generators use), truncated to ±10 widths.
pub(crate) fn breit_wigner(rng: &mut Rng, m: f64, width: f64) -> f64 {
    loop {
        let u = uniform(rng);
        let m2 = m * m + m * width * (std::f64::consts::PI * (u - 0.5)).tan();
        if m2 > 0.0 && (m2.sqrt() - m).abs() < 10.0 * width {
            return m2.sqrt();
        }
    }
}

/// cos θ* from dN/dcos ∝ 1 + cos², by rejection.
pub(crate) fn sample_one_plus_cos2(rng: &mut Rng) -> f64 {
    loop {
        let c = 2.0 * uniform(rng) - 1.0;
        if 2.0 * uniform(rng) < 1.0 + c * c {
            return c;
        }
    }
}
