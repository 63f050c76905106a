//! Model files: a versioned header (configuration, columns, standardisation, training
//! summary), the weights, and a SHA-256 of the content that loading checks.

mod manifest;
mod model_file;

pub use manifest::{Manifest, ManifestEntry};

pub use model_file::{
    load_jet_vae, load_smearing, model_kind, save_jet_vae, save_smearing, sha256_hex,
    FORMAT_VERSION,
};
