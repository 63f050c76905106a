//! The parametric detector: editable resolution formulas and the seed-000 selection, as data
//! (serialisable to JSON), turning generator-level events into paired reco-level events.

mod cms;

pub use cms::{
    Detector, JetBin, JetResponse, MetResponse, MuonBin, MuonResponse, RecoEvent, Selection,
};
