//! One training loop for any model on any autodiff device: shuffled mini-batches, Adam, the
//! epoch-dependent learning rate, best-validation checkpoint, NaN guard, progress and cancel.
//! The loop is split into steps (`train_batches`, `end_epoch`) so the page can yield to the
//! browser between them; `run` drives it to the end for the command line.

mod gan;
mod jet_vae;
mod smearing;
mod vae_gan;

pub use gan::GanJob;

pub use jet_vae::JetVaeJob;
pub use smearing::{Hidden, SmearingJob, TrainData};
pub use vae_gan::{paper_observables, selection_js, VaeGanJob, SELECT_QUANTILES, SELECT_SHOWERS};

use crate::error::{Error, Result};
use crate::model::{read_f32, upload};
pub use crate::model::{EpochReport, Stop, TrainConfig};
use crate::random::{rng, stream, uniform, Rng};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;

/// Which code trains: the fast path (`model::fast`) on the CPU device (the default), or
/// Burn's autodiff and optimiser everywhere (the reference; the bench shows both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    #[default]
    Auto,
    Burn,
}

/// A loss: (model, inputs, targets, training?) → [total] or [total, component …], each the
/// mean over the batch's events. Only the total is differentiated. `training` is false on
/// validation batches (no dropout there).
type LossFn<M> = Box<dyn Fn(&M, Tensor<2>, Tensor<2>, bool) -> Tensor<1>>;

/// A training step that bypasses autodiff: the fast CPU path of a model (`model::fast`), which
/// the [`Trainer`] drives instead of Burn when a job sets one. It keeps its own weights and
/// optimiser state; at each epoch's end the trainer turns its weights into the Burn module for
/// validation and the checkpoint, so both paths validate and store alike.
pub trait FastStep<M> {
    /// One optimiser step on a batch (`rows` rows of standardised inputs and targets) at
    /// learning rate `lr`; the batch's mean loss, then its components (as the job's Burn loss
    /// function returns them).
    fn step(&mut self, x: &[f32], y: &[f32], rows: usize, lr: f64) -> Vec<f64>;
    /// The mean loss (and components) of `rows` rows with the current weights, without a
    /// step (validation).
    fn loss(&mut self, x: &[f32], y: &[f32], rows: usize) -> Vec<f64>;
    /// The current weights, flat, in the model file's order.
    fn flat(&self) -> Vec<f32>;
    /// The Burn module with the weights `flat`.
    fn module(&self, flat: &[f32], device: &Device) -> M;
}

/// Standardised rows to learn from: inputs `x` (`k_in` per row) and targets `y` (`k_out` per
/// row), row-major. The first (1 − val_fraction) of the rows train, the rest validate
/// (events are independent, so their order is no bias).
pub struct Rows {
    pub x: Vec<f32>,
    pub y: Vec<f32>,
    pub k_in: usize,
    pub k_out: usize,
}

/// A model-selection score other than the validation loss: given the epoch (from 1),
/// whether it is the run's last, and the epoch's weights on the inference device, `None` when
/// this epoch is not scored, else the score (lower is better), computed asynchronously (a
/// WebGPU read-back cannot block).
pub type Selector<M> = Box<dyn FnMut(usize, bool, &M) -> Option<ScoreFuture>>;
/// See [`Selector`].
pub type ScoreFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<f64>>>>;

/// The weights kept so far: their epoch, the figure they won by, the weights, and whether
/// that figure was a [`Selector`]'s score (else the validation loss).
struct Kept<M> {
    epoch: usize,
    figure: f64,
    model: M,
    scored: bool,
}

/// The training state of model `M` on standardised (x, y) rows.
pub struct Trainer<M: Module + Clone> {
    cfg: TrainConfig,
    device: Device,
    infer_device: Device,
    model: M,
    optim: ModuleOptimizer,
    loss: LossFn<M>,
    x: Vec<f32>,
    y: Vec<f32>,
    k_in: usize,
    k_out: usize,
    n_train: usize,
    x_val: Vec<Tensor<2>>,
    y_val: Vec<Tensor<2>>,
    n_val: usize,
    perm: Vec<u32>,
    cursor: usize,
    epoch: usize,
    loss_sum: Option<Tensor<1>>,
    batches: usize,
    best: Option<Kept<M>>,
    /// Selection by another score than the validation loss (see [`Trainer::select_by`]).
    selector: Option<Selector<M>>,
    history: Vec<EpochReport>,
    stop: Option<Stop>,
    rng: Rng,
    /// The fast path, when the job set one: it then trains instead of `model` and `optim`.
    fast: Option<Box<dyn FastStep<M>>>,
    /// Training loss (and components) summed over this epoch's rows (fast path).
    fast_loss: Vec<f64>,
    /// Validation rows done this epoch and their summed loss (fast path: validation runs in
    /// steps of [`FAST_VAL_BATCHES`] batches, so the page yields between them).
    val_cursor: usize,
    val_loss_sum: Vec<f64>,
    /// The best epoch's weights, flat (fast path only).
    best_flat: Option<Vec<f32>>,
}

/// `sums` += `parts` · `rows` (per component; `sums` grows to `parts`' length).
fn add_weighted(sums: &mut Vec<f64>, parts: &[f64], rows: usize) {
    sums.resize(sums.len().max(parts.len()), 0.0);
    for (s, p) in sums.iter_mut().zip(parts) {
        *s += p * rows as f64;
    }
}

/// Fast path: one validation step is this many training batches' rows (a step of a few
/// milliseconds in the page: the whole validation at once was a 90 ms long task).
const FAST_VAL_BATCHES: usize = 4;

/// Validation rows go through the network in chunks of at most this many rows and values.
const VAL_CHUNK: usize = 8192;
const VAL_CHUNK_VALUES: usize = 1 << 18;

impl<M: Module + Clone> Trainer<M> {
    /// A run of `model` (living on `device`, an autodiff device over `infer_device`) on `rows`.
    pub fn new(
        cfg: TrainConfig,
        model: M,
        loss: impl Fn(&M, Tensor<2>, Tensor<2>, bool) -> Tensor<1> + 'static,
        rows: Rows,
        device: Device,
        infer_device: Device,
    ) -> Result<Self> {
        cfg.validate()?;
        let Rows { x, y, k_in, k_out } = rows;
        if k_in == 0 || k_out == 0 {
            return Err(Error::invalid(
                "training data",
                "no input or no target columns",
            ));
        }
        let n = x.len() / k_in;
        if n * k_in != x.len() || y.len() != n * k_out {
            return Err(Error::invalid(
                "training data",
                "inputs and targets have different row counts",
            ));
        }
        let n_train = ((1.0 - cfg.val_fraction) * n as f64).round() as usize;
        let n_val = n - n_train;
        if n_train < 2 || n_val < 1 {
            return Err(Error::invalid(
                "training data",
                format!("{n} events are too few to train and validate"),
            ));
        }
        let chunk = VAL_CHUNK.min(VAL_CHUNK_VALUES / (k_in + k_out)).max(1);
        let chunks = |v: &[f32], k: usize| -> Vec<Tensor<2>> {
            v[n_train * k..]
                .chunks(chunk * k)
                .map(|c| upload(c.to_vec(), c.len() / k, k, &infer_device))
                .collect()
        };
        let (x_val, y_val) = (chunks(&x, k_in), chunks(&y, k_out));
        Ok(Self {
            rng: rng(cfg.seed, stream::SHUFFLE),
            optim: AdamConfig::new().init(),
            perm: (0..n_train as u32).collect(),
            cfg,
            device,
            infer_device,
            model,
            loss: Box::new(loss),
            x,
            y,
            k_in,
            k_out,
            n_train,
            x_val,
            y_val,
            n_val,
            cursor: 0,
            epoch: 0,
            loss_sum: None,
            batches: 0,
            best: None,
            selector: None,
            history: Vec::new(),
            stop: None,
            fast: None,
            fast_loss: Vec::new(),
            val_cursor: 0,
            val_loss_sum: Vec::new(),
            best_flat: None,
        })
    }

    /// Keeps the weights of the epoch with the lowest `selector` score instead of the lowest
    /// validation loss. Before the first scored epoch the validation loss keeps weights
    /// provisionally, so a run stopped early still keeps some; any scored epoch beats them.
    pub fn select_by(&mut self, selector: Selector<M>) {
        self.selector = Some(selector);
    }

    /// Trains with `fast` instead of Burn's autodiff and optimiser (the model's weights must
    /// be the ones `fast` starts from).
    pub fn set_fast(&mut self, fast: Box<dyn FastStep<M>>) {
        self.fast = Some(fast);
        // The fast path validates on the host rows: the uploaded validation chunks go.
        self.x_val = Vec::new();
        self.y_val = Vec::new();
    }

    /// True when the fast path trains.
    pub fn is_fast(&self) -> bool {
        self.fast.is_some()
    }

    /// The best epoch's weights, flat, when the fast path trained.
    pub fn best_flat(&self) -> Option<&[f32]> {
        self.best_flat.as_deref()
    }

    /// Learning rate of the current epoch: seed 000's lr / (1 + epoch), or constant.
    pub fn lr(&self) -> f64 {
        if self.cfg.lr_decay {
            self.cfg.lr / (1.0 + self.epoch as f64)
        } else {
            self.cfg.lr
        }
    }

    pub fn config(&self) -> &TrainConfig {
        &self.cfg
    }

    /// Epochs finished so far.
    pub fn epochs_done(&self) -> usize {
        self.history.len()
    }

    pub fn history(&self) -> &[EpochReport] {
        &self.history
    }

    pub fn stop_reason(&self) -> Option<&Stop> {
        self.stop.as_ref()
    }

    pub fn n_train(&self) -> usize {
        self.n_train
    }

    pub fn n_val(&self) -> usize {
        self.n_val
    }

    /// True once every epoch ran or training stopped.
    pub fn finished(&self) -> bool {
        self.stop.is_some() || self.history.len() >= self.cfg.epochs
    }

    /// Fraction of the whole run done (epochs and the current epoch's batches).
    pub fn progress(&self) -> f64 {
        (self.history.len() as f64 + self.cursor as f64 / self.n_train as f64)
            / self.cfg.epochs as f64
    }

    /// Runs up to `max_batches` optimiser steps of the current epoch; `true` when the epoch's
    /// batches are all done (then call [`Trainer::end_epoch`]). Work is only queued on the
    /// device here: nothing is read back, so the GPU is never stalled per step. On the fast
    /// path, the steps after the last batch validate, [`FAST_VAL_BATCHES`] batches of rows
    /// each.
    pub fn train_batches(&mut self, max_batches: usize) -> bool {
        if self.cursor == 0 && self.batches == 0 {
            shuffle(&mut self.perm, &mut self.rng);
        }
        let lr = self.lr();
        for _ in 0..max_batches {
            if self.cursor >= self.n_train {
                if let Some(fast) = self.fast.as_mut() {
                    if self.val_cursor >= self.n_val {
                        break;
                    }
                    let (from, k_in, k_out) = (self.val_cursor, self.k_in, self.k_out);
                    let to = (from + FAST_VAL_BATCHES * self.cfg.batch_size).min(self.n_val);
                    let (x0, y0) = (self.n_train + from, self.n_train + to);
                    let (xv, yv) = (
                        &self.x[x0 * k_in..y0 * k_in],
                        &self.y[x0 * k_out..y0 * k_out],
                    );
                    add_weighted(
                        &mut self.val_loss_sum,
                        &fast.loss(xv, yv, to - from),
                        to - from,
                    );
                    self.val_cursor = to;
                    continue;
                }
                break;
            }
            let end = (self.cursor + self.cfg.batch_size).min(self.n_train);
            let rows = &self.perm[self.cursor..end];
            let (xb, yb) = (
                gather(&self.x, rows, self.k_in),
                gather(&self.y, rows, self.k_out),
            );
            if let Some(fast) = self.fast.as_mut() {
                let n = rows.len();
                add_weighted(&mut self.fast_loss, &fast.step(&xb, &yb, n, lr), n);
                self.cursor = end;
                self.batches += 1;
                continue;
            }
            let xb = upload(xb, rows.len(), self.k_in, &self.device);
            let yb = upload(yb, rows.len(), self.k_out, &self.device);
            let parts = (self.loss)(&self.model, xb, yb, true);
            let loss = parts.clone().narrow(0, 0, 1);
            let weighted = parts.detach().mul_scalar(rows.len() as f64);
            self.loss_sum = Some(match self.loss_sum.take() {
                Some(s) => s + weighted,
                None => weighted,
            });
            let grads = GradientsParams::from_grads(loss.backward(), &self.model);
            self.model = self.optim.step(lr, self.model.clone(), grads);
            self.cursor = end;
            self.batches += 1;
        }
        self.cursor >= self.n_train && (self.fast.is_none() || self.val_cursor >= self.n_val)
    }

    /// Finishes the epoch: reads the mean training loss, computes the validation loss with
    /// the current weights, keeps them if they are the best so far, and stops on NaN.
    pub async fn end_epoch(&mut self) -> Result<EpochReport> {
        let mean = |sums: Vec<f64>, n: usize| -> Vec<f64> {
            sums.into_iter().map(|s| s / n as f64).collect()
        };
        let (train, valid, flat, val) = if let Some(fast) = self.fast.as_mut() {
            // The fast path validated on the host rows, in steps (train_batches).
            debug_assert_eq!(self.val_cursor, self.n_val);
            let val = mean(std::mem::take(&mut self.val_loss_sum), self.n_val);
            self.val_cursor = 0;
            let flat = fast.flat();
            let valid = fast.module(&flat, &self.infer_device);
            let train = mean(std::mem::take(&mut self.fast_loss), self.n_train);
            (train, valid, Some(flat), val)
        } else {
            let train = match self.loss_sum.take() {
                Some(s) => read_f32(s).await?.into_iter().map(f64::from).collect(),
                None => vec![f64::NAN],
            };
            let valid = self.model.valid();
            let mut val_sums: Vec<f64> = Vec::new();
            for (xv, yv) in self.x_val.iter().zip(&self.y_val) {
                let l = read_f32((self.loss)(&valid, xv.clone(), yv.clone(), false)).await?;
                let parts: Vec<f64> = l.into_iter().map(f64::from).collect();
                add_weighted(&mut val_sums, &parts, xv.dims()[0]);
            }
            (
                mean(train, self.n_train),
                valid,
                None,
                mean(val_sums, self.n_val),
            )
        };
        let first = |v: &[f64]| v.first().copied().unwrap_or(f64::NAN);
        let (train_loss, val_loss) = (first(&train), first(&val));
        let epoch = self.epoch + 1;
        let finite = train_loss.is_finite() && val_loss.is_finite();
        let last = epoch >= self.cfg.epochs;
        let selection = match self.selector.as_mut().and_then(|s| s(epoch, last, &valid)) {
            Some(score) if finite => Some(score.await?),
            _ => None,
        };
        let better = match (selection, self.best.as_ref()) {
            _ if !finite => false,
            (Some(s), b) => s.is_finite() && b.is_none_or(|b| !b.scored || s < b.figure),
            (None, None) => true,
            (None, Some(b)) => !b.scored && val_loss < b.figure,
        };
        if better {
            self.best = Some(Kept {
                epoch,
                figure: selection.unwrap_or(val_loss),
                model: valid,
                scored: selection.is_some(),
            });
            self.best_flat = flat;
        }
        let report = EpochReport {
            epoch,
            train_loss,
            val_loss,
            lr: self.lr(),
            best_epoch: self.best.as_ref().map_or(0, |b| b.epoch),
            train_parts: train.get(1..).map(<[f64]>::to_vec).unwrap_or_default(),
            val_parts: val.get(1..).map(<[f64]>::to_vec).unwrap_or_default(),
            selection,
        };
        self.history.push(report.clone());
        if !finite {
            self.stop = Some(Stop::Diverged { epoch });
        }
        self.epoch += 1;
        self.cursor = 0;
        self.batches = 0;
        Ok(report)
    }

    /// Marks the run cancelled; the best weights so far stay available.
    pub fn cancel(&mut self) {
        if self.stop.is_none() {
            self.stop = Some(Stop::Cancelled {
                epoch: self.epoch + 1,
            });
        }
    }

    /// The kept weights (inference device): the epoch with the lowest validation loss, or with
    /// a selector the lowest score ([`Trainer::select_by`]); `None` until an epoch finished
    /// with a finite loss.
    pub fn best_model(&self) -> Option<&M> {
        self.best.as_ref().map(|b| &b.model)
    }

    /// What a finished run keeps: the best weights, the history and the kept epoch; an error
    /// when no epoch finished with a finite loss.
    pub fn kept(&self) -> Result<(M, Vec<EpochReport>, usize)> {
        let best = self.best_model().ok_or_else(|| {
            Error::invalid(
                "training",
                "no epoch finished with a finite loss; nothing to keep",
            )
        })?;
        let history = self.history.clone();
        let best_epoch = history.iter().map(|r| r.best_epoch).max().unwrap_or(0);
        Ok((best.clone(), history, best_epoch))
    }

    /// The device inference runs on (the autodiff device's inner one).
    pub fn infer_device(&self) -> &Device {
        &self.infer_device
    }
}

/// Fisher–Yates shuffle of training-row indices from a seeded stream (every trainer's epoch
/// order).
fn shuffle(perm: &mut [u32], rng: &mut Rng) {
    for i in (1..perm.len()).rev() {
        let j = (uniform(rng) * (i + 1) as f64) as usize;
        perm.swap(i, j.min(i));
    }
}

/// A training run that advances in steps — optimiser steps, then the epoch's end. The
/// smearing and jet-VAE [`Trainer`] and the unfolding [`GanJob`] are such runs; the
/// workflow layer makes either one stepped work for both front ends (`workflow::Epochs`).
// The page is single-threaded: no `Send` bound is wanted on the futures.
#[allow(async_fn_in_trait)]
pub trait Training {
    /// What an epoch reports.
    type Report;
    /// True once every epoch ran or the run stopped.
    fn finished(&self) -> bool;
    /// Up to `n` optimiser steps of the current epoch; `true` when its batches are done.
    fn train_batches(&mut self, n: usize) -> bool;
    /// Ends the epoch (validation, checkpoint, NaN guard).
    async fn end_epoch(&mut self) -> Result<Self::Report>;
    /// Fraction of the whole run done.
    fn progress(&self) -> f64;
    /// Stops the run; the best weights so far stay.
    fn cancel(&mut self);
}

/// [`Training`] for a job whose inherent methods of the same names do the work.
macro_rules! training_by_methods {
    ($job:ty, $report:ty) => {
        impl $crate::train::Training for $job {
            type Report = $report;
            fn finished(&self) -> bool {
                <$job>::finished(self)
            }
            fn train_batches(&mut self, n: usize) -> bool {
                <$job>::train_batches(self, n)
            }
            async fn end_epoch(&mut self) -> $crate::error::Result<$report> {
                <$job>::end_epoch(self).await
            }
            fn progress(&self) -> f64 {
                <$job>::progress(self)
            }
            fn cancel(&mut self) {
                <$job>::cancel(self)
            }
        }
    };
}
pub(crate) use training_by_methods;

impl<M: Module + Clone> Training for Trainer<M> {
    type Report = EpochReport;
    fn finished(&self) -> bool {
        Trainer::finished(self)
    }
    fn train_batches(&mut self, n: usize) -> bool {
        Trainer::train_batches(self, n)
    }
    async fn end_epoch(&mut self) -> Result<EpochReport> {
        Trainer::end_epoch(self).await
    }
    fn progress(&self) -> f64 {
        Trainer::progress(self)
    }
    fn cancel(&mut self) {
        Trainer::cancel(self)
    }
}

/// The rows `rows` of a row-major matrix with `k` columns.
fn gather(v: &[f32], rows: &[u32], k: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(rows.len() * k);
    for &r in rows {
        let r = r as usize;
        out.extend_from_slice(&v[r * k..(r + 1) * k]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SmearingConfig, SmearingNet};
    use crate::workflow::{run_steps, run_to_end, Epochs};
    use std::cell::Cell;

    /// A one-input smearing network fitting y = x on 100 rows in batches of 20, for `epochs`.
    fn identity_fit(epochs: usize) -> Trainer<SmearingNet> {
        let device = Device::flex();
        let ad = device.clone().autodiff();
        let cfg = TrainConfig {
            epochs,
            batch_size: 20,
            ..TrainConfig::default()
        };
        let model = SmearingConfig::new(1, 1).init(&mut rng(1, 3), &ad);
        let x: Vec<f32> = (0..100).map(|i| i as f32 / 100.0).collect();
        let rows = Rows {
            x: x.clone(),
            y: x,
            k_in: 1,
            k_out: 1,
        };
        let loss = |m: &SmearingNet, x, y, _| m.loss(x, y, 0.841);
        Trainer::new(cfg, model, loss, rows, ad, device).unwrap()
    }

    /// A loss that turns NaN after its 9th call stops training with `Stop::Diverged` and keeps
    /// the best earlier weights.
    #[test]
    fn nan_stops_training_and_keeps_the_best_weights() {
        let device = Device::flex();
        let ad = device.clone().autodiff();
        let cfg = TrainConfig {
            epochs: 10,
            batch_size: 50,
            seed: 3,
            ..TrainConfig::default()
        };
        let net_cfg = SmearingConfig::new(2, 2);
        let model = net_cfg.init(&mut rng(1, 3), &ad);
        let counter = Cell::new(0usize);
        // 200 rows: 140 train (3 batches a epoch) + 60 validation (1 chunk): 4 calls an epoch.
        let loss = move |m: &SmearingNet, x: Tensor<2>, y: Tensor<2>, _: bool| {
            counter.set(counter.get() + 1);
            let l = m.loss(x, y, 0.841);
            if counter.get() > 9 {
                l.mul_scalar(f64::NAN)
            } else {
                l
            }
        };
        let x: Vec<f32> = (0..400).map(|i| (i % 17) as f32 / 17.0).collect();
        let y: Vec<f32> = x.iter().map(|v| 2.0 * v).collect();
        let rows = Rows {
            x,
            y,
            k_in: 2,
            k_out: 2,
        };
        let mut t = Trainer::new(cfg, model, loss, rows, ad, device).unwrap();
        run_to_end(&mut Epochs::new(&mut t, |_| {}), 8).unwrap();
        assert_eq!(t.stop_reason(), Some(&Stop::Diverged { epoch: 3 }));
        assert_eq!(t.history().len(), 3);
        assert!(t.history()[2].train_loss.is_nan());
        assert_eq!(t.history()[2].best_epoch, 2);
        assert!(t.best_model().is_some());
        assert!(t
            .stop_reason()
            .unwrap()
            .to_string()
            .contains("NaN at epoch 3"));
    }

    /// With a selector the kept epoch is the scored one with the lowest score, whatever the
    /// validation loss says; before the first scored epoch the validation loss keeps weights
    /// provisionally, and the first score replaces them.
    #[test]
    fn a_selector_chooses_the_kept_epoch() {
        let mut t = identity_fit(7);
        t.select_by(Box::new(|epoch, last, _: &SmearingNet| {
            (epoch % 2 == 0 || last)
                .then(|| Box::pin(async move { Ok((epoch as f64 - 4.0).abs()) }) as ScoreFuture)
        }));
        run_to_end(&mut Epochs::new(&mut t, |_| {}), 8).unwrap();
        let h = t.history();
        let scored: Vec<usize> = h
            .iter()
            .filter(|r| r.selection.is_some())
            .map(|r| r.epoch)
            .collect();
        assert_eq!(scored, vec![2, 4, 6, 7]);
        assert_eq!(h[0].best_epoch, 1, "provisional, by the validation loss");
        assert_eq!(h[1].best_epoch, 2, "the first score beats it");
        assert_eq!(h[6].best_epoch, 4);
        assert_eq!(t.kept().unwrap().2, 4);
    }

    #[test]
    fn cancel_keeps_what_was_learned() {
        let mut t = identity_fit(50);
        let epochs = Cell::new(0);
        let mut work = Epochs::new(&mut t, |_| epochs.set(epochs.get() + 1));
        pollster::block_on(run_steps(&mut work, 8, async |_| epochs.get() < 2)).unwrap();
        assert_eq!(t.stop_reason(), Some(&Stop::Cancelled { epoch: 3 }));
        assert!(t.best_model().is_some());
    }

    #[test]
    fn bad_settings_are_refused() {
        for cfg in [
            TrainConfig {
                epochs: 0,
                ..TrainConfig::default()
            },
            TrainConfig {
                lr: f64::NAN,
                ..TrainConfig::default()
            },
            TrainConfig {
                batch_size: 0,
                ..TrainConfig::default()
            },
            TrainConfig {
                val_fraction: 1.0,
                ..TrainConfig::default()
            },
        ] {
            assert!(cfg.validate().is_err());
        }
    }
}
