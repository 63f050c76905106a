//! A CMS-like detector for the W(→μν)+jet benchmark. Defaults follow the Delphes CMS card
//! (`shared/reference/delphes_card_CMS.tcl`) where it has the formula; each field says where its
//! number comes from. Momenta and energies are smeared log-normally, as Delphes does.

use super::CrystalBall;
use crate::error::{Error, Result};
use crate::generate::WJetGenEvent;
use crate::physics::FourVector;
use crate::random::{lognormal_factor, normal, uniform, Rng};
use serde::{Deserialize, Serialize};

/// Muon σ(pT)/pT = √(a² + (b·pT)²) for |η| ≤ `eta_max` (pT in GeV).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MuonBin {
    pub eta_max: f64,
    pub a: f64,
    pub b: f64,
}

/// Jet σ(E)/E = √((N/E)² + S²/E + C²) for |η| ≤ `eta_max`: noise N (GeV), stochastic S (√GeV),
/// constant C.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JetBin {
    pub eta_max: f64,
    pub noise: f64,
    pub stochastic: f64,
    pub constant: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MuonResponse {
    /// Resolution bins in increasing |η|; a muon beyond the last is not reconstructed.
    pub bins: Vec<MuonBin>,
    /// Identification efficiency above 10 GeV within acceptance (Delphes card: 0.95).
    pub efficiency: f64,
    /// Muon acceptance |η| (Delphes card: 2.4).
    pub eta_max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JetResponse {
    pub bins: Vec<JetBin>,
    /// Angular resolutions of jets (Gaussian, absolute): ≈ 0.02 for particle-flow jets at
    /// 30–100 GeV (CMS, JINST 12 (2017) P02014, fig. 8 order of magnitude).
    pub sigma_eta: f64,
    pub sigma_phi: f64,
    /// Extra relative jet-mass resolution (log-normal) on top of the energy scale it follows.
    pub sigma_mass: f64,
    /// Non-Gaussian response (issue 22): the energy scale factor is 1 + σ·t with t from a
    /// double-sided Crystal Ball of core width 1 and σ the resolution above, instead of the
    /// log-normal of width σ. The low tail stands for neutrinos in heavy-flavour decays and
    /// out-of-cone losses, the high one for pile-up and punch-through. Absent (the default
    /// detector, and every file before it): Gaussian-like, as Delphes smears. MET needs no
    /// option of its own: it is the vector sum of the reconstructed objects, so a jet in
    /// the tail moves it by the same vector, correlated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tails: Option<CrystalBall>,
}

/// Missing transverse momentum: reco MET = −(μ + jet + r·u + noise), the vector sum of the
/// reconstructed objects (Delphes: no extra MET smearing), where u is the unclustered recoil,
/// r its response and each noise component is Gaussian with σ = √(σ₀² + k²·N_PU), so the
/// resolution grows with pile-up (CMS, JINST 14 (2019) P07004: PF MET resolution rises
/// roughly as √N_vtx).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetResponse {
    pub unclustered_response: f64,
    pub sigma0: f64,
    pub sigma_per_sqrt_pileup: f64,
}

/// The event selection of seed 000, section 2: the kinematic cuts act on the generator-level
/// muon and jet (as in the paper, so a model applied to generator-level events needs no
/// reco-level knowledge and no threshold migrates events in or out), the match cut on the
/// reconstructed muon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    pub mu_pt_min: f64,
    pub jet_pt_min: f64,
    pub jet_abs_eta_max: f64,
    pub delta_r_min: f64,
    /// |pT_gen − pT_reco| / pT_gen of the muon stays below this (the paper's 10 % match).
    pub mu_rel_dpt_max: f64,
}

/// The whole detector, as the page edits it and `fastsim generate --detector FILE.json` reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WjetsDetector {
    pub muon: MuonResponse,
    pub jet: JetResponse,
    pub met: MetResponse,
    pub selection: Selection,
}

impl Default for WjetsDetector {
    fn default() -> Self {
        Self {
            // Delphes CMS card, MuonMomentumSmearing and MuonEfficiency.
            muon: MuonResponse {
                bins: vec![
                    MuonBin {
                        eta_max: 0.5,
                        a: 0.01,
                        b: 1.0e-4,
                    },
                    MuonBin {
                        eta_max: 1.5,
                        a: 0.015,
                        b: 1.5e-4,
                    },
                    MuonBin {
                        eta_max: 2.5,
                        a: 0.025,
                        b: 3.5e-4,
                    },
                ],
                efficiency: 0.95,
                eta_max: 2.4,
            },
            // S and C: the Delphes CMS card's HCAL (|η| ≤ 3: 1.50, 0.050; 3–5: 2.70, 0.130);
            // N = 3 GeV: electronic noise and pile-up in a cone, CMS-like order of magnitude.
            jet: JetResponse {
                bins: vec![
                    JetBin {
                        eta_max: 3.0,
                        noise: 3.0,
                        stochastic: 1.5,
                        constant: 0.05,
                    },
                    JetBin {
                        eta_max: 5.0,
                        noise: 3.0,
                        stochastic: 2.7,
                        constant: 0.13,
                    },
                ],
                sigma_eta: 0.02,
                sigma_phi: 0.02,
                sigma_mass: 0.10,
                tails: None,
            },
            met: MetResponse {
                unclustered_response: 0.8,
                sigma0: 4.0,
                sigma_per_sqrt_pileup: 1.0,
            },
            selection: Selection {
                mu_pt_min: 22.0,
                jet_pt_min: 30.0,
                jet_abs_eta_max: 2.4,
                delta_r_min: 0.5,
                mu_rel_dpt_max: 0.10,
            },
        }
    }
}

/// One reconstructed event (GeV).
#[derive(Debug, Clone, PartialEq)]
pub struct RecoEvent {
    pub mu: FourVector,
    pub q: f64,
    pub jet: FourVector,
    pub met: (f64, f64),
}

/// Jet σ(E)/E of the bin holding |η|; `None` beyond the last bin.
pub(crate) fn jet_sigma(bins: &[JetBin], e: f64, eta: f64) -> Option<f64> {
    let b = bins.iter().find(|b| eta.abs() <= b.eta_max)?;
    let e = e.max(1e-3);
    Some(((b.noise / e).powi(2) + b.stochastic * b.stochastic / e + b.constant.powi(2)).sqrt())
}

impl WjetsDetector {
    /// Reads a detector from JSON; `source` names it in messages.
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let det: WjetsDetector = serde_json::from_str(text).map_err(|e| Error::Format {
            file: source.to_string(),
            message: format!("not a detector description: {e}"),
        })?;
        det.validate()?;
        Ok(det)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a detector always serialises")
    }

    /// Rejects parameters no detector can have (negative or non-finite widths, empty bins).
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str, v: f64| -> Result<()> {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(Error::invalid(
                    "detector",
                    format!("{what} = {v} must be finite and ≥ 0"),
                ))
            }
        };
        if self.muon.bins.is_empty() || self.jet.bins.is_empty() {
            return Err(Error::invalid(
                "detector",
                "muon and jet resolutions need at least one |η| bin",
            ));
        }
        for b in &self.muon.bins {
            bad("muon eta_max", b.eta_max)?;
            bad("muon a", b.a)?;
            bad("muon b", b.b)?;
        }
        for b in &self.jet.bins {
            bad("jet eta_max", b.eta_max)?;
            bad("jet noise", b.noise)?;
            bad("jet stochastic", b.stochastic)?;
            bad("jet constant", b.constant)?;
        }
        if !(0.0..=1.0).contains(&self.muon.efficiency) {
            return Err(Error::invalid(
                "detector",
                format!("muon efficiency {} is not in [0, 1]", self.muon.efficiency),
            ));
        }
        for (what, v) in [
            ("muon eta_max", self.muon.eta_max),
            ("jet sigma_eta", self.jet.sigma_eta),
            ("jet sigma_phi", self.jet.sigma_phi),
            ("jet sigma_mass", self.jet.sigma_mass),
            ("met unclustered_response", self.met.unclustered_response),
            ("met sigma0", self.met.sigma0),
            ("met sigma_per_sqrt_pileup", self.met.sigma_per_sqrt_pileup),
            ("selection mu_pt_min", self.selection.mu_pt_min),
            ("selection jet_pt_min", self.selection.jet_pt_min),
            ("selection jet_abs_eta_max", self.selection.jet_abs_eta_max),
            ("selection delta_r_min", self.selection.delta_r_min),
            ("selection mu_rel_dpt_max", self.selection.mu_rel_dpt_max),
        ] {
            bad(what, v)?;
        }
        Ok(())
    }

    /// Muon σ(pT)/pT (Delphes CMS card, MuonMomentumSmearing); `None` outside the bins.
    pub fn muon_resolution(&self, pt: f64, eta: f64) -> Option<f64> {
        let b = self.muon.bins.iter().find(|b| eta.abs() <= b.eta_max)?;
        Some(b.a.hypot(b.b * pt))
    }

    /// Jet σ(E)/E from the noise, stochastic and constant terms; `None` outside the bins.
    pub fn jet_resolution(&self, e: f64, eta: f64) -> Option<f64> {
        jet_sigma(&self.jet.bins, e, eta)
    }

    /// Per-component MET noise σ (GeV) for `n_pileup` interactions.
    pub fn met_noise(&self, n_pileup: u32) -> f64 {
        let m = &self.met;
        (m.sigma0 * m.sigma0 + m.sigma_per_sqrt_pileup.powi(2) * n_pileup as f64).sqrt()
    }

    /// Simulates one event; `None` if it fails acceptance, efficiency or the selection.
    pub fn reconstruct(&self, gen: &WJetGenEvent, rng: &mut Rng) -> Option<RecoEvent> {
        // Draw a fixed set of random numbers per event, whatever its fate, so one event's
        // rejection never shifts the draws of the next.
        let u_eff = uniform(rng);
        let (z_eta, z_phi, z_mx, z_my) = (normal(rng), normal(rng), normal(rng), normal(rng));
        let mu_sigma = self.muon_resolution(gen.mu.pt(), gen.mu.eta());
        let mu_f = lognormal_factor(rng, mu_sigma.unwrap_or(0.0));
        let jet_sigma = self.jet_resolution(gen.jet.e, gen.jet.eta());
        let mut jet_f = lognormal_factor(rng, jet_sigma.unwrap_or(0.0));
        if let Some(cb) = &self.jet.tails {
            // One more uniform per event, only in a detector with tails (the default's
            // stream is unchanged); the factor kept positive (a jet keeps 5 % at least).
            let t = cb.quantile(uniform(rng));
            jet_f = (1.0 + jet_sigma.unwrap_or(0.0) * t).max(0.05);
        }
        let mass_f = lognormal_factor(rng, self.jet.sigma_mass);

        // Muon: efficiency within acceptance, pT smeared log-normally, direction kept
        // (Delphes smears only the muon momentum magnitude).
        mu_sigma?;
        if gen.mu.eta().abs() > self.muon.eta_max
            || gen.mu.pt() <= 10.0
            || u_eff >= self.muon.efficiency
        {
            return None;
        }
        let mu = FourVector::from_pt_eta_phi_m(
            gen.mu.pt() * mu_f,
            gen.mu.eta(),
            gen.mu.phi(),
            crate::physics::MU_MASS,
        );

        // Jet: energy scale factor, Gaussian angles, mass following the energy scale.
        jet_sigma?;
        let jet = FourVector::from_pt_eta_phi_m(
            gen.jet.pt() * jet_f,
            gen.jet.eta() + self.jet.sigma_eta * z_eta,
            wrap_phi(gen.jet.phi() + self.jet.sigma_phi * z_phi),
            gen.jet.m() * jet_f * mass_f,
        );

        // MET: negative vector sum of the reconstructed objects and the unclustered recoil.
        let noise = self.met_noise(gen.n_pileup);
        let r = self.met.unclustered_response;
        let met = (
            -(mu.px + jet.px + r * gen.soft.0 + noise * z_mx),
            -(mu.py + jet.py + r * gen.soft.1 + noise * z_my),
        );

        let s = &self.selection;
        let pass = gen.mu.pt() > s.mu_pt_min
            && gen.jet.pt() > s.jet_pt_min
            && gen.jet.eta().abs() < s.jet_abs_eta_max
            && gen.mu.delta_r(&gen.jet) > s.delta_r_min
            && (gen.mu.pt() - mu.pt()).abs() / gen.mu.pt() < s.mu_rel_dpt_max;
        pass.then_some(RecoEvent {
            mu,
            q: gen.q,
            jet,
            met,
        })
    }
}

fn wrap_phi(phi: f64) -> f64 {
    crate::physics::delta_phi(phi, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delphes_muon_formula() {
        let d = WjetsDetector::default();
        // |η| ≤ 0.5, pT = 100 GeV: √(0.01² + 0.01²).
        let s = d.muon_resolution(100.0, 0.2).unwrap();
        assert!((s - 0.01f64.hypot(0.01)).abs() < 1e-12);
        assert!(d.muon_resolution(100.0, 2.6).is_none());
    }

    #[test]
    fn jet_resolution_falls_with_energy() {
        let d = WjetsDetector::default();
        let lo = d.jet_resolution(30.0, 0.0).unwrap();
        let hi = d.jet_resolution(300.0, 0.0).unwrap();
        assert!(lo > hi && hi > 0.05);
        // At 100 GeV: √((3/100)² + 1.5²/100 + 0.05²) ≈ 0.163.
        let r = d.jet_resolution(100.0, 1.0).unwrap();
        assert!((r - (0.03f64.powi(2) + 0.0225 + 0.0025).sqrt()).abs() < 1e-12);
    }

    /// The tails option: the jet's pT response gains a low tail (far more events below
    /// −3σ than the log-normal gives), its MET moves with it (the same vector), and the
    /// tails detector's file reads back; the default's JSON stays as it was (no `tails`).
    #[test]
    fn crystal_ball_tails_reach_the_jet_and_the_met() {
        let file = include_str!("../../models/detector-tails.json");
        let tails = WjetsDetector::from_json(file, "detector-tails.json").unwrap();
        assert!(tails.jet.tails.is_some());
        assert!(!WjetsDetector::default().to_json().contains("tails"));
        let gen = WJetGenEvent {
            mu: FourVector::from_pt_eta_phi_m(40.0, 0.3, 0.0, crate::physics::MU_MASS),
            q: 1.0,
            nu: FourVector::from_pt_eta_phi_m(35.0, 0.1, 2.5, 0.0),
            jet: FourVector::from_pt_eta_phi_m(60.0, 0.5, 3.0, 8.0),
            soft: (0.0, 0.0),
            n_pileup: 0,
        };
        let sigma = tails.jet_resolution(gen.jet.e, gen.jet.eta()).unwrap();
        // Per detector: the fraction of jets measured below −3σ, and how much further the
        // MET reaches along the jet (GeV) in those events than in the others.
        let unit = (gen.jet.px / gen.jet.pt(), gen.jet.py / gen.jet.pt());
        let low_tail = |d: &WjetsDetector| {
            let mut r = crate::random::rng(8, 0);
            let (mut low, mut core) = (Vec::new(), Vec::new());
            for _ in 0..20_000 {
                if let Some(e) = d.reconstruct(&gen, &mut r) {
                    let along = e.met.0 * unit.0 + e.met.1 * unit.1;
                    if e.jet.pt() / gen.jet.pt() - 1.0 < -3.0 * sigma {
                        low.push(along);
                    } else {
                        core.push(along);
                    }
                }
            }
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
            let frac = low.len() as f64 / (low.len() + core.len()) as f64;
            (frac, mean(&low) - mean(&core))
        };
        let (tail_default, _) = low_tail(&WjetsDetector::default());
        let (tail, met_shift) = low_tail(&tails);
        assert!(
            tail > 5.0 * tail_default.max(1e-3),
            "low tail {tail} vs {tail_default}"
        );
        // The shortfall is at least 3σ·pT ≈ 34 GeV; the MET takes it along the jet.
        assert!(
            met_shift > 3.0 * sigma * gen.jet.pt(),
            "MET shift {met_shift} GeV"
        );
    }

    #[test]
    fn json_round_trip_and_rejection() {
        let d = WjetsDetector::default();
        assert_eq!(WjetsDetector::from_json(&d.to_json(), "x").unwrap(), d);
        let mut bad = d.clone();
        bad.jet.sigma_eta = f64::NAN;
        assert!(bad.validate().is_err());
        let err = WjetsDetector::from_json("{\"muon\": 3}", "det.json").unwrap_err();
        assert!(err.to_string().starts_with("det.json:"), "{err}");
    }
}
