//! Training the unfolding GANs (seed 002): per batch one discriminator step on eq. (3)/(10)
//! and one generator step on eq. (4)/(11) + λ_G·MMD, each with its own Adam. GAN losses say
//! little about quality, so the kept checkpoint is the epoch with the lowest validation
//! quantile-JS of the unfolded m_jj against the parton-level truth; training stops cleanly
//! when a loss becomes NaN. Split into steps like [`super::Trainer`] for the page. On the CPU
//! device the steps take the fast path (`model::fast::FusedGan`); Burn's autodiff trains
//! elsewhere and is the reference.

use super::{gather, shuffle, Engine, Stop, TrainConfig};
use crate::backend;
use crate::data::Table;
use crate::error::{Error, Result};
use crate::metrics::quantile_js;
use crate::model::fast::{generate_rows, mjj_with_grad, FusedGan, GanRows};
use crate::model::{
    check_object_columns, condition_rows, generate, mjj_gev, read_f32, to_cartesian, upload,
    EventScales, GanBatch, GanConfig, GanEpoch, GanKind, Mlp, TrainedUnfold, UnfoldMeta,
    COOLING_FRACTION,
};
use crate::random::{normal, rng, stream, Rng};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;

/// Quantiles of the truth in the checkpoint criterion.
const VAL_QUANTILES: usize = 16;

pub struct GanJob {
    cfg: TrainConfig,
    net: GanConfig,
    device: Device,
    infer_device: Device,
    generator: Mlp,
    discriminator: Mlp,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    /// Standardised detector-level (`cond`) and parton-level (`real`) rows, and the
    /// detector-level m_jj, pT,j1, pT,j2 (GeV) of each event.
    cond: Vec<f32>,
    real: Vec<f32>,
    aux: Vec<f32>,
    n_train: usize,
    val_cond: Vec<f32>,
    val_truth_mjj: Vec<f32>,
    perm: Vec<u32>,
    /// The parton-level rows' own order when the naive GAN draws them independently of the
    /// detector-level ones (seed 002, section 2); `None`: both from the same events.
    real_perm: Option<Vec<u32>>,
    cursor: usize,
    batches: usize,
    epoch: usize,
    sums: Option<Tensor<1>>,
    /// The fast path, when it trains (then `generator` and `discriminator` keep their
    /// initial weights, and the loss sums add up here).
    fast: Option<FusedGan>,
    fast_sums: [f64; 6],
    cooling: f64,
    best: Option<(usize, f64, Mlp)>,
    history: Vec<GanEpoch>,
    stop: Option<Stop>,
    rng: Rng,
    noise_rng: Rng,
    meta: UnfoldMeta,
}

/// Detector-level m_jj, pT,j1, pT,j2 (GeV) of (pT, η, φ) object rows with `k` columns.
fn aux_of(objects: &[f32], k: usize) -> Vec<f32> {
    objects
        .chunks_exact(k)
        .flat_map(|r| {
            let m = crate::physics::wz_masses_of_jets(r);
            [m, r[0], r[3]]
        })
        .collect()
}

impl GanJob {
    /// Prepares a run learning `gen_cols` (parton level) from `reco_cols` (detector level)
    /// of `table`; the first (1 − val_fraction) of the events train.
    pub fn new(
        table: &Table,
        gen_cols: &[String],
        reco_cols: &[String],
        net: GanConfig,
        cfg: TrainConfig,
        device: &Device,
    ) -> Result<Self> {
        Self::with_engine(table, gen_cols, reco_cols, net, cfg, device, Engine::Auto)
    }

    /// [`GanJob::new`] with the training code chosen.
    pub fn with_engine(
        table: &Table,
        gen_cols: &[String],
        reco_cols: &[String],
        net: GanConfig,
        cfg: TrainConfig,
        device: &Device,
        engine: Engine,
    ) -> Result<Self> {
        cfg.validate()?;
        net.validate()?;
        check_object_columns(gen_cols, "parton-level columns")?;
        check_object_columns(reco_cols, "detector-level columns")?;
        if gen_cols.len() != reco_cols.len() || gen_cols.len() != net.d_event() {
            return Err(Error::invalid(
                "unfolding columns",
                format!(
                    "{} parton-level and {} detector-level columns for a model of {} objects",
                    gen_cols.len(),
                    reco_cols.len(),
                    net.objects
                ),
            ));
        }
        table.ensure_finite(gen_cols)?;
        table.ensure_finite(reco_cols)?;
        let k = net.d_event();
        let n = table.n_rows();
        let n_train = ((1.0 - cfg.val_fraction) * n as f64).round() as usize;
        if n_train < cfg.batch_size.min(64) || n - n_train < 10 {
            return Err(Error::invalid(
                "training data",
                format!("{n} events are too few to train and validate a GAN"),
            ));
        }
        let gen_obj = table.row_major(gen_cols)?;
        let reco_obj = table.row_major(reco_cols)?;
        let mut real = to_cartesian(&gen_obj);
        let kc = net.d_cond();
        let mut cond = condition_rows(&reco_obj, k, net.detector_features);
        let gen_scales = EventScales::fit(&real[..n_train * k], k);
        let reco_scales = EventScales::fit(&cond[..n_train * kc], kc);
        gen_scales.apply(&mut real);
        reco_scales.apply(&mut cond);
        let aux = aux_of(&reco_obj, k);
        let val_truth_mjj: Vec<f32> = gen_obj[n_train * k..]
            .chunks_exact(k)
            .map(crate::physics::wz_masses_of_jets)
            .collect();
        let ad = device.clone().autodiff();
        let mut init_rng = rng(cfg.seed, stream::GAN_INIT);
        // The weights of `GanConfig::init`, drawn in its order: the generator's, then the
        // discriminator's.
        let g_init = net.generator_config().init_flat(&mut init_rng);
        let d_init = net.discriminator_config().init_flat(&mut init_rng);
        let generator = net.generator_config().from_flat(&g_init, &ad);
        let discriminator = net.discriminator_config().from_flat(&d_init, &ad);
        let fast = (engine == Engine::Auto && backend::is_cpu(device))
            .then(|| FusedGan::new(&net, &gen_scales, g_init, d_init));
        let meta = UnfoldMeta {
            config: net.clone(),
            gen_cols: gen_cols.to_vec(),
            reco_cols: reco_cols.to_vec(),
            gen_scales,
            reco_scales,
            train: cfg.clone(),
            history: Vec::new(),
            best_epoch: 0,
            events: n,
            origin: None,
        };
        Ok(Self {
            val_cond: cond[n_train * kc..].to_vec(),
            cond,
            real,
            aux,
            n_train,
            val_truth_mjj,
            perm: (0..n_train as u32).collect(),
            real_perm: (net.independent_batches && net.kind == GanKind::Naive)
                .then(|| (0..n_train as u32).collect()),
            cursor: 0,
            batches: 0,
            epoch: 0,
            sums: None,
            fast,
            fast_sums: [0.0; 6],
            // The cooling kernel starts wide: the parton-level m_jj spread is ~ 2 GeV,
            // an untrained generator's ~ 100 GeV.
            cooling: 50.0,
            best: None,
            history: Vec::new(),
            stop: None,
            rng: rng(cfg.seed, stream::GAN_SHUFFLE),
            noise_rng: rng(cfg.seed, stream::GAN_NOISE),
            opt_g: AdamConfig::new().with_beta_1(0.5).init(),
            opt_d: AdamConfig::new().with_beta_1(0.5).init(),
            generator,
            discriminator,
            infer_device: device.clone(),
            device: ad,
            net,
            cfg,
            meta,
        })
    }

    /// Records where the events came from in the model file.
    pub fn set_origin(&mut self, origin: crate::recipe::DataOrigin) {
        self.meta.origin = Some(origin);
    }

    pub fn config(&self) -> &TrainConfig {
        &self.cfg
    }

    pub fn net_config(&self) -> &GanConfig {
        &self.net
    }

    pub fn history(&self) -> &[GanEpoch] {
        &self.history
    }

    /// True when the steps take the fast CPU path.
    pub fn is_fast(&self) -> bool {
        self.fast.is_some()
    }

    pub fn stop_reason(&self) -> Option<&Stop> {
        self.stop.as_ref()
    }

    pub fn n_train(&self) -> usize {
        self.n_train
    }

    pub fn n_val(&self) -> usize {
        self.val_truth_mjj.len()
    }

    pub fn finished(&self) -> bool {
        self.stop.is_some() || self.history.len() >= self.cfg.epochs
    }

    pub fn progress(&self) -> f64 {
        (self.history.len() as f64 + self.cursor as f64 / self.n_train as f64)
            / self.cfg.epochs as f64
    }

    fn noise(&mut self, rows: usize) -> Vec<f32> {
        (0..rows * self.net.noise)
            .map(|_| normal(&mut self.noise_rng) as f32)
            .collect()
    }

    /// Up to `max_batches` alternating discriminator and generator steps; `true` when the
    /// epoch's batches are done (then call [`GanJob::end_epoch`]).
    pub fn train_batches(&mut self, max_batches: usize) -> bool {
        if self.cursor == 0 && self.batches == 0 {
            shuffle(&mut self.perm, &mut self.rng);
            if let Some(real_perm) = self.real_perm.as_mut() {
                shuffle(real_perm, &mut self.rng);
            }
        }
        let k = self.net.d_event();
        let kc = self.net.d_cond();
        let lr = self.cfg.lr;
        let gan_scales = self.meta.gen_scales.clone();
        for _ in 0..max_batches {
            if self.cursor >= self.n_train {
                break;
            }
            let end = (self.cursor + self.cfg.batch_size).min(self.n_train);
            let rows = self.perm[self.cursor..end].to_vec();
            let real_rows = match &self.real_perm {
                Some(p) => p[self.cursor..end].to_vec(),
                None => rows.clone(),
            };
            let n = rows.len();
            let noise = self.noise(n);
            if let Some(fast) = self.fast.as_mut() {
                let (cond, real, aux) = (
                    gather(&self.cond, &rows, kc),
                    gather(&self.real, &real_rows, k),
                    gather(&self.aux, &rows, 3),
                );
                let b = GanRows {
                    cond: &cond,
                    real: &real,
                    noise: &noise,
                    aux: &aux,
                    rows: n,
                };
                let parts = fast.step(&b, lr, self.cooling);
                self.fast_sums
                    .iter_mut()
                    .zip(parts)
                    .for_each(|(s, p)| *s += p);
                self.cursor = end;
                self.batches += 1;
                continue;
            }
            let b = GanBatch {
                cond: upload(gather(&self.cond, &rows, kc), n, kc, &self.device),
                real: upload(gather(&self.real, &real_rows, k), n, k, &self.device),
                noise: upload(noise, n, self.net.noise, &self.device),
                aux: upload(gather(&self.aux, &rows, 3), n, 3, &self.device),
            };
            let gan = self.gan();
            // Discriminator step on generated events it cannot push back into G.
            let fake = generate(
                &gan.generator,
                self.net.kind,
                b.cond.clone(),
                b.noise.clone(),
            );
            let d_parts = gan.d_loss(&b, fake.clone().detach(), self.net.lambda_d);
            let grads = GradientsParams::from_grads(
                d_parts.clone().narrow(0, 0, 1).backward(),
                &self.discriminator,
            );
            self.discriminator = self.opt_d.step(lr, self.discriminator.clone(), grads);
            // Generator step against the updated discriminator, on the same generated events
            // (the generator has not changed since; only their detached copy trained D).
            let gan = self.gan();
            let g_parts = gan.g_loss(&b, fake, &self.net, &gan_scales, self.cooling);
            let grads = GradientsParams::from_grads(
                g_parts.clone().narrow(0, 0, 1).backward(),
                &self.generator,
            );
            self.generator = self.opt_g.step(lr, self.generator.clone(), grads);
            let parts = Tensor::cat(vec![d_parts.detach(), g_parts.detach()], 0);
            self.sums = Some(match self.sums.take() {
                Some(s) => s + parts,
                None => parts,
            });
            self.cursor = end;
            self.batches += 1;
        }
        self.cursor >= self.n_train
    }

    fn gan(&self) -> crate::model::UnfoldGan {
        crate::model::UnfoldGan {
            generator: self.generator.clone(),
            discriminator: self.discriminator.clone(),
            kind: self.net.kind,
        }
    }

    /// Unfolds the validation events with the current generator (fixed noise) and returns
    /// their m_jj (GeV).
    async fn validation_mjj(&self, generator: &Mlp) -> Result<Vec<f32>> {
        let k = self.net.d_cond();
        let n = self.val_truth_mjj.len();
        let mut noise_rng = rng(self.cfg.seed, stream::GAN_VAL_NOISE);
        let mut out = Vec::with_capacity(n);
        for chunk in self.val_cond.chunks(8192 * k) {
            let rows = chunk.len() / k;
            let noise: Vec<f32> = (0..rows * self.net.noise)
                .map(|_| normal(&mut noise_rng) as f32)
                .collect();
            if let Some(fast) = &self.fast {
                let y = generate_rows(&self.net, fast.generator_flat(), chunk, &noise);
                let (m, _) = mjj_with_grad(&y, self.net.d_event(), &self.meta.gen_scales);
                out.extend(m);
                continue;
            }
            let y = generate(
                generator,
                self.net.kind,
                upload(chunk.to_vec(), rows, k, &self.infer_device),
                upload(noise, rows, self.net.noise, &self.infer_device),
            );
            out.extend(read_f32(mjj_gev(y, &self.meta.gen_scales)).await?);
        }
        Ok(out)
    }

    /// Ends the epoch: mean losses, the validation criterion, the checkpoint, the cooling
    /// width for the next epoch, and a clean stop on NaN.
    pub async fn end_epoch(&mut self) -> Result<GanEpoch> {
        let sums = match (self.sums.take(), &self.fast) {
            (_, Some(_)) => std::mem::take(&mut self.fast_sums).to_vec(),
            (Some(s), None) => read_f32(s).await?.into_iter().map(f64::from).collect(),
            (None, None) => vec![f64::NAN; 6],
        };
        let mean = |i: usize| sums[i] / self.batches.max(1) as f64;
        let generator = match &self.fast {
            Some(fast) => self
                .net
                .generator_config()
                .from_flat(fast.generator_flat(), &self.infer_device),
            None => self.generator.valid(),
        };
        let mjj = self.validation_mjj(&generator).await?;
        let finite_mjj = mjj.iter().all(|v| v.is_finite());
        let js = if finite_mjj {
            quantile_js(&self.val_truth_mjj, &mjj, VAL_QUANTILES)?
        } else {
            f64::NAN
        };
        let epoch = self.epoch + 1;
        let losses = [mean(0), mean(2), mean(3), mean(5)];
        let finite = losses.iter().all(|v| v.is_finite()) && js.is_finite();
        if finite && self.best.as_ref().is_none_or(|b| js < b.1) {
            self.best = Some((epoch, js, generator));
        }
        let report = GanEpoch {
            epoch,
            d_loss: losses[0],
            d_reg: losses[1],
            g_loss: losses[2],
            mmd: losses[3],
            val_js_mjj: js,
            kernel_width: self.net.kernel.widths(self.cooling)[0],
            best_epoch: self.best.as_ref().map_or(0, |b| b.0),
        };
        if finite_mjj {
            let n = mjj.len() as f64;
            let m = mjj.iter().map(|&v| v as f64).sum::<f64>() / n;
            let sd = (mjj.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / n).sqrt();
            self.cooling = COOLING_FRACTION * sd;
        }
        self.history.push(report.clone());
        if !finite {
            self.stop = Some(Stop::Diverged { epoch });
        }
        self.epoch += 1;
        self.cursor = 0;
        self.batches = 0;
        Ok(report)
    }

    pub fn cancel(&mut self) {
        if self.stop.is_none() {
            self.stop = Some(Stop::Cancelled {
                epoch: self.epoch + 1,
            });
        }
    }

    /// The kept generator (best validation m_jj JS) with its metadata.
    pub fn finish(&self) -> Result<TrainedUnfold> {
        let (epoch, _, generator) = self.best.as_ref().ok_or_else(|| {
            Error::invalid(
                "training",
                "no epoch finished with finite losses; nothing to keep",
            )
        })?;
        let mut meta = self.meta.clone();
        meta.history = self.history.clone();
        meta.best_epoch = *epoch;
        Ok(TrainedUnfold::new(
            meta,
            generator.clone(),
            self.infer_device.clone(),
        ))
    }
}

super::training_by_methods!(GanJob, GanEpoch);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MmdKernel;
    use crate::physics::wz_object_columns;
    use crate::recipe::WzRecipe;
    use crate::workflow::{run_to_end, Epochs};

    /// `independent_batches`: the naive GAN's parton-level rows come in their own order, a
    /// permutation of the same training rows; the FCGAN, which needs pairs, ignores it; and
    /// a Breit–Wigner kernel trains to finite losses.
    /// `events` built-in WZ events of `seed`, their object columns and one epoch of the
    /// paper's schedule.
    fn one_epoch_setup(events: usize, seed: u64) -> (Table, Vec<String>, Vec<String>, TrainConfig) {
        (
            WzRecipe::new(events, seed, 0.0).build().unwrap(),
            wz_object_columns("gen"),
            wz_object_columns("reco"),
            TrainConfig {
                epochs: 1,
                ..crate::workflow::unfold::PAPER
            },
        )
    }

    #[test]
    fn naive_gan_draws_its_parton_batches_independently() {
        let (table, gen, reco, cfg) = one_epoch_setup(2000, 6);
        for kind in [GanKind::Naive, GanKind::Fcgan] {
            let mut net = GanConfig::small(kind, 4);
            (net.layers, net.units) = (2, 16);
            net.independent_batches = true;
            net.kernel_shape = crate::model::KernelShape::BreitWigner;
            let mut job =
                GanJob::new(&table, &gen, &reco, net, cfg.clone(), &Device::flex()).unwrap();
            job.train_batches(1);
            match (&job.real_perm, kind) {
                (Some(real), GanKind::Naive) => {
                    assert_ne!(real, &job.perm, "an order of its own");
                    let (mut a, mut b) = (real.clone(), job.perm.clone());
                    a.sort_unstable();
                    b.sort_unstable();
                    assert_eq!(a, b, "the same training rows");
                }
                (None, GanKind::Fcgan) => {}
                other => panic!("{other:?}"),
            }
            run_to_end(&mut Epochs::new(&mut job, |_| {}), 8).unwrap();
            let history = job.finish().unwrap().meta.history;
            assert!(
                history[0].val_js_mjj.is_finite() && history[0].mmd.is_finite(),
                "{kind:?}: {history:?}"
            );
        }
    }

    /// A trained generator unfolds the same events on the fast path as through Burn, for both
    /// GANs (more events than one block, not a multiple of it).
    #[test]
    fn fast_unfolding_matches_burn() {
        let (table, gen, reco, cfg) = one_epoch_setup(3000, 5);
        for kind in [GanKind::Naive, GanKind::Fcgan] {
            let mut net = GanConfig::small(kind, 4);
            (net.layers, net.units) = (2, 32);
            net.detector_features = kind == GanKind::Fcgan;
            let mut job =
                GanJob::new(&table, &gen, &reco, net, cfg.clone(), &Device::flex()).unwrap();
            run_to_end(&mut Epochs::new(&mut job, |_| {}), 8).unwrap();
            let model = job.finish().unwrap();
            let rows = table.row_major(&reco).unwrap();
            let run = |fast| pollster::block_on(model.unfold_rows_on(&rows, 3, fast)).unwrap();
            let (fast, burn) = (run(true), run(false));
            assert_eq!(fast.len(), burn.len());
            for (i, (f, b)) in fast.iter().zip(&burn).enumerate() {
                // (pT, η, φ): φ may wrap at ±π when a tiny difference crosses it.
                let d = if i % 3 == 2 {
                    let d = (f - b).abs();
                    d.min((d - 2.0 * std::f32::consts::PI).abs())
                } else {
                    (f - b).abs()
                };
                assert!(
                    d <= 1e-4 * b.abs().max(1.0),
                    "{kind:?} value {i}: fast {f} vs burn {b}"
                );
            }
        }
    }

    /// Two epochs on the fast path and on Burn from the same seed end at the same losses and
    /// validation JS within float tolerance, for both GANs.
    #[test]
    fn fast_path_trains_as_burn_does() {
        let table = WzRecipe::new(3000, 4, 0.0).build().unwrap();
        let (gen, reco) = (wz_object_columns("gen"), wz_object_columns("reco"));
        let cfg = TrainConfig {
            epochs: 2,
            batch_size: 256,
            lr: 1e-3,
            ..crate::workflow::unfold::PAPER
        };
        let device = Device::flex();
        for (kind, kernel) in [
            (GanKind::Naive, MmdKernel::Multiple),
            (GanKind::Fcgan, MmdKernel::Conditional),
        ] {
            let mut net = GanConfig::small(kind, 4);
            (net.layers, net.units, net.kernel) = (2, 32, kernel);
            net.detector_features = kind == GanKind::Fcgan;
            let history = |engine| {
                let mut job = GanJob::with_engine(
                    &table,
                    &gen,
                    &reco,
                    net.clone(),
                    cfg.clone(),
                    &device,
                    engine,
                )
                .unwrap();
                assert_eq!(job.is_fast(), engine == Engine::Auto);
                run_to_end(&mut Epochs::new(&mut job, |_| {}), 4).unwrap();
                job.finish().unwrap().meta.history
            };
            let (fast, burn) = (history(Engine::Auto), history(Engine::Burn));
            assert_eq!(fast.len(), 2);
            for (f, b) in fast.iter().zip(&burn) {
                for (what, x, y) in [
                    ("L_D", f.d_loss, b.d_loss),
                    ("L_G", f.g_loss, b.g_loss),
                    ("MMD", f.mmd, b.mmd),
                    ("val JS", f.val_js_mjj, b.val_js_mjj),
                ] {
                    assert!(
                        (x - y).abs() < 1e-3 * y.abs().max(1e-2),
                        "{kind:?} epoch {} {what}: fast {x} vs burn {y}",
                        f.epoch
                    );
                }
            }
        }
    }
}
