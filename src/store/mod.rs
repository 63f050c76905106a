//! Model files: a versioned header (configuration, columns, standardisation, training
//! summary), the weights, and a SHA-256 of the content that loading checks.

mod manifest;
mod model_file;
mod onnx;
#[cfg(not(target_arch = "wasm32"))]
mod resolve;

pub use manifest::{Choice, FigureTable, Manifest, ManifestEntry, ModelKind, TrainingEvents};
pub use onnx::{jet_vae_onnx, smearing_onnx, unfold_onnx, vae_gan_onnx, OPSET as ONNX_OPSET};
#[cfg(not(target_arch = "wasm32"))]
pub use resolve::{models_dir, resolve_model};

pub use model_file::{
    from_half, load_jet_vae, load_smearing, load_unfold, load_vae_gan, model_kind, save_jet_vae,
    save_smearing, save_unfold, save_vae_gan, sha256_hex, to_half, FORMAT_VERSION,
    HALF_REL_ROUNDING,
};
