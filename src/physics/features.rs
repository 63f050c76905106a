//! The features of the W(→μν)+jet benchmark of Chen et al. (seed 000, section 2): nine main
//! features that the smearing network learns and twelve auxiliary ones derived from them for
//! validation. Names are DESIGN.md's, without the `gen_` / `reco_` prefix.

use super::fourvec::{delta_phi, FourVector};

/// The nine features of seed 000, section 2: muon and jet momenta, log jet mass, MET (GeV).
pub const MAIN_FEATURES: [&str; 9] = [
    "mu_px", "mu_py", "mu_pz", "jet_px", "jet_py", "jet_pz", "jet_logm", "met_x", "met_y",
];

/// The auxiliary features of seed 000, section 2, plus the muon charge `mu_q`.
pub const AUX_FEATURES: [&str; 12] = [
    "mu_pt", "mu_eta", "mu_phi", "jet_pt", "jet_eta", "jet_phi", "met", "met_phi", "mt", "st",
    "jet_m", "mu_q",
];

/// All 21 features of one event (main, then auxiliary), from a muon of charge `q`, a jet
/// (its four-vector carries its mass) and the missing transverse momentum (GeV).
pub fn wjet_features(mu: &FourVector, q: f64, jet: &FourVector, met: (f64, f64)) -> [f64; 21] {
    let (met_x, met_y) = met;
    let met_pt = met_x.hypot(met_y);
    let met_phi = met_y.atan2(met_x);
    // Transverse mass of muon + MET: M_T = √(2 pT^μ MET (1 − cos Δφ)).
    let mt = (2.0 * mu.pt() * met_pt * (1.0 - delta_phi(mu.phi(), met_phi).cos()))
        .max(0.0)
        .sqrt();
    // Scalar sum of transverse momenta of the event's objects.
    let st = mu.pt() + jet.pt() + met_pt;
    let jet_m = jet.m();
    [
        mu.px,
        mu.py,
        mu.pz,
        jet.px,
        jet.py,
        jet.pz,
        jet_m.max(1e-3).ln(),
        met_x,
        met_y,
        mu.pt(),
        mu.eta(),
        mu.phi(),
        jet.pt(),
        jet.eta(),
        jet.phi(),
        met_pt,
        met_phi,
        mt,
        st,
        jet_m,
        q,
    ]
}

/// Column names of the W+jet table: `gen_<feature>` then `reco_<feature>`, 21 each.
pub fn wjets_columns() -> Vec<String> {
    let feats: Vec<&str> = MAIN_FEATURES
        .iter()
        .chain(AUX_FEATURES.iter())
        .copied()
        .collect();
    ["gen", "reco"]
        .iter()
        .flat_map(|lvl| feats.iter().map(move |f| format!("{lvl}_{f}")))
        .collect()
}

/// The nine main features with a level prefix, e.g. `reco_mu_px`.
pub fn main_columns(level: &str) -> Vec<String> {
    MAIN_FEATURES
        .iter()
        .map(|f| format!("{level}_{f}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transverse_mass_and_st() {
        // Back-to-back muon and MET of 40 GeV each: M_T = √(2·40·40·2) = 80 GeV.
        let mu = FourVector::from_pt_eta_phi_m(40.0, 0.3, 0.0, 0.105);
        let jet = FourVector::from_pt_eta_phi_m(30.0, -1.0, 1.0, 5.0);
        let f = wjet_features(&mu, -1.0, &jet, (-40.0, 0.0));
        assert!((f[17] - 80.0).abs() < 1e-9, "mt = {}", f[17]);
        assert!((f[18] - 110.0).abs() < 1e-9, "st = {}", f[18]);
        // Collinear muon and MET: M_T = 0.
        let g = wjet_features(&mu, 1.0, &jet, (25.0, 0.0));
        assert!(g[17].abs() < 1e-9);
        assert!((f[6] - 5f64.ln()).abs() < 1e-6);
        assert!((f[19] - 5.0).abs() < 1e-6);
    }
}
