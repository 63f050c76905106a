//! `fastsim export`: a model as an ONNX graph (opset 17) in physical units, for onnxruntime
//! (Python, C++, CMSSW) and the Dask smearing of `python/fastsim_dask`.

use super::common::write;
use clap::{Args, ValueEnum};
use fastsim_lab::backend;
use fastsim_lab::store::{
    jet_vae_onnx, load_jet_vae, load_smearing, load_unfold, load_vae_gan, model_kind, models_dir,
    resolve_model, smearing_onnx, unfold_onnx, vae_gan_onnx, ONNX_OPSET,
};
use fastsim_lab::{Error, Result};
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Onnx,
}

#[derive(Args)]
pub struct ExportArgs {
    /// A model file, or the name of a pre-trained model in models/manifest.json.
    #[arg(long)]
    model: PathBuf,
    #[arg(long, value_enum, default_value = "onnx")]
    format: Format,
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: ExportArgs) -> Result<()> {
    let Format::Onnx = a.format;
    let (bytes, name) = resolve_model(&a.model, &models_dir())?;
    let kind = model_kind(&bytes, &name)?;
    let device = backend::cpu();
    let (onnx, io) = match kind.as_str() {
        "smearing" => {
            let model = load_smearing(&bytes, &name, &device)?;
            let (k_in, k_out) = (model.meta.gen_cols.len(), model.meta.reco_cols.len());
            (
                pollster::block_on(smearing_onnx(&model))?,
                format!("inputs gen (N × {k_in}: {}) and noise (N × {k_out}), output reco (N × {k_out}: {})", model.meta.gen_cols.join(","), model.meta.reco_cols.join(",")),
            )
        }
        "unfold-gan" => {
            let model = load_unfold(&bytes, &name, &device)?;
            let (k, noise) = (model.meta.gen_cols.len(), model.meta.config.noise);
            (
                pollster::block_on(unfold_onnx(&model))?,
                format!(
                    "inputs reco (N × {k}: {}) and noise (N × {noise}), output gen (N × {k}: {})",
                    model.meta.reco_cols.join(","),
                    model.meta.gen_cols.join(",")
                ),
            )
        }
        "vae-gan" => {
            let model = load_vae_gan(&bytes, &name, &device)?;
            let (latent, m) = (model.meta.config.latent, model.meta.members());
            (
                pollster::block_on(vae_gan_onnx(&model))?,
                format!("input noise (N × {latent}), output showers (N × 10 × 10, MeV); {m} member(s), shower i from member i mod {m}"),
            )
        }
        "jet-vae" => {
            let model = load_jet_vae(&bytes, &name, &device)?;
            let (p, latent) = (model.meta.config.particles, model.meta.config.latent);
            (
                pollster::block_on(jet_vae_onnx(&model))?,
                format!("inputs gen (N × {}: {p} constituents × px,py,pz, GeV) and noise (N × {latent}), output reco (N × {}, same layout)", 3 * p, 3 * p),
            )
        }
        other => {
            return Err(Error::invalid(
                "export",
                format!("a '{other}' model has no ONNX export"),
            ))
        }
    };
    write(&a.out, &onnx)?;
    eprintln!(
        "wrote {} ({} bytes, ONNX opset {ONNX_OPSET}): {io}",
        a.out.display(),
        onnx.len()
    );
    Ok(())
}
