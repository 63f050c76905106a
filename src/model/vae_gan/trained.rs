//! A trained VAE-GAN as a model file stores it: the generators of one or more trainings (the
//! paper's mixture of three, section 2) and what made them. Sampling needs no input: latent
//! points from N(0, 1), each shower from the next member in turn.

use super::net::{to_mev, Generator, VaeGanConfig};
use crate::error::Result;
use crate::model::{read_f32, TrainConfig};
use crate::physics::{apply_cut, IMAGE_PIXELS, MIP_CUT_MEV};
use crate::random::{normal, rng, stream, Rng};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// One epoch of a VAE-GAN training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShowerEpoch {
    pub epoch: usize,
    /// Mean discriminator loss, generator adversarial loss −log D(G(z)) and KL prior term.
    pub d_loss: f64,
    pub g_loss: f64,
    pub kl: f64,
    /// The model-selection figure: the quantile-JS of generated against training showers,
    /// averaged over the five observables of eq. (2.2).
    pub selection: f64,
    pub best_epoch: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaeGanMeta {
    pub config: VaeGanConfig,
    pub train: TrainConfig,
    /// Per member: its epochs and the kept one.
    pub history: Vec<Vec<ShowerEpoch>>,
    pub best_epochs: Vec<usize>,
    /// Training showers and the pixel pitch (mm) of the images.
    pub showers: usize,
    pub pixel_mm: f32,
    #[serde(default)]
    pub origin: Option<crate::recipe::DataOrigin>,
}

impl VaeGanMeta {
    pub fn members(&self) -> usize {
        self.best_epochs.len()
    }

    /// The kept epochs' selection figures, one per member.
    pub fn selection(&self) -> Vec<f64> {
        self.history
            .iter()
            .zip(&self.best_epochs)
            .filter_map(|(h, &b)| h.iter().find(|e| e.epoch == b).map(|e| e.selection))
            .collect()
    }
}

pub struct TrainedVaeGan {
    pub meta: VaeGanMeta,
    generators: Vec<Generator>,
    device: Device,
}

impl TrainedVaeGan {
    pub fn new(meta: VaeGanMeta, generators: Vec<Generator>, device: Device) -> Self {
        Self {
            meta,
            generators,
            device,
        }
    }

    pub fn generators(&self) -> &[Generator] {
        &self.generators
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The same model on `device` (the page moves a loaded model to the job's device).
    pub fn to_device(&self, device: &Device) -> Self {
        Self {
            meta: self.meta.clone(),
            generators: self
                .generators
                .iter()
                .map(|g| g.clone().to_device(device))
                .collect(),
            device: device.clone(),
        }
    }

    /// Several trainings as one mixture model (their histories kept member by member).
    pub fn mixture(models: Vec<TrainedVaeGan>) -> Option<TrainedVaeGan> {
        let mut it = models.into_iter();
        let mut first = it.next()?;
        for m in it {
            first.meta.history.extend(m.meta.history);
            first.meta.best_epochs.extend(m.meta.best_epochs);
            first.generators.extend(m.generators);
        }
        Some(first)
    }

    /// The latent points [`TrainedVaeGan::sampler`] draws for `n` showers from `seed`,
    /// row-major (n × latent; shower i from member i mod M): what `sample --save-noise`
    /// writes and the ONNX graph's `noise` input takes.
    pub fn noise(&self, n: usize, seed: u64) -> Vec<f32> {
        latent_noise(n, &self.meta.config, &mut rng(seed, stream::SHOWER_SAMPLE))
    }

    /// A sampler of `n` showers from `seed`.
    pub fn sampler(&self, n: usize, seed: u64) -> ShowerSampler<'_> {
        ShowerSampler {
            model: self,
            n,
            rng: rng(seed, stream::SHOWER_SAMPLE),
            out: Vec::with_capacity(n * IMAGE_PIXELS),
        }
    }
}

/// Showers generated in one step: at most this many latent rows go through a network at once.
pub const SHOWER_CHUNK: usize = 2048;

/// Images of `generator` for the latent rows `z` (n × latent), MeV, uncut.
async fn generate_images(
    generator: &Generator,
    z: Vec<f32>,
    latent: usize,
    device: &Device,
) -> Result<Vec<f32>> {
    let n = z.len() / latent;
    let zt = Tensor::<2>::from_data(TensorData::new(z, [n, latent]), device);
    let u = read_f32(generator.forward(zt)).await?;
    Ok(u.into_iter().map(to_mev).collect())
}

/// `n` latent points from N(0, 1).
fn latent_noise(n: usize, cfg: &VaeGanConfig, rng: &mut Rng) -> Vec<f32> {
    (0..n * cfg.latent).map(|_| normal(rng) as f32).collect()
}

/// Showers `from … from + rows` (at most [`SHOWER_CHUNK`]) of a mixture of `generators`, MeV, uncut:
/// latent points from `rng`, shower i from member i mod M.
pub async fn generate_chunk(
    generators: &[Generator],
    cfg: &VaeGanConfig,
    from: usize,
    rows: usize,
    rng: &mut Rng,
    device: &Device,
) -> Result<Vec<f32>> {
    let members = generators.len();
    let z = latent_noise(rows, cfg, rng);
    let mut images = vec![0f32; rows * IMAGE_PIXELS];
    for (m, g) in generators.iter().enumerate() {
        let mine: Vec<usize> = (0..rows).filter(|r| (from + r) % members == m).collect();
        if mine.is_empty() {
            continue;
        }
        let zm: Vec<f32> = mine
            .iter()
            .flat_map(|&r| z[r * cfg.latent..(r + 1) * cfg.latent].iter().copied())
            .collect();
        let im = generate_images(g, zm, cfg.latent, device).await?;
        for (k, &r) in mine.iter().enumerate() {
            images[r * IMAGE_PIXELS..(r + 1) * IMAGE_PIXELS]
                .copy_from_slice(&im[k * IMAGE_PIXELS..(k + 1) * IMAGE_PIXELS]);
        }
    }
    Ok(images)
}

/// Generated showers, in steps of [`SHOWER_CHUNK`] images; each image from member i mod M.
pub struct ShowerSampler<'a> {
    model: &'a TrainedVaeGan,
    n: usize,
    rng: Rng,
    out: Vec<f32>,
}

impl ShowerSampler<'_> {
    fn done(&self) -> usize {
        self.out.len() / IMAGE_PIXELS
    }

    /// Samples up to `chunks` chunks; `true` once every shower is done.
    pub async fn next(&mut self, chunks: usize) -> Result<bool> {
        let model = self.model;
        for _ in 0..chunks.max(1) {
            let from = self.done();
            if from >= self.n {
                break;
            }
            let rows = SHOWER_CHUNK.min(self.n - from);
            let mut images = generate_chunk(
                &model.generators,
                &model.meta.config,
                from,
                rows,
                &mut self.rng,
                &model.device,
            )
            .await?;
            // Generated images are evaluated as the paper evaluates them: the half-MIP cut.
            apply_cut(&mut images, MIP_CUT_MEV);
            self.out.extend(images);
        }
        Ok(self.done() >= self.n)
    }

    pub fn progress(&self) -> f64 {
        self.done() as f64 / self.n.max(1) as f64
    }

    /// The showers, N × 100 values (MeV, cut).
    pub fn into_images(self) -> Vec<f32> {
        self.out
    }
}
