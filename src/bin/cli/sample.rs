//! `fastsim sample`: applies a trained model — smearing, jet VAE or unfolding GAN, by the
//! kind its file declares — to a file's generator-level (or detector-level) columns.

use super::common::{write, BackendArg, InputArgs};
use super::jets::read_jets;
use clap::Args;
use fastsim_lab::backend;
use fastsim_lab::data::{write_npy_array, write_showers, write_table};
use fastsim_lab::store::{
    load_jet_vae, load_smearing, load_unfold, load_vae_gan, model_kind, models_dir, resolve_model,
};
use fastsim_lab::{Error, Result};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct SampleArgs {
    /// A model file, or the name of a pre-trained model in models/manifest.json.
    #[arg(long)]
    model: PathBuf,
    /// The input events or jets (not for the shower VAE-GAN, which samples --events showers).
    #[arg(long, required_unless_present = "events")]
    input: Option<PathBuf>,
    /// Showers to generate (the shower VAE-GAN: generation needs no input).
    #[arg(long)]
    events: Option<usize>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: BackendArg,
    #[command(flatten)]
    read: InputArgs,
    /// Also write the standard normals the sampling drew (N × reco columns, float32 .npy): fed
    /// with the same gen columns to the exported ONNX model (`fastsim export`), they give this
    /// command's output.
    #[arg(long)]
    save_noise: Option<PathBuf>,
    /// CSV, NPY (+ FILE.npy.names) or NPZ, by extension (jets: NPZ).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: SampleArgs) -> Result<()> {
    let device = backend::device(a.backend.into())?;
    let (bytes, name) = resolve_model(&a.model, &models_dir())?;
    let kind = model_kind(&bytes, &name)?;
    if kind == "vae-gan" {
        return sample_showers(&a, &bytes, &name, &device);
    }
    let input = a
        .input
        .clone()
        .ok_or_else(|| Error::invalid("sample", format!("a '{kind}' model needs --input FILE")))?;
    match kind.as_str() {
        "jet-vae" => {
            // Model jets for the input's `gen` array, written as `reco` beside the input's
            // arrays (an input `reco`, the detector's, is kept as `reco_detector`).
            let trained = load_jet_vae(&bytes, &name, &device)?;
            let mut jets = read_jets(&input)?;
            let gen = jets.require("gen", &input.display().to_string())?.to_vec();
            let t = Instant::now();
            let sampled = pollster::block_on(trained.sample(&gen, a.seed))?;
            let secs = t.elapsed().as_secs_f64();
            let n = gen.len() / fastsim_lab::data::JET_VALUES;
            save_noise(&a, n, trained.meta.config.latent, || {
                trained.noise(n, a.seed)
            })?;
            if let Some(detector) = jets.remove("reco") {
                jets.insert("reco_detector", detector)?;
            }
            jets.insert("reco", sampled)?;
            write(&a.out, &jets.write_bytes(&a.out.display().to_string())?)?;
            eprintln!(
                "wrote {} model jets to {} as 'reco' ({:.3} ms per jet)",
                jets.len(),
                a.out.display(),
                1e3 * secs / jets.len().max(1) as f64
            );
        }
        "unfold-gan" => {
            let model = load_unfold(&bytes, &name, &device)?;
            let table = a.read.load(&input)?;
            let t0 = Instant::now();
            let unfolded = pollster::block_on(model.unfold(&table, a.seed))?;
            let rows = table.n_rows();
            save_noise(&a, rows, model.meta.config.noise, || {
                model.noise(rows, a.seed)
            })?;
            write_table(&unfolded, &a.out)?;
            eprintln!(
                "unfolded {} events with the {} in {:.2} s; wrote {} ({} parton-level columns; the input's own as truth_…)",
                unfolded.n_rows(),
                model.meta.config.kind.label(),
                t0.elapsed().as_secs_f64(),
                a.out.display(),
                model.meta.gen_cols.len()
            );
        }
        _ => {
            let trained = load_smearing(&bytes, &name, &device)?;
            let table = a.read.load(&input)?;
            let mut sampled = pollster::block_on(trained.sample(&table, a.seed))?;
            let rows = table.n_rows();
            save_noise(&a, rows, trained.meta.reco_cols.len(), || {
                trained.noise(rows, a.seed)
            })?;
            trained.derive_aux(&mut sampled)?;
            write_table(&sampled, &a.out)?;
            eprintln!(
                "wrote {} events with {} predicted columns to {}",
                sampled.n_rows(),
                trained.meta.reco_cols.len(),
                a.out.display()
            );
        }
    }
    Ok(())
}

/// `--events N` showers from a VAE-GAN, cut at half a MIP as the paper evaluates them.
fn sample_showers(
    a: &SampleArgs,
    bytes: &[u8],
    name: &str,
    device: &burn::prelude::Device,
) -> Result<()> {
    let n = a
        .events
        .ok_or_else(|| Error::invalid("sample", "a shower VAE-GAN samples --events N showers"))?;
    if !(1..=10_000_000).contains(&n) {
        return Err(Error::invalid("events", format!("{n} (1 to 10,000,000)")));
    }
    let model = load_vae_gan(bytes, name, device)?;
    let t0 = Instant::now();
    let mut sampler = model.sampler(n, a.seed);
    super::common::drive(&mut sampler, 1, &super::common::bar(n as u64, "showers"))?;
    let images = sampler.into_images();
    save_noise(a, n, model.meta.config.latent, || model.noise(n, a.seed))?;
    let secs = t0.elapsed().as_secs_f64();
    write(
        &a.out,
        &write_showers(&images, &a.out.display().to_string())?,
    )?;
    eprintln!(
        "wrote {n} generated showers ({} members, 0.1 MeV cut) to {} in {secs:.1} s ({:.0} showers/s)",
        model.meta.members(),
        a.out.display(),
        n as f64 / secs.max(1e-9)
    );
    Ok(())
}

/// `--save-noise`: the `rows` × `cols` standard normals the sampling drew (`eps`), as .npy.
fn save_noise(
    a: &SampleArgs,
    rows: usize,
    cols: usize,
    eps: impl FnOnce() -> Vec<f32>,
) -> Result<()> {
    let Some(path) = &a.save_noise else {
        return Ok(());
    };
    let shape = [rows as u64, cols as u64];
    write(
        path,
        &write_npy_array(&eps(), &shape, &path.display().to_string())?,
    )
}
