//! Training the jet VAE on paired gen/reco jets (seed 001, sections 4 and 6): per-feature
//! standardisation fitted on the training split, Adam at a constant 10⁻⁴, eq. (1) with its
//! components tracked per epoch on training and validation jets, best validation epoch kept.

use super::{Engine, FastStep, Rows, ScoreFuture, TrainConfig, Trainer};
use crate::backend;
use crate::data::{JetArrays, JET_VALUES};
use crate::error::{Error, Result};
use crate::metrics::{jet_kld, Acceptance, JetColumns};
use crate::model::fast::FusedJetVae;
use crate::model::params::from_flat;
use crate::model::{standardise_jets, JetScales, JetVae, JetVaeConfig, JetVaeMeta, TrainedJetVae};
use crate::physics::MAX_PARTICLES;
use crate::random::{rng, stream, Rng};
use burn::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// A jet-VAE training run.
pub struct JetVaeJob {
    pub trainer: Trainer<JetVae>,
    meta: JetVaeMeta,
}

/// The jet VAE's training step on the fast path, with the noise stream the Burn path's loss
/// draws from (the same seed and stream: ε, then the dropout masks, batch after batch).
struct FastJetVaeStep {
    config: JetVaeConfig,
    net: FusedJetVae,
    noise: Rng,
}

impl FastStep<JetVae> for FastJetVaeStep {
    fn step(&mut self, x: &[f32], y: &[f32], rows: usize, lr: f64) -> Vec<f64> {
        let noise = self.config.host_noise(rows, true, &mut self.noise);
        self.net.step(x, y, rows, &noise, lr).to_vec()
    }
    fn loss(&mut self, x: &[f32], y: &[f32], rows: usize) -> Vec<f64> {
        let noise = self.config.host_noise(rows, false, &mut self.noise);
        self.net.loss(x, y, rows, &noise).to_vec()
    }
    fn flat(&self) -> Vec<f32> {
        self.net.flat()
    }
    fn module(&self, flat: &[f32], device: &Device) -> JetVae {
        from_flat(self.config.init_shapes(device), flat, device)
            .expect("the fast path's weights fit its own network")
    }
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
        Self::build(jets, file, net_cfg, cfg, device, Engine::Auto, None)
    }

    /// [`JetVaeJob::new`] with the training code chosen.
    pub fn with_engine(
        jets: &JetArrays,
        file: &str,
        net_cfg: JetVaeConfig,
        cfg: TrainConfig,
        device: &Device,
        engine: Engine,
    ) -> Result<Self> {
        Self::build(jets, file, net_cfg, cfg, device, engine, None)
    }

    /// [`JetVaeJob::new`] with the jet pT and mass terms of eq. (1) measured in units of
    /// `jet_term_unit` GeV (1: the paper's GeV²) instead of the pT standardisation's scale
    /// (`None`: the lab's); the file's [`JetScales`] record the unit.
    pub fn with_jet_term_unit(
        jets: &JetArrays,
        file: &str,
        net_cfg: JetVaeConfig,
        cfg: TrainConfig,
        device: &Device,
        jet_term_unit: Option<f32>,
    ) -> Result<Self> {
        Self::build(
            jets,
            file,
            net_cfg,
            cfg,
            device,
            Engine::Auto,
            jet_term_unit,
        )
    }

    fn build(
        jets: &JetArrays,
        file: &str,
        net_cfg: JetVaeConfig,
        cfg: TrainConfig,
        device: &Device,
        engine: Engine,
        jet_term_unit: Option<f32>,
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
        let unit = jet_term_unit.unwrap_or(((std[0] * std[0] + std[1] * std[1]) / 2.0).sqrt());
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
        let init = net_cfg.init_flat(&mut rng(cfg.seed, stream::NET_INIT));
        let model = from_flat(net_cfg.init_shapes(&ad), &init, &ad)?;
        let fast = (engine == Engine::Auto && backend::is_cpu(device)).then(|| FastJetVaeStep {
            net: FusedJetVae::new(&net_cfg, &scales, &init),
            config: net_cfg.clone(),
            noise: rng(cfg.seed, stream::CV_FOLDS),
        });
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
            events: n,
            ..JetVaeMeta::untrained(net_cfg, scales, cfg.clone())
        };
        let mut trainer = Trainer::new(
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
        if let Some(fast) = fast {
            trainer.set_fast(Box::new(fast));
        }
        Ok(Self { trainer, meta })
    }

    /// Model selection as seed 001 makes it (section 5, fig. 2): every `every` epochs and at
    /// the last, the validation jets (the last rows of `jets`, the jets this run was built
    /// on) are simulated with the epoch's weights, and the weights
    /// with the lowest sum of the symmetrised KLDs of the jet mass, pT, energy, η and φ
    /// against the validation jets' detector level ([`jet_kld`], on every jet: the paper
    /// names no cut, and a half-trained model whose jets all fail the analysis cuts must
    /// still be scored) are kept, instead of those with the lowest validation loss. Each
    /// epoch's score is in the history (`selection`).
    pub fn select_by_kld(&mut self, jets: &JetArrays, every: usize) -> Result<()> {
        let n_train = self.trainer.n_train();
        if jets.len() != n_train + self.trainer.n_val() {
            return Err(Error::invalid(
                "model selection",
                format!(
                    "{} jets given, but this run trains on {}",
                    jets.len(),
                    n_train + self.trainer.n_val()
                ),
            ));
        }
        let every = every.max(1);
        let acceptance = Acceptance::NONE;
        let mut val = jets.slice(n_train, jets.len())?;
        let n = val.len();
        let target = Rc::new(JetColumns::of(&val, "reco", &acceptance));
        let gen =
            Rc::new(val.remove("gen").ok_or_else(|| {
                Error::invalid("model selection", "the jets have no 'gen' array")
            })?);
        let meta = self.meta.clone();
        let device = self.trainer.infer_device().clone();
        // The same noise at every scored epoch: the scores differ by the weights alone.
        let seed = meta.train.seed;
        self.trainer
            .select_by(Box::new(move |epoch, last, net: &JetVae| {
                if epoch % every != 0 && !last {
                    return None;
                }
                let (gen, target, net) = (gen.clone(), target.clone(), net.clone());
                let vae = TrainedJetVae::new(meta.clone(), net, device.clone());
                Some(Box::pin(async move {
                    let reco = vae.sample(&gen, seed).await?;
                    let mut made = JetArrays::new(n);
                    made.insert("reco", reco)?;
                    Ok(jet_kld(
                        &target,
                        &JetColumns::of(&made, "reco", &acceptance),
                    ))
                }) as ScoreFuture)
            }));
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recipe::JetRecipe;
    use crate::workflow::{run_to_end, Epochs};

    /// The jet terms' unit: by default the pT standardisation's scale (the lab's); with
    /// `with_jet_term_unit(1.0)` GeV (the paper's GeV²), recorded in the file's scales.
    #[test]
    fn jet_term_unit_is_the_standardisation_scale_unless_given() {
        let jets = JetRecipe::new(200, 4).build().unwrap();
        let net = crate::workflow::jets::net_config(crate::workflow::Preset::Small, true);
        let cfg = crate::workflow::jets::PAPER;
        let d = Device::flex();
        let lab = JetVaeJob::new(&jets, "jets", net.clone(), cfg.clone(), &d).unwrap();
        let s = &lab.meta.scales;
        assert_eq!(s.pt, ((s.std[0].powi(2) + s.std[1].powi(2)) / 2.0).sqrt());
        assert!(s.pt > 1.0, "GeV-scale momenta: {}", s.pt);
        let paper = JetVaeJob::with_jet_term_unit(&jets, "jets", net, cfg, &d, Some(1.0)).unwrap();
        assert_eq!((paper.meta.scales.pt, paper.meta.scales.m), (1.0, 1.0));
    }

    /// Selection by the KLD (seed 001, section 5): every second epoch and the last are
    /// scored, the kept epoch is the lowest score's, and the kept model, sampled again on the
    /// validation jets with the training seed, gives that score again.
    #[test]
    fn kld_selection_keeps_the_lowest_scored_epoch() {
        let jets = JetRecipe::new(400, 6).build().unwrap();
        let net = crate::workflow::jets::net_config(crate::workflow::Preset::Small, true);
        let cfg = TrainConfig {
            epochs: 5,
            lr: 1e-3,
            ..crate::workflow::jets::PAPER
        };
        let device = Device::flex();
        let mut job = JetVaeJob::new(&jets, "jets", net, cfg, &device).unwrap();
        job.select_by_kld(&jets, 2).unwrap();
        run_to_end(&mut Epochs::new(&mut job.trainer, |_| {}), 8).unwrap();
        let model = job.finish().unwrap();
        let h = &model.meta.history;
        let scores: Vec<(usize, f64)> = h
            .iter()
            .filter_map(|r| r.selection.map(|s| (r.epoch, s)))
            .collect();
        assert_eq!(
            scores.iter().map(|s| s.0).collect::<Vec<_>>(),
            vec![2, 4, 5]
        );
        assert!(
            scores.iter().all(|s| s.1.is_finite() && s.1 > 0.0),
            "{scores:?}"
        );
        let best = scores.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        assert_eq!(model.meta.best_epoch, best.0);
        let val = jets.slice(job.trainer.n_train(), jets.len()).unwrap();
        let again =
            pollster::block_on(model.sample(val.get("gen").unwrap(), model.meta.train.seed))
                .unwrap();
        let mut made = JetArrays::new(val.len());
        made.insert("reco", again).unwrap();
        let acc = Acceptance::NONE;
        let kld = jet_kld(
            &JetColumns::of(&val, "reco", &acc),
            &JetColumns::of(&made, "reco", &acc),
        );
        assert!(
            (kld - best.1).abs() < 1e-9 * best.1.max(1.0),
            "{kld} vs {best:?}"
        );
    }

    /// Two epochs of the small masked network on the fast path and on Burn from the same seed
    /// end at the same losses, components included, within float tolerance.
    #[test]
    fn fast_path_trains_as_burn_does() {
        let jets = JetRecipe::new(300, 4).build().unwrap();
        let net = crate::workflow::jets::net_config(crate::workflow::Preset::Small, true);
        let cfg = TrainConfig {
            epochs: 2,
            ..crate::workflow::jets::PAPER
        };
        let device = Device::flex();
        let history = |engine| {
            let mut job =
                JetVaeJob::with_engine(&jets, "jets", net.clone(), cfg.clone(), &device, engine)
                    .unwrap();
            assert_eq!(job.trainer.is_fast(), engine == Engine::Auto);
            run_to_end(&mut Epochs::new(&mut job.trainer, |_| {}), 8).unwrap();
            job.finish().unwrap().meta.history
        };
        let (fast, burn) = (history(Engine::Auto), history(Engine::Burn));
        assert_eq!(fast.len(), 2);
        for (f, b) in fast.iter().zip(&burn) {
            let pairs = [(f.train_loss, b.train_loss), (f.val_loss, b.val_loss)]
                .into_iter()
                .chain(
                    f.train_parts
                        .iter()
                        .copied()
                        .zip(b.train_parts.iter().copied()),
                )
                .chain(f.val_parts.iter().copied().zip(b.val_parts.iter().copied()));
            for (x, y) in pairs {
                assert!(
                    (x - y).abs() <= 1e-3 * y.abs().max(1e-3),
                    "epoch {}: fast {x} vs burn {y}",
                    f.epoch
                );
            }
            assert_eq!(f.train_parts.len(), 5);
            assert_eq!(f.val_parts.len(), 5);
        }
    }
}
