//! What a link carries: the data (a built-in recipe, or only the hash of an uploaded file), the
//! training settings, the model (its file inline, or a pinned `models/` entry), and the
//! sampling seed. Nothing in it is executed: every field is data, checked when it is used.

use crate::model::TrainConfig;
use crate::recipe::DataOrigin;
use serde::{Deserialize, Serialize};

/// Which weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ModelRef {
    /// No model yet (a link to data only).
    None,
    /// The model file travels in the link, after the state (see [`super::encode`]); this is its
    /// SHA-256, checked on arrival besides the file's own.
    Inline { sha256: String },
    /// A pre-trained model of the served `models/` by manifest name and the SHA-256 of its
    /// file: a changed file is refused, not silently used.
    Pinned { name: String, sha256: String },
}

/// The state a link restores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareState {
    pub data: DataOrigin,
    pub train: TrainConfig,
    pub model: ModelRef,
    /// The seed the samples were drawn with.
    pub sample_seed: u64,
}
