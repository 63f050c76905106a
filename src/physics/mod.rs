//! Four-vectors and the derived features of the W(→μν)+jet benchmark (GeV, radians).

mod features;
mod fourvec;

pub use features::{wjet_features, AUX_FEATURES, MAIN_FEATURES};
pub use fourvec::{delta_phi, FourVector};
