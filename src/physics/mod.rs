//! Four-vectors, jets of constituents and the derived features of the benchmarks (GeV,
//! radians).

mod antikt;
mod features;
mod fourvec;
mod jet;

pub use antikt::{anti_kt, Cluster};
pub use features::{wjet_features, AUX_FEATURES, MAIN_FEATURES};
pub use fourvec::{delta_phi, FourVector};
pub use jet::{
    from_fixed, jet_momentum, momentum_flows, to_fixed, JetFeatures, Particle, JET_FEATURES,
    MAX_PARTICLES,
};
