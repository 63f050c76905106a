//! The evaluation workflow: a smearing model judged as seed 003 judges a generative model
//! (JS versus n_quant against truth samples of several sizes, the amplification factor, the
//! KDE and histogram baselines) and as seed 000 does (an ensemble band, the data-augmentation
//! check). Its settings, seeds and tables live here; the front ends generate and show.

use super::seeds;
use crate::data::Table;
use crate::detector::WjetsDetector;
use crate::error::{Error, Result};
use crate::metrics::Study;
use crate::numfmt::thousands;
use crate::plot::{axis_label, Figure};
use crate::recipe::WjetsRecipe;

/// Truth events are generated in chunks of this many (only the studied columns are kept).
pub const TRUTH_CHUNK_EVENTS: usize = 50_000;
/// At most this many truth events (memory and patience).
pub const MAX_TRUTH: usize = 1_000_000;
/// Limits of the settings: the gen sample as a multiple of the training size, ensemble K.
pub const MAX_MULTIPLE: usize = 50;
pub const MAX_ENSEMBLE: usize = 10;
/// Disjoint parts a single model's sample is split into for its JS spread.
pub const MODEL_PARTS: usize = 5;

/// What one evaluation asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The reco column(s) studied: one, or two jointly.
    pub cols: Vec<String>,
    /// The gen sample is this many times the training size (data augmentation).
    pub multiple: usize,
    /// Ensemble members, the main model included.
    pub ensemble: usize,
    pub truth_events: usize,
    pub n_train: usize,
    pub seed: u64,
}

impl Plan {
    /// Checks the settings; `truth_events: None` takes 100 × the training size (20,000 to
    /// [`MAX_TRUTH`]): amplification needs truth samples larger than the model's sample.
    pub fn new(
        feature: &str,
        joint: Option<&str>,
        multiple: usize,
        ensemble: usize,
        truth_events: Option<usize>,
        n_train: usize,
        seed: u64,
    ) -> Result<Plan> {
        let bounded = |what: &str, v: usize, lo: usize, hi: usize| {
            if (lo..=hi).contains(&v) {
                Ok(v)
            } else {
                Err(Error::invalid(what, format!("{v} (allowed: {lo} to {hi})")))
            }
        };
        let mut cols = vec![feature.to_string()];
        if let Some(j) = joint.filter(|j| !j.is_empty() && *j != feature) {
            cols.push(j.to_string());
        }
        Ok(Plan {
            cols,
            multiple: bounded("gen sample multiple", multiple, 1, MAX_MULTIPLE)?,
            ensemble: bounded("ensemble K", ensemble, 1, MAX_ENSEMBLE)?,
            truth_events: match truth_events {
                Some(n) => bounded("truth events", n, 1_000, MAX_TRUTH)?,
                None => (100 * n_train).clamp(20_000, MAX_TRUTH),
            },
            n_train,
            seed,
        })
    }

    /// The gen sample every ensemble member smears: `multiple` × the training size of
    /// independent built-in events (seed + 1000).
    pub fn augmentation_recipe(&self, detector: &WjetsDetector) -> WjetsRecipe {
        WjetsRecipe {
            detector: detector.clone(),
            ..WjetsRecipe::new(
                self.multiple * self.n_train,
                seeds::derive(self.seed, seeds::AUGMENTATION_EVENTS),
            )
        }
    }

    /// The seed member `k` (0 = the main model) samples the gen sample with.
    pub fn sampling_seed(&self, k: usize) -> u64 {
        seeds::derive(self.seed, seeds::AUGMENTATION_SAMPLING + k as u64)
    }

    /// The truth sample's chunks, each its own recipe (seed + 100 000 + c).
    pub fn truth_recipes(&self, detector: &WjetsDetector) -> Vec<WjetsRecipe> {
        let chunks = self.truth_events.div_ceil(TRUTH_CHUNK_EVENTS);
        (0..chunks)
            .map(|c| WjetsRecipe {
                detector: detector.clone(),
                ..WjetsRecipe::new(
                    TRUTH_CHUNK_EVENTS.min(self.truth_events - c * TRUTH_CHUNK_EVENTS),
                    seeds::derive(self.seed, seeds::TRUTH_CHUNK + c as u64),
                )
            })
            .collect()
    }

    /// "m_T × E_T^miss": the title of the study's plots.
    pub fn title(&self) -> String {
        self.cols
            .iter()
            .map(|c| axis_label(c))
            .collect::<Vec<_>>()
            .join(" × ")
    }
}

/// Adds the model's curve: over the ensemble's samples (its spread is the band), or, for a
/// single model, over [`MODEL_PARTS`] disjoint parts of its sample.
pub fn add_model(study: &mut Study, samples: &[Vec<f32>]) -> Result<()> {
    match samples {
        [] => Err(Error::invalid("evaluation", "no model sample")),
        [one] => study.add_split("model", one, MODEL_PARTS).map(|_| ()),
        many => {
            let parts: Vec<&[f32]> = many.iter().map(Vec::as_slice).collect();
            study.add("model", &parts).map(|_| ())
        }
    }
}

/// Seed 000's data-augmentation check: the model's JS on `multiple` × the training size next
/// to its JS on 1× (the first n_train events), each beside truth samples of the same sizes.
pub fn augmentation_text(study: &Study, model: &[f32], plan: &Plan) -> Result<String> {
    let dims = plan.cols.len();
    let n_train = plan.n_train;
    let quants = study.reference().n_quants();
    let q = 16.min(*quants.last().unwrap_or(&16));
    let level = quants.iter().position(|&n| n == q).unwrap_or(0);
    let one = study
        .reference()
        .js(&model[..(n_train * dims).min(model.len())])?[level];
    let many = study
        .curve("model")
        .and_then(|c| c.at(q))
        .map_or(f64::NAN, |p| p.mean);
    let truth_at = |n: usize| {
        study
            .truth
            .iter()
            .find(|c| c.size == n)
            .and_then(|c| c.at(q))
            .map_or("—".to_string(), |p| format!("{:.2e}", p.mean))
    };
    Ok(format!(
        "data augmentation (JS at n_quant = {q}): model on {} events {:.2e}, on {} events (×{}) {:.2e}; truth samples of those sizes {} and {}",
        thousands(n_train),
        one,
        thousands(plan.multiple * n_train),
        plan.multiple,
        many,
        truth_at(n_train),
        truth_at(plan.multiple * n_train)
    ))
}

/// One row of the JS table: n_quant, then the JS of the training sample, the model, the
/// baselines (a `*` past N/10 quantiles), and the model's effective size.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalRow {
    pub n_quant: usize,
    pub train: String,
    pub model: String,
    pub kde: String,
    pub hist: String,
    pub n_eff: String,
}

pub fn table_rows(study: &Study) -> Vec<EvalRow> {
    let cell = |label: &str, q: usize| {
        study
            .curve(label)
            .and_then(|c| c.at(q))
            .map_or("—".into(), |p| {
                format!("{:.2e}{}", p.mean, if p.meaningful { "" } else { " *" })
            })
    };
    study
        .reference()
        .n_quants()
        .into_iter()
        .map(|q| EvalRow {
            n_quant: q,
            train: cell("training sample", q),
            model: cell("model", q),
            kde: cell("KDE", q),
            hist: cell("histogram", q),
            n_eff: study
                .amplification("model", Some(q))
                .map_or("—".into(), |a| a.size_text()),
        })
        .collect()
}

/// Distribution, residuals (with the ensemble band) and the model-vs-detector map of one
/// reco feature on the gen sample's `events`, for the ensemble's `samples` (main model first):
/// seed 000, figs. 5–6 and 11–12.
pub fn feature_figures(
    feature: &str,
    events: &Table,
    samples: &[Table],
    bins: usize,
) -> Result<Vec<(&'static str, Figure)>> {
    use super::smearing::{feature_figure, FeatureFigure};
    Ok(vec![
        (
            "hist",
            feature_figure(FeatureFigure::Hist, feature, events, samples, bins)?,
        ),
        (
            "residual",
            feature_figure(FeatureFigure::Residual, feature, events, samples, bins)?,
        ),
        (
            "map",
            feature_figure(FeatureFigure::Map, feature, events, samples, 40)?,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::StudyOptions;
    use crate::random::{normal, rng};

    #[test]
    fn plan_defaults_limits_and_seeds() {
        let p = Plan::new("reco_met", Some("reco_met"), 5, 3, None, 1000, 7).unwrap();
        assert_eq!(p.cols, vec!["reco_met"]);
        assert_eq!(p.truth_events, 100_000);
        assert_eq!(p.sampling_seed(2), 2009);
        let d = WjetsDetector::default();
        assert_eq!(p.augmentation_recipe(&d).events, 5000);
        assert_eq!(p.augmentation_recipe(&d).seed, 1007);
        let chunks = p.truth_recipes(&d);
        assert_eq!(chunks.len(), 2);
        assert_eq!((chunks[1].events, chunks[1].seed), (50_000, 100_008));
        assert!(Plan::new("reco_met", None, 51, 1, None, 10, 1).is_err());
        assert!(Plan::new("reco_met", None, 1, 11, None, 10, 1).is_err());
        assert!(Plan::new("reco_met", None, 1, 1, Some(10), 10, 1).is_err());
        let odd = Plan::new("reco_met", None, 1, 1, Some(60_000), 10, 1).unwrap();
        let sizes: Vec<usize> = odd.truth_recipes(&d).iter().map(|r| r.events).collect();
        assert_eq!(sizes, vec![50_000, 10_000]);
    }

    /// The ensemble's K samples make the model's band; a single model is split in parts.
    #[test]
    fn ensemble_and_single_model_curves() {
        let g = |n: usize, s: u64| -> Vec<f32> {
            let mut r = rng(s, 0);
            (0..n).map(|_| normal(&mut r) as f32).collect()
        };
        let mut study = Study::new(&g(100_000, 1), 1, 500, &StudyOptions::default()).unwrap();
        add_model(&mut study, &[g(5000, 2)]).unwrap();
        let single = study.curve("model").unwrap().clone();
        // The whole sample's curve, its spread from the parts.
        assert_eq!((single.size, single.repeats), (5000, 1));
        assert!(single.points.iter().any(|p| p.sd > 0.0));
        add_model(&mut study, &[g(5000, 2), g(5000, 3), g(5000, 4)]).unwrap();
        let band = study.curve("model").unwrap();
        assert_eq!((band.size, band.repeats), (5000, 3));
        assert!(add_model(&mut study, &[]).is_err());
    }
}
