//! `fastsim generate`: paired gen/reco events (or jets) from a built-in process and its
//! parametric detector.

use super::common::{bar, drive, read, write};
use clap::{Args, ValueEnum};
use fastsim_lab::data::write_showers;
use fastsim_lab::data::{write_table, Table};
use fastsim_lab::detector::Ecal;
use fastsim_lab::detector::{ParticleDetector, WjetsDetector, WzDetector};
use fastsim_lab::recipe::{JetRecipe, ShowerRecipe, WjetsRecipe, WzRecipe};
use fastsim_lab::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, ValueEnum)]
pub enum ProcessArg {
    /// W(→μν)+jet at 13 TeV through the CMS-like detector (seed 000).
    Wjets,
    /// W and QCD jets with constituents through the particle detector (seed 001).
    Jets,
    /// pp → ZW → (ee)(jj), parton and detector level (seed 002).
    Wz,
    /// The same final state with a fraction (--wprime-fraction) of W′ events (seed 002, eq. 14).
    Wprime,
    /// 50 GeV photon showers in the Si-W calorimeter, as 10 × 10 images (seed 003).
    Showers,
}

#[derive(Args)]
pub struct GenerateArgs {
    #[arg(long, value_enum)]
    process: ProcessArg,
    #[arg(long, default_value_t = 10_000)]
    events: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Detector description (JSON, as the page exports it); CMS-like defaults otherwise.
    /// For --process jets: the particle detector's JSON.
    #[arg(long)]
    detector: Option<PathBuf>,
    /// Mean number of pile-up collisions: for --process jets (default and seed 001: 50) and
    /// wjets (default 27, Run 2; seed 000's HL-LHC sample: 200, which raises the MET noise
    /// as √(σ₀² + k²·N_PU); the jet and muon resolutions stay the Run-2 card's).
    #[arg(long)]
    pileup: Option<f64>,
    /// For --process jets: the fraction of boosted W → qq jets, the rest QCD (default 0.5;
    /// seed 001's sample is W → qq only: 1).
    #[arg(long)]
    w_fraction: Option<f64>,
    /// For --process wprime: the fraction of W′ events among the selected ones.
    #[arg(long, default_value_t = 0.1)]
    wprime_fraction: f64,
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: GenerateArgs) -> Result<()> {
    let det = a.detector.as_deref();
    match a.process {
        ProcessArg::Wjets => wjets(a.events, a.seed, det, a.pileup, &a.out),
        ProcessArg::Jets => jets(a.events, a.seed, det, a.pileup, a.w_fraction, &a.out),
        ProcessArg::Wz => wz(a.events, a.seed, 0.0, det, &a.out),
        ProcessArg::Wprime => wz(a.events, a.seed, a.wprime_fraction, det, &a.out),
        ProcessArg::Showers => showers(a.events, a.seed, det, &a.out),
    }
}

/// The W+jet detector of a JSON file (as the page exports it).
pub fn read_wjets_detector(path: &Path) -> Result<WjetsDetector> {
    let text = String::from_utf8_lossy(&read(path)?).into_owned();
    WjetsDetector::from_json(&text, &path.display().to_string())
}

fn wjets(
    events: usize,
    seed: u64,
    detector: Option<&Path>,
    pileup: Option<f64>,
    out: &Path,
) -> Result<()> {
    let mut recipe = WjetsRecipe::new(events, seed);
    if let Some(path) = detector {
        recipe.detector = read_wjets_detector(path)?;
    }
    if let Some(mu) = pileup {
        recipe.generator.mean_pileup = mu;
    }
    let mut stream = recipe.stream()?;
    drive(&mut stream, 5_000, &bar(events as u64, "generate"))?;
    let eff = stream.efficiency();
    write_events(&stream.into_table(), eff, "", out)
}

/// Writes generated events and says how many, with `note` after the column count.
fn write_events(table: &Table, efficiency: f64, note: &str, out: &Path) -> Result<()> {
    write_table(table, out)?;
    eprintln!(
        "wrote {} events ({} columns{note}) to {} (selection efficiency {:.1} %)",
        table.n_rows(),
        table.n_cols(),
        out.display(),
        100.0 * efficiency
    );
    Ok(())
}

fn jets(
    jets: usize,
    seed: u64,
    detector: Option<&Path>,
    pileup: Option<f64>,
    w_fraction: Option<f64>,
    out: &Path,
) -> Result<()> {
    let mut recipe = JetRecipe::new(jets, seed);
    if let Some(f) = w_fraction {
        recipe.generator.w_fraction = f;
    }
    if let Some(path) = detector {
        let text = String::from_utf8_lossy(&read(path)?).into_owned();
        recipe.detector = serde_json::from_str::<ParticleDetector>(&text)
            .map_err(|e| Error::invalid("detector", format!("{}: {e}", path.display())))?;
    }
    if let Some(mu) = pileup {
        recipe.detector.pileup_mu = mu;
    }
    let mut stream = recipe.stream()?;
    drive(&mut stream, 2_000, &bar(jets as u64, "jets"))?;
    let eff = stream.efficiency();
    let arrays = stream.into_arrays()?;
    write(out, &arrays.write_bytes(&out.display().to_string())?)?;
    eprintln!(
        "wrote {} jet pairs (gen, reco: 50 × (px, py, pz)) to {} (selection efficiency {:.1} %, pile-up μ = {})",
        arrays.len(),
        out.display(),
        100.0 * eff,
        recipe.detector.pileup_mu
    );
    Ok(())
}

fn wz(
    events: usize,
    seed: u64,
    wprime_fraction: f64,
    detector: Option<&Path>,
    out: &Path,
) -> Result<()> {
    let mut recipe = WzRecipe::new(events, seed, wprime_fraction);
    if let Some(path) = detector {
        let text = String::from_utf8_lossy(&read(path)?).into_owned();
        recipe.detector = serde_json::from_str::<WzDetector>(&text).map_err(|e| Error::Format {
            file: path.display().to_string(),
            message: format!("not a WZ detector description: {e}"),
        })?;
    }
    let mut stream = recipe.stream()?;
    drive(&mut stream, 5_000, &bar(events as u64, "generate"))?;
    let eff = stream.efficiency();
    let note = format!(", W' fraction {wprime_fraction:.3}");
    write_events(&stream.into_table(), eff, &note, out)
}

fn showers(showers: usize, seed: u64, detector: Option<&Path>, out: &Path) -> Result<()> {
    let mut recipe = ShowerRecipe::new(showers, seed);
    if let Some(path) = detector {
        let text = String::from_utf8_lossy(&read(path)?).into_owned();
        recipe.ecal = serde_json::from_str::<Ecal>(&text).map_err(|e| Error::Format {
            file: path.display().to_string(),
            message: format!("not a calorimeter description: {e}"),
        })?;
    }
    let mut stream = recipe.stream()?;
    drive(&mut stream, 200, &bar(showers as u64, "showers"))?;
    let images = stream.into_images();
    write(out, &write_showers(&images, &out.display().to_string())?)?;
    eprintln!(
        "wrote {showers} photon showers ({} GeV, 10 × 10 pixels of {} mm, MeV, before the {} MeV cut) to {}",
        recipe.gun.energy_gev,
        recipe.pixel_mm(),
        fastsim_lab::physics::MIP_CUT_MEV,
        out.display()
    );
    Ok(())
}
