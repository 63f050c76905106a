//! The networks, one folder each: a `Config` with the paper's defaults, the module, its forward
//! pass and its loss (`net.rs`), in the idiom of Burn 0.22 (plain structs; the `Device` picks
//! the backend), and its trained form (`trained.rs`): the weights with everything needed to
//! apply them, as a model file stores them. This layer knows nothing of training loops.

pub mod fast;
mod flow;
mod history;
mod jet_vae;
mod mlp;
pub mod params;
mod smearing;
mod tensor_io;
mod unfold_gan;
mod vae_gan;

pub use flow::{FlowNet, FlowSpec, Spline, MIN_BIN, MIN_DERIVATIVE};
pub use history::{EpochReport, Stop, TrainConfig};
pub use jet_vae::{
    chamfer, jet_pt_mass, standardise_jets, to_feature_major, to_gev, HostNoise, JetSampler,
    JetScales, JetVae, JetVaeConfig, JetVaeMeta, TrainedJetVae, VaeNoise, VaeOutput, LOSS_PARTS,
};
pub use mlp::{Mlp, MlpConfig};
pub use smearing::{
    pinball, ResponseNet, SmearingConfig, SmearingMeta, SmearingNet, SmearingSampler, Target,
    TrainedSmearing,
};
pub use tensor_io::{read_f32, upload};
pub use unfold_gan::{
    check_object_columns, condition_rows, generate, mjj_gev, mmd, mmd2, to_cartesian, to_objects,
    EventScales, GanBatch, GanConfig, GanEpoch, GanKind, KernelShape, MmdKernel, TrainedUnfold,
    UnfoldGan, UnfoldMeta, COOLING_FRACTION,
};
pub use vae_gan::{
    discriminator_loss, generate_chunk, generator_loss, kl_prior, recon_diff, recon_loss,
    reparametrise, spectral_normalise, to_mev, to_net, Autoencoder, Discriminator, Encoder,
    EnergyScale, Generator, LocallyConnected, MinibatchDiscrimination, ShowerEpoch, ShowerSampler,
    TrainedVaeGan, VaeGanConfig, VaeGanMeta, PIXEL_SCALE_MEV, SHOWER_CHUNK,
};
