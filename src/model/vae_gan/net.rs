//! The VAE-GAN of Bieringer et al. (seed 003, section 2, figs. 2–3), after Buhmann et al.'s
//! photon-shower network (arXiv:2005.05334) and the LAGAN (arXiv:1701.05927):
//! - an encoder of three convolutions (LeakyReLU, LeakyReLU, ReLU) and two linear heads, the
//!   latent Gaussian's μ and ln σ²;
//! - a generator (the VAE's decoder) in the LAGAN's style: a dense layer to feature maps, a
//!   convolution, then two locally connected layers, whose weights differ per pixel (the
//!   images have no translation symmetry), and a softplus (energies are ≥ 0; a ReLU there
//!   left the untrained generator's outputs at zero, with no gradient to leave it);
//! - a discriminator with spectrally normalised weights, minibatch discrimination, and, into
//!   its last dense layer, the reconstruction difference |x − G(E(x))|; beyond the paper, it
//!   also sees each image's standardised visible and peak energies, as CaloGAN's
//!   discriminator sees the total energy (Paganini et al., arXiv:1712.10321, sec. III).
//!   Without them the generator's E_vis spread came out five times the truth's: a 1-Lipschitz
//!   (spectrally normalised) network cannot resolve an 8 % energy spread from log-scaled
//!   pixels on its own.
//!
//! Pixels enter the networks as u = √(E / 1 GeV) (not in the paper, which does not say how it
//! scales them): the pixel energies span 0.03 to 1000 MeV; the square root still shows the
//! networks the shower's sparse edge (0.1 MeV is u = 0.01), while the core, which sets E_vis,
//! E_peak and the centres of gravity, keeps a resolution a log scale lost (tried: with
//! ln(1 + E)/4 the generated E_peak spread was twelve times the truth's).

use super::layers::{Conv3, Dense, LocallyConnected, MinibatchDiscrimination};
use crate::error::Error;
use crate::physics::IMAGE_SIDE;
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, log_sigmoid, relu, softplus};

/// Network sizes and loss settings. The layer sizes are small (the paper's fig. 3 gives its
/// sizes only as a drawing); the losses, label smoothing and step ratio are section 2's.
#[derive(Config, Debug, PartialEq)]
pub struct VaeGanConfig {
    #[config(default = 24)]
    pub latent: usize,
    /// The encoder's three convolutions (3 × 3).
    #[config(default = "vec![8, 16, 16]")]
    pub enc_channels: Vec<usize>,
    /// The generator: feature maps after its dense layer and its convolution, then the first
    /// locally connected layer's channels (the second makes the image).
    #[config(default = 8)]
    pub gen_channels: usize,
    #[config(default = 8)]
    pub gen_local: usize,
    /// The discriminator: convolution channels, locally connected channels, dense width.
    #[config(default = 8)]
    pub disc_channels: usize,
    #[config(default = 8)]
    pub disc_local: usize,
    #[config(default = 64)]
    pub disc_dense: usize,
    /// Minibatch discrimination: kernels and their dimension.
    #[config(default = 16)]
    pub mb_kernels: usize,
    #[config(default = 4)]
    pub mb_dims: usize,
    #[config(default = 0.2)]
    pub leaky_slope: f64,
    /// One-sided label smoothing: the real images' target (section 2).
    #[config(default = 0.9)]
    pub real_label: f64,
    /// Discriminator steps per encoder/generator step (section 2: two).
    #[config(default = 2)]
    pub d_steps: usize,
    /// Beyond eq. (2.1): the fakes also include images decoded from the prior N(0, 1), as
    /// Larsen et al.'s VAE-GAN (arXiv:1512.09300) does, so the generator is trained on the
    /// latent points it is sampled from.
    #[config(default = true)]
    pub prior_fakes: bool,
    /// Beyond eq. (2.1): the weight of a pixel-wise reconstruction term Σ|x − G(z)|, z ~ q(z|x)
    /// (network scale), as Larsen et al.'s VAE-GAN keeps one. With eq. (2.1) alone the encoder
    /// collapsed onto the prior (KL → 0) and the adversarial game oscillated from epoch to
    /// epoch in our short schedules; 0 gives the paper's loss.
    #[config(default = 1.0)]
    pub recon_weight: f64,
}

/// Per-image energy features the discriminator sees: ln(1 + E_vis) and ln(1 + E_peak) (MeV),
/// standardised. (Standardised energies themselves let one generated outlier of 10⁵ MeV
/// sit a thousand units out, and the discriminator then won outright: tried.)
pub const ENERGY_FEATURES: usize = 2;

/// The standardisation of the energy features: mean and standard deviation of the training
/// images' ln(1 + E_vis) and ln(1 + E_peak).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergyScale {
    pub mean: [f32; 2],
    pub sd: [f32; 2],
}

impl EnergyScale {
    /// From training images (MeV, N × 100).
    pub fn fit(images: &[f32]) -> Self {
        let per: Vec<[f64; 2]> = images
            .chunks_exact(IMAGE_SIDE * IMAGE_SIDE)
            .map(|im| {
                [
                    im.iter().map(|&v| v as f64).sum::<f64>().ln_1p(),
                    (im.iter().copied().fold(0f32, f32::max) as f64).ln_1p(),
                ]
            })
            .collect();
        let n = per.len().max(1) as f64;
        let mut out = EnergyScale {
            mean: [0.0; 2],
            sd: [1.0; 2],
        };
        for k in 0..2 {
            let m = per.iter().map(|p| p[k]).sum::<f64>() / n;
            let v = per.iter().map(|p| (p[k] - m).powi(2)).sum::<f64>() / n;
            out.mean[k] = m as f32;
            out.sd[k] = v.sqrt().max(1e-3) as f32;
        }
        out
    }

    /// The standardised E_vis and E_peak of images [batch, 1, 10, 10] on the network scale,
    /// [batch, 2], differentiable.
    pub fn features(&self, x: Tensor<4>) -> Tensor<2> {
        let batch = x.dims()[0];
        let mev = to_mev_tensor(x);
        let flat: Tensor<2> = mev.reshape([batch as i32, -1]);
        let vis = flat
            .clone()
            .sum_dim(1)
            .add_scalar(1.0)
            .log()
            .sub_scalar(self.mean[0] as f64)
            .div_scalar(self.sd[0] as f64);
        let peak = flat
            .max_dim(1)
            .add_scalar(1.0)
            .log()
            .sub_scalar(self.mean[1] as f64)
            .div_scalar(self.sd[1] as f64);
        Tensor::cat(vec![vis, peak], 1)
    }
}

/// Pixel energy (MeV) ↔ network scale: u = √(E / 1 GeV).
pub const PIXEL_SCALE_MEV: f32 = 1000.0;

pub fn to_net(mev: f32) -> f32 {
    (mev.max(0.0) / PIXEL_SCALE_MEV).sqrt()
}

pub fn to_mev(u: f32) -> f32 {
    PIXEL_SCALE_MEV * u * u
}

/// [`to_mev`] of a tensor (differentiable).
pub fn to_mev_tensor<const D: usize>(u: Tensor<D>) -> Tensor<D> {
    u.powi_scalar(2).mul_scalar(PIXEL_SCALE_MEV as f64)
}

impl VaeGanConfig {
    pub fn validate(&self) -> crate::error::Result<()> {
        let ok = (1..=512).contains(&self.latent)
            && self.enc_channels.len() == 3
            && self.enc_channels.iter().all(|c| (1..=256).contains(c))
            && [
                self.gen_channels,
                self.gen_local,
                self.disc_channels,
                self.disc_local,
                self.mb_kernels,
                self.mb_dims,
            ]
            .iter()
            .all(|c| (1..=256).contains(c))
            && (1..=4096).contains(&self.disc_dense)
            && (0.0..1.0).contains(&self.leaky_slope)
            && (0.5..=1.0).contains(&self.real_label)
            && (1..=10).contains(&self.d_steps)
            && (0.0..=1e4).contains(&self.recon_weight);
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(
                "VAE-GAN configuration",
                format!("{self:?} is out of range"),
            ))
        }
    }

    /// The encoder and generator (trained together), with zero weights: fill them with
    /// `params::seeded_init` or a model file's weights.
    pub fn init_autoencoder(&self, device: &Device) -> Autoencoder {
        Autoencoder {
            encoder: self.init_encoder(device),
            generator: self.init_generator(device),
        }
    }

    pub fn init_encoder(&self, device: &Device) -> Encoder {
        let c = &self.enc_channels;
        let flat = c[2] * IMAGE_SIDE * IMAGE_SIDE;
        Encoder {
            convs: vec![
                Conv3::new(1, c[0], device),
                Conv3::new(c[0], c[1], device),
                Conv3::new(c[1], c[2], device),
            ],
            mu: Dense::new(flat, self.latent, device),
            log_var: Dense::new(flat, self.latent, device),
            slope: self.leaky_slope,
        }
    }

    pub fn init_generator(&self, device: &Device) -> Generator {
        let g = self.gen_channels;
        Generator {
            dense: Dense::new(self.latent, g * IMAGE_SIDE * IMAGE_SIDE, device),
            conv: Conv3::new(g, g, device),
            local1: LocallyConnected::new(g, self.gen_local, IMAGE_SIDE, device),
            local2: LocallyConnected::new(self.gen_local, 1, IMAGE_SIDE, device),
            channels: g,
            slope: self.leaky_slope,
        }
    }

    pub fn init_discriminator(&self, device: &Device) -> Discriminator {
        let flat = self.disc_local * IMAGE_SIDE * IMAGE_SIDE;
        Discriminator {
            conv: Conv3::new(1, self.disc_channels, device),
            local: LocallyConnected::new(self.disc_channels, self.disc_local, IMAGE_SIDE, device),
            dense: Dense::new(flat, self.disc_dense, device),
            minibatch: MinibatchDiscrimination::new(
                self.disc_dense + ENERGY_FEATURES,
                self.mb_kernels,
                self.mb_dims,
                device,
            ),
            out: Dense::new(
                self.disc_dense + ENERGY_FEATURES + self.mb_kernels + 1,
                1,
                device,
            ),
            slope: self.leaky_slope,
        }
    }
}

#[derive(Module, Debug)]
pub struct Encoder {
    convs: Vec<Conv3>,
    mu: Dense,
    log_var: Dense,
    #[module(skip)]
    slope: f64,
}

impl Encoder {
    /// Images [batch, 1, 10, 10] (network scale) → (μ, ln σ²), each [batch, latent].
    pub fn forward(&self, x: Tensor<4>) -> (Tensor<2>, Tensor<2>) {
        let batch = x.dims()[0];
        let mut h = x;
        for (i, conv) in self.convs.iter().enumerate() {
            h = conv.forward(h, false);
            h = if i < 2 {
                leaky_relu(h, self.slope)
            } else {
                relu(h)
            };
        }
        let h: Tensor<2> = h.reshape([batch as i32, -1]);
        (
            self.mu.forward(h.clone(), false),
            self.log_var.forward(h, false).clamp(-20.0, 10.0),
        )
    }
}

#[derive(Module, Debug)]
pub struct Generator {
    pub(crate) dense: Dense,
    pub(crate) conv: Conv3,
    pub(crate) local1: LocallyConnected,
    pub(crate) local2: LocallyConnected,
    #[module(skip)]
    pub(crate) channels: usize,
    #[module(skip)]
    pub(crate) slope: f64,
}

impl Generator {
    /// Latent points [batch, latent] → images [batch, 1, 10, 10] (network scale, ≥ 0).
    pub fn forward(&self, z: Tensor<2>) -> Tensor<4> {
        let batch = z.dims()[0];
        let h = leaky_relu(self.dense.forward(z, false), self.slope).reshape([
            batch,
            self.channels,
            IMAGE_SIDE,
            IMAGE_SIDE,
        ]);
        let h = leaky_relu(self.conv.forward(h, false), self.slope);
        let h = leaky_relu(self.local1.forward(h, false), self.slope);
        softplus(self.local2.forward(h, false), 1.0)
    }
}

/// The encoder and the generator, which one optimiser trains.
#[derive(Module, Debug)]
pub struct Autoencoder {
    pub encoder: Encoder,
    pub generator: Generator,
}

#[derive(Module, Debug)]
pub struct Discriminator {
    conv: Conv3,
    local: LocallyConnected,
    dense: Dense,
    minibatch: MinibatchDiscrimination,
    out: Dense,
    #[module(skip)]
    slope: f64,
}

impl Discriminator {
    /// Logits [batch] of "real" for images [batch, 1, 10, 10], their reconstruction
    /// differences [batch, 1] and their energy features [batch, 2]
    /// ([`EnergyScale::features`]). Every weight is spectrally normalised.
    pub fn forward(&self, x: Tensor<4>, recon_diff: Tensor<2>, energy: Tensor<2>) -> Tensor<1> {
        let batch = x.dims()[0];
        let h = leaky_relu(self.conv.forward(x, true), self.slope);
        let h = leaky_relu(self.local.forward(h, true), self.slope);
        let h: Tensor<2> = h.reshape([batch as i32, -1]);
        let h = leaky_relu(self.dense.forward(h, true), self.slope);
        let h = Tensor::cat(vec![h, energy], 1);
        let mb = self.minibatch.forward(h.clone());
        let features = Tensor::cat(vec![h, mb, recon_diff], 1);
        self.out.forward(features, true).reshape([batch])
    }
}

/// The reparametrised latent draw z = μ + ε σ (ε ~ N(0, 1), given).
pub fn reparametrise(mu: Tensor<2>, log_var: Tensor<2>, eps: Tensor<2>) -> Tensor<2> {
    mu + eps * log_var.mul_scalar(0.5).exp()
}

/// KL(N(μ, σ²) ‖ N(0, 1)), summed over the latent dimensions, mean over the batch: the
/// prior term of eq. (2.1).
pub fn kl_prior(mu: Tensor<2>, log_var: Tensor<2>) -> Tensor<1> {
    let per = (log_var.clone().exp() + mu.powi_scalar(2) - log_var).sub_scalar(1.0);
    per.sum_dim(1).mean().mul_scalar(0.5).reshape([1])
}

/// The pixel-wise reconstruction term: Σ over pixels of |x − x̃|, mean over the batch.
pub fn recon_loss(x: Tensor<4>, reconstructed: Tensor<4>) -> Tensor<1> {
    let batch = x.dims()[0];
    (x - reconstructed)
        .abs()
        .reshape([batch as i32, -1])
        .sum_dim(1)
        .mean()
        .reshape([1])
}

/// The discriminator's loss, eq. (2.1) negated (it maximises L_GAN), with one-sided label
/// smoothing: −⟨s log D(x) + (1 − s) log(1 − D(x))⟩_real − ⟨log(1 − D(G(z)))⟩_fake.
pub fn discriminator_loss(
    real_logits: Tensor<1>,
    fake_logits: Tensor<1>,
    smooth: f64,
) -> Tensor<1> {
    let real = log_sigmoid(real_logits.clone()).mul_scalar(smooth)
        + log_sigmoid(real_logits.neg()).mul_scalar(1.0 - smooth);
    let fake = log_sigmoid(fake_logits.neg());
    (real.mean() + fake.mean()).neg().reshape([1])
}

/// The generator's adversarial loss, the non-saturating −⟨log D(G(z))⟩ (section 2).
pub fn generator_loss(fake_logits: Tensor<1>) -> Tensor<1> {
    log_sigmoid(fake_logits).mean().neg().reshape([1])
}

/// The reconstruction difference the discriminator sees: the mean |x − G(μ(E(x)))| of each
/// image (network scale), [batch, 1], with no gradient.
pub fn recon_diff(ae: &Autoencoder, x: Tensor<4>) -> Tensor<2> {
    let batch = x.dims()[0];
    let (mu, _) = ae.encoder.forward(x.clone().detach());
    let rec = ae.generator.forward(mu);
    (x - rec)
        .abs()
        .reshape([batch as i32, -1])
        .mean_dim(1)
        .detach()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::seeded_init;
    use crate::random::rng;

    #[test]
    fn shapes_and_losses() {
        let device = Device::flex();
        let cfg = VaeGanConfig::new();
        cfg.validate().unwrap();
        let mut r = rng(1, 0);
        let ae = seeded_init(cfg.init_autoencoder(&device), &mut r, &device);
        let d = seeded_init(cfg.init_discriminator(&device), &mut r, &device);
        let x = Tensor::<4>::random(
            [5, 1, 10, 10],
            burn::tensor::Distribution::Uniform(0.0, 1.0),
            &device,
        );
        let (mu, lv) = ae.encoder.forward(x.clone());
        assert_eq!(mu.dims(), [5, cfg.latent]);
        assert_eq!(lv.dims(), [5, cfg.latent]);
        let img = ae.generator.forward(mu.clone());
        assert_eq!(img.dims(), [5, 1, 10, 10]);
        assert!(img.clone().min().into_scalar::<f32>() > 0.0);
        let scale = EnergyScale::fit(&[1.0; 200]);
        assert!(
            (scale.mean[0] - 101f32.ln()).abs() < 1e-5 && (scale.mean[1] - 2f32.ln()).abs() < 1e-6
        );
        let energy = scale.features(img.clone());
        assert_eq!(energy.dims(), [5, 2]);
        let logits = d.forward(img, recon_diff(&ae, x.clone()), energy);
        assert_eq!(logits.dims(), [5]);
        // KL of the prior itself is zero; a shifted mean costs μ²/2 per dimension.
        let zero = Tensor::<2>::zeros([4, 3], &device);
        assert_eq!(
            kl_prior(zero.clone(), zero.clone()).into_scalar::<f32>(),
            0.0
        );
        let kl: f32 = kl_prior(zero.clone().add_scalar(2.0), zero).into_scalar();
        assert!((kl - 6.0).abs() < 1e-5, "{kl}");
        // A perfect discriminator: real logits +∞-ish, fake −∞-ish; with smoothing 1 the
        // loss goes to 0, the generator's to large.
        let big = Tensor::<1>::from_data(TensorData::new(vec![30.0f32; 4], [4]), &device);
        let l: f32 = discriminator_loss(big.clone(), big.clone().neg(), 1.0).into_scalar();
        assert!(l.abs() < 1e-6, "{l}");
        assert!(generator_loss(big.neg()).into_scalar::<f32>() > 29.0);
        for e in [0.0f32, 0.1, 5.0, 600.0] {
            assert!((to_mev(to_net(e)) - e).abs() <= 1e-4 * e.max(1.0));
        }
    }
}
