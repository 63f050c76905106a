//! `fastsim closure`: the unfolding closure test (seed 002) — unfold test events with each
//! model, print the quantile-JS of pT(j1, j2, l-), m_jj, m_ll, m_WZ against parton truth per
//! cut, and draw the paper's figures. The test itself is the library's workflow.

use super::common::{write_figure, write_figures, BackendArg, ImageFormat, InputArgs};
use clap::Args;
use fastsim_lab::backend;
use fastsim_lab::data::Table;
use fastsim_lab::metrics::{ClosureRow, Cut, CLOSURE_QUANTILES};
use fastsim_lab::physics::wz_object_columns;
use fastsim_lab::store::{load_unfold, models_dir, resolve_model};
use fastsim_lab::workflow::unfold::{closure, ClosureTest};
use fastsim_lab::{Error, Result};
use std::path::PathBuf;

#[derive(Args)]
pub struct ClosureArgs {
    /// Unfolding model files (comma-separated), e.g. a naive GAN and an FCGAN.
    #[arg(long, value_delimiter = ',', required = true)]
    models: Vec<PathBuf>,
    /// Legend labels, one per model (default: each model's kind).
    #[arg(long, value_delimiter = ',')]
    labels: Vec<String>,
    /// Test events with parton truth (`gen_…`) and detector level (`reco_…`): e.g. built-in
    /// WZ events of another seed, or `--process wprime` ones for the W′ injection test.
    #[arg(long)]
    test: PathBuf,
    /// Detector-level cuts applied to the test events: none, I, II, III, IV (eqs. 7, 8, 12, 13).
    #[arg(long, value_delimiter = ',', default_value = "none,I,II,III,IV")]
    cuts: Vec<String>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: BackendArg,
    #[arg(long, default_value_t = 40)]
    bins: usize,
    #[arg(long, value_enum, default_value = "svg")]
    format: ImageFormat,
    #[command(flatten)]
    read: InputArgs,
    /// Plots go to <plot-dir>/<cut>/; nothing is drawn without it.
    #[arg(long)]
    plot_dir: Option<PathBuf>,
    /// Also write the JS values as JSON `[label, value]` pairs ("cut I: m_jj", with the
    /// model's label after it when there are several), as `models/manifest.json` records them.
    #[arg(long)]
    figures: Option<PathBuf>,
    /// Put this before each label of --figures (e.g. "W′" for the W′ test events).
    #[arg(long, default_value = "")]
    figures_prefix: String,
}

/// The closure test: unfold the test events once per model, then per cut print the
/// quantile-JS of each observable against the parton truth and draw the figures.
pub fn run(a: ClosureArgs) -> Result<()> {
    let cuts = a
        .cuts
        .iter()
        .map(|c| Cut::parse(c))
        .collect::<Result<Vec<_>>>()?;
    let device = backend::device(a.backend.into())?;
    let test = a.read.load(&a.test)?;
    let unfolded = unfold_with(&a.models, &a.labels, &test, a.seed, &device)?;
    let labels: Vec<&str> = unfolded.iter().map(|(l, _)| l.as_str()).collect();
    let tables: Vec<&Table> = unfolded.iter().map(|(_, t)| t).collect();
    let mut figures = Vec::new();
    let prefix = if a.figures_prefix.is_empty() {
        String::new()
    } else {
        format!("{}, ", a.figures_prefix)
    };
    for cut in cuts {
        let result = match closure(&test, &tables, ClosureTest::Cut(cut)) {
            Ok(r) => r,
            Err(e) => {
                println!("\n{}: {e}", cut.describe());
                continue;
            }
        };
        println!(
            "\n{} — {} of {} test events pass; quantile-JS ({} quantiles of the truth) against parton truth:",
            cut.describe(),
            result.rows.len(),
            result.n_test,
            CLOSURE_QUANTILES
        );
        print_table(&result.js, &labels);
        for r in &result.js {
            for (v, l) in r.unfolded.iter().zip(&labels) {
                let who = if labels.len() > 1 {
                    format!(" ({l})")
                } else {
                    String::new()
                };
                let what = format!("{prefix}{}: {}{who}", short(cut), r.observable);
                figures.push((what, *v));
            }
        }
        if let Some(dir) = &a.plot_dir {
            let dir = dir.join(cut.name());
            let pairs: Vec<(&str, &Table)> =
                unfolded.iter().map(|(l, t)| (l.as_str(), t)).collect();
            for (name, fig) in result.figures(&test, &pairs, a.bins)? {
                write_figure(&fig, &dir, &name, a.format)?;
            }
            eprintln!("wrote the plots of {} to {}", cut.describe(), dir.display());
        }
    }
    if let Some(path) = &a.figures {
        write_figures(path, &figures)?;
    }
    Ok(())
}

/// `test` unfolded by each model of `models` (files or pre-trained names), labelled by
/// `labels` or by the model's kind.
pub fn unfold_with(
    models: &[PathBuf],
    labels: &[String],
    test: &Table,
    seed: u64,
    device: &burn::prelude::Device,
) -> Result<Vec<(String, Table)>> {
    let mut unfolded = Vec::new();
    for (i, path) in models.iter().enumerate() {
        let (bytes, name) = resolve_model(path, &models_dir())?;
        let model = load_unfold(&bytes, &name, device)?;
        if model.meta.gen_cols != wz_object_columns("gen") {
            return Err(Error::invalid(
                "closure",
                format!("{name}: the closure test needs a model of the built-in WZ columns"),
            ));
        }
        let label = labels
            .get(i)
            .cloned()
            .unwrap_or_else(|| model.meta.config.kind.label().to_string());
        let t = pollster::block_on(model.unfold(test, seed))?;
        unfolded.push((label, t));
    }
    Ok(unfolded)
}

/// A cut's name in a figure's label: "no cut", "cut I", …
pub fn short(cut: Cut) -> String {
    match cut {
        Cut::None => "no cut".into(),
        c => format!("cut {}", c.name()),
    }
}

fn print_table(rows: &[ClosureRow], labels: &[&str]) {
    let mut head = format!("  {:<8} {:>10}", "", "detector");
    for l in labels {
        head.push_str(&format!(" {l:>10}"));
    }
    println!("{head}");
    for r in rows {
        let mut line = format!("  {:<8} {:>10.3e}", r.observable, r.detector);
        for v in &r.unfolded {
            line.push_str(&format!(" {v:>10.3e}"));
        }
        println!("{line}");
    }
}
