//! Seed 003's VAE-GAN on 10 × 10 calorimeter images, its layers and its trained form.

mod layers;
mod net;
mod trained;

pub use layers::{spectral_normalise, LocallyConnected, MinibatchDiscrimination};
pub use net::{
    discriminator_loss, generator_loss, kl_prior, recon_diff, recon_loss, reparametrise, to_mev,
    to_net, Autoencoder, Discriminator, Encoder, EnergyScale, Generator, VaeGanConfig,
    PIXEL_SCALE_MEV,
};
pub use trained::{
    generate_chunk, ShowerEpoch, ShowerSampler, TrainedVaeGan, VaeGanMeta, SHOWER_CHUNK,
};
