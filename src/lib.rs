//! fastsim-lab: learn a particle detector's response from paired generator-level and
//! reconstruction-level samples with small neural networks (Burn), in the browser (WebGPU or
//! CPU) and on the command line. Layers follow DESIGN.md: data flows
//! recipe → events → table → model → samples → metrics → plots.

pub mod backend;
pub mod data;
pub mod detector;
pub mod error;
pub mod generate;
pub mod metrics;
pub mod model;
pub mod numfmt;
pub mod physics;
pub mod plot;
pub mod random;
pub mod recipe;
pub mod share;
pub mod store;
pub mod train;
pub mod workflow;

#[cfg(target_arch = "wasm32")]
pub mod app;

pub use error::{Error, Result};
