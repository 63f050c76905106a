//! Argument parsing and the subcommands. Every failure prints one line, `error: …`, naming
//! the file, row and column where it applies, and exits with status 1.

mod bench;
mod evaluate;
mod jets;
mod unfold;

use clap::{Args, Parser, Subcommand, ValueEnum};
use fastsim_lab::backend::{self, BackendKind};
use fastsim_lab::data::{read_path, write_table, Jagged, NonFinite, ReadOptions, Table, Transform};
use fastsim_lab::detector::Detector;
use fastsim_lab::metrics::{joint_js_curve, js_curve, quantile_js};
use fastsim_lab::model::Target;
use fastsim_lab::recipe::{derive_wjet_aux, DataOrigin, Recipe};
use fastsim_lab::store::{load_smearing, model_kind, save_smearing, sha256_hex, Manifest};
use fastsim_lab::train::{Hidden, SmearingJob, TrainConfig, TrainData, Training};
use fastsim_lab::{Error, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "fastsim",
    version,
    about = "Learn a detector's response with small neural networks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProcessArg {
    Wjets,
    Jets,
    /// pp → ZW → (ee)(jj), parton and detector level (seed 002).
    Wz,
    /// The same final state with a fraction (--wprime-fraction) of W′ events (seed 002, eq. 14).
    Wprime,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModelArg {
    Smearing,
    JetVae,
    /// Seed 002, section 2: the generator maps detector events to parton events.
    NaiveGan,
    /// Seed 002, section 3: the fully conditional GAN.
    Fcgan,
}

#[derive(Clone, Copy, ValueEnum)]
enum TargetArg {
    Residual,
    Direct,
}

#[derive(Clone, Copy, ValueEnum)]
enum BackendArg {
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

/// How input files are read (every command that reads a table takes these).
#[derive(Args, Clone, Default)]
struct InputArgs {
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
    fn load(&self, path: &Path) -> Result<Table> {
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

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum ImageFormat {
    Svg,
    Png,
    Both,
}

#[derive(Subcommand)]
enum Command {
    /// Generate paired gen/reco events from a built-in process and the parametric detector.
    Generate {
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
        /// For --process jets: mean number of pile-up collisions (seed 001: 50).
        #[arg(long)]
        pileup: Option<f64>,
        /// For --process wprime: the fraction of W′ events among the selected ones.
        #[arg(long, default_value_t = 0.1)]
        wprime_fraction: f64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Train a model on named gen and reco columns of a table (a file, or built-in events made
    /// on the fly with --generate, which the model file then records as its recipe).
    Train {
        #[arg(long, value_enum)]
        model: ModelArg,
        #[arg(
            long,
            required_unless_present = "generate",
            conflicts_with = "generate"
        )]
        data: Option<PathBuf>,
        /// Train on this many built-in W+jet events (seed --data-seed, detector --detector).
        #[arg(long)]
        generate: Option<usize>,
        #[arg(long, default_value_t = 1)]
        data_seed: u64,
        /// Detector JSON for --generate (CMS-like defaults otherwise).
        #[arg(long, requires = "generate")]
        detector: Option<PathBuf>,
        /// Hidden layers × width of both networks (seed 000: 4x100; 2x16 fits in a share link).
        #[arg(long, default_value = "4x100")]
        hidden: String,
        /// Generator-level input columns (smearing; the jet VAE reads the `gen` jet array).
        /// For the GANs: the parton-level columns the model writes, (pT, η, φ) per object,
        /// the two jets first (default: the built-in WZ columns).
        #[arg(long, value_delimiter = ',', required_if_eq("model", "smearing"))]
        gen_cols: Vec<String>,
        #[arg(long, value_delimiter = ',', required_if_eq("model", "smearing"))]
        reco_cols: Vec<String>,
        /// Seed 000 trains 100 epochs, seed 001 300 (the default per model).
        #[arg(long)]
        epochs: Option<usize>,
        /// Batch size (default: 128; the GANs 512, seed 002's table 1).
        #[arg(long)]
        batch: Option<usize>,
        /// Smearing: initial learning rate 10⁻³, epoch e uses lr/(1+e). Jet VAE: constant 10⁻⁴.
        #[arg(long)]
        lr: Option<f64>,
        /// Jet VAE or GAN size: the paper's (seed 001, section 4; seed 002, table 1) or a
        /// small one for quick runs.
        #[arg(long, value_enum, default_value = "paper")]
        preset: jets::Preset,
        /// Jet VAE: the masked variant (existence scores; padding out of the loss).
        #[arg(long)]
        masked: bool,
        /// GANs: the MMD kernel on m_jj — single, multiple (the paper's), cooling,
        /// augmented (appendix B) or conditional (beyond the paper).
        #[arg(long, default_value = "multiple")]
        kernel: String,
        /// GANs: the weight λ_G of the MMD term (seed 002, table 1: 1).
        #[arg(long, default_value_t = 1.0)]
        lambda_g: f64,
        /// GANs: condition also on the detector-level m_jj, pT,j1, pT,j2 (beyond the paper).
        #[arg(long)]
        detector_features: bool,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value = "cpu")]
        backend: BackendArg,
        /// What the network learns: the residual reco − gen of paired columns, or reco itself
        /// (seed 000's direct parametrisation).
        #[arg(long, value_enum, default_value = "residual")]
        target: TargetArg,
        /// One transform per gen/reco pair, `none` or `log` (for a positive quantity),
        /// applied before training and undone when sampling.
        #[arg(long, value_delimiter = ',')]
        transforms: Vec<String>,
        #[command(flatten)]
        input: InputArgs,
        #[arg(long)]
        out: PathBuf,
    },
    /// Apply a trained model to the gen columns of a table.
    Sample {
        /// A model file, or the name of a pre-trained model in models/manifest.json.
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        input: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value = "cpu")]
        backend: BackendArg,
        #[command(flatten)]
        read: InputArgs,
        /// CSV, NPY (+ FILE.npy.names) or NPZ, by extension.
        #[arg(long)]
        out: PathBuf,
    },
    /// Convert a table between formats by extension (e.g. ROOT → NPZ for the page).
    Convert {
        #[arg(long)]
        input: PathBuf,
        #[command(flatten)]
        read: InputArgs,
        #[arg(long)]
        out: PathBuf,
    },
    /// Quantile-JS of test against truth per column, for n_quant = 2, 4, 8, … ≤ N/10.
    Eval {
        #[arg(long)]
        truth: PathBuf,
        #[arg(long)]
        test: PathBuf,
        #[arg(long, value_delimiter = ',', required = true)]
        cols: Vec<String>,
        /// Also the joint (n-dimensional) quantile-JS of all the columns.
        #[arg(long)]
        joint: bool,
        #[arg(long, default_value_t = 1 << 20)]
        max_quantiles: usize,
        #[command(flatten)]
        read: InputArgs,
    },
    /// JS versus n_quant of a generated sample, truth subsamples and baselines, the effective
    /// sample size and the amplification factor (seed 003).
    Amplify(evaluate::AmplifyArgs),
    /// One plot per feature: distributions (gen, reco, model; ratio model / reco), relative
    /// residuals, or the model-vs-detector map; several --test files draw an ensemble band.
    Plot {
        #[arg(long)]
        truth: PathBuf,
        /// The model's samples of --truth's gen events (comma-separated: an ensemble).
        #[arg(long, value_delimiter = ',')]
        test: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "hist")]
        kind: evaluate::PlotKind,
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
    },
    /// Jets: quantile-JS of jet features (pT, m, η, φ, Flow1–4) of model jets against the
    /// detector's, distributions with ratio panels, and an event display.
    Jets(jets::ReportArgs),
    /// Unfolding closure test (seed 002): unfold test events with each model, print the
    /// quantile-JS of pT(j1, j2, l-), m_jj, m_ll, m_WZ against parton truth per cut, and plot.
    Closure(unfold::ClosureArgs),
    /// Benchmarks: events/s sampling and seconds per training epoch (release builds only).
    Bench(bench::BenchArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate {
            process,
            events,
            seed,
            detector,
            pileup,
            wprime_fraction,
            out,
        } => match process {
            ProcessArg::Jets => jets::generate(events, seed, detector.as_deref(), pileup, &out),
            ProcessArg::Wz => unfold::generate(events, seed, 0.0, detector.as_deref(), &out),
            ProcessArg::Wprime => {
                unfold::generate(events, seed, wprime_fraction, detector.as_deref(), &out)
            }
            ProcessArg::Wjets => generate(events, seed, detector.as_deref(), &out),
        },
        Command::Train {
            model,
            data,
            generate,
            data_seed,
            detector,
            hidden,
            gen_cols,
            reco_cols,
            epochs,
            batch,
            lr,
            preset,
            masked,
            kernel,
            lambda_g,
            detector_features,
            seed,
            backend,
            target,
            transforms,
            input,
            out,
        } => (|| {
            if let ModelArg::JetVae = model {
                let data = data.ok_or_else(|| {
                    Error::invalid("train", "the jet VAE trains on --data JETS.npz")
                })?;
                let mut cfg = fastsim_lab::train::paper_train_config();
                cfg.epochs = epochs.unwrap_or(cfg.epochs);
                cfg.lr = lr.unwrap_or(cfg.lr);
                cfg.batch_size = batch.unwrap_or(128);
                cfg.seed = seed;
                return jets::train(&data, preset, masked, cfg, backend.into(), &out);
            }
            if let ModelArg::NaiveGan | ModelArg::Fcgan = model {
                let data = data.ok_or_else(|| {
                    Error::invalid(
                        "train",
                        "the GANs train on --data EVENTS (e.g. from generate --process wz)",
                    )
                })?;
                let mut cfg = fastsim_lab::train::gan_train_config();
                cfg.epochs = epochs.unwrap_or(cfg.epochs);
                cfg.lr = lr.unwrap_or(cfg.lr);
                cfg.batch_size = batch.unwrap_or(cfg.batch_size);
                cfg.seed = seed;
                let kind = if let ModelArg::Fcgan = model {
                    fastsim_lab::model::GanKind::Fcgan
                } else {
                    fastsim_lab::model::GanKind::Naive
                };
                return unfold::train(
                    unfold::GanTrainArgs {
                        kind,
                        data,
                        gen_cols,
                        reco_cols,
                        preset,
                        kernel: fastsim_lab::model::MmdKernel::parse(&kernel)?,
                        lambda_g,
                        detector_features,
                        cfg,
                        backend: backend.into(),
                        out,
                    },
                    &input,
                );
            }
            let cfg = TrainConfig {
                epochs: epochs.unwrap_or(100),
                batch_size: batch.unwrap_or(128),
                lr: lr.unwrap_or(1e-3),
                seed,
                ..TrainConfig::default()
            };
            let target = match target {
                TargetArg::Residual => Target::Residual,
                TargetArg::Direct => Target::Direct,
            };
            let transforms = transforms
                .iter()
                .map(|t| Transform::parse(t))
                .collect::<Result<Vec<_>>>()?;
            let source = match (data, generate) {
                (Some(path), _) => DataSource::File(path),
                (None, Some(events)) => {
                    let mut recipe = Recipe::wjets(events, data_seed);
                    if let Some(p) = detector {
                        recipe.detector = read_detector(&p)?;
                    }
                    DataSource::Recipe(Box::new(recipe))
                }
                (None, None) => {
                    return Err(Error::invalid("train", "give --data FILE or --generate N"))
                }
            };
            train(
                model,
                &source,
                &input,
                TrainData {
                    gen_cols,
                    reco_cols,
                    target,
                    transforms,
                    hidden: Hidden::parse(&hidden)?,
                },
                cfg,
                backend.into(),
                &out,
            )
        })(),
        Command::Sample {
            model,
            input,
            seed,
            backend,
            read,
            out,
        } => sample(&model, &input, &read, seed, backend.into(), &out),
        Command::Convert { input, read, out } => convert(&input, &read, &out),
        Command::Eval {
            truth,
            test,
            cols,
            joint,
            max_quantiles,
            read,
        } => eval(&truth, &test, &read, &cols, joint, max_quantiles),
        Command::Amplify(args) => evaluate::amplify(args),
        Command::Plot {
            truth,
            test,
            kind,
            features,
            bins,
            format,
            read,
            out_dir,
        } => plot(
            &truth, &test, kind, &read, &features, bins, format, &out_dir,
        ),
        Command::Jets(args) => jets::report(args),
        Command::Closure(args) => unfold::closure(args),
        Command::Bench(args) => bench::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `work` to its end in steps of `n`, with a progress bar of `total` units.
pub(crate) fn fill_with_bar(
    work: &mut impl fastsim_lab::steps::Steps,
    total: usize,
    n: usize,
    what: &str,
) -> Result<()> {
    let pb = bar(total as u64, what);
    while !work.step(n)? {
        pb.set_position((work.progress() * total as f64) as u64);
    }
    pb.finish_and_clear();
    Ok(())
}

pub(crate) fn bar(len: u64, what: &str) -> ProgressBar {
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

fn generate(events: usize, seed: u64, detector: Option<&Path>, out: &Path) -> Result<()> {
    let mut recipe = Recipe::wjets(events, seed);
    if let Some(path) = detector {
        recipe.detector = read_detector(path)?;
    }
    let mut stream = recipe.stream()?;
    fill_with_bar(&mut stream, events, 5_000, "generate")?;
    let eff = stream.efficiency();
    let table = stream.into_table();
    write_table(&table, out)?;
    eprintln!(
        "wrote {} events ({} columns) to {} (selection efficiency {:.1} %)",
        table.n_rows(),
        table.n_cols(),
        out.display(),
        100.0 * eff
    );
    Ok(())
}

fn read_detector(path: &Path) -> Result<Detector> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Detector::from_json(&text, &path.display().to_string())
}

/// What `train` learns from.
enum DataSource {
    File(PathBuf),
    Recipe(Box<Recipe>),
}

impl DataSource {
    /// The table, where it came from (recorded in the model file), and independent test
    /// events for the quality figures (for a file: the file itself).
    fn load(&self, read: &InputArgs) -> Result<(Table, DataOrigin, Table, String)> {
        match self {
            DataSource::File(path) => {
                let table = read.load(path)?;
                let bytes = std::fs::read(path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                let origin = DataOrigin::Upload {
                    name: path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    ),
                    rows: table.n_rows(),
                    sha256: sha256_hex(&bytes),
                };
                Ok((
                    table.clone(),
                    origin,
                    table,
                    format!("the training file {}", path.display()),
                ))
            }
            DataSource::Recipe(recipe) => {
                let table = recipe.build()?;
                let test = Recipe {
                    events: recipe.events.min(100_000),
                    seed: recipe.seed.wrapping_add(1),
                    ..(**recipe).clone()
                };
                let origin = DataOrigin::Recipe {
                    recipe: recipe.clone(),
                };
                Ok((
                    table,
                    origin,
                    test.build()?,
                    format!("{} independent events (seed {})", test.events, test.seed),
                ))
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn train(
    model: ModelArg,
    data: &DataSource,
    read: &InputArgs,
    cols: TrainData,
    cfg: TrainConfig,
    backend: BackendKind,
    out: &Path,
) -> Result<()> {
    debug_assert!(matches!(model, ModelArg::Smearing));
    let (table, origin, test, test_what) = data.load(read)?;
    let device = backend::device(backend)?;
    let mut job = SmearingJob::new(&table, &cols, cfg.clone(), &device)?;
    eprintln!(
        "training the smearing network on {} ({} train / {} validation events, {} → {} features) on {}",
        table.source(),
        job.trainer.n_train(),
        job.trainer.n_val(),
        cols.gen_cols.len(),
        cols.reco_cols.len(),
        backend.label()
    );
    let pb = bar(cfg.epochs as u64, "epochs");
    pollster::block_on(job.trainer.run(
        |r| {
            // Printed whether or not stderr is a terminal (the bar itself only on one).
            pb.suspend(|| {
                eprintln!(
                    "epoch {:>3}  lr {:.2e}  train {:.4}  validation {:.4}  (best: epoch {})",
                    r.epoch, r.lr, r.train_loss, r.val_loss, r.best_epoch
                )
            });
            pb.inc(1);
        },
        || false,
    ))?;
    pb.finish_and_clear();
    if let Some(stop) = job.trainer.stop_reason() {
        eprintln!("warning: {stop}");
    }
    let mut trained = job.finish()?;
    trained.meta.origin = Some(origin);
    // Quality at save time: quantile-JS (16 quantiles) of model vs detector per reco column.
    let sampled = pollster::block_on(trained.sample(&test, cfg.seed))?;
    trained.meta.quality = trained
        .meta
        .reco_cols
        .iter()
        .map(|c| {
            Ok((
                c.clone(),
                quantile_js(test.column(c)?, sampled.column(c)?, 16)?,
            ))
        })
        .collect::<Result<_>>()?;
    eprintln!(
        "quantile-JS (16 quantiles) on {test_what}: {}",
        trained
            .meta
            .quality
            .iter()
            .map(|(c, j)| format!("{} {j:.5}", c.trim_start_matches("reco_")))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let bytes = pollster::block_on(save_smearing(&trained))?;
    std::fs::write(out, &bytes).map_err(|source| Error::Io {
        path: out.to_path_buf(),
        source,
    })?;
    eprintln!(
        "wrote {} (kept epoch {}, sha256 {})",
        out.display(),
        trained.meta.best_epoch,
        sha256_hex(&bytes)
    );
    Ok(())
}

fn sample(
    model: &Path,
    input: &Path,
    read: &InputArgs,
    seed: u64,
    backend: BackendKind,
    out: &Path,
) -> Result<()> {
    let device = backend::device(backend)?;
    let (bytes, name) = model_bytes(model)?;
    match model_kind(&bytes, &name)?.as_str() {
        "jet-vae" => return jets::sample(&bytes, &name, input, seed, &device, out),
        "unfold-gan" => return unfold::sample(&bytes, &name, input, read, seed, &device, out),
        _ => {}
    }
    let trained = load_smearing(&bytes, &name, &device)?;
    let table = read.load(input)?;
    let mut sampled = pollster::block_on(trained.sample(&table, seed))?;
    derive_wjet_aux(&mut sampled, "reco")?;
    write_table(&sampled, out)?;
    eprintln!(
        "wrote {} events with {} predicted columns to {}",
        sampled.n_rows(),
        trained.meta.reco_cols.len(),
        out.display()
    );
    Ok(())
}

/// A model file's bytes: `arg` is a path, or else the name of an entry of
/// `models/manifest.json` (under `$FASTSIM_MODELS`, default `models`), whose hash is checked.
pub(crate) fn model_bytes(arg: &Path) -> Result<(Vec<u8>, String)> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| Error::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    if arg.exists() {
        return Ok((read(arg)?, arg.display().to_string()));
    }
    let dir = PathBuf::from(std::env::var_os("FASTSIM_MODELS").unwrap_or_else(|| "models".into()));
    let manifest_path = dir.join("manifest.json");
    if !manifest_path.exists() {
        return Err(Error::invalid(
            "model",
            format!(
                "'{}' is neither a file nor, without {}, a pre-trained model name",
                arg.display(),
                manifest_path.display()
            ),
        ));
    }
    let text = String::from_utf8_lossy(&read(&manifest_path)?).into_owned();
    let manifest = Manifest::from_json(&text, &manifest_path.display().to_string())?;
    let entry = manifest.find(&arg.display().to_string())?;
    let path = dir.join(&entry.file);
    let bytes = read(&path)?;
    Manifest::verify(entry, &bytes)?;
    Ok((bytes, path.display().to_string()))
}

fn convert(input: &Path, read: &InputArgs, out: &Path) -> Result<()> {
    let table = read.load(input)?;
    write_table(&table, out)?;
    eprintln!(
        "wrote {} rows × {} columns to {}",
        table.n_rows(),
        table.n_cols(),
        out.display()
    );
    Ok(())
}

fn eval(
    truth: &Path,
    test: &Path,
    read: &InputArgs,
    cols: &[String],
    joint: bool,
    max_quantiles: usize,
) -> Result<()> {
    let truth_t = read.load(truth)?;
    let test_t = read.load(test)?;
    let mut curves = Vec::new();
    for c in cols {
        curves.push(js_curve(
            truth_t.column(c)?,
            test_t.column(c)?,
            max_quantiles,
        )?);
    }
    let mut header = cols.to_vec();
    if joint {
        let (a, b) = (truth_t.row_major(cols)?, test_t.row_major(cols)?);
        curves.push(joint_js_curve(&a, &b, cols.len(), max_quantiles)?);
        header.push("joint".into());
    }
    println!("n_quant\t{}", header.join("\t"));
    for (i, (n, _)) in curves[0].iter().enumerate() {
        let row: Vec<String> = curves.iter().map(|c| format!("{:.6}", c[i].1)).collect();
        println!("{n}\t{}", row.join("\t"));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn plot(
    truth: &Path,
    test: &[PathBuf],
    kind: evaluate::PlotKind,
    read: &InputArgs,
    features: &[String],
    bins: usize,
    format: ImageFormat,
    out_dir: &Path,
) -> Result<()> {
    let truth_t = read.load(truth)?;
    let models: Vec<Table> = test.iter().map(|t| read.load(t)).collect::<Result<_>>()?;
    let suffix = match kind {
        evaluate::PlotKind::Hist => "",
        evaluate::PlotKind::Residual => "_residual",
        evaluate::PlotKind::Map => "_map",
    };
    for f in features {
        let fig = evaluate::feature_figure(kind, f, &truth_t, &models, bins.clamp(1, 1000))?;
        evaluate::write_figure(&fig, out_dir, &format!("{f}{suffix}"), format)?;
    }
    Ok(())
}
