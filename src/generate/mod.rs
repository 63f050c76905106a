//! Seeded event generators, one per process. They know nothing of the detector.

mod wjets;

pub use wjets::{WJetGenEvent, WJetsConfig, MU_MASS, W_MASS, W_WIDTH};
