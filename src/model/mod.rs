//! The networks, one file each: a `Config` with the paper's defaults, the module, its forward
//! pass and its loss, in the idiom of Burn 0.22 (plain structs; the `Device` picks the backend).

mod chamfer;
mod gan;
mod jet_vae;
mod mlp;
mod mmd;
pub mod params;
mod smearing;
mod tensor_io;
mod trained;
mod trained_gan;
mod trained_jet;

pub use chamfer::{chamfer, jet_pt_mass};
pub use gan::{
    generate, mjj_gev, EventScales, GanBatch, GanConfig, GanKind, MmdKernel, UnfoldGan,
    COOLING_FRACTION,
};
pub use jet_vae::{to_gev, JetScales, JetVae, JetVaeConfig, VaeNoise, VaeOutput, LOSS_PARTS};
pub use mlp::{Mlp, MlpConfig};
pub use mmd::{mmd, mmd2};
pub use smearing::{pinball, SmearingConfig, SmearingNet};
pub use tensor_io::{read_f32, upload};
pub use trained::{SmearingMeta, Target, TrainedSmearing};
pub use trained_gan::{
    check_object_columns, condition_rows, to_cartesian, to_objects, GanEpoch, TrainedUnfold,
    UnfoldMeta,
};
pub use trained_jet::{standardise_jets, to_feature_major, JetVaeMeta, TrainedJetVae};
