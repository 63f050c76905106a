//! A trained jet VAE with what applying it needs: configuration, standardisation, training
//! summary, and sampling reco-level jets from gen-level ones with the acceptance applied after
//! inference (seed 001, section 5).

use super::{to_gev, HostNoise, JetScales, JetVae, JetVaeConfig};
use crate::data::JET_VALUES;
use crate::error::{Error, Result};
use crate::model::fast::sigmoid as logistic;
use crate::model::fast::FusedJetVae;
use crate::model::params::to_flat_cpu;
use crate::model::read_f32;
use crate::model::{EpochReport, TrainConfig};
use crate::physics::{to_fixed, Particle, MAX_PARTICLES};
use crate::random::{rng, stream, Rng};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JetVaeMeta {
    pub config: JetVaeConfig,
    pub scales: JetScales,
    pub train: TrainConfig,
    pub history: Vec<EpochReport>,
    pub best_epoch: usize,
    /// Jets in the training file (train + validation).
    pub events: usize,
    #[serde(default)]
    pub origin: Option<crate::recipe::DataOrigin>,
    /// Constituent acceptance applied to the output (seed 001: pT > 250 MeV, |η| < 3.2).
    pub min_pt: f64,
    pub max_eta: f64,
}

impl JetVaeMeta {
    /// The header of a network before training (a training run's start, a benchmark's or a
    /// test's network): no history, seed 001's constituent acceptance.
    pub fn untrained(config: JetVaeConfig, scales: JetScales, train: TrainConfig) -> Self {
        Self {
            config,
            scales,
            train,
            history: Vec::new(),
            best_epoch: 0,
            events: 0,
            origin: None,
            min_pt: 0.25,
            max_eta: 3.2,
        }
    }
}

/// Jets per forward pass when sampling.
const SAMPLE_CHUNK: usize = 2048;

pub struct TrainedJetVae {
    pub meta: JetVaeMeta,
    net: JetVae,
    device: Device,
}

/// File layout (jet, particle, feature) to the network's (jet, feature, particle).
pub fn to_feature_major(jets: &[f32]) -> Vec<f32> {
    let mut out = vec![0f32; jets.len()];
    for (src, dst) in jets
        .chunks_exact(JET_VALUES)
        .zip(out.chunks_exact_mut(JET_VALUES))
    {
        for p in 0..MAX_PARTICLES {
            for f in 0..3 {
                dst[f * MAX_PARTICLES + p] = src[p * 3 + f];
            }
        }
    }
    out
}

/// File-layout jets to the network's input: feature-major, each of px, py, pz standardised
/// with `scales` (the one transform training and sampling share).
pub fn standardise_jets(jets: &[f32], scales: &JetScales) -> Vec<f32> {
    let mut x = to_feature_major(jets);
    for jet in x.chunks_exact_mut(JET_VALUES) {
        for f in 0..3 {
            for v in &mut jet[f * MAX_PARTICLES..(f + 1) * MAX_PARTICLES] {
                *v = (*v - scales.mean[f]) / scales.std[f];
            }
        }
    }
    x
}

impl TrainedJetVae {
    pub fn new(meta: JetVaeMeta, net: JetVae, device: Device) -> Self {
        Self { meta, net, device }
    }

    pub fn net(&self) -> &JetVae {
        &self.net
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn to_device(&self, device: &Device) -> Self {
        Self {
            meta: self.meta.clone(),
            net: self.net.clone().to_device(device),
            device: device.clone(),
        }
    }

    /// The latent normals ε that [`TrainedJetVae::sample`] draws for `jets` jets from `seed`,
    /// row-major (jets × latent): the stream runs on across chunks, so these are its first
    /// values. `sample --save-noise` writes them; the ONNX graph takes them as its `noise`.
    pub fn noise(&self, jets: usize, seed: u64) -> Vec<f32> {
        self.meta
            .config
            .host_noise(jets, false, &mut rng(seed, stream::JET_NOISE))
            .eps
    }

    /// Reco-level jets (file layout, `n × 50 × 3`) for the gen-level jets `gen` (same layout):
    /// one latent draw per jet from the seeded stream `seed`; output constituents below the
    /// acceptance (and, for the masked variant, slots whose existence score is below ½) are
    /// dropped, the rest pT-ordered and zero-padded.
    pub async fn sample(&self, gen: &[f32], seed: u64) -> Result<Vec<f32>> {
        let mut s = self.sampler(gen, seed, SAMPLE_CHUNK)?;
        while !s.next(1).await? {}
        s.finish()
    }

    /// The same sampling in chunks of `chunk` jets, one or more a step (the page yields
    /// between steps). The noise stream runs on across chunks: the result does not depend on
    /// `chunk`.
    pub fn sampler(&self, gen: &[f32], seed: u64, chunk: usize) -> Result<JetSampler<'_>> {
        self.sampler_on(gen, seed, chunk, crate::backend::is_cpu(&self.device))
    }

    /// [`TrainedJetVae::sampler`] on the CPU fast path (`fast`, which needs the CPU device) or
    /// through Burn: the same noise, so the same jets to float rounding.
    pub fn sampler_on(
        &self,
        gen: &[f32],
        seed: u64,
        chunk: usize,
        fast: bool,
    ) -> Result<JetSampler<'_>> {
        if !gen.len().is_multiple_of(JET_VALUES) {
            return Err(Error::invalid(
                "jets",
                format!("{} values is not a whole number of 50 × 3 jets", gen.len()),
            ));
        }
        if let Some(k) = gen.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "jets",
                format!("jet {} holds a non-finite value", k / JET_VALUES),
            ));
        }
        let fast = fast.then(|| {
            FusedJetVae::new(
                &self.meta.config,
                &self.meta.scales,
                &to_flat_cpu(&self.net),
            )
        });
        Ok(JetSampler {
            fast,
            model: self,
            x: standardise_jets(gen, &self.meta.scales),
            noise: rng(seed, stream::JET_NOISE),
            out: Vec::with_capacity(gen.len()),
            chunk: chunk.max(1),
            done: 0,
        })
    }
}

/// Jets per pass of the fast path (its buffers grow with the batch: the paper's network
/// unrolls 320 values per plane position).
const FAST_BLOCK: usize = 256;

/// The output jets in GeV (jets × 3 × particles) and the existence probabilities of `x`
/// (standardised gen jets) on the fast path, in blocks of [`FAST_BLOCK`] jets with their
/// slices of the latent draws `noise`.
fn fast_forward(
    fast: &mut FusedJetVae,
    x: &[f32],
    rows: usize,
    noise: &HostNoise,
    s: &JetScales,
) -> (Vec<f32>, Option<Vec<f32>>) {
    let latent = noise.eps.len() / rows.max(1);
    let mut jets = Vec::with_capacity(rows * JET_VALUES);
    let mut exist = Vec::new();
    for b0 in (0..rows).step_by(FAST_BLOCK) {
        let n = FAST_BLOCK.min(rows - b0);
        let block = HostNoise {
            eps: noise.eps[b0 * latent..(b0 + n) * latent].to_vec(),
            dropout: None,
        };
        let (out, logits) = fast.generate(&x[b0 * JET_VALUES..(b0 + n) * JET_VALUES], n, &block);
        for jet in out.chunks_exact(JET_VALUES) {
            for (f, row) in jet.chunks_exact(MAX_PARTICLES).enumerate() {
                jets.extend(row.iter().map(|v| v * s.std[f] + s.mean[f]));
            }
        }
        exist.extend(logits.iter().map(|&l| logistic(l)));
    }
    let exist = (!exist.is_empty()).then_some(exist);
    (jets, exist)
}

/// A jet VAE's sampling under way (see [`TrainedJetVae::sampler`]).
pub struct JetSampler<'a> {
    model: &'a TrainedJetVae,
    /// The network on the CPU fast path, when it samples.
    fast: Option<FusedJetVae>,
    x: Vec<f32>,
    noise: Rng,
    out: Vec<f32>,
    chunk: usize,
    /// Jets done.
    done: usize,
}

impl JetSampler<'_> {
    fn n(&self) -> usize {
        self.x.len() / JET_VALUES
    }

    /// Samples up to `chunks` chunks; `true` once every jet is done.
    pub async fn next(&mut self, chunks: usize) -> Result<bool> {
        let model = self.model;
        let cfg = &model.meta.config;
        let s = &model.meta.scales;
        for _ in 0..chunks.max(1) {
            if self.done >= self.n() {
                break;
            }
            let rows = self.chunk.min(self.n() - self.done);
            let part = &self.x[self.done * JET_VALUES..(self.done + rows) * JET_VALUES];
            let (jets, exist) = match self.fast.as_mut() {
                Some(fast) => {
                    let noise = cfg.host_noise(rows, false, &mut self.noise);
                    fast_forward(fast, part, rows, &noise, s)
                }
                None => {
                    let xt = Tensor::<3>::from_data(
                        TensorData::new(part.to_vec(), [rows, 3, MAX_PARTICLES]),
                        &model.device,
                    );
                    let eps = cfg.noise(rows, false, &mut self.noise, &model.device);
                    let o = model.net.forward(xt, &eps);
                    let jets = read_f32(to_gev(o.jets, s)).await?;
                    let exist = match o.exist {
                        Some(e) => Some(read_f32(sigmoid(e)).await?),
                        None => None,
                    };
                    (jets, exist)
                }
            };
            for j in 0..rows {
                let v = &jets[j * JET_VALUES..(j + 1) * JET_VALUES];
                let ps: Vec<Particle> = (0..MAX_PARTICLES)
                    .filter(|&p| {
                        exist
                            .as_ref()
                            .is_none_or(|e| e[j * MAX_PARTICLES + p] > 0.5)
                    })
                    .map(|p| Particle {
                        px: v[p] as f64,
                        py: v[MAX_PARTICLES + p] as f64,
                        pz: v[2 * MAX_PARTICLES + p] as f64,
                    })
                    .filter(|p| p.pt() > model.meta.min_pt && p.eta().abs() < model.meta.max_eta)
                    .collect();
                self.out.extend_from_slice(to_fixed(&ps).as_flattened());
            }
            self.done += rows;
        }
        Ok(self.done >= self.n())
    }

    /// Fraction of the jets done.
    pub fn progress(&self) -> f64 {
        self.done as f64 / self.n().max(1) as f64
    }

    /// The model's jets (file layout); an error if not every jet was sampled.
    pub fn finish(self) -> Result<Vec<f32>> {
        if self.done < self.n() {
            return Err(Error::Cancelled);
        }
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::upload;
    use crate::recipe::JetRecipe;
    use crate::workflow::{jets, Preset};

    fn model() -> TrainedJetVae {
        let cfg = jets::net_config(Preset::Small, true);
        let d = Device::flex();
        let net = cfg.init(&mut rng(2, 0), &d);
        let scales = JetScales {
            mean: [1.0, -1.0, 5.0],
            std: [20.0, 20.0, 60.0],
            pt: 20.0,
            m: 20.0,
        };
        let meta = JetVaeMeta::untrained(cfg, scales, jets::PAPER);
        TrainedJetVae::new(meta, net, d)
    }

    /// The fast path's blocks (300 jets: a full block and a partial one) give Burn's jets in
    /// GeV and existence probabilities for the same latent draws.
    #[test]
    fn fast_forward_matches_burn_in_gev() {
        let m = model();
        let gen = JetRecipe::new(300, 3).build().unwrap();
        let x = standardise_jets(gen.get("gen").unwrap(), &m.meta.scales);
        let rows = x.len() / JET_VALUES;
        assert!(rows > FAST_BLOCK);
        let cfg = &m.meta.config;
        let noise = cfg.host_noise(rows, false, &mut rng(9, 0));
        let mut fused = FusedJetVae::new(cfg, &m.meta.scales, &to_flat_cpu(&m.net));
        let (jets, exist) = fast_forward(&mut fused, &x, rows, &noise, &m.meta.scales);
        let d = Device::flex();
        let eps = crate::model::VaeNoise {
            eps: upload(noise.eps.clone(), rows, cfg.latent, &d),
            dropout: None,
        };
        let o = m.net.forward(
            upload(x, rows, JET_VALUES, &d).reshape([rows, 3, MAX_PARTICLES]),
            &eps,
        );
        let want = pollster::block_on(read_f32(to_gev(o.jets, &m.meta.scales))).unwrap();
        let want_exist = pollster::block_on(read_f32(sigmoid(o.exist.unwrap()))).unwrap();
        for (a, b) in jets
            .iter()
            .zip(&want)
            .chain(exist.unwrap().iter().zip(&want_exist))
        {
            assert!(
                (a - b).abs() <= 1e-4 * b.abs().max(1.0),
                "fast {a} vs burn {b}"
            );
        }
        assert_eq!(jets.len(), want.len());
    }

    /// Sampling on the fast path and through Burn: the same jets (the acceptance may flip a
    /// particle sitting on its edge, so almost every value, not all, must agree).
    #[test]
    fn fast_sampling_matches_burn() {
        let m = model();
        let gen = JetRecipe::new(300, 3).build().unwrap();
        let gen = gen.get("gen").unwrap();
        let run = |fast| {
            let mut s = m.sampler_on(gen, 4, 128, fast).unwrap();
            while !pollster::block_on(s.next(1)).unwrap() {}
            s.finish().unwrap()
        };
        let (fast, burn) = (run(true), run(false));
        assert_eq!(fast.len(), burn.len());
        let off = fast
            .iter()
            .zip(&burn)
            .filter(|(a, b)| (*a - *b).abs() > 1e-3 * b.abs().max(1.0))
            .count();
        assert!(
            off * 1000 <= burn.len(),
            "{off} of {} values differ",
            burn.len()
        );
        assert!(
            burn.iter().any(|&v| v != 0.0),
            "some particles pass the acceptance"
        );
    }
}
