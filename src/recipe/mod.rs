//! The built-in datasets, one file per method: a seeded generator run through its detector,
//! in steps, into the paired gen_/reco_ table (or jet arrays) that method learns from.
//! W+jet (seed 000), jets with constituents (seed 001), WZ and W′ (seed 002).

mod jets;
mod showers;
mod wjets;
mod wz;

pub use jets::*;
pub use showers::*;
pub use wjets::*;
pub use wz::*;
