//! Seed 001's jet VAE on particle constituents, its Chamfer and jet losses, and its trained
//! form.

mod chamfer;
mod net;
mod trained;

pub use chamfer::{chamfer, jet_pt_mass};
pub use net::{
    to_gev, HostNoise, JetScales, JetVae, JetVaeConfig, VaeNoise, VaeOutput, LOSS_PARTS,
};
pub use trained::{standardise_jets, to_feature_major, JetSampler, JetVaeMeta, TrainedJetVae};
