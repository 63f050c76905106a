//! `fastsim plot`: one figure per feature — distributions (gen, reco, model; ratio model /
//! reco), relative residuals, or the model-vs-detector map; several --test files draw an
//! ensemble band (seed 000, figs. 3–6 and 9–12).

use super::common::{write_figure, ImageFormat, InputArgs};
use clap::{Args, ValueEnum};
use fastsim_lab::data::Table;
use fastsim_lab::workflow::smearing::{feature_figure, FeatureFigure};
use fastsim_lab::Result;
use std::path::PathBuf;

#[derive(Args)]
pub struct PlotArgs {
    #[arg(long)]
    truth: PathBuf,
    /// The model's samples of --truth's gen events (comma-separated: an ensemble).
    #[arg(long, value_delimiter = ',')]
    test: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "hist")]
    kind: PlotKind,
    /// Feature names without prefix, e.g. mu_pt,jet_eta,mt.
    #[arg(long, value_delimiter = ',', required = true)]
    features: Vec<String>,
    #[arg(long, default_value_t = 40)]
    bins: usize,
    /// SVG, PNG (bundled font) or both.
    #[arg(long, value_enum, default_value = "svg")]
    format: ImageFormat,
    #[command(flatten)]
    read: InputArgs,
    #[arg(long)]
    out_dir: PathBuf,
}

pub fn run(a: PlotArgs) -> Result<()> {
    let truth = a.read.load(&a.truth)?;
    let models: Vec<Table> = a
        .test
        .iter()
        .map(|t| a.read.load(t))
        .collect::<Result<_>>()?;
    let kind: FeatureFigure = a.kind.into();
    for f in &a.features {
        let reco = format!("reco_{f}");
        let fig = feature_figure(kind, &reco, &truth, &models, a.bins.clamp(1, 1000))?;
        write_figure(
            &fig,
            &a.out_dir,
            &format!("{f}{}", kind.file_suffix()),
            a.format,
        )?;
    }
    Ok(())
}

/// What `fastsim plot` draws per feature.
#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum PlotKind {
    /// gen, reco and model distributions, ratio model / reco (seed 000 figs. 3–4).
    Hist,
    /// Relative residuals (x − x_gen)/x_gen of reco and model (seed 000 figs. 5–6).
    Residual,
    /// Model against detector, event by event (seed 000 figs. 9–10); needs --test.
    Map,
}

impl From<PlotKind> for FeatureFigure {
    fn from(k: PlotKind) -> Self {
        match k {
            PlotKind::Hist => FeatureFigure::Hist,
            PlotKind::Residual => FeatureFigure::Residual,
            PlotKind::Map => FeatureFigure::Map,
        }
    }
}
