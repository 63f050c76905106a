//! `fastsim bench`: the performance figures of the smearing network, the jet VAE and the
//! unfolding GAN, from a release build.
//! Sampling throughput (events/s on 100k events) and training time per epoch (20k events,
//! batch 128), each the median of several runs, for the CPU backend and for wgpu where an
//! adapter exists.

use clap::Args;
use fastsim_lab::backend::{self, BackendKind};
use fastsim_lab::data::JET_VALUES;
use fastsim_lab::model::{GanKind, JetScales, JetVaeConfig, JetVaeMeta, TrainedJetVae};
use fastsim_lab::physics::wz_object_columns;
use fastsim_lab::recipe::{JetRecipe, WjetsRecipe, WzRecipe};
use fastsim_lab::train::{GanJob, SmearingJob, TrainConfig, TrainData};
use fastsim_lab::workflow::{jets, run_to_end, unfold, Epochs, Preset};
use fastsim_lab::Result;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    /// Events to sample per run.
    #[arg(long, default_value_t = 100_000)]
    sample_events: usize,
    /// Events in the training table (70 % train).
    #[arg(long, default_value_t = 20_000)]
    train_events: usize,
    /// Runs per figure; the median is printed.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Jets for the jet-VAE inference figure.
    #[arg(long, default_value_t = 2_000)]
    jets: usize,
    /// WZ events for the FCGAN figures (80 % train: one epoch of batches of 512; all are
    /// unfolded for the inference rate).
    #[arg(long, default_value_t = 4096)]
    gan_events: usize,
    /// Which backends: cpu, wgpu or all.
    #[arg(long, default_value = "all")]
    backend: String,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn run(args: BenchArgs) -> Result<()> {
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this is a debug build; benchmark figures come from `cargo run --release`"
        );
    }
    let kinds: Vec<BackendKind> = match args.backend.as_str() {
        "cpu" => vec![BackendKind::Cpu],
        "wgpu" => vec![BackendKind::Wgpu],
        _ => vec![BackendKind::Cpu, BackendKind::Wgpu],
    };
    let runs = args.runs.max(1);
    let table = WjetsRecipe::new(args.train_events.max(args.sample_events), 1).build()?;
    let train_table = table.slice_rows(0, args.train_events);
    let cols = TrainData::wjets_main();
    let jets = JetRecipe::new(args.jets.max(1), 1).build()?;
    let jets_gen = jets.get("gen").unwrap_or_default().to_vec();
    let wz = WzRecipe::new(args.gan_events.max(1000), 1, 0.0).build()?;
    println!("backend\tfigure\tmedian\tunit\truns");
    for kind in kinds {
        let device = match backend::device(kind) {
            Ok(d) => d,
            Err(e) => {
                println!("{}\tskipped\t-\t-\t0\t# {e}", kind.label());
                continue;
            }
        };
        // Training: one epoch per run on a fresh job (lr schedule from epoch 0 each time).
        let mut epoch_s = Vec::new();
        let mut trained = None;
        for r in 0..=runs {
            let cfg = TrainConfig {
                epochs: 1,
                seed: 1 + r as u64,
                ..TrainConfig::default()
            };
            let mut job = SmearingJob::new(&train_table, &cols, cfg, &device)?;
            let t = Instant::now();
            run_to_end(&mut Epochs::new(&mut job.trainer, |_| {}), 8)?;
            if r > 0 {
                // The first run warms up (allocations, shader compilation) and is not counted.
                epoch_s.push(t.elapsed().as_secs_f64());
            }
            trained = Some(job.finish()?);
        }
        let model = trained.expect("at least one run");
        let input = table.slice_rows(0, args.sample_events);
        let mut rates = Vec::new();
        for r in 0..=runs {
            let t = Instant::now();
            let out = pollster::block_on(model.sample(&input, r as u64))?;
            let dt = t.elapsed().as_secs_f64();
            if r > 0 {
                rates.push(out.n_rows() as f64 / dt);
            }
        }
        println!(
            "{}\ttrain epoch ({} events, batch 128)\t{:.3}\ts/epoch\t{runs}",
            kind.label(),
            args.train_events,
            median(epoch_s)
        );
        println!(
            "{}\tsample ({} events)\t{:.0}\tevents/s\t{runs}",
            kind.label(),
            args.sample_events,
            median(rates)
        );
        // The jet VAE: inference time per jet (seed 001, section 6 measured 1000 jets), for
        // the paper's network and the page's small one. The weights are the seeded initial
        // ones: the forward pass costs the same whatever their values.
        for preset in [Preset::Paper, Preset::Small] {
            let cfg = jets::net_config(preset, false);
            let preset = preset.name();
            let net = cfg.init(&mut fastsim_lab::random::rng(1, 3), &device);
            let model = TrainedJetVae::new(jet_meta(cfg), net, device.clone());
            let mut per_jet = Vec::new();
            for r in 0..=runs {
                let t = Instant::now();
                let out = pollster::block_on(model.sample(&jets_gen, r as u64))?;
                let dt = t.elapsed().as_secs_f64();
                if r > 0 {
                    per_jet.push(1e3 * dt / (out.len() / JET_VALUES) as f64);
                }
            }
            println!(
                "{}	jet VAE inference ({preset}, {} jets)	{:.4}	ms/jet	{runs}",
                kind.label(),
                args.jets,
                median(per_jet)
            );
        }
        // The FCGAN (seed 002): one training epoch (D and G steps, batches of 512) and the
        // unfolding rate, for table 1's network and the page's small one.
        for preset in [Preset::Paper, Preset::Small] {
            let net = unfold::net_config(
                GanKind::Fcgan,
                preset,
                unfold::WZ_OBJECTS,
                fastsim_lab::model::MmdKernel::Multiple,
                1.0,
                false,
            );
            let preset = preset.name();
            let (gen, reco) = (wz_object_columns("gen"), wz_object_columns("reco"));
            let mut epoch_s = Vec::new();
            let mut trained = None;
            for r in 0..=runs {
                let cfg = TrainConfig {
                    epochs: 1,
                    seed: 1 + r as u64,
                    ..unfold::PAPER
                };
                let mut job = GanJob::new(&wz, &gen, &reco, net.clone(), cfg, &device)?;
                let t = Instant::now();
                run_to_end(&mut Epochs::new(&mut job, |_| {}), 8)?;
                if r > 0 {
                    epoch_s.push(t.elapsed().as_secs_f64());
                }
                trained = Some(job.finish()?);
            }
            let model = trained.expect("at least one run");
            let mut rates = Vec::new();
            for r in 0..=runs {
                let t = Instant::now();
                let out = pollster::block_on(model.unfold(&wz, r as u64))?;
                if r > 0 {
                    rates.push(out.n_rows() as f64 / t.elapsed().as_secs_f64());
                }
            }
            println!(
                "{}	FCGAN train epoch ({preset}, {} events, batch 512)	{:.3}	s/epoch	{runs}",
                kind.label(),
                wz.n_rows() * 4 / 5,
                median(epoch_s)
            );
            println!(
                "{}	FCGAN unfold ({preset}, {} events)	{:.0}	events/s	{runs}",
                kind.label(),
                wz.n_rows(),
                median(rates)
            );
        }
    }
    Ok(())
}

/// A model header for benchmarking an untrained network (unit standardisation).
fn jet_meta(config: JetVaeConfig) -> JetVaeMeta {
    JetVaeMeta {
        config,
        scales: JetScales {
            mean: [0.0; 3],
            std: [10.0; 3],
            pt: 50.0,
            m: 10.0,
        },
        train: jets::PAPER,
        history: Vec::new(),
        best_epoch: 0,
        events: 0,
        origin: None,
        min_pt: 0.25,
        max_eta: 3.2,
    }
}
