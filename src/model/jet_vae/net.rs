//! The particle-based jet VAE of Touranakou et al. (seed 001, section 4 and fig. 1): a
//! generator-level jet, 3 × 50 standardised (px, py, pz) of its pT-ordered constituents, is
//! encoded to a 20-d Gaussian latent; the decoder turns a draw from it into the reco-level
//! jet's 3 × 50 constituent list.
//!
//! Beyond the paper, `masked = true` adds an existence score per output slot (trained against
//! the target's real particles) and keeps the zero-padding out of the Chamfer and jet terms:
//! the paper traces its broken momentum flows to those fake particles (section 6).

use super::chamfer::{chamfer, jet_pt_mass};
use crate::model::params::{seeded_init, to_flat_cpu};
use crate::random::{normal, uniform, Rng};
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::interpolate::{Interpolate2dConfig, InterpolateMode};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{LeakyRelu, LeakyReluConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::log_sigmoid;
use serde::{Deserialize, Serialize};

/// Seed 001, section 4, with the loss weights of eq. (1) and section 6 (β = 1/9).
#[derive(Config, Debug, PartialEq)]
pub struct JetVaeConfig {
    /// Constituents per jet (zero-padded / truncated, pT-ordered).
    #[config(default = 50)]
    pub particles: usize,
    /// Output channels of the three convolutions: 32 (3×5), 64 (1×5), 128 (1×5).
    #[config(default = "vec![32, 64, 128]")]
    pub channels: Vec<usize>,
    /// The two dense layers after the convolutions.
    #[config(default = 640)]
    pub dense1: usize,
    #[config(default = 150)]
    pub dense2: usize,
    #[config(default = 20)]
    pub latent: usize,
    #[config(default = 0.1)]
    pub leaky_slope: f64,
    #[config(default = 0.2)]
    pub dropout: f64,
    /// eq. (1): β weighs the KL term, 1 − β the reconstruction terms.
    #[config(default = 0.1111111111111111)]
    pub beta: f64,
    #[config(default = 1.0)]
    pub alpha_m: f64,
    #[config(default = 0.1)]
    pub alpha_pt: f64,
    /// The masked variant (not in the paper): existence scores, padding left out of the loss.
    #[config(default = false)]
    pub masked: bool,
}

/// The standardisation and the units of the jet terms, fixed from the training sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JetScales {
    /// Per feature (px, py, pz), GeV, over every slot (padding included, as the paper's
    /// per-feature standardisation of the 3 × 50 table).
    pub mean: [f32; 3],
    pub std: [f32; 3],
    /// The units (GeV) in which the jet pT and mass terms of eq. (1) are measured: training
    /// uses the standardisation scale of the transverse momenta, so every term is a squared
    /// distance in the unit of the Chamfer term's coordinates. (The paper chose α so that the
    /// terms have similar magnitudes; in GeV² the pT term swamps the others: tried, the model
    /// then lost the constituents' directions.)
    pub pt: f32,
    pub m: f32,
}

#[derive(Module, Debug)]
pub struct JetVae {
    enc_conv: Vec<Conv2d>,
    enc_dense: Vec<Linear>,
    mu: Linear,
    log_var: Linear,
    dec_dense: Vec<Linear>,
    dec_conv: Vec<ConvTranspose2d>,
    exist: Option<Linear>,
    pool: MaxPool2d,
    activation: LeakyRelu,
    #[module(skip)]
    widths: [usize; 3],
    #[module(skip)]
    channels: [usize; 3],
}

/// The random inputs of one forward pass, drawn on the host from a seeded stream so training
/// and sampling are reproducible on every backend: the latent ε ~ N(0, 1) and, in training,
/// the dropout masks (already divided by the keep probability).
pub struct VaeNoise {
    pub eps: Tensor<2>,
    pub dropout: Option<[Tensor<2>; 3]>,
}

/// What a forward pass gives: the standardised output jets `[batch, 3, particles]`, the
/// existence logits `[batch, particles]` of the masked variant, and the latent μ, ln σ².
pub struct VaeOutput {
    pub jets: Tensor<3>,
    pub exist: Option<Tensor<2>>,
    pub mu: Tensor<2>,
    pub log_var: Tensor<2>,
}

impl JetVaeConfig {
    /// Spatial widths along the particle axis: input, after the first and the second
    /// 1×2 max pooling (stride 2 along particles; the 3 feature rows are kept).
    pub fn widths(&self) -> [usize; 3] {
        let w0 = self.particles;
        [w0, w0 / 2, w0 / 4]
    }

    pub fn validate(&self) -> crate::error::Result<()> {
        let ok = self.channels.len() == 3
            && self.channels.iter().all(|&c| (1..=1024).contains(&c))
            && (4..=512).contains(&self.particles)
            && (1..=8192).contains(&self.dense1)
            && (1..=8192).contains(&self.dense2)
            && (1..=1024).contains(&self.latent)
            && (0.0..1.0).contains(&self.dropout)
            && (0.0..=1.0).contains(&self.beta)
            && self.alpha_m.is_finite()
            && self.alpha_pt.is_finite();
        if ok {
            Ok(())
        } else {
            Err(crate::error::Error::invalid(
                "jet VAE configuration",
                format!("{self:?} is out of range"),
            ))
        }
    }

    /// The network with seeded PyTorch-default weights (see `params::seeded_init`).
    pub fn init(&self, rng: &mut Rng, device: &Device) -> JetVae {
        seeded_init(self.init_shapes(device), rng, device)
    }

    /// The seeded initial weights of [`JetVaeConfig::init`], flat (the layout of `to_flat`):
    /// the same values on every backend, drawn here on the CPU device.
    pub fn init_flat(&self, rng: &mut Rng) -> Vec<f32> {
        let cpu = Device::flex();
        to_flat_cpu(&seeded_init(self.init_shapes(&cpu), rng, &cpu))
    }

    /// The network's layers with Burn's own initial values (to be overwritten: by
    /// `seeded_init`, or by a model file's weights through `params::from_flat`).
    pub fn init_shapes(&self, device: &Device) -> JetVae {
        let [c1, c2, c3] = [self.channels[0], self.channels[1], self.channels[2]];
        let widths = self.widths();
        let flat = c3 * 3 * widths[2];
        let conv = |i: usize, o: usize, kh: usize| {
            Conv2dConfig::new([i, o], [kh, 5])
                .with_padding(PaddingConfig2d::Explicit((kh - 1) / 2, 2, (kh - 1) / 2, 2))
                .init(device)
        };
        let conv_t = |i: usize, o: usize, kh: usize| {
            ConvTranspose2dConfig::new([i, o], [kh, 5])
                .with_padding([(kh - 1) / 2, 2])
                .init(device)
        };
        let dense = |i: usize, o: usize| LinearConfig::new(i, o).init(device);
        JetVae {
            enc_conv: vec![conv(1, c1, 3), conv(c1, c2, 1), conv(c2, c3, 1)],
            enc_dense: vec![dense(flat, self.dense1), dense(self.dense1, self.dense2)],
            mu: dense(self.dense2, self.latent),
            log_var: dense(self.dense2, self.latent),
            dec_dense: vec![
                dense(self.latent, self.dense2),
                dense(self.dense2, self.dense1),
                dense(self.dense1, flat),
            ],
            dec_conv: vec![conv_t(c3, c2, 1), conv_t(c2, c1, 1), conv_t(c1, 1, 3)],
            exist: self.masked.then(|| dense(self.dense1, self.particles)),
            pool: MaxPool2dConfig::new([1, 2]).with_strides([1, 2]).init(),
            activation: LeakyReluConfig::new()
                .with_negative_slope(self.leaky_slope)
                .init(),
            widths,
            channels: [c1, c2, c3],
        }
    }

    /// ε and (when `train`) dropout masks for a batch of `batch` jets, on `device`.
    pub fn noise(&self, batch: usize, train: bool, rng: &mut Rng, device: &Device) -> VaeNoise {
        let host = self.host_noise(batch, train, rng);
        let upload = |v: Vec<f32>, width: usize| {
            Tensor::from_data(TensorData::new(v, [batch, width]), device)
        };
        let [d1, d2, d3] = [self.dense1, self.dense2, self.dense1];
        VaeNoise {
            eps: upload(host.eps, self.latent),
            dropout: host
                .dropout
                .map(|[a, b, c]| [upload(a, d1), upload(b, d2), upload(c, d3)]),
        }
    }

    /// The same draws as [`JetVaeConfig::noise`], on the host (the fast path's): ε
    /// (batch × latent), then the masks of the dense layers (dense1, dense2, dense1 wide).
    pub fn host_noise(&self, batch: usize, train: bool, rng: &mut Rng) -> HostNoise {
        let eps = (0..batch * self.latent)
            .map(|_| normal(rng) as f32)
            .collect();
        let dropout = (train && self.dropout > 0.0).then(|| {
            let keep = 1.0 - self.dropout;
            let mut mask = |width: usize| -> Vec<f32> {
                (0..batch * width)
                    .map(|_| {
                        if uniform(rng) < keep {
                            (1.0 / keep) as f32
                        } else {
                            0.0
                        }
                    })
                    .collect()
            };
            [mask(self.dense1), mask(self.dense2), mask(self.dense1)]
        });
        HostNoise { eps, dropout }
    }
}

/// [`VaeNoise`] on the host, row-major.
pub struct HostNoise {
    pub eps: Vec<f32>,
    pub dropout: Option<[Vec<f32>; 3]>,
}

impl JetVae {
    /// Encoder → z = μ + σ·ε → decoder, for standardised jets `[batch, 3, particles]`.
    pub fn forward(&self, x: Tensor<3>, noise: &VaeNoise) -> VaeOutput {
        let [b, _, p] = x.dims();
        let act = |t: Tensor<4>| self.activation.forward(t);
        let drop = |t: Tensor<2>, i: usize| match &noise.dropout {
            Some(m) => t * m[i].clone(),
            None => t,
        };
        // Encoder: conv 3×5 → pool → conv 1×5 → pool → conv 1×5 → dense → dense.
        let h = x.reshape([b, 1, 3, p]);
        let h = self.pool.forward(act(self.enc_conv[0].forward(h)));
        let h = self.pool.forward(act(self.enc_conv[1].forward(h)));
        let h = act(self.enc_conv[2].forward(h));
        let h = h.flatten::<2>(1, 3);
        let h = drop(self.activation.forward(self.enc_dense[0].forward(h)), 0);
        let h = self.activation.forward(self.enc_dense[1].forward(h));
        let mu = self.mu.forward(h.clone());
        let log_var = self.log_var.forward(h);
        let z = mu.clone() + log_var.clone().mul_scalar(0.5).exp() * noise.eps.clone();
        // Decoder: dense ×3 → convT 1×5 → upsample → convT 1×5 → upsample → convT 3×5.
        let h = drop(self.activation.forward(self.dec_dense[0].forward(z)), 1);
        let h640 = drop(self.activation.forward(self.dec_dense[1].forward(h)), 2);
        let exist = self.exist.as_ref().map(|l| l.forward(h640.clone()));
        let h = self.activation.forward(self.dec_dense[2].forward(h640));
        let [_, _, c3] = self.channels;
        let h = h.reshape([b, c3, 3, self.widths[2]]);
        let h = act(self.dec_conv[0].forward(h));
        let h = upsample(h, self.widths[1]);
        let h = act(self.dec_conv[1].forward(h));
        let h = upsample(h, self.widths[0]);
        let jets = self.dec_conv[2].forward(h).reshape([b, 3, p]);
        VaeOutput {
            jets,
            exist,
            mu,
            log_var,
        }
    }

    /// Eq. (1) per batch, averaged over jets: β·KL + (1 − β)·(L_R + α_m (m − m̂)² +
    /// α_pT (pT − p̂T)²) (+ the existence cross-entropy for the masked variant), with m and pT
    /// in units of [`JetScales`]. `target` is standardised `[batch, 3, particles]`, `mask` its
    /// real particles `[batch, particles]`. Returns [total, KL, Chamfer, mass, pT, existence].
    pub fn loss(
        &self,
        cfg: &JetVaeConfig,
        scales: &JetScales,
        input: Tensor<3>,
        target: Tensor<3>,
        mask: Tensor<2>,
        noise: &VaeNoise,
    ) -> Tensor<1> {
        let out = self.forward(input, noise);
        let device = target.device();
        let kl = (out.log_var.clone().add_scalar(1.0) - out.mu.square() - out.log_var.exp())
            .sum_dim(1)
            .mul_scalar(-0.5)
            .mean();
        let weight = if cfg.masked {
            mask.clone()
        } else {
            Tensor::ones(mask.dims(), &device)
        };
        let rec = chamfer(
            target.clone(),
            out.jets.clone(),
            cfg.masked.then(|| mask.clone()),
        )
        .mean();
        let (pt_t, m_t) = jet_pt_mass(to_gev(target, scales), weight.clone());
        let (pt_o, m_o) = jet_pt_mass(to_gev(out.jets, scales), weight);
        let dm = (m_t - m_o).div_scalar(scales.m as f64).square().mean();
        let dpt = (pt_t - pt_o).div_scalar(scales.pt as f64).square().mean();
        let exist = match out.exist {
            Some(logits) => {
                let pos = log_sigmoid(logits.clone()) * mask.clone();
                let neg = log_sigmoid(logits.neg()) * mask.neg().add_scalar(1.0);
                (pos + neg).sum_dim(1).neg().mean()
            }
            None => Tensor::zeros([1], &device),
        };
        let recon = rec.clone()
            + dm.clone().mul_scalar(cfg.alpha_m)
            + dpt.clone().mul_scalar(cfg.alpha_pt)
            + exist.clone();
        let total = kl.clone().mul_scalar(cfg.beta) + recon.mul_scalar(1.0 - cfg.beta);
        Tensor::cat(vec![total, kl, rec, dm, dpt, exist], 0)
    }
}

/// Names of the loss components [`JetVae::loss`] returns after the total.
pub const LOSS_PARTS: [&str; 5] = ["KL", "Chamfer", "mass", "pT", "existence"];

/// Standardised `[batch, 3, particles]` back to GeV.
pub fn to_gev(t: Tensor<3>, s: &JetScales) -> Tensor<3> {
    let device = t.device();
    let mean = Tensor::<1>::from_data(TensorData::new(s.mean.to_vec(), [3]), &device);
    let std = Tensor::<1>::from_data(TensorData::new(s.std.to_vec(), [3]), &device);
    t * std.reshape([1, 3, 1]) + mean.reshape([1, 3, 1])
}

/// Bilinear upsampling (PyTorch `Upsample(mode="bilinear")`, corners not aligned) along the particle axis to `width` (the 3 feature rows are kept).
fn upsample(t: Tensor<4>, width: usize) -> Tensor<4> {
    Interpolate2dConfig::new()
        .with_output_size(Some([3, width]))
        .with_mode(InterpolateMode::Linear)
        .with_align_corners(false)
        .init()
        .forward(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::rng;

    /// The shapes of seed 001, fig. 1: 1×3×50 → 32×3×25 → 64×3×12 → 128×3×12 → 640 → 150 →
    /// 20, and back to 3×50.
    #[test]
    fn encoder_and_decoder_shapes() {
        let d = Device::flex();
        for masked in [false, true] {
            let cfg = JetVaeConfig::new().with_masked(masked);
            let net = cfg.init(&mut rng(1, 1), &d);
            let x = Tensor::<3>::zeros([2, 3, 50], &d);
            let noise = cfg.noise(2, true, &mut rng(1, 2), &d);
            let out = net.forward(x, &noise);
            assert_eq!(out.jets.dims(), [2, 3, 50]);
            assert_eq!(out.mu.dims(), [2, 20]);
            assert_eq!(out.log_var.dims(), [2, 20]);
            assert_eq!(out.exist.map(|e| e.dims()), masked.then_some([2, 50]));
            assert_eq!(cfg.widths(), [50, 25, 12]);
            assert_eq!(net.enc_dense[0].weight.dims(), [128 * 3 * 12, 640]);
        }
    }
}
