//! Seeded event generators, one per process. They know nothing of the detector.

mod jets;
mod showers;
mod wjets;
mod wz;

pub use jets::{GenJetEvent, GenParticle, JetsConfig, Species};
pub use showers::PhotonGun;
pub use wjets::{WJetGenEvent, WJetsConfig};
pub use wz::{WzConfig, WzGenEvent};
