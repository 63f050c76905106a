//! The W+jet smearing workflow (seed 000), once for both front ends: its presets, where the
//! training and test events come from, the quality figure a model file stores, and the
//! comparison the sample step shows.

use super::seeds::{self, held_out_split};
use crate::data::{Table, Transform};
use crate::error::{Error, Result};
use crate::metrics::quantile_js;
use crate::metrics::residuals_for;
use crate::model::{Target, TrainConfig, TrainedSmearing};
use crate::numfmt::thousands;
use crate::plot::{
    axis_label, residual_label, Figure, SeriesData, GEN_COLOR, MODEL_COLOR, RECO_COLOR,
};
use crate::recipe::{DataOrigin, WjetsRecipe};
use crate::train::{Hidden, TrainData};
use std::borrow::Cow;

/// Quantiles of the quality figure and of the page's per-feature JS (seed 003, eq. 3.3).
pub const N_QUANT: usize = 16;
/// At most this many built-in test events (the training recipe can ask for up to 10⁶).
pub const MAX_TEST_EVENTS: usize = 100_000;
/// The page's quick defaults: 20,000 events, 10 epochs (the paper trains 100).
pub const PAGE_EVENTS: usize = 20_000;
pub const PAGE_EPOCHS: usize = 10;

/// Seed 000, section 3: 100 epochs of Adam on batches of 128 at lr 10⁻³/(1 + epoch), 70/30
/// split — [`TrainConfig`]'s defaults.
pub fn paper() -> TrainConfig {
    TrainConfig::default()
}

/// Seed 000's own settings, where the lab's defaults differ (`train --model smearing
/// --paper`): the nine main features regressed directly (section 3: x_DL = μ + σ·ε; the lab
/// learns the residual reco − gen), the 4 × 100 networks, the schedule of [`paper`], and
/// built-in events at the HL-LHC's ⟨μ⟩ = 200 pile-up (section 2; the lab's detector is Run-2-
/// like at 27). The paper's 2M events and its Delphes HL-LHC card are out of reach: the event
/// count is the caller's, the resolutions the built-in card's.
pub struct PaperPreset {
    pub data: TrainData,
    pub train: TrainConfig,
    pub mean_pileup: f64,
}

/// See [`PaperPreset`].
pub fn paper_preset() -> PaperPreset {
    PaperPreset {
        data: TrainData {
            target: Target::Direct,
            ..TrainData::wjets_main()
        },
        train: paper(),
        mean_pileup: 200.0,
    }
}

/// The built-in W+jet columns with a network size.
pub fn wjets_data(hidden: Hidden) -> TrainData {
    TrainData {
        hidden,
        ..TrainData::wjets_main()
    }
}

/// Where a smearing model's events come from, borrowed from the front end (a user's file
/// may be hundreds of MB: it is sliced, never copied whole).
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// Built-in events: the recipe and the table it made.
    Recipe {
        recipe: &'a WjetsRecipe,
        table: &'a Table,
    },
    /// A user's file, already read: the table, its name and SHA-256.
    File {
        table: &'a Table,
        name: &'a str,
        sha256: &'a str,
    },
}

/// The events a model is judged on, never trained on.
#[derive(Debug, Clone, PartialEq)]
pub enum TestEvents {
    /// Independent built-in events, to be generated: the training recipe with seed
    /// + [`seeds::TEST_EVENTS`], at most [`MAX_TEST_EVENTS`].
    Recipe(Box<WjetsRecipe>),
    /// The held-out last rows of a file ([`seeds::HELD_OUT_FRACTION`]).
    HeldOut { table: Table, file: String },
}

impl TestEvents {
    /// What the quality figure was measured on, for the command line, the page and the log.
    pub fn describe(&self) -> String {
        match self {
            TestEvents::Recipe(r) => format!(
                "{} independent events (seed {})",
                thousands(r.events),
                r.seed
            ),
            TestEvents::HeldOut { table, file } => format!(
                "the {} held-out rows of {file} (its last {:.0} %, not trained on)",
                thousands(table.n_rows()),
                100.0 * seeds::HELD_OUT_FRACTION
            ),
        }
    }
}

impl<'a> Source<'a> {
    /// The rows to train on (train + validation): all built-in events, or a file's rows
    /// before its held-out ones.
    pub fn train_rows(&self) -> Result<Cow<'a, Table>> {
        match *self {
            Source::Recipe { table, .. } => Ok(Cow::Borrowed(table)),
            Source::File { table, .. } => {
                Ok(Cow::Owned(table.slice_rows(0, held_out_start(table)?)))
            }
        }
    }

    /// The test policy: for built-in events the training recipe with seed + 1 (at most
    /// [`MAX_TEST_EVENTS`]); for a file its held-out last rows.
    pub fn test_events(&self) -> Result<TestEvents> {
        match *self {
            Source::Recipe { recipe, .. } => Ok(TestEvents::Recipe(Box::new(WjetsRecipe {
                events: recipe.events.min(MAX_TEST_EVENTS),
                seed: seeds::derive(recipe.seed, seeds::TEST_EVENTS),
                ..recipe.clone()
            }))),
            Source::File { table, name, .. } => Ok(TestEvents::HeldOut {
                table: table.slice_rows(held_out_start(table)?, table.n_rows()),
                file: name.to_string(),
            }),
        }
    }

    /// The origin a model file records: the recipe of the training events, or the file's
    /// name, rows and hash.
    pub fn origin(&self) -> DataOrigin {
        match *self {
            Source::Recipe { recipe, .. } => DataOrigin::Recipe {
                recipe: Box::new(recipe.clone()),
            },
            Source::File {
                table,
                name,
                sha256,
            } => DataOrigin::Upload {
                name: name.to_string(),
                rows: table.n_rows(),
                sha256: sha256.to_string(),
            },
        }
    }
}

/// Where a file's held-out rows begin; an error when either side would be too small.
fn held_out_start(table: &Table) -> Result<usize> {
    let n = table.n_rows();
    let cut = held_out_split(n);
    if n - cut < 10 || cut < 10 {
        return Err(Error::invalid(
            "events",
            format!(
                "{} has {n} rows: too few to hold out a test sample ({:.0} %) and still train",
                table.source(),
                100.0 * seeds::HELD_OUT_FRACTION
            ),
        ));
    }
    Ok(cut)
}

/// A file's training rows and its held-out test rows.
pub fn split_file(table: &Table) -> Result<(Table, Table)> {
    let cut = held_out_start(table)?;
    Ok((
        table.slice_rows(0, cut),
        table.slice_rows(cut, table.n_rows()),
    ))
}

/// One feature's comparison: the model's reco and the gen value against the detector's
/// reco, by quantile-JS at [`N_QUANT`].
#[derive(Debug, Clone, PartialEq)]
pub struct JsRow {
    /// The reco column without its `reco_` prefix.
    pub feature: String,
    pub model: f64,
    pub gen: f64,
}

/// The comparison of a model's sample of `test` (`sampled`, from [`TrainedSmearing::sample`])
/// with the detector, per gen/reco pair of the model.
pub fn compare(model: &TrainedSmearing, test: &Table, sampled: &Table) -> Result<Vec<JsRow>> {
    model
        .meta
        .gen_cols
        .iter()
        .zip(&model.meta.reco_cols)
        .map(|(g, r)| {
            let reco = test.column(r)?;
            Ok(JsRow {
                feature: r.trim_start_matches("reco_").to_string(),
                model: quantile_js(reco, sampled.column(r)?, N_QUANT)?,
                gen: quantile_js(reco, test.column(g)?, N_QUANT)?,
            })
        })
        .collect()
}

/// The quality figure a model file stores: the model's JS per reco column, from
/// [`compare`] on test events.
pub fn quality(rows: &[JsRow]) -> Vec<(String, f64)> {
    rows.iter()
        .map(|r| (format!("reco_{}", r.feature), r.model))
        .collect()
}

/// The quality figure as one line.
pub fn quality_text(quality: &[(String, f64)]) -> String {
    quality
        .iter()
        .map(|(c, j)| format!("{} {j:.5}", c.trim_start_matches("reco_")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a smearing model trains: seed 000's pair on the CPU fast path; a flow, which has no
/// fast path (Burn's autodiff everywhere), where the larger networks go (WebGPU on a hardware
/// adapter, or when the page is told to).
pub fn device_job(flow: bool) -> crate::backend::Job {
    if flow {
        crate::backend::Job::Large
    } else {
        crate::backend::Job::FastPath
    }
}

/// The flow's conditioners unless told otherwise: two hidden layers of 64.
pub const FLOW_HIDDEN: Hidden = Hidden {
    layers: 2,
    width: 64,
};

/// Ensemble member `k` (1 … K − 1) of a main model: the same columns, target, transforms,
/// network size and training settings, with seed + k (seed 000, fig. 5's band).
pub fn ensemble_member(main: &TrainedSmearing, k: usize) -> (TrainData, TrainConfig) {
    let m = &main.meta;
    let data = TrainData {
        gen_cols: m.gen_cols.clone(),
        reco_cols: m.reco_cols.clone(),
        target: m.target,
        transforms: m.transforms.clone(),
        hidden: Hidden {
            layers: m.config.hidden_layers,
            width: m.config.hidden_width,
        },
        flow: m.config.flow,
    };
    let cfg = TrainConfig {
        seed: seeds::derive(m.train.seed, seeds::ENSEMBLE_MEMBER + k as u64),
        ..m.train.clone()
    };
    (data, cfg)
}

/// The per-feature figures of a smearing model (seed 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureFigure {
    /// gen, reco and model distributions, ratio model / reco (figs. 3–4).
    Hist,
    /// Residuals of reco and model against gen (figs. 5–6): relative, absolute for η and φ.
    Residual,
    /// Model against detector, event by event (figs. 9–10).
    Map,
}

impl FeatureFigure {
    /// What a figure file of this kind appends to the feature's name (`mu_px_residual`).
    pub fn file_suffix(self) -> &'static str {
        match self {
            FeatureFigure::Hist => "",
            FeatureFigure::Residual => "_residual",
            FeatureFigure::Map => "_map",
        }
    }
}

/// One figure of reco column `reco_col`: `truth` holds the events' gen and reco columns,
/// `models` the model's samples of the same events (several: an ensemble, drawn as a band).
pub fn feature_figure(
    kind: FeatureFigure,
    reco_col: &str,
    truth: &Table,
    models: &[Table],
    bins: usize,
) -> Result<Figure> {
    let gen_col = reco_col.replacen("reco_", "gen_", 1);
    let label = axis_label(reco_col);
    let model_series = |f: &dyn Fn(&Table) -> Result<Vec<f32>>| -> Result<Option<SeriesData>> {
        let Some((first, rest)) = models.split_first() else {
            return Ok(None);
        };
        let mut s = SeriesData::new("model", f(first)?, MODEL_COLOR);
        s.band = rest.iter().map(f).collect::<Result<_>>()?;
        Ok(Some(s))
    };
    Ok(match kind {
        FeatureFigure::Hist => {
            let mut series = vec![
                SeriesData::new("gen", truth.column(&gen_col)?.to_vec(), GEN_COLOR),
                SeriesData::new("reco", truth.column(reco_col)?.to_vec(), RECO_COLOR),
            ];
            series.extend(model_series(&|t: &Table| Ok(t.column(reco_col)?.to_vec()))?);
            Figure::Hist {
                x_label: label,
                series,
                bins,
            }
        }
        FeatureFigure::Residual => {
            let gen = truth.column(&gen_col)?;
            let resid = |t: &Table| -> Result<Vec<f32>> {
                let x = t.column(reco_col)?;
                if x.len() != gen.len() {
                    return Err(Error::invalid(
                        "residuals",
                        format!(
                            "{} has {} rows, the events {}",
                            t.source(),
                            x.len(),
                            gen.len()
                        ),
                    ));
                }
                Ok(residuals_for(reco_col, x, gen).0)
            };
            let mut series = vec![SeriesData::new("reco", resid(truth)?, RECO_COLOR)];
            series.extend(model_series(&resid)?);
            Figure::Hist {
                x_label: residual_label(reco_col),
                series,
                bins,
            }
        }
        FeatureFigure::Map => {
            let model = models.first().ok_or_else(|| {
                Error::invalid("model-vs-detector map", "needs the model's samples")
            })?;
            let (x, y) = (truth.column(reco_col)?, model.column(reco_col)?);
            if x.len() != y.len() {
                return Err(Error::invalid(
                    "model-vs-detector map",
                    format!(
                        "{} truth rows but {} model rows: the map pairs events, so the model's sample must be of the same events",
                        x.len(),
                        y.len()
                    ),
                ));
            }
            Figure::Map {
                x_label: format!("detector: {label}"),
                y_label: format!("model: {label}"),
                x: x.to_vec(),
                y: y.to_vec(),
                bins,
            }
        }
    })
}

/// One line of a file's column mapping: a gen column, its reco partner ("" = unused), and
/// the transform of the pair.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnPair {
    pub gen: String,
    pub reco: String,
    pub transform: Transform,
    /// Whether the log transform is possible (both columns positive).
    pub log_ok: bool,
}

/// The first guess for a user's table: every `gen_x` paired with `reco_x` when the table has
/// it; with no `gen_` columns, every column unpaired for the user to choose.
pub fn auto_pairs(table: &Table) -> Vec<ColumnPair> {
    let names = table.names();
    let positive = |n: &str| table.column(n).is_ok_and(|v| Transform::Log.applies_to(v));
    let gens: Vec<&String> = names.iter().filter(|n| n.starts_with("gen_")).collect();
    let candidates: Vec<&String> = if gens.is_empty() {
        names.iter().collect()
    } else {
        gens
    };
    candidates
        .into_iter()
        .map(|g| {
            let partner = format!("reco_{}", g.trim_start_matches("gen_"));
            let reco = if names.contains(&partner) {
                partner
            } else {
                String::new()
            };
            ColumnPair {
                gen: g.clone(),
                log_ok: positive(g) && (reco.is_empty() || positive(&reco)),
                reco,
                transform: Transform::None,
            }
        })
        .collect()
}

/// The training columns a mapping describes (residual targets); an error when no pair is
/// used.
pub fn pairs_data(pairs: &[ColumnPair], hidden: Hidden) -> Result<TrainData> {
    let used: Vec<&ColumnPair> = pairs.iter().filter(|r| !r.reco.is_empty()).collect();
    if used.is_empty() {
        return Err(Error::invalid(
            "columns",
            "pair at least one gen column with a reco column in the column mapper",
        ));
    }
    Ok(TrainData {
        gen_cols: used.iter().map(|r| r.gen.clone()).collect(),
        reco_cols: used.iter().map(|r| r.reco.clone()).collect(),
        target: Target::Residual,
        transforms: used.iter().map(|r| r.transform).collect(),
        hidden,
        flow: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend;
    use crate::train::SmearingJob;
    use crate::workflow::{run_to_end, Epochs};

    fn trained(hidden: Hidden, seed: u64) -> (Table, TrainedSmearing) {
        let mut s = WjetsRecipe::new(600, seed).stream().unwrap();
        run_to_end(&mut s, 1000).unwrap();
        let table = s.into_table();
        let cfg = paper().overridden(Some(2), None, None, seed);
        let mut job = SmearingJob::new(&table, &wjets_data(hidden), cfg, &backend::cpu()).unwrap();
        run_to_end(&mut Epochs::new(&mut job.trainer, |_| {}), 8).unwrap();
        (table, job.finish().unwrap())
    }

    /// `--paper`: every setting seed 000 states (section 3), and where it differs from the
    /// lab's default.
    #[test]
    fn the_paper_preset_is_seed_000s() {
        let p = paper_preset();
        assert_eq!(p.data.target, Target::Direct);
        assert_ne!(
            TrainData::wjets_main().target,
            p.data.target,
            "the lab learns residuals"
        );
        assert_eq!(p.data.gen_cols, crate::physics::main_columns("gen"));
        assert_eq!(p.data.reco_cols, crate::physics::main_columns("reco"));
        assert_eq!(p.data.hidden, Hidden::PAPER);
        assert!(p.data.transforms.is_empty() && p.data.flow.is_none());
        let t = &p.train;
        assert_eq!(
            (t.epochs, t.batch_size, t.lr, t.lr_decay),
            (100, 128, 1e-3, true)
        );
        assert_eq!(t.val_fraction, 0.3);
        assert_eq!(p.mean_pileup, 200.0);
        assert_eq!(crate::generate::WJetsConfig::default().mean_pileup, 27.0);
    }

    #[test]
    fn paper_defaults_and_overrides() {
        let c = paper().overridden(None, None, None, 5);
        assert_eq!((c.epochs, c.batch_size, c.lr, c.seed), (100, 128, 1e-3, 5));
        assert!(c.lr_decay && (c.val_fraction - 0.3).abs() < 1e-12);
        let c = paper().overridden(Some(3), Some(64), Some(0.01), 1);
        assert_eq!((c.epochs, c.batch_size, c.lr), (3, 64, 0.01));
    }

    /// Built-in data is judged on the next seed's events (capped), a file on its held-out
    /// rows, which are not among the rows it trains on.
    #[test]
    fn test_events_are_never_the_training_events() {
        let t = Table::from_columns(
            vec!["gen_x".into()],
            vec![(0..100).map(|i| i as f32).collect()],
            "f.csv",
        )
        .unwrap();
        let recipe = WjetsRecipe::new(500_000, 7);
        let built = Source::Recipe {
            recipe: &recipe,
            table: &t,
        };
        assert!(matches!(built.train_rows().unwrap(), Cow::Borrowed(_)));
        match built.test_events().unwrap() {
            TestEvents::Recipe(r) => assert_eq!((r.events, r.seed), (MAX_TEST_EVENTS, 8)),
            other => panic!("{other:?}"),
        }
        let src = Source::File {
            table: &t,
            name: "f.csv",
            sha256: "00",
        };
        assert_eq!(src.train_rows().unwrap().n_rows(), 80);
        let test = src.test_events().unwrap();
        let TestEvents::HeldOut { table, .. } = &test else {
            panic!("{test:?}")
        };
        assert_eq!(table.column("gen_x").unwrap()[0], 80.0);
        assert!(test.describe().contains("20 held-out rows of f.csv"));
        assert!(matches!(src.origin(), DataOrigin::Upload { rows: 100, .. }));
        let few = t.slice_rows(0, 30);
        let small = Source::File {
            table: &few,
            name: "few.csv",
            sha256: "00",
        };
        assert!(small.train_rows().is_err() && small.test_events().is_err());
    }

    /// Defect of issue 17: the page trained every ensemble member with the default 4×100
    /// network whatever the main model's size. Members now copy the main model's settings.
    #[test]
    fn ensemble_members_share_the_main_models_network_and_settings() {
        let (_, main) = trained(Hidden::SMALL, 3);
        let (data, cfg) = ensemble_member(&main, 2);
        assert_eq!(data.hidden, Hidden::SMALL);
        assert_eq!(data.gen_cols, main.meta.gen_cols);
        assert_eq!(cfg.epochs, 2);
        assert_eq!(cfg.seed, 5);
    }

    /// The quality figure is the model's JS against the detector on the test events, and the
    /// model beats the gen level on a smeared feature.
    #[test]
    fn quality_is_measured_on_test_events() {
        let (_, model) = trained(Hidden::SMALL, 11);
        let mut s = WjetsRecipe::new(600, 12).stream().unwrap();
        run_to_end(&mut s, 1000).unwrap();
        let test = s.into_table();
        let sampled = pollster::block_on(model.sample(&test, 1)).unwrap();
        let rows = compare(&model, &test, &sampled).unwrap();
        assert_eq!(rows.len(), 9);
        let q = quality(&rows);
        assert!(q
            .iter()
            .all(|(c, v)| c.starts_with("reco_") && v.is_finite()));
        assert!(
            quality_text(&q).starts_with("mu_px "),
            "{}",
            quality_text(&q)
        );
    }

    #[test]
    fn a_files_columns_are_paired_by_name() {
        let t = Table::from_columns(
            vec![
                "gen_pt".into(),
                "reco_pt".into(),
                "gen_eta".into(),
                "file".into(),
            ],
            vec![
                vec![10.0, 20.0],
                vec![11.0, 19.0],
                vec![-1.0, 1.0],
                vec![0.0, 0.0],
            ],
            "f.csv",
        )
        .unwrap();
        let pairs = auto_pairs(&t);
        assert_eq!(pairs.len(), 2);
        assert_eq!((pairs[0].reco.as_str(), pairs[0].log_ok), ("reco_pt", true));
        assert_eq!((pairs[1].reco.as_str(), pairs[1].log_ok), ("", false));
        let d = pairs_data(&pairs, Hidden::SMALL).unwrap();
        assert_eq!(
            (d.gen_cols, d.reco_cols),
            (vec!["gen_pt".to_string()], vec!["reco_pt".to_string()])
        );
        let none: Vec<ColumnPair> = pairs.into_iter().skip(1).collect();
        assert!(pairs_data(&none, Hidden::SMALL).is_err());
    }
}
