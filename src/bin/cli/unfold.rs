//! The unfolding subcommands (seed 002): built-in WZ and W′ events, GAN training (naive or
//! fully conditional), unfolding a detector-level file, and the closure test with its plots.

use super::evaluate::write_figure;
use super::jets::Preset;
use super::{bar, model_bytes, ImageFormat, InputArgs};
use clap::Args;
use fastsim_lab::backend::{self, BackendKind};
use fastsim_lab::data::{write_table, Table};
use fastsim_lab::detector::WzDetector;
use fastsim_lab::metrics::{closure_js, ClosureRow, CLOSURE_QUANTILES};
use fastsim_lab::model::{GanConfig, GanKind, MmdKernel};
use fastsim_lab::plot::closure_figures;
use fastsim_lab::recipe::DataOrigin;
use fastsim_lab::store::{load_unfold, save_unfold, sha256_hex};
use fastsim_lab::train::TrainConfig;
use fastsim_lab::train::{GanJob, Training};
use fastsim_lab::wz_recipe::{wz_object_columns, Cut, WzRecipe};
use fastsim_lab::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn io<T>(path: &Path, r: std::io::Result<T>) -> Result<T> {
    r.map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub fn generate(
    events: usize,
    seed: u64,
    wprime_fraction: f64,
    detector: Option<&Path>,
    out: &Path,
) -> Result<()> {
    let mut recipe = WzRecipe::new(events, seed, wprime_fraction);
    if let Some(path) = detector {
        let text = String::from_utf8_lossy(&io(path, std::fs::read(path))?).into_owned();
        recipe.detector = serde_json::from_str::<WzDetector>(&text).map_err(|e| Error::Format {
            file: path.display().to_string(),
            message: format!("not a WZ detector description: {e}"),
        })?;
    }
    let mut stream = recipe.stream()?;
    super::fill_with_bar(&mut stream, events, 5_000, "generate")?;
    let eff = stream.efficiency();
    let table = stream.into_table();
    write_table(&table, out)?;
    eprintln!(
        "wrote {} events ({} columns, W' fraction {:.3}) to {} (selection efficiency {:.1} %)",
        table.n_rows(),
        table.n_cols(),
        wprime_fraction,
        out.display(),
        100.0 * eff
    );
    Ok(())
}

/// What `fastsim train --model naive-gan|fcgan` takes.
pub struct GanTrainArgs {
    pub kind: GanKind,
    pub data: PathBuf,
    pub gen_cols: Vec<String>,
    pub reco_cols: Vec<String>,
    /// paper: table 1's 12 layers × 512 units; small: 4 × 128 (the page's preset).
    pub preset: Preset,
    pub kernel: MmdKernel,
    pub lambda_g: f64,
    pub detector_features: bool,
    pub cfg: TrainConfig,
    pub backend: BackendKind,
    pub out: PathBuf,
}

pub fn train(a: GanTrainArgs, read: &InputArgs) -> Result<()> {
    let table = read.load(&a.data)?;
    let bytes = io(&a.data, std::fs::read(&a.data))?;
    let gen_cols = if a.gen_cols.is_empty() {
        wz_object_columns("gen")
    } else {
        a.gen_cols
    };
    let reco_cols = if a.reco_cols.is_empty() {
        wz_object_columns("reco")
    } else {
        a.reco_cols
    };
    let objects = gen_cols.len() / 3;
    let mut net = match a.preset {
        Preset::Paper => GanConfig::paper(a.kind, objects),
        Preset::Small => GanConfig::small(a.kind, objects),
    };
    net.kernel = a.kernel;
    net.lambda_g = a.lambda_g;
    net.detector_features = a.detector_features;
    let device = backend::device(a.backend)?;
    let mut job = GanJob::new(
        &table,
        &gen_cols,
        &reco_cols,
        net.clone(),
        a.cfg.clone(),
        &device,
    )?;
    job.set_origin(DataOrigin::Upload {
        name: a.data.display().to_string(),
        rows: table.n_rows(),
        sha256: sha256_hex(&bytes),
    });
    eprintln!(
        "training the {}{} ({} layers × {} units, {} MMD kernel, λ_G = {}) on {} ({} train / {} validation events) on {}",
        a.kind.label(),
        if net.detector_features {
            " conditioned on detector m_jj and pT"
        } else {
            ""
        },
        net.layers,
        net.units,
        net.kernel.name(),
        net.lambda_g,
        table.source(),
        job.n_train(),
        job.n_val(),
        a.backend.label()
    );
    let t0 = Instant::now();
    let pb = bar(a.cfg.epochs as u64, "epochs");
    pollster::block_on(job.run(
        |r| {
            pb.suspend(|| {
                eprintln!(
                    "epoch {:>3}  L_D {:.4} (reg {:.3})  L_G {:.4} (MMD {:.3})  val JS(m_jj) {:.4}  (best: epoch {})",
                    r.epoch, r.d_loss, r.d_reg, r.g_loss, r.mmd, r.val_js_mjj, r.best_epoch
                )
            });
            pb.inc(1);
        },
        || false,
    ))?;
    pb.finish_and_clear();
    if let Some(stop) = job.stop_reason() {
        eprintln!("warning: {stop}");
    }
    let trained = job.finish()?;
    let bytes = pollster::block_on(save_unfold(&trained))?;
    io(&a.out, std::fs::write(&a.out, &bytes))?;
    eprintln!(
        "wrote {} in {:.0} s (kept epoch {}, sha256 {})",
        a.out.display(),
        t0.elapsed().as_secs_f64(),
        trained.meta.best_epoch,
        sha256_hex(&bytes)
    );
    Ok(())
}

/// Unfolds a detector-level file with a model file's bytes.
pub fn sample(
    bytes: &[u8],
    name: &str,
    input: &Path,
    read: &InputArgs,
    seed: u64,
    device: &burn::prelude::Device,
    out: &Path,
) -> Result<()> {
    let model = load_unfold(bytes, name, device)?;
    let table = read.load(input)?;
    let t0 = Instant::now();
    let unfolded = pollster::block_on(model.unfold(&table, seed))?;
    write_table(&unfolded, out)?;
    eprintln!(
        "unfolded {} events with the {} in {:.2} s; wrote {} ({} parton-level columns; the input's own as truth_…)",
        unfolded.n_rows(),
        model.meta.config.kind.label(),
        t0.elapsed().as_secs_f64(),
        out.display(),
        model.meta.gen_cols.len()
    );
    Ok(())
}

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
    backend: super::BackendArg,
    #[arg(long, default_value_t = 40)]
    bins: usize,
    #[arg(long, value_enum, default_value = "svg")]
    format: ImageFormat,
    #[command(flatten)]
    read: InputArgs,
    /// Plots go to <plot-dir>/<cut>/; nothing is drawn without it.
    #[arg(long)]
    plot_dir: Option<PathBuf>,
}

/// The closure test: unfold the test events once per model, then per cut print the
/// quantile-JS of each observable against the parton truth and draw the figures.
pub fn closure(a: ClosureArgs) -> Result<()> {
    let cuts = a
        .cuts
        .iter()
        .map(|c| Cut::parse(c))
        .collect::<Result<Vec<_>>>()?;
    let device = backend::device(a.backend.into())?;
    let test = a.read.load(&a.test)?;
    let mut unfolded: Vec<(String, Table)> = Vec::new();
    for (i, path) in a.models.iter().enumerate() {
        let (bytes, name) = model_bytes(path)?;
        let model = load_unfold(&bytes, &name, &device)?;
        if model.meta.gen_cols != wz_object_columns("gen") {
            return Err(Error::invalid(
                "closure",
                format!("{name}: the closure test needs a model of the built-in WZ columns"),
            ));
        }
        let label = a
            .labels
            .get(i)
            .cloned()
            .unwrap_or_else(|| model.meta.config.kind.label().to_string());
        let t = pollster::block_on(model.unfold(&test, a.seed))?;
        unfolded.push((label, t));
    }
    let labels: Vec<&str> = unfolded.iter().map(|(l, _)| l.as_str()).collect();
    for cut in cuts {
        let rows = cut.rows(&test)?;
        println!(
            "\n{} — {} of {} test events pass; quantile-JS ({} quantiles of the truth) against parton truth:",
            cut.describe(),
            rows.len(),
            test.n_rows(),
            CLOSURE_QUANTILES
        );
        if rows.len() < 10 * CLOSURE_QUANTILES {
            println!("  too few events for the table");
            continue;
        }
        let tables: Vec<&Table> = unfolded.iter().map(|(_, t)| t).collect();
        let js = closure_js(&test, &tables, &rows)?;
        print_table(&js, &labels);
        if let Some(dir) = &a.plot_dir {
            let dir = dir.join(cut.name());
            io(&dir, std::fs::create_dir_all(&dir))?;
            let pairs: Vec<(&str, &Table)> =
                unfolded.iter().map(|(l, t)| (l.as_str(), t)).collect();
            for (name, fig) in closure_figures(&test, &pairs, &rows, cut.describe(), a.bins)? {
                write_figure(&fig, &dir, &name, a.format)?;
            }
            eprintln!("wrote the plots of {} to {}", cut.describe(), dir.display());
        }
    }
    Ok(())
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
