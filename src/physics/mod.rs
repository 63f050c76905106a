//! Four-vectors, jets of constituents and the derived features of the benchmarks (GeV,
//! radians).

mod antikt;
mod constants;
mod features;
mod fourvec;
mod jet;
mod shower;
mod wz;

pub use antikt::{anti_kt, Cluster};
pub use constants::{E_MASS, MU_MASS, W_MASS, W_WIDTH, Z_MASS, Z_WIDTH};
pub use features::{main_columns, wjet_features, wjets_columns, AUX_FEATURES, MAIN_FEATURES};
pub use fourvec::{delta_phi, FourVector};
pub use jet::{
    from_fixed, jet_momentum, momentum_flows, to_fixed, JetFeatures, Particle, JET_FEATURES,
    MAX_PARTICLES,
};
pub use shower::{
    apply_cut, reduce, Observable, IMAGE_PIXELS, IMAGE_SIDE, MIP_CUT_MEV, PIXEL_CUT_MEV, POOL,
};
pub use wz::{
    wz_columns, wz_masses, wz_masses_of_jets, wz_object_columns, WPRIME_COLUMN, WZ_DERIVED,
    WZ_OBJECTS, WZ_VARS,
};
