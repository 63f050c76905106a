//! The jet subcommands: built-in jets, jet-VAE training and sampling, and the jet report
//! (quantile-JS table, distributions with ratio panels, event display).

use super::evaluate::write_figure;
use super::{bar, ImageFormat};
use clap::{Args, ValueEnum};
use fastsim_lab::backend::{self, BackendKind};
use fastsim_lab::data::JetArrays;
use fastsim_lab::detector::ParticleDetector;
use fastsim_lab::jet_recipe::JetRecipe;
use fastsim_lab::metrics::{jet_js, Acceptance, JetColumns, JS_FEATURES};
use fastsim_lab::model::JetVaeConfig;
use fastsim_lab::physics::JetFeatures;
use fastsim_lab::plot::{
    axis_label, Figure, JetPanel, SeriesData, GEN_COLOR, MODEL_COLOR, RECO_COLOR, VAL_COLOR,
};
use fastsim_lab::recipe::DataOrigin;
use fastsim_lab::store::{load_jet_vae, save_jet_vae, sha256_hex};
use fastsim_lab::train::{JetVaeJob, TrainConfig, Training};
use fastsim_lab::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Jet VAE sizes.
#[derive(Clone, Copy, ValueEnum, PartialEq, Debug)]
pub enum Preset {
    /// Seed 001, section 4: convolutions 32/64/128, dense 640 and 150, latent 20.
    Paper,
    /// Convolutions 8/16/32, dense 128 and 64, latent 20: ≈ 8× faster, for quick runs.
    Small,
}

impl Preset {
    pub fn config(self, masked: bool) -> JetVaeConfig {
        let cfg = JetVaeConfig::new().with_masked(masked);
        match self {
            Preset::Paper => cfg,
            Preset::Small => cfg
                .with_channels(vec![8, 16, 32])
                .with_dense1(128)
                .with_dense2(64),
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub fn read_jets(path: &Path) -> Result<JetArrays> {
    let name = path.display().to_string();
    fastsim_lab::data::check_size(&name, std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))?;
    let jets = JetArrays::read_bytes(&read(path)?, &name)?;
    for n in &jets.notes {
        eprintln!("{name}: {n}");
    }
    Ok(jets)
}

pub fn generate(
    jets: usize,
    seed: u64,
    detector: Option<&Path>,
    pileup: Option<f64>,
    out: &Path,
) -> Result<()> {
    let mut recipe = JetRecipe::new(jets, seed);
    if let Some(path) = detector {
        let text = String::from_utf8_lossy(&read(path)?).into_owned();
        recipe.detector = serde_json::from_str::<ParticleDetector>(&text)
            .map_err(|e| Error::invalid("detector", format!("{}: {e}", path.display())))?;
    }
    if let Some(mu) = pileup {
        recipe.detector.pileup_mu = mu;
    }
    let mut stream = recipe.stream()?;
    super::fill_with_bar(&mut stream, jets, 2_000, "jets")?;
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

pub fn train(
    data: &Path,
    preset: Preset,
    masked: bool,
    cfg: TrainConfig,
    backend: BackendKind,
    out: &Path,
) -> Result<()> {
    let jets = read_jets(data)?;
    let name = data.display().to_string();
    let device = backend::device(backend)?;
    let net = preset.config(masked);
    let mut job = JetVaeJob::new(&jets, &name, net, cfg.clone(), &device)?;
    let bytes = read(data)?;
    job.set_origin(Some(DataOrigin::Upload {
        name: data
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        rows: jets.len(),
        sha256: sha256_hex(&bytes),
    }));
    eprintln!(
        "training the {}jet VAE ({preset:?} preset) on {name} ({} train / {} validation jets) on {}",
        if masked { "masked " } else { "" },
        job.trainer.n_train(),
        job.trainer.n_val(),
        backend.label()
    );
    let pb = bar(cfg.epochs as u64, "epochs");
    let t0 = Instant::now();
    pollster::block_on(job.trainer.run(
        |r| {
            pb.suspend(|| {
                let parts = |p: &[f64]| {
                    p.iter()
                        .zip(fastsim_lab::model::LOSS_PARTS)
                        .filter(|(_, n)| masked || *n != "existence")
                        .map(|(v, n)| format!("{n} {v:.4}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                eprintln!(
                    "epoch {:>3}  train {:.4} ({})  validation {:.4} ({})  (best: epoch {}, {:.0} s)",
                    r.epoch,
                    r.train_loss,
                    parts(&r.train_parts),
                    r.val_loss,
                    parts(&r.val_parts),
                    r.best_epoch,
                    t0.elapsed().as_secs_f64()
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
    let trained = job.finish()?;
    let bytes = pollster::block_on(save_jet_vae(&trained))?;
    write(out, &bytes)?;
    eprintln!(
        "wrote {} (kept epoch {}, {:.0} s of training, sha256 {})",
        out.display(),
        trained.meta.best_epoch,
        t0.elapsed().as_secs_f64(),
        sha256_hex(&bytes)
    );
    Ok(())
}

/// Model jets for the input's `gen` array, written as `reco` beside the input's arrays (an
/// input `reco`, the detector's, is kept as `reco_detector`).
pub fn sample(
    model: &[u8],
    model_name: &str,
    input: &Path,
    seed: u64,
    device: &burn::prelude::Device,
    out: &Path,
) -> Result<()> {
    let trained = load_jet_vae(model, model_name, device)?;
    let mut jets = read_jets(input)?;
    let gen = jets.require("gen", &input.display().to_string())?.to_vec();
    let t = Instant::now();
    let sampled = pollster::block_on(trained.sample(&gen, seed))?;
    let secs = t.elapsed().as_secs_f64();
    if let Some(detector) = jets.remove("reco") {
        jets.insert("reco_detector", detector)?;
    }
    jets.insert("reco", sampled)?;
    write(out, &jets.write_bytes(&out.display().to_string())?)?;
    eprintln!(
        "wrote {} model jets to {} as 'reco' ({:.3} ms per jet)",
        jets.len(),
        out.display(),
        1e3 * secs / jets.len().max(1) as f64
    );
    Ok(())
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
}

/// Colours of the model series after the first.
const MORE: [plotters::style::RGBColor; 2] = [VAL_COLOR, plotters::style::RGBColor(204, 121, 167)];

pub fn report(args: ReportArgs) -> Result<()> {
    let truth = read_jets(&args.truth)?;
    let tname = args.truth.display().to_string();
    truth.require("gen", &tname)?;
    truth.require("reco", &tname)?;
    let acc = Acceptance::default();
    let gen = JetColumns::of(&truth, "gen", &acc);
    let reco = JetColumns::of(&truth, "reco", &acc);
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
        let cols = JetColumns::of(&jets, "reco", &acc);
        models.push((label, jets, cols));
    }
    // The table: quantile-JS against the detector's reco jets; gen as the no-simulation line.
    println!(
        "# quantile-JS ({} quantiles of the reco jets) against reco, jets with pT > {} GeV and |η| < {}",
        args.n_quant, acc.jet_pt_min, acc.jet_eta_max
    );
    println!("sample\taccepted\t{}", JS_FEATURES.join("\t"));
    let mut rows = vec![("gen".to_string(), &gen)];
    rows.extend(models.iter().map(|(l, _, c)| (l.clone(), c)));
    for (label, cols) in rows {
        let js = jet_js(&reco, cols, args.n_quant)?;
        println!(
            "{label}\t{}\t{}",
            cols.accepted,
            js.iter()
                .map(|v| format!("{v:.2e}"))
                .collect::<Vec<_>>()
                .join("\t")
        );
    }
    let Some(dir) = args.plot_dir else {
        return Ok(());
    };
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    let series = |pick: &dyn Fn(&JetColumns) -> Vec<f32>| {
        let mut s = vec![
            SeriesData::new("gen", pick(&gen), GEN_COLOR),
            SeriesData::new("reco", pick(&reco), RECO_COLOR),
        ];
        for (i, (label, _, cols)) in models.iter().enumerate() {
            let color = if i == 0 {
                MODEL_COLOR
            } else {
                MORE[(i - 1) % 2]
            };
            s.push(SeriesData::new(label, pick(cols), color));
        }
        s
    };
    for name in fastsim_lab::physics::JET_FEATURES {
        let fig = Figure::Hist {
            x_label: axis_label(&format!("jet_{name}")),
            series: series(&|c: &JetColumns| c.feature(name).unwrap_or_default().to_vec()),
            bins: args.bins,
        };
        write_figure(&fig, &dir, &format!("jet_{name}"), args.format)?;
    }
    for (k, f) in ["px", "py", "pz"].iter().enumerate() {
        let fig = Figure::Hist {
            x_label: axis_label(&format!("const_{f}")),
            series: series(&|c: &JetColumns| c.constituents[k].clone()),
            bins: args.bins,
        };
        write_figure(&fig, &dir, &format!("constituent_{f}"), args.format)?;
    }
    let i = args.display_jet.min(truth.len().saturating_sub(1));
    let fig = event_display(&truth, &models, i);
    write_figure(&fig, &dir, "event_display", args.format)?;
    eprintln!("wrote the plots to {}", dir.display());
    Ok(())
}

/// Jet `i` at gen, reco and model level, centred on the gen jet's axis.
fn event_display(
    truth: &JetArrays,
    models: &[(String, JetArrays, JetColumns)],
    i: usize,
) -> Figure {
    let panel = |title: &str, color, jets: &JetArrays| JetPanel {
        title: title.into(),
        color,
        particles: jets
            .particles("reco", i)
            .or_else(|| jets.particles(title, i))
            .unwrap_or_default()
            .iter()
            .map(|p| [p.pt() as f32, p.eta() as f32, p.phi() as f32])
            .collect(),
    };
    let gen_ps = truth.particles("gen", i).unwrap_or_default();
    let axis = JetFeatures::of(&gen_ps, 0.5);
    let mut panels = vec![
        JetPanel {
            title: "gen".into(),
            color: GEN_COLOR,
            particles: gen_ps
                .iter()
                .map(|p| [p.pt() as f32, p.eta() as f32, p.phi() as f32])
                .collect(),
        },
        panel("reco", RECO_COLOR, truth),
    ];
    for (k, (label, jets, _)) in models.iter().enumerate() {
        let color = if k == 0 {
            MODEL_COLOR
        } else {
            MORE[(k - 1) % 2]
        };
        panels.push(panel(label, color, jets));
    }
    Figure::Jets {
        panels,
        center: (axis.eta as f32, axis.phi as f32),
        r: 0.5,
    }
}
