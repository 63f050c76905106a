//! `fastsim jets`: the jet report (seed 001) — quantile-JS of jet features (pT, m, η, φ,
//! Flow1–4) of model jets against the detector's, distributions with ratio panels, and an
//! event display; and reading jet files for the other subcommands.

use super::common::{read, write_figure, write_figures, ImageFormat};
use clap::Args;
use fastsim_lab::data::JetArrays;
use fastsim_lab::metrics::{Acceptance, JS_FEATURES, PARTICLE_FEATURES};
use fastsim_lab::physics::JET_FEATURES;
use fastsim_lab::workflow::jets::{event_display, jetnet_scores, Comparison};
use fastsim_lab::{Error, Result};
use std::path::{Path, PathBuf};

pub fn read_jets(path: &Path) -> Result<JetArrays> {
    let name = path.display().to_string();
    fastsim_lab::data::check_size(&name, std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))?;
    let jets = JetArrays::read_bytes(&read(path)?, &name)?;
    for n in &jets.notes {
        eprintln!("{name}: {n}");
    }
    Ok(jets)
}

#[derive(Args)]
pub struct ReportArgs {
    /// Paired jets with the detector's `gen` and `reco` arrays.
    #[arg(long)]
    truth: PathBuf,
    /// Model jets (`fastsim sample` output: their `reco` array), comma-separated.
    #[arg(long, value_delimiter = ',')]
    test: Vec<PathBuf>,
    /// A label per --test file (default: the file names).
    #[arg(long, value_delimiter = ',')]
    labels: Vec<String>,
    /// Quantiles of the JS table.
    #[arg(long, default_value_t = 16)]
    n_quant: usize,
    /// Jet to draw in the event display (index in --truth).
    #[arg(long, default_value_t = 0)]
    display_jet: usize,
    #[arg(long, default_value_t = 40)]
    bins: usize,
    #[arg(long, value_enum, default_value = "svg")]
    format: ImageFormat,
    /// Where the plots go (none without it).
    #[arg(long)]
    plot_dir: Option<PathBuf>,
    /// Also write the first --test file's JS per feature ("model: pt"), and the gen jets'
    /// ("gen (no simulation): pt"), as JSON `[label, value]` pairs, as `models/manifest.json`
    /// records them.
    #[arg(long)]
    figures: Option<PathBuf>,
}

pub fn run(args: ReportArgs) -> Result<()> {
    let truth = read_jets(&args.truth)?;
    let tname = args.truth.display().to_string();
    truth.require("gen", &tname)?;
    truth.require("reco", &tname)?;
    let mut models = Vec::new();
    for (i, path) in args.test.iter().enumerate() {
        let jets = read_jets(path)?;
        let name = path.display().to_string();
        if jets.len() != truth.len() {
            return Err(Error::invalid(
                "test",
                format!(
                    "{name} has {} jets, {tname} has {}",
                    jets.len(),
                    truth.len()
                ),
            ));
        }
        jets.require("reco", &name)?;
        let label = args.labels.get(i).cloned().unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or(name.clone())
        });
        models.push((label, jets));
    }
    // Model files hold their jets as `reco`.
    let refs: Vec<(&str, &JetArrays, &str)> = models
        .iter()
        .map(|(l, j)| (l.as_str(), j, "reco"))
        .collect();
    let cmp = Comparison::new(&truth, &refs);
    // The table: quantile-JS against the detector's reco jets; gen as the no-simulation line.
    let acc = Acceptance::default();
    println!(
        "# quantile-JS ({} quantiles of the reco jets) against reco, jets with pT > {} GeV and |η| < {}",
        args.n_quant, acc.jet_pt_min, acc.jet_eta_max
    );
    println!("sample\taccepted\t{}", JS_FEATURES.join("\t"));
    let table = cmp.js(args.n_quant)?;
    if let Some(path) = &args.figures {
        let mut figures = Vec::new();
        if let Some((_, _, model)) = table.get(1) {
            figures.extend(
                JS_FEATURES
                    .iter()
                    .zip(model)
                    .map(|(f, v)| (format!("model: {f}"), *v)),
            );
        }
        figures.extend(
            JS_FEATURES
                .iter()
                .zip(&table[0].2)
                .map(|(f, v)| (format!("gen (no simulation): {f}"), *v)),
        );
        write_figures(path, &figures)?;
    }
    for (label, accepted, js) in table {
        println!(
            "{label}\t{accepted}\t{}",
            js.iter()
                .map(|v| format!("{v:.2e}"))
                .collect::<Vec<_>>()
                .join("\t")
        );
    }
    // JetNet's scores against the detector's reco jets (W1m in GeV; W1p per particle
    // feature), mean ± sd over batches drawn with replacement.
    println!(
        "# JetNet (Kansal et al.) against reco, batches capped at the reco jets: W1m [GeV]\t{}\tFPD\tKPD",
        PARTICLE_FEATURES.map(|f| format!("W1p {f}")).join("\t")
    );
    for row in jetnet_scores(&truth, &refs) {
        println!(
            "{}\t{:.3} ± {:.3}\t{}\t{:.2e} ± {:.1e}\t{:.2e} ± {:.1e}",
            row.label,
            row.w1m.mean,
            row.w1m.sd,
            row.w1p
                .iter()
                .map(|s| format!("{:.2e} ± {:.1e}", s.mean, s.sd))
                .collect::<Vec<_>>()
                .join("\t"),
            row.fpd.mean,
            row.fpd.sd,
            row.kpd.mean,
            row.kpd.sd
        );
    }
    let Some(dir) = args.plot_dir else {
        return Ok(());
    };
    for name in JET_FEATURES {
        let fig = cmp.feature_figure(name, args.bins);
        write_figure(&fig, &dir, &format!("jet_{name}"), args.format)?;
    }
    for (k, f) in ["px", "py", "pz"].iter().enumerate() {
        let fig = cmp.constituent_figure(k, args.bins);
        write_figure(&fig, &dir, &format!("constituent_{f}"), args.format)?;
    }
    let i = args.display_jet.min(truth.len().saturating_sub(1));
    write_figure(
        &event_display(&truth, &refs, i),
        &dir,
        "event_display",
        args.format,
    )?;
    eprintln!("wrote the plots to {}", dir.display());
    Ok(())
}
