//! The fast CPU path: the networks written out on a GEMM crate, with fixed buffers, a
//! one-pass Adam that reproduces burn-optim's, and blocked multi-threaded sampling. Burn stays
//! the reference (tests compare both) and the GPU path; training and sampling take this path
//! on the CPU device for the networks it covers: the smearing pair of seed 000, the jet VAE of
//! seed 001 (convolutions as products on the unrolled input) and the unfolding GANs of seed 002.

mod activation;
mod adam;
mod conv;
mod dense;
mod gan;
mod gemm;
mod jet_vae;
mod mlp;
pub(crate) mod parallel;
mod smearing;

pub(crate) use activation::sigmoid;
pub use adam::Adam;
pub use conv::upsample_taps;
pub use gan::{generate_rows, mjj_with_grad, mmd_with_grad, FusedGan, GanRows};
pub use jet_vae::{FusedJetVae, JetLoss};
pub use mlp::{FusedMlp, Workspace};
pub use smearing::{sample as sample_smearing, FusedSmearing, SAMPLE_BLOCK};

#[cfg(test)]
mod gan_tests;
#[cfg(test)]
mod jet_vae_tests;
#[cfg(test)]
mod tests;
