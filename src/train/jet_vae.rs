//! Training the jet VAE on paired gen/reco jets (seed 001, sections 4 and 6): per-feature
//! standardisation fitted on the training split, Adam at a constant 10⁻⁴, eq. (1) with its
//! components tracked per epoch on training and validation jets, best validation epoch kept.

use super::{Rows, TrainConfig, Trainer};
use crate::data::{JetArrays, JET_VALUES};
use crate::error::{Error, Result};
use crate::model::{standardise_jets, JetScales, JetVae, JetVaeConfig, JetVaeMeta, TrainedJetVae};
use crate::physics::MAX_PARTICLES;
use crate::random::{rng, stream};
use burn::prelude::*;
use std::cell::RefCell;

/// A jet-VAE training run.
pub struct JetVaeJob {
    pub trainer: Trainer<JetVae>,
    meta: JetVaeMeta,
}

/// Mean and standard deviation of `v`.
fn mean_std(v: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = v.clone().count().max(1) as f64;
    let mean = v.clone().sum::<f64>() / n;
    let var = v.map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

impl JetVaeJob {
    /// Prepares a run on `jets`' `gen` and `reco` arrays; `file` names them in messages.
    pub fn new(
        jets: &JetArrays,
        file: &str,
        net_cfg: JetVaeConfig,
        cfg: TrainConfig,
        device: &Device,
    ) -> Result<Self> {
        cfg.validate()?;
        net_cfg.validate()?;
        if net_cfg.particles != MAX_PARTICLES {
            return Err(Error::invalid(
                "jet VAE configuration",
                format!("jets hold {MAX_PARTICLES} constituents"),
            ));
        }
        let gen = jets.require("gen", file)?;
        let reco = jets.require("reco", file)?;
        let n = jets.len();
        let n_train = ((1.0 - cfg.val_fraction) * n as f64).round() as usize;
        if n_train < 2 || n - n_train < 1 {
            return Err(Error::invalid(
                "training data",
                format!("{n} jets are too few to train and validate"),
            ));
        }
        // Per-feature standardisation over every slot of the training jets, gen and reco.
        let mut mean = [0f32; 3];
        let mut std = [1f32; 3];
        for f in 0..3 {
            let vals = gen[..n_train * JET_VALUES]
                .iter()
                .chain(&reco[..n_train * JET_VALUES])
                .skip(f)
                .step_by(3)
                .map(|&v| v as f64);
            let (m, s) = mean_std(vals);
            mean[f] = m as f32;
            std[f] = if s > 0.0 { s as f32 } else { 1.0 };
        }
        // The jet terms of eq. (1) in the unit of the standardised transverse momenta, so
        // that every term of the loss is a squared distance in the same unit as the Chamfer
        // term's coordinates (see `JetScales`).
        let unit = ((std[0] * std[0] + std[1] * std[1]) / 2.0).sqrt();
        let scales = JetScales {
            mean,
            std,
            pt: unit,
            m: unit,
        };
        let x = standardise_jets(gen, &scales);
        let y_std = standardise_jets(reco, &scales);
        // Targets: 150 standardised values, then the 50-slot mask of real constituents.
        let k_out = JET_VALUES + MAX_PARTICLES;
        let mut y = Vec::with_capacity(n * k_out);
        for (jet, raw) in y_std
            .chunks_exact(JET_VALUES)
            .zip(reco.chunks_exact(JET_VALUES))
        {
            y.extend_from_slice(jet);
            y.extend(raw.chunks_exact(3).map(|p| {
                if p.iter().any(|&v| v != 0.0) {
                    1f32
                } else {
                    0.0
                }
            }));
        }
        if x.iter().chain(&y).any(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "training data",
                format!("{file}: jets hold non-finite values"),
            ));
        }
        let ad = device.clone().autodiff();
        let model = net_cfg.init(&mut rng(cfg.seed, stream::NET_INIT), &ad);
        let noise = RefCell::new(rng(cfg.seed, stream::CV_FOLDS));
        let (loss_cfg, loss_scales) = (net_cfg.clone(), scales.clone());
        let loss = move |m: &JetVae, x: Tensor<2>, y: Tensor<2>, training: bool| {
            let b = x.dims()[0];
            let device = x.device();
            let input = x.reshape([b, 3, MAX_PARTICLES]);
            let target = y
                .clone()
                .narrow(1, 0, JET_VALUES)
                .reshape([b, 3, MAX_PARTICLES]);
            let mask = y.narrow(1, JET_VALUES, MAX_PARTICLES);
            let eps = loss_cfg.noise(b, training, &mut noise.borrow_mut(), &device);
            m.loss(&loss_cfg, &loss_scales, input, target, mask, &eps)
        };
        let meta = JetVaeMeta {
            config: net_cfg,
            scales,
            train: cfg.clone(),
            history: Vec::new(),
            best_epoch: 0,
            events: n,
            origin: None,
            min_pt: 0.25,
            max_eta: 3.2,
        };
        let trainer = Trainer::new(
            cfg,
            model,
            loss,
            Rows {
                x,
                y,
                k_in: JET_VALUES,
                k_out,
            },
            ad,
            device.clone(),
        )?;
        Ok(Self { trainer, meta })
    }

    pub fn set_origin(&mut self, origin: Option<crate::recipe::DataOrigin>) {
        self.meta.origin = origin;
    }

    /// The trained model with the best validation weights.
    pub fn finish(&self) -> Result<TrainedJetVae> {
        let (best, history, best_epoch) = self.trainer.kept()?;
        let mut meta = self.meta.clone();
        meta.history = history;
        meta.best_epoch = best_epoch;
        Ok(TrainedJetVae::new(
            meta,
            best,
            self.trainer.infer_device().clone(),
        ))
    }
}
