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
    /// The model file's header and weights rounded to float16 ([`crate::store::to_half`]),
    /// travelling in the link like `Inline`; this is the SHA-256 of that compact form. It
    /// reproduces the sender's samples within [`HALF_EVENT_TOLERANCE`], not bit for bit, and
    /// the page says so.
    Half { sha256: String },
    /// A pre-trained model of the served `models/` by manifest name and the SHA-256 of its
    /// file: a changed file is refused, not silently used.
    Pinned { name: String, sha256: String },
    /// A model file sent beside the link (too large to travel in it): the recipient loads
    /// `name`, and any file whose SHA-256 differs is refused.
    File { name: String, sha256: String },
}

/// Float16 weights ([`ModelRef::Half`]) move each sampled value by less than this fraction of
/// its feature's standard deviation, on the same events and seed (measured on the paper's
/// 4 × 100 network: 1.8·10⁻³; tests/models.rs).
pub const HALF_EVENT_TOLERANCE: f64 = 0.01;
/// … and each feature's quantile-JS against the detector by less than this (16 quantiles;
/// measured: 1·10⁻⁵).
pub const HALF_JS_TOLERANCE: f64 = 1e-4;

/// The state a link restores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareState {
    pub data: DataOrigin,
    pub train: TrainConfig,
    pub model: ModelRef,
    /// The seed the samples were drawn with.
    pub sample_seed: u64,
}
