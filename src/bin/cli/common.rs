//! What several subcommands share: how input files are read, the backend and image-format
//! choices, progress bars over the library's stepped work, and writing figures and files.

use clap::{Args, ValueEnum};
use fastsim_lab::backend::BackendKind;
use fastsim_lab::data::{read_path, Jagged, NonFinite, ReadOptions, Table};
use fastsim_lab::plot::{to_png_file, to_svg, Figure};
use fastsim_lab::workflow::{run_steps, Stepped};
use fastsim_lab::{Error, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

#[derive(Clone, Copy, ValueEnum)]
pub enum BackendArg {
    Cpu,
    Wgpu,
}

impl From<BackendArg> for BackendKind {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Cpu => BackendKind::Cpu,
            BackendArg::Wgpu => BackendKind::Wgpu,
        }
    }
}

/// Network sizes of the jet VAE and the GANs.
#[derive(Clone, Copy, ValueEnum, PartialEq, Debug)]
pub enum PresetArg {
    /// The paper's: seed 001 section 4 (jet VAE), seed 002 table 1 (GANs, 12 × 512).
    Paper,
    /// Small, for quick runs: jet VAE convolutions 8/16/32, dense 128/64; GANs 4 × 128.
    Small,
}

impl From<PresetArg> for fastsim_lab::workflow::Preset {
    fn from(p: PresetArg) -> Self {
        match p {
            PresetArg::Paper => Self::Paper,
            PresetArg::Small => Self::Small,
        }
    }
}

/// How the histogram baseline chooses its bins.
#[derive(Clone, Copy, ValueEnum, PartialEq, Debug)]
pub enum HistogramCvArg {
    /// One count for every dimension, by 5-fold cross-validation (quick; the default).
    Common,
    /// A count per dimension over 500 random cross-validation sets (seed 003, table 1).
    Paper,
}

impl From<HistogramCvArg> for fastsim_lab::metrics::HistogramCv {
    fn from(h: HistogramCvArg) -> Self {
        match h {
            HistogramCvArg::Common => Self::CommonBins,
            HistogramCvArg::Paper => Self::PAPER,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum ImageFormat {
    Svg,
    Png,
    Both,
}

/// How input files are read (every command that reads a table takes these).
#[derive(Args, Clone, Default)]
pub struct InputArgs {
    /// Column names of a 2-D .npy (comma-separated); otherwise from FILE.npy.names if present.
    #[arg(long, value_delimiter = ',')]
    names: Option<Vec<String>>,
    /// Drop rows holding NaN or ±Inf (and say how many) instead of refusing the file.
    #[arg(long)]
    drop_nonfinite: bool,
    /// ROOT: the TTree to read (default: the only one, or Events).
    #[arg(long)]
    tree: Option<String>,
    /// ROOT: the branches to read (default: every numeric branch).
    #[arg(long, value_delimiter = ',')]
    branches: Option<Vec<String>>,
    /// ROOT: jagged branches (Jet_pt[nJet], vector<float>) as `flatten` (one row per object)
    /// or `first:N` (columns <branch>_0 … _{N-1}; events with fewer objects skipped).
    #[arg(long, default_value = "first:1", value_parser = parse_jagged)]
    jagged: Jagged,
}

fn parse_jagged(s: &str) -> std::result::Result<Jagged, String> {
    match s {
        "flatten" => Ok(Jagged::Flatten),
        _ => match s.strip_prefix("first:").and_then(|n| n.parse().ok()) {
            Some(n) if n >= 1 => Ok(Jagged::First(n)),
            _ => Err(format!("'{s}': expected flatten or first:N with N ≥ 1")),
        },
    }
}

impl InputArgs {
    fn options(&self) -> ReadOptions {
        ReadOptions {
            names: self.names.clone(),
            non_finite: if self.drop_nonfinite {
                NonFinite::Drop
            } else {
                NonFinite::Refuse
            },
            tree: self.tree.clone(),
            branches: self.branches.clone(),
            jagged: self.jagged,
        }
    }

    /// Reads a table, telling stderr what was dropped or skipped on the way.
    pub fn load(&self, path: &Path) -> Result<Table> {
        let loaded = read_path(path, &self.options())?;
        if loaded.dropped > 0 {
            eprintln!(
                "{}: dropped {} rows holding NaN or Inf",
                path.display(),
                loaded.dropped
            );
        }
        for n in &loaded.notes {
            eprintln!("{}: {n}", path.display());
        }
        Ok(loaded.table)
    }
}

/// A progress bar of `len` units labelled `what`.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(
            "{msg:>10} [{bar:30}] {pos}/{len} {elapsed_precise} eta {eta}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// Runs stepped work to its end, `n` units a step, moving `pb` (its length is the whole).
pub fn drive(work: &mut impl Stepped, n: usize, pb: &ProgressBar) -> Result<()> {
    let len = pb.length().unwrap_or(0) as f64;
    pollster::block_on(run_steps(work, n, async |p| {
        pb.set_position((p * len) as u64);
        true
    }))?;
    pb.finish_and_clear();
    Ok(())
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes figures as the JSON list of `[label, value]` pairs that `models/manifest.json`
/// records (`scripts/retrain-models --write` reads it back).
/// A value that is not a number (a JS where no event passed) is refused: JSON has no NaN.
pub fn write_figures(path: &Path, figures: &[(String, f64)]) -> Result<()> {
    if let Some((label, v)) = figures.iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid(
            "figures",
            format!("'{label}' is {v}: nothing to record (did any event pass?)"),
        ));
    }
    let json = serde_json::to_string_pretty(figures)
        .map_err(|e| Error::invalid("figures", e.to_string()))?;
    write(path, json.as_bytes())
}

/// A file's name without its folders, for the origin a model file records.
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Writes a figure as `<name>.svg` and/or `<name>.png` in `dir`.
pub fn write_figure(fig: &Figure, dir: &Path, name: &str, format: ImageFormat) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if format != ImageFormat::Png {
        let path = dir.join(format!("{name}.svg"));
        write(&path, to_svg(fig.size(), |root| fig.draw(root))?.as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    if format != ImageFormat::Svg {
        let path = dir.join(format!("{name}.png"));
        to_png_file(&path, fig.size(), |root| fig.draw(root))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
