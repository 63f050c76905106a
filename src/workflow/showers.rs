//! The shower method's one home (seed 003): the training showers, the schedules, the mixture
//! of trainings, and the Calomplification study of its samples (observables, JS curves,
//! amplification, baselines), for the command line and the page alike.

use crate::error::{Error, Result};
use crate::model::{TrainConfig, TrainedVaeGan, VaeGanConfig};
use crate::train::VaeGanJob;

/// Training showers per set: the paper trains each network on 1k (section 2).
pub const TRAIN_SHOWERS: usize = 1000;
/// Trainings whose generators make one model (section 2: three per training set).
pub const MEMBERS: usize = 3;

/// The paper's schedule: Adam at 8·10⁻⁶ for ~50,000 epochs of 1k showers (24 h on a P100,
/// section 2).
pub const PAPER: TrainConfig = TrainConfig {
    epochs: 50_000,
    batch_size: 64,
    lr: 8e-6,
    val_fraction: 0.3,
    seed: 1,
    lr_decay: false,
};

/// The faster schedule this project trains with (the command line's and the page's
/// default): Adam at 5·10⁻⁴ (β₁ = 0.5) for 300 epochs. The paper's rate would need its
/// ~50,000 epochs, days on a CPU; the model selection keeps the best epoch either way.
pub const FAST: TrainConfig = TrainConfig {
    epochs: 300,
    batch_size: 64,
    lr: 5e-4,
    val_fraction: 0.3,
    seed: 1,
    lr_decay: false,
};

/// The network: the defaults of [`VaeGanConfig`].
pub fn net_config() -> VaeGanConfig {
    VaeGanConfig::new()
}

/// The schedule by name (`fast` or `paper`).
pub fn schedule(name: &str) -> Result<TrainConfig> {
    match name {
        "fast" => Ok(FAST),
        "paper" => Ok(PAPER),
        _ => Err(Error::invalid(
            "schedule",
            format!("'{name}' (choose fast or paper)"),
        )),
    }
}

/// The seed of member `m` of a mixture trained with `seed`.
pub fn member_seed(seed: u64, m: usize) -> u64 {
    seed.wrapping_add(1000 * m as u64)
}

/// A training run of member `m` on `images` (MeV, uncut).
pub fn member_job(
    images: &[f32],
    pixel_mm: f32,
    net: VaeGanConfig,
    cfg: &TrainConfig,
    m: usize,
    device: &burn::prelude::Device,
) -> Result<VaeGanJob> {
    let cfg = TrainConfig {
        seed: member_seed(cfg.seed, m),
        ..cfg.clone()
    };
    VaeGanJob::new(images, pixel_mm, net, cfg, device)
}

/// The trained members as one mixture model.
pub fn mixture(members: Vec<TrainedVaeGan>) -> Result<TrainedVaeGan> {
    TrainedVaeGan::mixture(members)
        .ok_or_else(|| Error::invalid("VAE-GAN", "no member finished training"))
}
