//! The jet-VAE workflow (seed 001): presets, training settings, which jets test a model, and
//! the comparison of model jets with the detector's — the JS table, the distributions and the
//! event display that the command line's report and the page both draw.

use super::{seeds, Preset};
use crate::backend::Job;
use crate::data::JetArrays;
use crate::error::Result;
use crate::metrics::{
    fpd, jet_js, kpd, w1m, w1p, Acceptance, Batches, FpdOptions, JetCloud, JetColumns, KpdOptions,
    Spread,
};
use crate::model::{JetVaeConfig, TrainConfig};
use crate::physics::JetFeatures;
use crate::plot::{
    axis_label, Figure, JetPanel, SeriesData, GEN_COLOR, MODEL_COLOR, RECO_COLOR, VAL_COLOR,
};
use crate::recipe::JetRecipe;
use plotters::style::RGBColor;

/// The jet VAE of a preset. Paper: seed 001, section 4 (convolutions 32/64/128, dense 640
/// and 150, latent 20). Small: convolutions 8/16/32, dense 128 and 64 (≈ 8× faster).
pub fn net_config(preset: Preset, masked: bool) -> JetVaeConfig {
    let cfg = JetVaeConfig::new().with_masked(masked);
    match preset {
        Preset::Paper => cfg,
        Preset::Small => cfg
            .with_channels(vec![8, 16, 32])
            .with_dense1(128)
            .with_dense2(64),
    }
}

/// What a jet VAE's job is for the page's choice of device: the paper's network has the work
/// per dispatch a hardware GPU pays for; smaller ones run faster on the CPU fast path.
pub fn device_job(cfg: &JetVaeConfig) -> Job {
    let paper = JetVaeConfig::new();
    if cfg.dense1 >= paper.dense1
        && cfg.channels.iter().sum::<usize>() >= paper.channels.iter().sum()
    {
        Job::Large
    } else {
        Job::FastPath
    }
}

/// Seed 001, section 6: Adam with a learning rate of 10⁻⁴ (constant), 300 epochs; batches
/// of 128 (not stated in the paper); 20 % of the jets validate.
/// Seed 001's own settings (`train --model jet-vae --paper`): the paper's network, unmasked
/// (section 4), β = 1/9, α_m = 1, α_pT = 0.1 with the jet terms in GeV², Adam at 10⁻⁴ for
/// 300 epochs, and a 60/20/20 split (section 3: of a file, the last fifth is the test set,
/// and a quarter of the rest validates). Not built: model selection by the symmetrised KLD
/// every 10 epochs (the lab keeps the lowest validation loss); the W → qq-only sample is the
/// data's (`generate --process jets --w-fraction 1`).
pub struct PaperPreset {
    pub net: JetVaeConfig,
    pub train: TrainConfig,
    /// The unit of the jet terms of eq. (1) (GeV; 1: GeV², the paper's), for
    /// [`crate::train::JetVaeJob::with_jet_term_unit`].
    pub jet_term_unit: f32,
    /// Model selection by the jet features' summed symmetrised KLD every this many epochs
    /// (section 5: every 10), for [`crate::train::JetVaeJob::select_by_kld`]; `None`: by the
    /// validation loss.
    pub select_kld_every: Option<usize>,
}

/// Seed 001 (section 5) scores the KLD every 10 epochs.
pub const KLD_EVERY: usize = 10;

/// See [`PaperPreset`].
pub fn paper_preset() -> PaperPreset {
    PaperPreset {
        net: net_config(Preset::Paper, false),
        train: TrainConfig {
            val_fraction: 0.25,
            ..PAPER
        },
        jet_term_unit: 1.0,
        select_kld_every: Some(KLD_EVERY),
    }
}

pub const PAPER: TrainConfig = TrainConfig {
    epochs: 300,
    batch_size: 128,
    lr: 1e-4,
    val_fraction: 0.2,
    seed: 1,
    lr_decay: false,
};

/// The page's quick defaults: 8,000 jets, 24 epochs of the small masked network, 82 s on the
/// CPU page (fast path). Fewer (4,000 jets × 8–24 epochs, 6,000 × 20) at times left the jets'
/// direction unlearned (η's JS 0.1–0.5); a class starts from the pre-trained model instead.
pub const PAGE_JETS: usize = 8_000;
pub const PAGE_EPOCHS: usize = 24;

/// A user's training jets: all but the held-out last fifth.
pub fn training_part(jets: &JetArrays) -> Result<JetArrays> {
    jets.slice(0, seeds::held_out_split(jets.len()))
}

/// JetNet's scores of one sample against the detector's reco jets.
#[derive(Debug, Clone)]
pub struct JetNetRow {
    pub label: String,
    /// W1 of the jet mass (GeV).
    pub w1m: Spread,
    /// W1 of η_rel, φ_rel, pT_rel.
    pub w1p: [Spread; 3],
    /// Fréchet and kernel physics distances on the 36 energy-flow polynomials.
    pub fpd: Spread,
    pub kpd: Spread,
}

/// W1m, W1p, FPD and KPD (Kansal et al.; `metrics::jetnet`, `metrics::fpd`) against
/// `truth`'s reco jets, of its gen jets (the no-simulation line) and of each (label, jets,
/// array), after the analysis acceptance. JetNet's batch sizes, each capped at the number of
/// accepted reco jets (a test set is rarely 50,000 jets): W1 five batches of 50,000; FPD 20
/// batches at ten sizes from 20,000 to 50,000 (here from 40 % of the cap to the cap); KPD
/// 10 batches of 5,000.
pub fn jetnet_scores(truth: &JetArrays, samples: &[(&str, &JetArrays, &str)]) -> Vec<JetNetRow> {
    let acc = Acceptance::default();
    let reco = JetCloud::of(truth, "reco", &acc);
    let batches = Batches {
        jets: Batches::default().jets.min(reco.len().max(1)),
        ..Batches::default()
    };
    let (fpd_options, kpd_options) = (
        FpdOptions::capped(reco.len()),
        KpdOptions::capped(reco.len()),
    );
    let reco_efps = reco.efps();
    std::iter::once(("gen (no simulation)", truth, "gen"))
        .chain(samples.iter().copied())
        .map(|(label, jets, array)| {
            let cloud = JetCloud::of(jets, array, &acc);
            let efps = cloud.efps();
            JetNetRow {
                label: label.to_string(),
                w1m: w1m(&reco, &cloud, &batches),
                w1p: w1p(&reco, &cloud, &batches),
                fpd: fpd(&reco_efps, &efps, &fpd_options),
                kpd: kpd(&reco_efps, &efps, &kpd_options),
            }
        })
        .collect()
}

/// A user's held-out test jets: the last fifth.
pub fn held_out_part(jets: &JetArrays) -> Result<JetArrays> {
    jets.slice(seeds::held_out_split(jets.len()), jets.len())
}

/// Built-in test jets for a model trained on `n_train` built-in jets of `recipe`:
/// independent ones (seed + [`seeds::JETS_TEST`]), 500 to 20,000 of them.
pub fn test_recipe(recipe: &JetRecipe, n_train: usize) -> JetRecipe {
    let mut r = JetRecipe::new(
        n_train.clamp(500, 20_000),
        seeds::derive(recipe.seed, seeds::JETS_TEST),
    );
    r.detector = recipe.detector.clone();
    r
}

/// Test jets the page draws for a pre-trained jet VAE: the first of the independent test jets
/// its manifest figures were measured on (the recipe's [`test_recipe`], up to 20,000), few
/// enough to generate in seconds in the browser.
pub const PRETRAINED_TEST_JETS: usize = 4_000;

/// The page's test jets for a pre-trained model trained on `recipe`'s jets: the seed of
/// [`test_recipe`], [`PRETRAINED_TEST_JETS`] of them.
pub fn pretrained_test(recipe: &JetRecipe) -> JetRecipe {
    let mut r = test_recipe(recipe, recipe.jets);
    r.jets = r.jets.min(PRETRAINED_TEST_JETS);
    r
}

/// Quantiles of the jet JS table (seed 003's quantile-JS on seed 001's observables).
pub const N_QUANT: usize = 16;

/// Colours of the model series: the first model, then the others.
const MODEL_COLORS: [RGBColor; 3] = [MODEL_COLOR, VAL_COLOR, RGBColor(204, 121, 167)];

/// Jet features of every level of a comparison, within the acceptance.
pub struct Comparison {
    pub gen: JetColumns,
    pub reco: JetColumns,
    /// Each model's jets, labelled.
    pub models: Vec<(String, JetColumns)>,
}

impl Comparison {
    /// `truth` holds the detector's `gen` and `reco` arrays; `models` (label, jets, array)
    /// the model jets of the same gen jets.
    pub fn new(truth: &JetArrays, models: &[(&str, &JetArrays, &str)]) -> Comparison {
        let acc = Acceptance::default();
        Comparison {
            gen: JetColumns::of(truth, "gen", &acc),
            reco: JetColumns::of(truth, "reco", &acc),
            models: models
                .iter()
                .map(|(label, jets, array)| (label.to_string(), JetColumns::of(jets, array, &acc)))
                .collect(),
        }
    }

    /// Quantile-JS against the detector's reco jets per feature of
    /// [`crate::metrics::JS_FEATURES`]: the gen level (no simulation) first, then each model.
    pub fn js(&self, n_quant: usize) -> Result<Vec<(String, usize, Vec<f64>)>> {
        std::iter::once(("gen".to_string(), &self.gen))
            .chain(self.models.iter().map(|(l, c)| (l.clone(), c)))
            .map(|(label, cols)| Ok((label, cols.accepted, jet_js(&self.reco, cols, n_quant)?)))
            .collect()
    }

    fn series(&self, pick: &dyn Fn(&JetColumns) -> Vec<f32>) -> Vec<SeriesData> {
        let mut s = vec![
            SeriesData::new("gen", pick(&self.gen), GEN_COLOR),
            SeriesData::new("reco", pick(&self.reco), RECO_COLOR),
        ];
        for (i, (label, cols)) in self.models.iter().enumerate() {
            s.push(SeriesData::new(label, pick(cols), MODEL_COLORS[i % 3]));
        }
        s
    }

    /// The distribution of jet feature `name` (of [`crate::physics::JET_FEATURES`]) at every
    /// level, ratio to reco.
    pub fn feature_figure(&self, name: &str, bins: usize) -> Figure {
        Figure::Hist {
            x_label: axis_label(&format!("jet_{name}")),
            series: self.series(&|c: &JetColumns| c.feature(name).unwrap_or_default().to_vec()),
            bins,
        }
    }

    /// The distribution of constituent coordinate `k` (0, 1, 2: pₓ, p_y, p_z).
    pub fn constituent_figure(&self, k: usize, bins: usize) -> Figure {
        let f = ["px", "py", "pz"][k.min(2)];
        Figure::Hist {
            x_label: axis_label(&format!("const_{f}")),
            series: self.series(&|c: &JetColumns| c.constituents[k.min(2)].clone()),
            bins,
        }
    }
}

/// Jet `i` at gen and reco level (from `truth`) and as each model made it ((label, jets,
/// array)), centred on the gen jet's axis.
pub fn event_display(truth: &JetArrays, models: &[(&str, &JetArrays, &str)], i: usize) -> Figure {
    let particles = |jets: &JetArrays, array: &str| {
        jets.particles(array, i)
            .unwrap_or_default()
            .iter()
            .map(|p| [p.pt() as f32, p.eta() as f32, p.phi() as f32])
            .collect::<Vec<_>>()
    };
    let axis = JetFeatures::of(&truth.particles("gen", i).unwrap_or_default(), 0.5);
    let mut panels = vec![
        JetPanel {
            title: "gen".into(),
            color: GEN_COLOR,
            particles: particles(truth, "gen"),
        },
        JetPanel {
            title: "reco".into(),
            color: RECO_COLOR,
            particles: particles(truth, "reco"),
        },
    ];
    for (k, (label, jets, array)) in models.iter().enumerate() {
        panels.push(JetPanel {
            title: label.to_string(),
            color: MODEL_COLORS[k % 3],
            particles: particles(jets, array),
        });
    }
    Figure::Jets {
        panels,
        center: (axis.eta as f32, axis.phi as f32),
        r: 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the paper's network goes to a hardware GPU; the page's small one stays on the CPU.
    #[test]
    fn the_paper_network_is_the_large_job() {
        for masked in [false, true] {
            assert_eq!(device_job(&net_config(Preset::Paper, masked)), Job::Large);
            assert_eq!(
                device_job(&net_config(Preset::Small, masked)),
                Job::FastPath
            );
        }
    }

    /// The small preset is written once: the page, the command line and the bench read it
    /// here.
    /// `--paper`: seed 001's settings as section 4 and eq. (1) state them.
    #[test]
    fn the_paper_preset_is_seed_001s() {
        let PaperPreset {
            net,
            train,
            jet_term_unit,
            select_kld_every,
        } = paper_preset();
        assert_eq!(net.channels, vec![32, 64, 128]);
        assert_eq!((net.dense1, net.dense2, net.latent), (640, 150, 20));
        assert!(!net.masked);
        assert_eq!(jet_term_unit, 1.0, "GeV²");
        assert_eq!(
            select_kld_every,
            Some(10),
            "section 5: the KLD every 10 epochs"
        );
        assert!((net.beta - 1.0 / 9.0).abs() < 1e-12);
        assert_eq!((net.alpha_m, net.alpha_pt), (1.0, 0.1));
        assert_eq!((train.lr, train.epochs, train.lr_decay), (1e-4, 300, false));
        // 80 % learning × (1 − 0.25) = 60 % train, 20 % validation, 20 % test.
        assert!((0.8 * (1.0 - train.val_fraction) - 0.6).abs() < 1e-12);
    }

    #[test]
    fn presets() {
        let p = net_config(Preset::Paper, false);
        assert_eq!(
            (p.channels.clone(), p.dense1, p.dense2),
            (vec![32, 64, 128], 640, 150)
        );
        let s = net_config(Preset::Small, true);
        assert_eq!(
            (s.channels.clone(), s.dense1, s.dense2),
            (vec![8, 16, 32], 128, 64)
        );
        assert!(s.masked);
        let c = PAPER.overridden(None, None, None, 4);
        assert_eq!(
            (c.epochs, c.batch_size, c.lr, c.lr_decay),
            (300, 128, 1e-4, false)
        );
    }

    /// The page's test jets for a pre-trained model are the first of the jets its manifest
    /// figures were measured on: same seed, and a recipe's jets do not depend on how many
    /// follow them.
    #[test]
    fn pretrained_test_jets_begin_the_manifest_test_set() {
        let r = JetRecipe::new(30_000, 2026);
        let t = pretrained_test(&r);
        assert_eq!((t.jets, t.seed), (PRETRAINED_TEST_JETS, 3026));
        assert_eq!(test_recipe(&r, r.jets).jets, 20_000);
        let (mut few, mut more) = (JetRecipe::new(20, 5), JetRecipe::new(50, 5));
        few.detector.pileup_mu = 3.0;
        more.detector.pileup_mu = 3.0;
        let (a, b) = (few.build().unwrap(), more.build().unwrap());
        assert_eq!(a, b.slice(0, 20).unwrap());
    }

    #[test]
    fn test_jets_are_independent() {
        let mut r = JetRecipe::new(100, 7);
        r.detector.pileup_mu = 3.0;
        let t = test_recipe(&r, 100);
        assert_eq!((t.jets, t.seed, t.detector.pileup_mu), (500, 1007, 3.0));
    }

    /// One comparison for the report and the page: the gen line first, a row per model,
    /// and an event display with a panel per level.
    #[test]
    fn comparison_and_event_display() {
        let truth = JetRecipe::new(300, 2).build().unwrap();
        let c = Comparison::new(&truth, &[("copy", &truth, "reco")]);
        let js = c.js(4).unwrap();
        assert_eq!(js.len(), 2);
        assert_eq!(js[0].0, "gen");
        // The detector's own jets as the "model": identical to reco.
        assert!(
            js[1].2.iter().all(|v| v.abs() < 1e-12 || v.is_nan()),
            "{:?}",
            js[1]
        );
        let Figure::Jets { panels, .. } = event_display(&truth, &[("copy", &truth, "reco")], 0)
        else {
            panic!("not an event display")
        };
        assert_eq!(panels.len(), 3);
        assert_eq!(panels[1].particles, panels[2].particles);
        let Figure::Hist { series, .. } = c.feature_figure("pt", 20) else {
            panic!("not a histogram")
        };
        assert_eq!(series.len(), 3);
    }
}
