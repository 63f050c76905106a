//! Jet-level comparisons of seed 001 (section 6): jet kinematics, momentum flows and
//! constituent momenta of a set of jets after the analysis acceptance, and their quantile-JS
//! against a reference set.

use super::quantile_js;
use crate::data::JetArrays;
use crate::error::Result;
use crate::physics::{JetFeatures, JET_FEATURES};

/// The analysis acceptance applied to target and model jets alike (seed 001, sections 3, 5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Acceptance {
    pub jet_pt_min: f64,
    pub jet_eta_max: f64,
    pub r: f64,
}

impl Acceptance {
    /// No cut: every jet whose pT is finite (the model-selection KLD's: a half-trained model
    /// whose jets all fail the analysis cuts must still get a score).
    pub const NONE: Acceptance = Acceptance {
        jet_pt_min: f64::NEG_INFINITY,
        jet_eta_max: f64::INFINITY,
        r: 0.5,
    };

    /// The jets of `array` that pass: each one's real constituents and features (seed 001's
    /// jet, the sum of its constituents), in order.
    pub fn passing<'a>(
        &'a self,
        jets: &'a JetArrays,
        array: &'a str,
    ) -> impl Iterator<Item = (Vec<crate::physics::Particle>, JetFeatures)> + 'a {
        (0..jets.len()).filter_map(move |i| {
            let ps = jets.particles(array, i)?;
            let f = JetFeatures::of(&ps, self.r);
            (f.pt > self.jet_pt_min && f.eta.abs() < self.jet_eta_max && f.pt.is_finite())
                .then_some((ps, f))
        })
    }
}

impl Default for Acceptance {
    /// Jets with pT > 200 GeV and |η| < 2.5, anti-kT R = 0.5.
    fn default() -> Self {
        Self {
            jet_pt_min: 200.0,
            jet_eta_max: 2.5,
            r: 0.5,
        }
    }
}

/// Per-feature columns of the accepted jets of one array, and their constituents' momenta.
#[derive(Debug, Clone, Default)]
pub struct JetColumns {
    /// One column per name of [`JET_FEATURES`], in that order.
    pub features: Vec<Vec<f32>>,
    /// px, py, pz of the real constituents of the accepted jets.
    pub constituents: [Vec<f32>; 3],
    /// Jets in the array, and of them accepted.
    pub total: usize,
    pub accepted: usize,
}

impl JetColumns {
    pub fn of(jets: &JetArrays, array: &str, acc: &Acceptance) -> Self {
        let mut out = JetColumns {
            features: vec![Vec::new(); JET_FEATURES.len()],
            total: jets.len(),
            ..Default::default()
        };
        for (ps, f) in acc.passing(jets, array) {
            out.accepted += 1;
            for (col, v) in out.features.iter_mut().zip(f.values()) {
                col.push(v as f32);
            }
            for p in &ps {
                out.constituents[0].push(p.px as f32);
                out.constituents[1].push(p.py as f32);
                out.constituents[2].push(p.pz as f32);
            }
        }
        out
    }

    /// The column of feature `name` (one of [`JET_FEATURES`]).
    pub fn feature(&self, name: &str) -> Option<&[f32]> {
        let i = JET_FEATURES.iter().position(|f| *f == name)?;
        Some(&self.features[i])
    }
}

/// The features the JS table reports.
pub const JS_FEATURES: [&str; 8] = ["pt", "m", "eta", "phi", "flow1", "flow2", "flow3", "flow4"];

/// Quantile-JS (seed 003, eq. 3.3) of `test` against `reference` for each of `JS_FEATURES`,
/// with quantiles fitted on the reference; NaN where either set has no accepted jet (the JS
/// of an empty sample means nothing).
pub fn jet_js(reference: &JetColumns, test: &JetColumns, n_quant: usize) -> Result<Vec<f64>> {
    if reference.accepted == 0 || test.accepted == 0 {
        return Ok(vec![f64::NAN; JS_FEATURES.len()]);
    }
    JS_FEATURES
        .iter()
        .map(|name| {
            let r = reference.feature(name).unwrap_or_default();
            let t = test.feature(name).unwrap_or_default();
            quantile_js(r, t, n_quant)
        })
        .collect()
}
