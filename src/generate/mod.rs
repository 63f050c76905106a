//! Seeded event generators, one per process. They know nothing of the detector.

mod jets;
mod wjets;
mod wz;

pub use jets::{GenJetEvent, GenParticle, JetsConfig, Species};
pub use wjets::{WJetGenEvent, WJetsConfig, MU_MASS, W_MASS, W_WIDTH};
pub use wz::{WzConfig, WzGenEvent, E_MASS, Z_MASS, Z_WIDTH};
