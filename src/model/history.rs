//! What a training run records with the model it made: the settings it ran with and what each
//! epoch gave. Plain data, so the model files, the trainer and the plots share one definition.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Seed 000, section 3: Adam, batches of 128, lr = 10⁻³/(1 + epoch), 70/30 split; the paper
/// trains 100 epochs (convergence by ~30).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    /// Initial learning rate; epoch e (from 0) uses lr / (1 + e).
    pub lr: f64,
    pub val_fraction: f64,
    pub seed: u64,
    /// Seed 000's lr/(1 + epoch) when true; a constant lr (seed 001's Adam at 10⁻⁴) when false.
    #[serde(default = "yes")]
    pub lr_decay: bool,
}

fn yes() -> bool {
    true
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 100,
            batch_size: 128,
            lr: 1e-3,
            val_fraction: 0.3,
            seed: 1,
            lr_decay: true,
        }
    }
}

impl TrainConfig {
    /// These settings with each one the user gave in place of its default.
    pub fn overridden(
        &self,
        epochs: Option<usize>,
        batch: Option<usize>,
        lr: Option<f64>,
        seed: u64,
    ) -> TrainConfig {
        TrainConfig {
            epochs: epochs.unwrap_or(self.epochs),
            batch_size: batch.unwrap_or(self.batch_size),
            lr: lr.unwrap_or(self.lr),
            seed,
            ..self.clone()
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.epochs == 0 || self.epochs > 100_000 {
            return Err(Error::invalid(
                "epochs",
                format!("{} (1 to 100000)", self.epochs),
            ));
        }
        if self.batch_size == 0 || self.batch_size > 1 << 20 {
            return Err(Error::invalid(
                "batch size",
                format!("{} (1 to 1048576)", self.batch_size),
            ));
        }
        if !(self.lr.is_finite() && self.lr > 0.0 && self.lr < 10.0) {
            return Err(Error::invalid(
                "learning rate",
                format!("{} (0 < lr < 10)", self.lr),
            ));
        }
        if !(self.val_fraction > 0.0 && self.val_fraction < 1.0) {
            return Err(Error::invalid(
                "validation fraction",
                format!("{} (between 0 and 1)", self.val_fraction),
            ));
        }
        Ok(())
    }
}

/// What one epoch gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// Counting from 1.
    pub epoch: usize,
    pub train_loss: f64,
    pub val_loss: f64,
    pub lr: f64,
    /// The epoch whose weights are kept so far (lowest validation loss).
    pub best_epoch: usize,
    /// The loss's components besides the total (mean per event), for losses that have them
    /// (the jet VAE's KL, Chamfer, mass and pT terms).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub train_parts: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub val_parts: Vec<f64>,
    /// The model-selection score of this epoch (lower is better) when the run selects by one
    /// other than the validation loss and scored this epoch: the jet VAE's summed symmetrised
    /// KLD (seed 001, section 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<f64>,
}

/// Why training ended before its last epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Stop {
    /// The loss became NaN or infinite at this epoch; the best earlier weights are kept.
    Diverged {
        epoch: usize,
    },
    Cancelled {
        epoch: usize,
    },
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Diverged { epoch } => write!(
                f,
                "the loss became NaN at epoch {epoch} (try a smaller learning rate); the best earlier weights are kept"
            ),
            Stop::Cancelled { epoch } => write!(f, "cancelled during epoch {epoch}; the best weights so far are kept"),
        }
    }
}
