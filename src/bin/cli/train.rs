//! `fastsim train`: the smearing network (seed 000), the jet VAE (seed 001) or an unfolding
//! GAN (seed 002), from a file or built-in events, to a model file. What each model trains
//! on, with which settings, and what quality figure its file records is the library's
//! workflow; this file parses and reports.

use super::common::{bar, drive, file_name, read, write, BackendArg, InputArgs, PresetArg};
use super::generate::read_wjets_detector;
use super::jets::read_jets;
use clap::{Args, ValueEnum};
use fastsim_lab::backend::{self, BackendKind};
use fastsim_lab::data::Transform;
use fastsim_lab::model::{
    FlowSpec, GanConfig, GanKind, KernelShape, MmdKernel, Target, LOSS_PARTS,
};
use fastsim_lab::recipe::{DataOrigin, WjetsRecipe};
use fastsim_lab::store::{save_jet_vae, save_smearing, save_unfold, save_vae_gan, sha256_hex};
use fastsim_lab::train::{GanJob, Hidden, JetVaeJob, SmearingJob, TrainData};
use fastsim_lab::workflow::{
    jets, seeds, showers,
    smearing::{self, Source, TestEvents},
    unfold, Epochs,
};
use fastsim_lab::{Error, Result};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Clone, Copy, ValueEnum)]
enum ModelArg {
    Smearing,
    /// A conditional normalizing flow (rational-quadratic spline couplings) in place of the
    /// smearing network's Gaussian: the same columns, targets, files and sampling.
    Flow,
    JetVae,
    /// Seed 002, section 2: the generator maps detector events to parton events.
    NaiveGan,
    /// Seed 002, section 3: the fully conditional GAN.
    Fcgan,
    /// Seed 003: the shower VAE-GAN, trained on --data SHOWERS.npz.
    VaeGan,
}

#[derive(Args)]
pub struct TrainArgs {
    #[arg(long, value_enum)]
    model: ModelArg,
    /// Every setting as the model's paper states it where the lab's default differs (seed
    /// 000: direct regression of the nine W+jet features, HL-LHC pile-up for --generate;
    /// seed 001: the paper's unmasked network, jet terms in GeV², 10⁻⁴ for 300 epochs, the
    /// file split 60/20/20; seed 002: table 1's networks, independent naive-GAN batches); the
    /// README's per-paper tables list each setting. --epochs, --batch, --lr and --seed still
    /// apply, and for seed 000 the columns, --target, --hidden and --pileup, and for seed 001
    /// --masked; the other network options give way to the preset.
    #[arg(long)]
    paper: bool,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    smearing: SmearingArgs,
    #[command(flatten)]
    size: SizeArgs,
    #[command(flatten)]
    jet_vae: JetVaeArgs,
    #[command(flatten)]
    gan: GanArgs,
    #[command(flatten)]
    vae_gan: VaeGanArgs,
    #[arg(long)]
    out: PathBuf,
}

/// What the model learns from.
#[derive(Args)]
#[command(next_help_heading = "Data")]
struct DataArgs {
    /// The table to train on (CSV, NPY, NPZ, ROOT); for the jet VAE, jets (.npz or long CSV).
    /// Its last 20 % is held out as the smearing network's test rows.
    #[arg(
        long,
        required_unless_present = "generate",
        conflicts_with = "generate"
    )]
    data: Option<PathBuf>,
    /// Smearing: train on this many built-in W+jet events (seed --data-seed, detector
    /// --detector), which the model file records as its recipe.
    #[arg(long)]
    generate: Option<usize>,
    #[arg(long, default_value_t = 1)]
    data_seed: u64,
    /// Detector JSON for --generate (CMS-like defaults otherwise).
    #[arg(long, requires = "generate")]
    detector: Option<PathBuf>,
    /// Mean pile-up of the --generate events (default 27; seed 000's HL-LHC: 200).
    #[arg(long, requires = "generate")]
    pileup: Option<f64>,
    /// Generator-level input columns (smearing; the jet VAE reads the `gen` jet array).
    /// For the GANs: the parton-level columns the model writes, (pT, η, φ) per object,
    /// the two jets first (default: the built-in WZ columns).
    #[arg(long, value_delimiter = ',')]
    gen_cols: Vec<String>,
    /// Detector-level target columns, paired with --gen-cols by position (the GANs: the
    /// detector-level columns they read; default: the built-in WZ columns).
    #[arg(long, value_delimiter = ',')]
    reco_cols: Vec<String>,
    #[command(flatten)]
    input: InputArgs,
}

/// The run's settings; unset ones are the paper's for the model.
#[derive(Args)]
#[command(next_help_heading = "Training")]
struct RunArgs {
    /// Seed 000 trains 100 epochs, seed 001 300, the GANs 50 here (the default per model).
    #[arg(long)]
    epochs: Option<usize>,
    /// Batch size (default: 128; the GANs 512, seed 002's table 1).
    #[arg(long)]
    batch: Option<usize>,
    /// Smearing: initial learning rate 10⁻³, epoch e uses lr/(1+e). Jet VAE and GANs:
    /// constant 10⁻⁴.
    #[arg(long)]
    lr: Option<f64>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: BackendArg,
}

#[derive(Args)]
#[command(next_help_heading = "Smearing network")]
struct SmearingArgs {
    /// Hidden layers × width of both networks (seed 000: 4x100; 2x16 fits in a share link),
    /// or of each flow conditioner (default 2x64).
    #[arg(long)]
    hidden: Option<String>,
    /// Flow: coupling layers.
    #[arg(long, default_value_t = FlowSpec::default().layers)]
    flow_layers: usize,
    /// Flow: spline bins per layer.
    #[arg(long, default_value_t = FlowSpec::default().bins)]
    flow_bins: usize,
    /// Flow: the splines cover ±B standardised units, linear beyond.
    #[arg(long, default_value_t = FlowSpec::default().tail_bound)]
    tail_bound: f64,
    /// What the network learns: the residual reco − gen of paired columns, or reco itself
    /// (seed 000's direct parametrisation).
    /// Default: residual (seed 000 and --paper: direct).
    #[arg(long, value_enum)]
    target: Option<TargetArg>,
    /// One transform per gen/reco pair, `none` or `log` (for a positive quantity),
    /// applied before training and undone when sampling.
    #[arg(long, value_delimiter = ',')]
    transforms: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum TargetArg {
    Residual,
    Direct,
}

#[derive(Args)]
#[command(next_help_heading = "Network size (jet VAE and GANs)")]
struct SizeArgs {
    /// The paper's (seed 001, section 4; seed 002, table 1) or a small one for quick runs.
    #[arg(long, value_enum, default_value = "paper")]
    preset: PresetArg,
}

#[derive(Args)]
#[command(next_help_heading = "Jet VAE")]
struct JetVaeArgs {
    /// The masked variant (existence scores; padding out of the loss).
    #[arg(long)]
    masked: bool,
    /// Which epoch's weights to keep: `loss`, the lowest validation loss (the lab's), or
    /// `kld`, the lowest sum of the jet features' symmetrised KLDs on the validation jets,
    /// scored every 10 epochs and at the last (seed 001, section 5; --paper's).
    #[arg(long, value_enum)]
    select: Option<SelectArg>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum SelectArg {
    Loss,
    Kld,
}

#[derive(Args)]
#[command(next_help_heading = "Unfolding GANs")]
struct GanArgs {
    /// The MMD kernel on m_jj — single, multiple (the paper's), cooling, augmented
    /// (appendix B) or conditional (beyond the paper).
    #[arg(long, default_value = "multiple")]
    kernel: String,
    /// Each kernel's shape (seed 002, eq. 6): gaussian (the paper's results) or breit-wigner.
    #[arg(long, default_value = "gaussian")]
    kernel_shape: String,
    /// The weight λ_G of the MMD term (seed 002, table 1: 1).
    #[arg(long, default_value_t = 1.0)]
    lambda_g: f64,
    /// Condition also on the detector-level m_jj, pT,j1, pT,j2 (beyond the paper).
    #[arg(long)]
    detector_features: bool,
    /// Naive GAN: draw the parton-level batches independently of the detector-level ones
    /// (seed 002, section 2), not from the same events.
    #[arg(long)]
    independent_batches: bool,
}

#[derive(Args)]
#[command(next_help_heading = "Shower VAE-GAN")]
struct VaeGanArgs {
    /// Trainings (different seeds) whose generators make one mixture model (seed 003: 3).
    #[arg(long, default_value_t = showers::MEMBERS)]
    members: usize,
    /// `fast` (Adam 5·10⁻⁴, 300 epochs), `decay` (the same, falling to 5·10⁻⁵ by the last
    /// epoch) or `paper` (8·10⁻⁶, 50,000 epochs).
    #[arg(long, default_value = "fast")]
    schedule: String,
    /// Train on the first N showers of --data (seed 003: 1k).
    #[arg(long, default_value_t = showers::TRAIN_SHOWERS)]
    showers: usize,
}

pub fn run(a: TrainArgs) -> Result<()> {
    if a.paper && matches!(a.model, ModelArg::Flow | ModelArg::VaeGan) {
        return Err(Error::invalid(
            "paper",
            "--paper presets exist for the smearing network (seed 000), the jet VAE (seed 001) and the unfolding GANs (seed 002); the VAE-GAN's is --schedule paper, and the flow is beyond the papers",
        ));
    }
    match a.model {
        ModelArg::Smearing | ModelArg::Flow => train_smearing(a),
        ModelArg::JetVae => train_jet_vae(a),
        ModelArg::NaiveGan => train_gan(a, GanKind::Naive),
        ModelArg::Fcgan => train_gan(a, GanKind::Fcgan),
        ModelArg::VaeGan => train_vae_gan(a),
    }
}

fn train_smearing(a: TrainArgs) -> Result<()> {
    let r = &a.run;
    let flow = matches!(a.model, ModelArg::Flow);
    let preset = smearing::paper_preset();
    let cfg = smearing::paper().overridden(r.epochs, r.batch, r.lr, r.seed);
    let (gen_cols, reco_cols) =
        match (&a.data.gen_cols[..], &a.data.reco_cols[..]) {
            ([], []) if a.paper => (preset.data.gen_cols.clone(), preset.data.reco_cols.clone()),
            ([], _) | (_, []) => return Err(Error::invalid(
                "columns",
                "give --gen-cols and --reco-cols (or --paper for seed 000's nine W+jet features)",
            )),
            (g, r) => (g.to_vec(), r.to_vec()),
        };
    let cols = TrainData {
        gen_cols,
        reco_cols,
        target: match (a.smearing.target, a.paper) {
            (Some(TargetArg::Residual), _) | (None, false) => Target::Residual,
            (Some(TargetArg::Direct), _) | (None, true) => Target::Direct,
        },
        transforms: a
            .smearing
            .transforms
            .iter()
            .map(|t| Transform::parse(t))
            .collect::<Result<_>>()?,
        hidden: match &a.smearing.hidden {
            Some(h) => Hidden::parse(h)?,
            None if flow => smearing::FLOW_HIDDEN,
            None => Hidden::PAPER,
        },
        flow: flow.then_some(FlowSpec {
            layers: a.smearing.flow_layers,
            bins: a.smearing.flow_bins,
            tail_bound: a.smearing.tail_bound,
        }),
    };
    // The events, and the recipe that made them (None for a file: then its name and hash).
    let (events, recipe, name, sha256) = match (&a.data.data, a.data.generate) {
        (Some(path), _) => {
            let table = a.data.input.load(path)?;
            // A missing or non-finite column is named before anything else is said.
            table.ensure_finite(&[cols.gen_cols.clone(), cols.reco_cols.clone()].concat())?;
            (table, None, file_name(path), sha256_hex(&read(path)?))
        }
        (None, Some(n)) => {
            let mut recipe = WjetsRecipe::new(n, a.data.data_seed);
            if let Some(p) = &a.data.detector {
                recipe.detector = read_wjets_detector(p)?;
            }
            match (a.data.pileup, a.paper) {
                (Some(mu), _) => recipe.generator.mean_pileup = mu,
                (None, true) => recipe.generator.mean_pileup = preset.mean_pileup,
                (None, false) => {}
            }
            (build(&recipe)?, Some(recipe), String::new(), String::new())
        }
        (None, None) => return Err(Error::invalid("train", "give --data FILE or --generate N")),
    };
    let source = match &recipe {
        Some(recipe) => Source::Recipe {
            recipe,
            table: &events,
        },
        None => Source::File {
            table: &events,
            name: &name,
            sha256: &sha256,
        },
    };
    let table = source.train_rows()?;
    let backend: BackendKind = r.backend.into();
    let device = backend::device(backend)?;
    let mut job = SmearingJob::new(&table, &cols, cfg.clone(), &device)?;
    eprintln!(
        "training the {} on {} ({} train / {} validation events, {} → {} features) on {}",
        if flow {
            "conditional flow"
        } else {
            "smearing network"
        },
        table.source(),
        job.trainer.n_train(),
        job.trainer.n_val(),
        cols.gen_cols.len(),
        cols.reco_cols.len(),
        backend.label()
    );
    let pb = bar(cfg.epochs as u64, "epochs");
    let mut work = Epochs::new(&mut job.trainer, |r| {
        // Printed whether or not stderr is a terminal (the bar itself only on one).
        pb.suspend(|| {
            eprintln!(
                "epoch {:>3}  lr {:.2e}  train {:.4}  validation {:.4}  (best: epoch {})",
                r.epoch, r.lr, r.train_loss, r.val_loss, r.best_epoch
            )
        })
    });
    drive(&mut work, 8, &pb)?;
    if let Some(stop) = job.trainer.stop_reason() {
        eprintln!("warning: {stop}");
    }
    let mut trained = job.finish()?;
    trained.meta.origin = Some(source.origin());
    let test = source.test_events()?;
    let tested_on = test.describe();
    let test_table = match test {
        TestEvents::Recipe(recipe) => build(&recipe)?,
        TestEvents::HeldOut { table, .. } => table,
    };
    let sampled = pollster::block_on(trained.sample(&test_table, cfg.seed))?;
    trained.meta.quality = smearing::quality(&smearing::compare(&trained, &test_table, &sampled)?);
    eprintln!(
        "quantile-JS ({} quantiles) on {}: {}",
        smearing::N_QUANT,
        tested_on,
        smearing::quality_text(&trained.meta.quality)
    );
    let bytes = pollster::block_on(save_smearing(&trained))?;
    write(&a.out, &bytes)?;
    eprintln!(
        "wrote {} (kept epoch {}, sha256 {})",
        a.out.display(),
        trained.meta.best_epoch,
        sha256_hex(&bytes)
    );
    Ok(())
}

/// A W+jet recipe's events, with a progress bar.
fn build(recipe: &WjetsRecipe) -> Result<fastsim_lab::data::Table> {
    let mut stream = recipe.stream()?;
    drive(&mut stream, 5_000, &bar(recipe.events as u64, "generate"))?;
    Ok(stream.into_table())
}

fn train_jet_vae(a: TrainArgs) -> Result<()> {
    let data = a
        .data
        .data
        .as_ref()
        .ok_or_else(|| Error::invalid("train", "the jet VAE trains on --data JETS.npz"))?;
    let r = &a.run;
    let preset = jets::paper_preset();
    let base = if a.paper { preset.train } else { jets::PAPER };
    let cfg = base.overridden(r.epochs, r.batch, r.lr, r.seed);
    let masked = a.jet_vae.masked;
    let mut jets_in = read_jets(data)?;
    if a.paper {
        // 60/20/20: the last fifth stays out for testing (`fastsim jets`), a quarter of the
        // rest validates.
        jets_in = jets_in.slice(0, seeds::held_out_split(jets_in.len()))?;
    }
    let name = data.display().to_string();
    let backend: BackendKind = r.backend.into();
    let device = backend::device(backend)?;
    let (net, unit) = if a.paper {
        (preset.net.with_masked(masked), Some(preset.jet_term_unit))
    } else {
        (jets::net_config(a.size.preset.into(), masked), None)
    };
    let mut job = JetVaeJob::with_jet_term_unit(&jets_in, &name, net, cfg.clone(), &device, unit)?;
    let kld_every = match a.jet_vae.select {
        Some(SelectArg::Kld) => Some(jets::KLD_EVERY),
        Some(SelectArg::Loss) => None,
        None if a.paper => preset.select_kld_every,
        None => None,
    };
    if let Some(every) = kld_every {
        job.select_by_kld(&jets_in, every)?;
    }
    job.set_origin(Some(DataOrigin::Upload {
        name: file_name(data),
        rows: jets_in.len(),
        sha256: sha256_hex(&read(data)?),
    }));
    eprintln!(
        "training the {}jet VAE ({:?} preset) on {name} ({} train / {} validation jets) on {}",
        if masked { "masked " } else { "" },
        a.size.preset,
        job.trainer.n_train(),
        job.trainer.n_val(),
        backend.label()
    );
    let pb = bar(cfg.epochs as u64, "epochs");
    let t0 = Instant::now();
    let mut work = Epochs::new(&mut job.trainer, |r| {
        pb.suspend(|| {
            let parts = |p: &[f64]| {
                p.iter()
                    .zip(LOSS_PARTS)
                    .filter(|(_, n)| masked || *n != "existence")
                    .map(|(v, n)| format!("{n} {v:.4}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let kld = r
                .selection
                .map_or(String::new(), |k| format!("  KLD {k:.4}"));
            eprintln!(
                "epoch {:>3}  train {:.4} ({})  validation {:.4} ({}){kld}  (best: epoch {}, {:.0} s)",
                r.epoch,
                r.train_loss,
                parts(&r.train_parts),
                r.val_loss,
                parts(&r.val_parts),
                r.best_epoch,
                t0.elapsed().as_secs_f64()
            )
        })
    });
    drive(&mut work, 8, &pb)?;
    if let Some(stop) = job.trainer.stop_reason() {
        eprintln!("warning: {stop}");
    }
    let trained = job.finish()?;
    let bytes = pollster::block_on(save_jet_vae(&trained))?;
    write(&a.out, &bytes)?;
    eprintln!(
        "wrote {} (kept epoch {}, {:.0} s of training, sha256 {})",
        a.out.display(),
        trained.meta.best_epoch,
        t0.elapsed().as_secs_f64(),
        sha256_hex(&bytes)
    );
    Ok(())
}

fn train_gan(a: TrainArgs, kind: GanKind) -> Result<()> {
    let data = a.data.data.as_ref().ok_or_else(|| {
        Error::invalid(
            "train",
            "the GANs train on --data EVENTS (e.g. from generate --process wz)",
        )
    })?;
    let r = &a.run;
    let cfg = unfold::PAPER.overridden(r.epochs, r.batch, r.lr, r.seed);
    let table = a.data.input.load(data)?;
    let (gen_cols, reco_cols) = unfold::columns(a.data.gen_cols.clone(), a.data.reco_cols.clone());
    let net = if a.paper {
        unfold::paper_net(kind, gen_cols.len() / 3)
    } else {
        GanConfig {
            kernel_shape: KernelShape::parse(&a.gan.kernel_shape)?,
            independent_batches: a.gan.independent_batches,
            ..unfold::net_config(
                kind,
                a.size.preset.into(),
                gen_cols.len() / 3,
                MmdKernel::parse(&a.gan.kernel)?,
                a.gan.lambda_g,
                a.gan.detector_features,
            )
        }
    };
    let backend: BackendKind = r.backend.into();
    let device = backend::device(backend)?;
    let mut job = GanJob::new(
        &table,
        &gen_cols,
        &reco_cols,
        net.clone(),
        cfg.clone(),
        &device,
    )?;
    job.set_origin(DataOrigin::Upload {
        name: data.display().to_string(),
        rows: table.n_rows(),
        sha256: sha256_hex(&read(data)?),
    });
    eprintln!(
        "training the {} on {} ({} train / {} validation events) on {}",
        net.describe(),
        table.source(),
        job.n_train(),
        job.n_val(),
        backend.label()
    );
    let t0 = Instant::now();
    let pb = bar(cfg.epochs as u64, "epochs");
    let mut work = Epochs::new(&mut job, |r| {
        pb.suspend(|| {
            eprintln!(
                "epoch {:>3}  L_D {:.4} (reg {:.3})  L_G {:.4} (MMD {:.3})  val JS(m_jj) {:.4}  (best: epoch {})",
                r.epoch, r.d_loss, r.d_reg, r.g_loss, r.mmd, r.val_js_mjj, r.best_epoch
            )
        })
    });
    drive(&mut work, 8, &pb)?;
    if let Some(stop) = job.stop_reason() {
        eprintln!("warning: {stop}");
    }
    let trained = job.finish()?;
    let bytes = pollster::block_on(save_unfold(&trained))?;
    write(&a.out, &bytes)?;
    eprintln!(
        "wrote {} in {:.0} s (kept epoch {}, sha256 {})",
        a.out.display(),
        t0.elapsed().as_secs_f64(),
        trained.meta.best_epoch,
        sha256_hex(&bytes)
    );
    Ok(())
}

fn train_vae_gan(a: TrainArgs) -> Result<()> {
    let data = a.data.data.as_ref().ok_or_else(|| {
        Error::invalid(
            "train",
            "the VAE-GAN trains on --data SHOWERS.npz (e.g. from generate --process showers)",
        )
    })?;
    let v = &a.vae_gan;
    let r = &a.run;
    let cfg = showers::schedule(&v.schedule)?.overridden(r.epochs, r.batch, r.lr, r.seed);
    let name = data.display().to_string();
    let all = fastsim_lab::data::read_showers(&read(data)?, &name)?;
    let n = (all.len() / fastsim_lab::physics::IMAGE_PIXELS).min(v.showers);
    let images = &all[..n * fastsim_lab::physics::IMAGE_PIXELS];
    if !(1..=16).contains(&v.members) {
        return Err(Error::invalid(
            "members",
            format!("{} (1 to 16)", v.members),
        ));
    }
    let backend: BackendKind = r.backend.into();
    let device = backend::device(backend)?;
    // The built-in showers' 15 mm pixels (three 5 mm cells).
    let pixel_mm = fastsim_lab::recipe::ShowerRecipe::new(1, 1).pixel_mm();
    let t0 = Instant::now();
    let mut members = Vec::new();
    for m in 0..v.members {
        let mut job =
            showers::member_job(images, pixel_mm, showers::net_config(), &cfg, m, &device)?;
        eprintln!(
            "training VAE-GAN member {}/{} (seed {}) on {n} showers of {name} on {}: {} epochs, lr {:.1e}, batch {}",
            m + 1,
            v.members,
            job.config().seed,
            backend.label(),
            cfg.epochs,
            cfg.lr,
            cfg.batch_size
        );
        let pb = bar(cfg.epochs as u64, "epochs");
        let mut work = Epochs::new(&mut job, |r| {
            pb.suspend(|| {
                eprintln!(
                    "epoch {:>4}  L_D {:.4}  -log D(G) {:.4}  KL {:.3}  selection JS {:.4}  (best: epoch {}, {:.0} s)",
                    r.epoch, r.d_loss, r.g_loss, r.kl, r.selection, r.best_epoch,
                    t0.elapsed().as_secs_f64()
                )
            })
        });
        drive(&mut work, 4, &pb)?;
        if let Some(stop) = job.stop_reason() {
            eprintln!("warning: {stop}");
        }
        members.push(job.into_model()?);
    }
    let mut model = showers::mixture(members)?;
    model.meta.origin = Some(DataOrigin::Upload {
        name: file_name(data),
        rows: n,
        sha256: sha256_hex(&read(data)?),
    });
    let bytes = pollster::block_on(save_vae_gan(&model))?;
    write(&a.out, &bytes)?;
    eprintln!(
        "wrote {} in {:.0} s ({} members, kept epochs {:?}, selection JS {:?}, sha256 {})",
        a.out.display(),
        t0.elapsed().as_secs_f64(),
        model.meta.members(),
        model.meta.best_epochs,
        model
            .meta
            .selection()
            .iter()
            .map(|s| format!("{s:.4}"))
            .collect::<Vec<_>>(),
        sha256_hex(&bytes)
    );
    Ok(())
}
