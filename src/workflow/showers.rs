//! The shower method's one home (seed 003): the training showers, the schedules, the mixture
//! of trainings, and the Calomplification study of its samples (observables, JS curves,
//! amplification, baselines), for the command line and the page alike.

use super::evaluate::add_model;
use crate::error::{Error, Result};
pub use crate::metrics::mean_sd;
use crate::metrics::{Amplification, HistogramCv, HistogramEstimator, Kde, Study, StudyOptions};
use crate::model::{TrainConfig, TrainedVaeGan, VaeGanConfig};
use crate::physics::{apply_cut, Observable, IMAGE_PIXELS, MIP_CUT_MEV};
use crate::plot::{
    Figure, SeriesData, HIST_EST_COLOR, KDE_COLOR, MODEL_COLOR, RECO_COLOR, VAL_COLOR,
};
use crate::train::VaeGanJob;

/// Training showers per set: the paper trains each network on 1k (section 2).
pub const TRAIN_SHOWERS: usize = 1000;
/// Trainings whose generators make one model (section 2: three per training set).
pub const MEMBERS: usize = 3;

/// The paper's schedule: Adam at 8·10⁻⁶ for ~50,000 epochs of 1k showers (24 h on a P100,
/// section 2).
pub const PAPER: TrainConfig = TrainConfig {
    epochs: 50_000,
    batch_size: 64,
    lr: 8e-6,
    val_fraction: 0.3,
    seed: 1,
    lr_decay: false,
};

/// The faster schedule this project trains with (the command line's and the page's
/// default): Adam at 5·10⁻⁴ (β₁ = 0.5) for 300 epochs. The paper's rate would need its
/// ~50,000 epochs, days on a CPU; the model selection keeps the best epoch either way.
pub const FAST: TrainConfig = TrainConfig {
    epochs: 300,
    batch_size: 64,
    lr: 5e-4,
    val_fraction: 0.3,
    seed: 1,
    lr_decay: false,
};

/// [`FAST`] with a falling rate: 5·10⁻⁴ at the start, a tenth of it at the end
/// (exponentially). At a constant 5·10⁻⁴ the selection figure stops improving after ~100
/// epochs and oscillates; the falling rate lets the networks settle.
pub const DECAY: TrainConfig = TrainConfig {
    lr_decay: true,
    ..FAST
};

/// The page's defaults: a short live training (the pre-trained mixture is the long one), a
/// generated sample 100× the training showers, and truth showers enough for two disjoint
/// subsamples of 1k, 2k and 5k beside the reference.
pub const PAGE_EPOCHS: usize = 15;
pub const PAGE_GENERATED: usize = 100_000;
pub const PAGE_TRUTH: usize = 20_000;

/// Where the page trains and samples a VAE-GAN: convolutions and locally connected layers are
/// not on the CPU fast path (dense networks only), so a hardware GPU takes them. (Not yet
/// measured on a hardware GPU: none was lent.)
pub fn device_job() -> crate::backend::Job {
    crate::backend::Job::Large
}

/// The network: the defaults of [`VaeGanConfig`].
pub fn net_config() -> VaeGanConfig {
    VaeGanConfig::new()
}

/// The schedule by name (`fast`, `decay` or `paper`).
pub fn schedule(name: &str) -> Result<TrainConfig> {
    match name {
        "fast" => Ok(FAST),
        "paper" => Ok(PAPER),
        "decay" => Ok(DECAY),
        _ => Err(Error::invalid(
            "schedule",
            format!("'{name}' (choose fast, decay or paper)"),
        )),
    }
}

/// The seed of member `m` of a mixture trained with `seed`.
pub fn member_seed(seed: u64, m: usize) -> u64 {
    seed.wrapping_add(1000 * m as u64)
}

/// A training run of member `m` on `images` (MeV, uncut).
pub fn member_job(
    images: &[f32],
    pixel_mm: f32,
    net: VaeGanConfig,
    cfg: &TrainConfig,
    m: usize,
    device: &burn::prelude::Device,
) -> Result<VaeGanJob> {
    let cfg = TrainConfig {
        seed: member_seed(cfg.seed, m),
        ..cfg.clone()
    };
    VaeGanJob::new(images, pixel_mm, net, cfg, device)
}

/// The trained members as one mixture model.
pub fn mixture(members: Vec<TrainedVaeGan>) -> Result<TrainedVaeGan> {
    TrainedVaeGan::mixture(members)
        .ok_or_else(|| Error::invalid("VAE-GAN", "no member finished training"))
}

/// One study of the Calomplification analysis: observables compared one at a time (fig. 6)
/// or jointly (fig. 7).
#[derive(Debug, Clone, PartialEq)]
pub struct StudySpec {
    pub observables: Vec<Observable>,
}

impl StudySpec {
    /// The studies of figs. 6, 7, 9, 10: each observable of eq. (2.2), then E_vis × E_peak,
    /// CG_x × CG_y and all four per-shower observables jointly (E_pixel has several values per
    /// shower and enters no joint study, section 4).
    pub fn paper() -> Vec<StudySpec> {
        use Observable::*;
        let one = |o| StudySpec {
            observables: vec![o],
        };
        let mut out: Vec<StudySpec> = Observable::PAPER.into_iter().map(one).collect();
        for joint in [
            vec![EVis, EPeak],
            vec![CgX, CgY],
            vec![EVis, EPeak, CgX, CgY],
        ] {
            out.push(StudySpec { observables: joint });
        }
        out
    }

    pub fn name(&self) -> String {
        self.observables
            .iter()
            .map(|o| o.name())
            .collect::<Vec<_>>()
            .join("+")
    }

    pub fn title(&self) -> String {
        self.observables
            .iter()
            .map(|o| o.label())
            .collect::<Vec<_>>()
            .join(" × ")
    }

    pub fn dims(&self) -> usize {
        self.observables.len()
    }

    /// The study's rows (row-major, `dims` values each) of `images` (already cut): one per
    /// shower, or one per pixel above 5 MeV for E_pixel.
    pub fn rows(&self, images: &[f32], pixel_mm: f32) -> Result<Vec<f32>> {
        if self.observables.len() > 1 && self.observables.contains(&Observable::EPixel) {
            return Err(Error::invalid(
                "shower study",
                "E_pixel has several values per shower and cannot enter a joint study",
            ));
        }
        let cols: Vec<Vec<f32>> = self
            .observables
            .iter()
            .map(|o| o.values(images, pixel_mm))
            .collect();
        let n = cols.first().map_or(0, Vec::len);
        Ok((0..n)
            .flat_map(|i| cols.iter().map(move |c| c[i]))
            .collect())
    }
}

/// Images with the half-MIP cut applied (the evaluation form, seed 003 fig. 1).
pub fn cut(images: &[f32]) -> Vec<f32> {
    let mut out = images.to_vec();
    apply_cut(&mut out, MIP_CUT_MEV);
    out
}

/// What one training set gives in one study: the VAE-GAN's amplification and the fitted
/// baselines' (seed 003, figs. 6 and 9, table 1).
#[derive(Debug, Clone)]
pub struct SetResult {
    pub model: Amplification,
    pub kde: Amplification,
    pub histogram: Amplification,
    /// Table 1: the KDE bandwidth (in units of each dimension's standard deviation) and the
    /// histogram's bins along each dimension, chosen by cross-validation.
    pub kde_bandwidth: f64,
    pub histogram_bins: Vec<usize>,
}

/// The truth side of a study: the truth showers' rows split into the reference and the
/// truth subsamples; its truth curves are computed by driving it (it is
/// [`Stepped`](super::Stepped)).
/// `train_images` is one training set (cut), which sets the training size.
pub fn new_study(
    spec: &StudySpec,
    truth: &[f32],
    train_images: &[f32],
    pixel_mm: f32,
    opts: &StudyOptions,
) -> Result<Study> {
    let train_rows = spec.rows(train_images, pixel_mm)?.len() / spec.dims();
    Study::new(&spec.rows(truth, pixel_mm)?, spec.dims(), train_rows, opts)
}

/// Adds one training set's curves to `study` — the training sample, the KDE and histogram
/// fitted to it, and the VAE-GAN trained on it (`generated`, cut) — and reads the three
/// amplifications at the model's n_quant.
pub fn add_set(
    study: &mut Study,
    spec: &StudySpec,
    train_images: &[f32],
    generated: &[f32],
    pixel_mm: f32,
    seed: u64,
    hist_cv: HistogramCv,
) -> Result<(SetResult, Kde, HistogramEstimator)> {
    let train = spec.rows(train_images, pixel_mm)?;
    let gen = spec.rows(generated, pixel_mm)?;
    let g_size = gen.len() / spec.dims();
    let (kde, hist) = study.add_baselines(&train, g_size, seed, hist_cv)?;
    add_model(study, &[gen])?;
    let model = study.amplification("model", None)?;
    let at = Some(model.n_quant);
    let result = SetResult {
        kde: study.amplification("KDE", at)?,
        histogram: study.amplification("histogram", at)?,
        model,
        kde_bandwidth: kde.bandwidth,
        histogram_bins: hist.bins.clone(),
    };
    Ok((result, kde, hist))
}

/// Fig. 4: one observable's distribution for the training showers, the truth (the ratio
/// panel's reference) and the VAE-GAN, whose band is the spread of its members (showers
/// i, i + M, … come from member i mod M).
pub fn distribution_figure(
    o: Observable,
    train: &[f32],
    truth: &[f32],
    generated: &[f32],
    members: usize,
    pixel_mm: f32,
) -> Figure {
    let values = |images: &[f32]| o.values(images, pixel_mm);
    let mut model = SeriesData::new("VAE-GAN", values(generated), MODEL_COLOR);
    if members > 1 {
        let per: Vec<Vec<f32>> = (0..members)
            .map(|m| {
                let mine: Vec<f32> = generated
                    .chunks_exact(IMAGE_PIXELS)
                    .enumerate()
                    .filter(|(i, _)| i % members == m)
                    .flat_map(|(_, im)| im.iter().copied())
                    .collect();
                values(&mine)
            })
            .collect();
        model.values = per[0].clone();
        model.band = per[1..].to_vec();
        model.label = format!("VAE-GAN, {members} trainings");
    }
    Figure::Hist {
        x_label: o.label().to_string(),
        series: vec![
            SeriesData::new("training", values(train), VAL_COLOR),
            SeriesData::new("truth", values(truth), RECO_COLOR),
            model,
        ],
        bins: 40,
    }
}

/// Fig. 8: the KDE and the histogram estimator fitted to one training set, each sampled and
/// drawn over it (the ratio panel's reference), one figure each: `("kde", …)` and
/// `("histogram", …)`.
pub fn fit_figures(
    spec: &StudySpec,
    train_rows: &[f32],
    kde: &Kde,
    hist: &HistogramEstimator,
    seed: u64,
) -> Vec<(&'static str, Figure)> {
    let n = 100 * (train_rows.len() / spec.dims()).max(1);
    let over_training = |fit: SeriesData| Figure::Hist {
        x_label: spec.title(),
        series: vec![
            SeriesData::new("training", train_rows.to_vec(), VAL_COLOR),
            fit,
        ],
        bins: 40,
    };
    vec![
        (
            "kde",
            over_training(SeriesData::new("KDE", kde.sample(n, seed), KDE_COLOR)),
        ),
        (
            "histogram",
            over_training(SeriesData::new(
                "histogram estimator",
                hist.sample(n, seed),
                HIST_EST_COLOR,
            )),
        ),
    ]
}

/// Fig. 1's last panel for a sample: its mean image and its first `singles` showers.
pub fn gallery_figure(label: &str, images: &[f32], singles: usize, pixel_mm: f32) -> Figure {
    let n = images.len() / IMAGE_PIXELS;
    let mut mean = vec![0f32; IMAGE_PIXELS];
    for im in images.chunks_exact(IMAGE_PIXELS) {
        for (m, v) in mean.iter_mut().zip(im) {
            *m += v / n.max(1) as f32;
        }
    }
    let mut panels = vec![(format!("{label}: mean of {n}"), mean)];
    for (i, im) in images.chunks_exact(IMAGE_PIXELS).take(singles).enumerate() {
        panels.push((format!("{label}: shower {}", i + 1), im.to_vec()));
    }
    Figure::Showers { panels, pixel_mm }
}
