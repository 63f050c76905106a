//! The parametric detectors, as data (serialisable to JSON): the event-level CMS-like detector
//! of the W+jet benchmark (editable resolution formulas and the seed-000 selection) and the
//! particle-level one of the jet benchmark. Each turns generator-level events into paired
//! reco-level events.

mod crystal_ball;
mod ecal;
mod particles;
mod wjets;
mod wz;

pub use crystal_ball::{normal_cdf, normal_quantile, CrystalBall};
pub use ecal::{
    draw_profile, radial, spot_count, spot_profile, Ecal, Layers, Material, Profile, Radial,
    Scratch, ShowerHits, PHOTON_FREE_PATH_X0, SILICON, TUNGSTEN,
};
pub use particles::{JetPair, ParticleDetector};
pub use wjets::{
    JetBin, JetResponse, MetResponse, MuonBin, MuonResponse, RecoEvent, Selection, WjetsDetector,
};
pub use wz::{ElectronBin, WzDetector, WzPair};
