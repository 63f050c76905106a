//! A particle-level detector for jets with constituents (seed 001, section 3: Delphes with the
//! CMS card, pile-up, particle-flow candidates, anti-kT R = 0.5): every generated particle is
//! measured by the subdetector its species reaches, soft pile-up particles are added, and the
//! reco-level particles are clustered and matched to the generator-level jet.

use crate::error::{check_ranges, Result};
use crate::generate::{GenJetEvent, Species};
use crate::physics::{anti_kt, delta_phi, jet_momentum, FourVector, Particle};
use crate::random::{lognormal_factor, normal, poisson, uniform, Rng};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParticleDetector {
    /// Reco particles kept: pT above this (GeV) and |η| below `max_eta` (seed 001, sec. 3).
    pub min_pt: f64,
    pub max_eta: f64,
    /// Tracker coverage; charged hadrons beyond it, or not found, reach the HCAL instead.
    pub tracker_eta: f64,
    /// Mean number of pile-up collisions (seed 001 used Poisson with mean 50).
    pub pileup_mu: f64,
    /// Neutral pile-up particles per unit η × φ per collision above `min_pt`: charged
    /// pile-up is removed by the vertex association of particle flow (Delphes CMS card,
    /// TrackPileUpSubtractor), neutral pile-up stays. Minimum bias at 13 TeV has
    /// dN_ch/dη ≈ 6, i.e. ≈ 1 per unit area, with about a third as many neutrals above 250 MeV.
    pub pileup_density: f64,
    /// Mean pT above `min_pt` of a pile-up particle (exponential), GeV.
    pub pileup_pt_mean: f64,
    /// Angular granularity of the calorimeters (Δη = Δφ of a cell): positions of calorimeter
    /// particles are smeared by cell/√12 (Delphes CMS: ECAL 0.0174, HCAL 0.087).
    pub ecal_cell: f64,
    pub hcal_cell: f64,
    /// Anti-kT radius of both gen and reco jets, and the largest ΔR of a matched pair.
    pub jet_r: f64,
    pub match_dr: f64,
    /// The training phase space (seed 001, section 5): reco jets with pT above this (GeV;
    /// the analysis cut of 200 GeV is applied after inference) and |η| below `jet_eta`.
    pub jet_pt_min: f64,
    pub jet_eta: f64,
}

impl Default for ParticleDetector {
    fn default() -> Self {
        Self {
            min_pt: 0.25,
            max_eta: 3.2,
            tracker_eta: 2.5,
            pileup_mu: 50.0,
            pileup_density: 0.3,
            pileup_pt_mean: 0.5,
            ecal_cell: 0.0174,
            hcal_cell: 0.087,
            jet_r: 0.5,
            match_dr: 0.3,
            jet_pt_min: 130.0,
            jet_eta: 2.7,
        }
    }
}

/// A matched pair: the constituents of the gen jet and of the reco jet.
#[derive(Debug, Clone, PartialEq)]
pub struct JetPair {
    pub gen: Vec<Particle>,
    pub reco: Vec<Particle>,
}

/// Half-width in η and φ of the window around the jet in which pile-up is generated: every
/// particle that anti-kT could join to the jet lies well inside it.
const PILEUP_WINDOW: f64 = 1.0;

impl ParticleDetector {
    /// Refuses a setting outside its physical range, naming it.
    pub fn validate(&self) -> Result<()> {
        let fields = [
            ("min_pt (GeV)", self.min_pt, 0.0, 100.0),
            ("max_eta", self.max_eta, 0.0, 5.0),
            ("tracker_eta", self.tracker_eta, 0.0, 5.0),
            ("pile-up μ", self.pileup_mu, 0.0, 300.0),
            ("pileup_density", self.pileup_density, 0.0, 10.0),
            ("pileup_pt_mean (GeV)", self.pileup_pt_mean, 1e-3, 100.0),
            ("ecal_cell", self.ecal_cell, 0.0, 0.5),
            ("hcal_cell", self.hcal_cell, 0.0, 0.5),
            ("jet_r", self.jet_r, 0.05, 1.5),
            ("match_dr", self.match_dr, 1e-3, 1.5),
            ("jet_pt_min (GeV)", self.jet_pt_min, 0.0, 14_000.0),
            ("jet_eta", self.jet_eta, 0.0, 5.0),
        ];
        check_ranges("particle detector", &fields)
    }

    /// Charged-hadron tracking efficiency (Delphes CMS card).
    pub fn track_efficiency(&self, pt: f64, eta: f64) -> f64 {
        let a = eta.abs();
        match (a <= 1.5, a <= self.tracker_eta, pt > 1.0) {
            _ if pt <= 0.1 || a > self.tracker_eta => 0.0,
            (true, _, false) => 0.70,
            (true, _, true) => 0.95,
            (false, true, false) => 0.60,
            _ => 0.85,
        }
    }

    /// σ(pT)/pT of a charged-hadron track (Delphes CMS card, a fraction; pT in GeV). Delphes
    /// applies it as a log-normal factor, as we do.
    pub fn track_resolution(&self, pt: f64, eta: f64) -> f64 {
        let (c, s) = match eta.abs() {
            a if a <= 0.5 => (0.06, 1.3e-3),
            a if a <= 1.5 => (0.10, 1.7e-3),
            _ => (0.25, 3.1e-3),
        };
        (c * c + (s * pt).powi(2)).sqrt()
    }

    /// σ(E) of a photon in the ECAL, GeV (Delphes CMS card).
    pub fn ecal_sigma(&self, e: f64, eta: f64) -> f64 {
        let a = eta.abs();
        let core = ((0.008 * e).powi(2) + 0.11f64.powi(2) * e + 0.40f64.powi(2)).sqrt();
        if a <= 1.5 {
            (1.0 + 0.64 * a * a) * core
        } else if a <= 2.5 {
            (2.16 + 5.6 * (a - 2.0).powi(2)) * core
        } else {
            ((0.107 * e).powi(2) + 2.08f64.powi(2) * e).sqrt()
        }
    }

    /// σ(E) of a hadron in the HCAL, GeV (Delphes CMS card).
    pub fn hcal_sigma(&self, e: f64, eta: f64) -> f64 {
        if eta.abs() <= 3.0 {
            ((0.050 * e).powi(2) + 1.50f64.powi(2) * e).sqrt()
        } else {
            ((0.130 * e).powi(2) + 2.70f64.powi(2) * e).sqrt()
        }
    }

    /// The reco-level particle a generated one becomes, if it is seen above threshold.
    fn measure(&self, p: &Particle, species: Species, rng: &mut Rng) -> Option<Particle> {
        // Fixed draws per particle, so one setting changing never reshuffles the stream.
        let (u, z1, z2) = (uniform(rng), normal(rng), normal(rng));
        let (pt, eta, phi) = (p.pt(), p.eta(), p.phi());
        let e = p.p();
        let tracked = species == Species::ChargedHadron && u < self.track_efficiency(pt, eta);
        let out = if tracked {
            let f = lognormal_factor(rng, self.track_resolution(pt, eta));
            Particle::from_pt_eta_phi(pt * f, eta, phi)
        } else {
            let (sigma, cell) = match species {
                Species::Photon => (self.ecal_sigma(e, eta), self.ecal_cell),
                _ => (self.hcal_sigma(e, eta), self.hcal_cell),
            };
            let e_meas = e * lognormal_factor(rng, sigma / e.max(1e-9));
            let s = cell / 12f64.sqrt();
            let (eta_m, phi_m) = (eta + s * z1, delta_phi(phi + s * z2, 0.0));
            Particle::from_pt_eta_phi(e_meas / eta_m.cosh(), eta_m, phi_m)
        };
        (out.pt() > self.min_pt && out.eta().abs() < self.max_eta).then_some(out)
    }

    /// Pile-up particles in the window around (η, φ): Poisson(μ) collisions, each with
    /// Poisson(density × area) neutral particles, pT = min_pt + exponential.
    fn pileup(&self, eta: f64, phi: f64, rng: &mut Rng) -> Vec<Particle> {
        let collisions = poisson(rng, self.pileup_mu) as f64;
        let area = (2.0 * PILEUP_WINDOW).powi(2);
        let n = poisson(rng, collisions * self.pileup_density * area);
        (0..n)
            .map(|_| {
                let pt = self.min_pt - self.pileup_pt_mean * (1.0 - uniform(rng)).ln();
                let e = eta + PILEUP_WINDOW * (2.0 * uniform(rng) - 1.0);
                let f = phi + PILEUP_WINDOW * (2.0 * uniform(rng) - 1.0);
                Particle::from_pt_eta_phi(pt, e, delta_phi(f, 0.0))
            })
            .filter(|p| p.eta().abs() < self.max_eta)
            .collect()
    }

    /// Gen jet (anti-kT of the generated particles), reco jet (anti-kT of the measured
    /// particles plus pile-up) nearest to it, and the training selection; `None` when the
    /// pair is outside it.
    pub fn reconstruct(&self, event: &GenJetEvent, rng: &mut Rng) -> Option<JetPair> {
        let gen_p: Vec<Particle> = event.particles.iter().map(|g| g.p).collect();
        let mut reco_p: Vec<Particle> = event
            .particles
            .iter()
            .filter_map(|g| self.measure(&g.p, g.species, rng))
            .collect();
        reco_p.extend(self.pileup(event.eta, event.phi, rng));
        let gen_jet = leading_jet(&gen_p, self.jet_r)?;
        let gj = jet_momentum(&gen_jet);
        let reco_jets = clusters(&reco_p, self.jet_r);
        let reco = reco_jets
            .into_iter()
            .map(|c| {
                let dr = jet_momentum(&c).delta_r(&gj);
                (c, dr)
            })
            .filter(|(_, dr)| *dr < self.match_dr)
            .min_by(|a, b| a.1.total_cmp(&b.1))?
            .0;
        let rj = jet_momentum(&reco);
        (rj.pt() > self.jet_pt_min && rj.eta().abs() < self.jet_eta)
            .then_some(JetPair { gen: gen_jet, reco })
    }
}

/// Constituent lists of the anti-kT jets of `ps`, by decreasing pT.
fn clusters(ps: &[Particle], r: f64) -> Vec<Vec<Particle>> {
    let fv: Vec<FourVector> = ps.iter().map(|p| p.four()).collect();
    anti_kt(&fv, r)
        .into_iter()
        .map(|c| c.constituents.iter().map(|&i| ps[i]).collect())
        .collect()
}

fn leading_jet(ps: &[Particle], r: f64) -> Option<Vec<Particle>> {
    clusters(ps, r).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::JetsConfig;
    use crate::physics::JetFeatures;
    use crate::random::rng;

    #[test]
    fn resolutions_follow_the_cms_card() {
        let d = ParticleDetector::default();
        // Tracks: σ/pT = √(0.06² + (1.3e-3·100)²) at pT = 100 GeV, |η| < 0.5.
        let want = (0.06f64.powi(2) + 0.13f64.powi(2)).sqrt();
        assert!((d.track_resolution(100.0, 0.2) - want).abs() < 1e-12);
        // HCAL at 100 GeV: √(5² + 1.5²·100) = 15.8 GeV.
        assert!((d.hcal_sigma(100.0, 0.0) - (25.0f64 + 225.0).sqrt()).abs() < 1e-9);
        assert_eq!(d.track_efficiency(5.0, 3.0), 0.0);
        assert_eq!(d.track_efficiency(5.0, 0.3), 0.95);
    }

    /// Generated W and QCD jets: tens of constituents, reco pT near gen pT.
    #[test]
    fn built_in_jets_look_like_jets() {
        let gen = JetsConfig::default();
        let det = ParticleDetector::default();
        let mut r = rng(3, 0);
        let mut n_const = Vec::new();
        let mut ratio = Vec::new();
        for _ in 0..3000 {
            let ev = gen.generate(&mut r);
            if let Some(pair) = det.reconstruct(&ev, &mut r) {
                let g = JetFeatures::of(&pair.gen, 0.5);
                let rc = JetFeatures::of(&pair.reco, 0.5);
                n_const.push(g.n as f64);
                ratio.push(rc.pt / g.pt);
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(n_const.len() > 1000, "{} pairs", n_const.len());
        assert!((12.0..40.0).contains(&mean(&n_const)), "{}", mean(&n_const));
        assert!((0.95..1.15).contains(&mean(&ratio)), "{}", mean(&ratio));
    }

    /// Boosted W → qq above 500 GeV (both quarks within R = 0.5 of the axis): the gen jet
    /// mass peaks at the W mass.
    #[test]
    fn boosted_w_jets_peak_at_the_w_mass() {
        let gen = JetsConfig {
            w_fraction: 1.0,
            pt_min: 500.0,
            ..JetsConfig::default()
        };
        let mut r = rng(4, 0);
        let masses: Vec<f64> = (0..500)
            .map(|_| {
                let ev = gen.generate(&mut r);
                let ps: Vec<Particle> = ev.particles.iter().map(|g| g.p).collect();
                let jet = leading_jet(&ps, 0.5).unwrap_or_default();
                JetFeatures::of(&jet, 0.5).m
            })
            .collect();
        let near_w = masses.iter().filter(|m| (65.0..95.0).contains(*m)).count();
        assert!(
            near_w * 10 > masses.len() * 6,
            "{near_w} of {}",
            masses.len()
        );
    }
}
