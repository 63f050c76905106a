//! ONNX export: every model kind as one graph in physical units, with its noise an explicit
//! input so that onnxruntime reproduces `fastsim sample` given the same normals
//! (`sample --save-noise`). The graphs are built over the official schema's types (prost,
//! generated from `proto/onnx.proto` by `tools/onnx-proto-gen`); no protobuf is written by
//! hand.

mod flow;
mod graph;
mod jet_vae;
#[allow(clippy::all, clippy::pedantic)]
mod proto;
mod smearing;
mod unfold;
mod vae_gan;

pub use graph::OPSET;
pub use jet_vae::export as jet_vae_onnx;
pub use smearing::export as smearing_onnx;
pub use unfold::export as unfold_onnx;
pub use vae_gan::export as vae_gan_onnx;
