//! One home per method: each workflow owns, once, what the command line and the page both do
//! with it — presets and defaults, the split and seed policy, the quality figure a model file
//! stores, closure tests and cuts, ensembles and augmentation, the figures a report draws —
//! and runs its long parts as [`Stepped`] work. Front ends parse, render and dispatch.

pub mod bench;
pub mod compare;
pub mod evaluate;
pub mod jets;
pub mod seeds;
pub mod showers;
pub mod smearing;
mod steps;
pub mod unfold;

#[cfg(not(target_arch = "wasm32"))]
pub use steps::run_to_end;
pub use steps::{run_steps, Epochs, Stepped};

use crate::error::{Error, Result};

/// Network sizes of the jet VAE and the GANs: the paper's, or a small one for quick runs
/// (the page's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Paper,
    Small,
}

impl Preset {
    pub fn parse(s: &str) -> Result<Preset> {
        match s {
            "paper" => Ok(Preset::Paper),
            "small" => Ok(Preset::Small),
            _ => Err(Error::invalid(
                "preset",
                format!("'{s}' (choose paper or small)"),
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Preset::Paper => "paper",
            Preset::Small => "small",
        }
    }
}
