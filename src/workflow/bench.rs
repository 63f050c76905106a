//! The smearing network's speed, measured one way for `fastsim bench` and the page's benchmark
//! (Models tab, `?bench=1`): seconds per training epoch (seed 000's batch of 128, 70 % of the
//! events training, the rest validated) and events per second sampled, each the median of
//! several runs after a warm-up run (allocations, shader compilation) that is not counted.

use super::{run_steps, Epochs};
use crate::data::Table;
use crate::error::Result;
use crate::recipe::WjetsRecipe;
use crate::train::{Engine, SmearingJob, TrainConfig, TrainData};
use burn::prelude::*;

/// What is measured on: the W+jets table of seed 000 and its nine features.
pub struct BenchData {
    pub train: Table,
    pub sample: Table,
    pub cols: TrainData,
}

impl BenchData {
    /// `train_events` to train on (70 % train, 30 % validation) and `sample_events` to smear,
    /// generated from seed 1.
    pub fn new(train_events: usize, sample_events: usize) -> Result<Self> {
        let table = WjetsRecipe::new(train_events.max(sample_events), 1).build()?;
        Ok(Self {
            train: table.slice_rows(0, train_events),
            sample: table.slice_rows(0, sample_events),
            cols: TrainData::wjets_main(),
        })
    }

    /// The same events and columns for the conditional flow (issue 22) with its default
    /// conditioners.
    pub fn flow(&self) -> Self {
        Self {
            train: self.train.clone(),
            sample: self.sample.clone(),
            cols: TrainData {
                flow: Some(crate::model::FlowSpec::default()),
                hidden: super::smearing::FLOW_HIDDEN,
                ..self.cols.clone()
            },
        }
    }
}

/// The two figures of one backend and engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmearingSpeed {
    pub epoch_s: f64,
    pub events_per_s: f64,
}

/// The median of the runs' figures (NaN for none): what every benchmark figure reports.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Trains one epoch and samples `data.sample` `runs + 1` times each on `device` with `engine`.
/// `now` gives seconds from any fixed origin (`Instant` natively, `performance.now()` in the
/// page); `between` is awaited between steps (the page yields there) and returns `false` to
/// cancel.
pub async fn smearing_speed(
    data: &BenchData,
    device: &Device,
    engine: Engine,
    runs: usize,
    now: impl Fn() -> f64,
    mut between: impl AsyncFnMut() -> bool,
) -> Result<SmearingSpeed> {
    let runs = runs.max(1);
    let mut epoch_s = Vec::new();
    let mut trained = None;
    for r in 0..=runs {
        let cfg = TrainConfig {
            epochs: 1,
            seed: 1 + r as u64,
            ..TrainConfig::default()
        };
        let mut job = SmearingJob::with_engine(&data.train, &data.cols, cfg, device, engine)?;
        let t = now();
        run_steps(&mut Epochs::new(&mut job.trainer, |_| {}), 8, async |_| {
            between().await
        })
        .await?;
        if r > 0 {
            epoch_s.push(now() - t);
        }
        trained = Some(job.finish()?);
    }
    let model = trained.expect("at least one run");
    let mut rates = Vec::new();
    for r in 0..=runs {
        let t = now();
        let mut s = model.sampler(&data.sample, r as u64, 16_384)?;
        while !s.next(1).await? {
            if !between().await {
                return Err(crate::Error::Cancelled);
            }
        }
        let out = s.finish()?;
        if r > 0 {
            rates.push(out.n_rows() as f64 / (now() - t));
        }
    }
    Ok(SmearingSpeed {
        epoch_s: median(epoch_s),
        events_per_s: median(rates),
    })
}

/// Floating-point operations of one training epoch of the smearing pair: per training row
/// and network, 2·W for the forward pass and 4·W for the backward one (W weights; the
/// elementwise work left out). Divided by the epoch's time, the arithmetic rate, to compare
/// with the machine's peak.
pub fn smearing_epoch_flops(cols: &TrainData, train_events: usize) -> f64 {
    let (k_in, k_out) = (cols.gen_cols.len(), cols.reco_cols.len());
    let h = cols.hidden;
    let weights = k_in * h.width + (h.layers - 1) * h.width * h.width + h.width * k_out;
    let n_train = (0.7 * train_events as f64).round();
    2.0 * 6.0 * weights as f64 * n_train
}
