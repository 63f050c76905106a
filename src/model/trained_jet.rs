//! A trained jet VAE with what applying it needs: configuration, standardisation, training
//! summary, and sampling reco-level jets from gen-level ones with the acceptance applied after
//! inference (seed 001, section 5).

use super::{read_f32, to_gev, JetScales, JetVae, JetVaeConfig};
use crate::data::JET_VALUES;
use crate::error::{Error, Result};
use crate::physics::{to_fixed, Particle, MAX_PARTICLES};
use crate::random::rng;
use crate::train::{EpochReport, TrainConfig};
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

    /// Reco-level jets (file layout, `n × 50 × 3`) for the gen-level jets `gen` (same layout):
    /// one latent draw per jet from the seeded stream `seed`; output constituents below the
    /// acceptance (and, for the masked variant, slots whose existence score is below ½) are
    /// dropped, the rest pT-ordered and zero-padded.
    pub async fn sample(&self, gen: &[f32], seed: u64) -> Result<Vec<f32>> {
        self.sample_chunked(gen, seed, SAMPLE_CHUNK, |_| std::future::ready(true))
            .await
    }

    /// As [`TrainedJetVae::sample`], awaiting `between(progress)` after each chunk (`false`
    /// cancels). The noise stream runs on across chunks: the result does not depend on `chunk`.
    pub async fn sample_chunked<F, Fut>(
        &self,
        gen: &[f32],
        seed: u64,
        chunk: usize,
        mut between: F,
    ) -> Result<Vec<f32>>
    where
        F: FnMut(f64) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
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
        let cfg = &self.meta.config;
        let s = &self.meta.scales;
        let n = gen.len() / JET_VALUES;
        let x = standardise_jets(gen, s);
        let mut noise = rng(seed, 17);
        let mut out = Vec::with_capacity(gen.len());
        for part in x.chunks(chunk.max(1) * JET_VALUES) {
            let rows = part.len() / JET_VALUES;
            let xt = Tensor::<3>::from_data(
                TensorData::new(part.to_vec(), [rows, 3, MAX_PARTICLES]),
                &self.device,
            );
            let eps = cfg.noise(rows, false, &mut noise, &self.device);
            let o = self.net.forward(xt, &eps);
            let jets = read_f32(to_gev(o.jets, s)).await?;
            let exist = match o.exist {
                Some(e) => Some(read_f32(sigmoid(e)).await?),
                None => None,
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
                    .filter(|p| p.pt() > self.meta.min_pt && p.eta().abs() < self.meta.max_eta)
                    .collect();
                out.extend_from_slice(to_fixed(&ps).as_flattened());
            }
            if !between(out.len() as f64 / (n * JET_VALUES).max(1) as f64).await {
                return Err(Error::Cancelled);
            }
        }
        Ok(out)
    }
}
