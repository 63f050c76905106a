//! `fastsim bench`: the performance figures of the smearing network, the jet VAE and the
//! unfolding GAN, from a release build.
//! Sampling throughput (events/s on 100k events) and training time per epoch (20k events,
//! batch 128), each the median of several runs, for the CPU backend and for wgpu where an
//! adapter exists.

use clap::Args;
use fastsim_lab::backend::{self, BackendKind};
use fastsim_lab::data::JET_VALUES;
use fastsim_lab::model::{GanConfig, GanKind, JetScales, JetVaeConfig, JetVaeMeta, TrainedJetVae};
use fastsim_lab::physics::wz_object_columns;
use fastsim_lab::recipe::{JetRecipe, WzRecipe};
use fastsim_lab::train::{Engine, GanJob, JetVaeJob, TrainConfig, TrainData, Training};
use fastsim_lab::workflow::{bench, jets, run_to_end, unfold, Epochs, Preset};
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
    /// Only the smearing network's figures (and its JAX peer).
    #[arg(long)]
    smearing_only: bool,
    /// Which backends: cpu, wgpu or all.
    #[arg(long, default_value = "all")]
    backend: String,
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
    let data = bench::BenchData::new(args.train_events, args.sample_events)?;
    let cols = data.cols.clone();
    // The conditional flow on the same events (built once, for every backend).
    let flow_data = data.flow();
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
        // The smearing pair: on the CPU both the fast path (the default) and Burn's autodiff
        // (the reference), then the JAX peer on the same machine in the same run.
        let engines: &[Engine] = match kind {
            BackendKind::Cpu => &[Engine::Auto, Engine::Burn],
            BackendKind::Wgpu => &[Engine::Burn],
        };
        let mut fast = None;
        for &engine in engines {
            let path = match (kind, engine) {
                (BackendKind::Cpu, Engine::Auto) => "fast path",
                _ => "Burn",
            };
            let clock = Instant::now();
            let speed = pollster::block_on(bench::smearing_speed(
                &data,
                &device,
                engine,
                runs,
                || clock.elapsed().as_secs_f64(),
                async || true,
            ))?;
            let (epoch_s, rate) = (speed.epoch_s, speed.events_per_s);
            println!(
                "{}	train epoch ({path}, {} events, batch 128)	{epoch_s:.3}	s/epoch	{runs}",
                kind.label(),
                args.train_events,
            );
            println!(
                "{}	sample ({path}, {} events)	{rate:.0}	events/s	{runs}",
                kind.label(),
                args.sample_events,
            );
            if path == "fast path" {
                let gflops = bench::smearing_epoch_flops(&cols, args.train_events) / epoch_s / 1e9;
                println!(
                    "{}	train ({path}) arithmetic rate	{gflops:.1}	GFLOP/s	{runs}",
                    kind.label()
                );
                fast = Some((epoch_s, rate));
            }
        }
        if let Some((epoch_s, rate)) = fast {
            jax_peer(&args, runs, &cols, epoch_s, rate);
        }
        // The conditional flow in its place (no fast path: Burn's autodiff on every backend).
        // No JAX peer measures a flow yet.
        let clock = Instant::now();
        let speed = pollster::block_on(bench::smearing_speed(
            &flow_data,
            &device,
            Engine::Burn,
            runs,
            || clock.elapsed().as_secs_f64(),
            async || true,
        ))?;
        println!(
            "{}\ttrain epoch (flow, Burn, {} events, batch 128)\t{:.3}\ts/epoch\t{runs}",
            kind.label(),
            args.train_events,
            speed.epoch_s
        );
        println!(
            "{}\tsample (flow, Burn, {} events)\t{:.0}\tevents/s\t{runs}\t# no JAX peer for the flow yet",
            kind.label(),
            args.sample_events,
            speed.events_per_s
        );
        if args.smearing_only {
            continue;
        }
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
                bench::median(per_jet)
            );
        }
        // The jet VAE: one training epoch of the page's network (small, masked) on the jets
        // above, on the fast path and through Burn's autodiff.
        for &engine in engines {
            let path = path_label(kind, engine);
            let (epoch_s, _) = time_epochs(runs, |seed| {
                let cfg = TrainConfig {
                    epochs: 1,
                    seed,
                    ..jets::PAPER
                };
                let net = jets::net_config(Preset::Small, true);
                Ok(JetVaeJob::with_engine(&jets, "jets", net, cfg, &device, engine)?.trainer)
            })?;
            println!(
                "{}	jet VAE train epoch ({path}small masked, {} jets, batch 128)	{:.3}	s/epoch	{runs}",
                kind.label(),
                jets.len() * 4 / 5,
                epoch_s
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
            let mut trained = None;
            // On the CPU the fast path (the default) and Burn's autodiff, as for the smearing pair.
            for &engine in engines {
                let path = path_label(kind, engine);
                let (median, job) = time_epochs(runs, |seed| {
                    let cfg = TrainConfig {
                        epochs: 1,
                        seed,
                        ..unfold::PAPER
                    };
                    GanJob::with_engine(&wz, &gen, &reco, net.clone(), cfg, &device, engine)
                })?;
                trained = Some(job.finish()?);
                println!(
                    "{}	FCGAN train epoch ({path}{preset}, {} events, batch 512)	{median:.3}	s/epoch	{runs}",
                    kind.label(),
                    wz.n_rows() * 4 / 5,
                );
                if (kind, engine) == (BackendKind::Cpu, Engine::Auto) {
                    jax_gan_peer(wz.n_rows(), runs, &net, preset, median);
                }
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
                "{}	FCGAN unfold ({preset}, {} events)	{:.0}	events/s	{runs}",
                kind.label(),
                wz.n_rows(),
                bench::median(rates)
            );
        }
    }
    Ok(())
}

/// One training epoch timed `runs + 1` times, the job of run r made by `job(1 + r)` (its
/// seed): the median of all but the first run (the warm-up), and the last run's job.
fn time_epochs<J: Training>(
    runs: usize,
    mut job: impl FnMut(u64) -> Result<J>,
) -> Result<(f64, J)> {
    let mut epoch_s = Vec::new();
    let mut last = None;
    for r in 0..=runs {
        let mut j = job(1 + r as u64)?;
        let t = Instant::now();
        run_to_end(&mut Epochs::new(&mut j, |_| {}), 8)?;
        if r > 0 {
            epoch_s.push(t.elapsed().as_secs_f64());
        }
        last = Some(j);
    }
    Ok((bench::median(epoch_s), last.expect("at least one run")))
}

/// Runs a JAX peer script (in scripts/) with `args` and returns its JSON reply, or prints why
/// it was skipped (JAX not installed: `scripts/install` puts it in a virtual environment).
fn run_peer(script: &str, args: &[String]) -> Option<serde_json::Value> {
    let script = format!("{}/scripts/{script}", env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var("FASTSIM_JAX_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(&python)
        .arg(&script)
        .args(args)
        .output();
    let reply = match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).to_string(),
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let last = err.lines().last().unwrap_or("no message");
            println!("jax	skipped	-	-	0	# {python} {script}: {last}");
            return None;
        }
        Err(e) => {
            println!("jax	skipped	-	-	0	# {python}: {e}");
            return None;
        }
    };
    match serde_json::from_str(reply.trim()) {
        Ok(v) => Some(v),
        Err(e) => {
            println!("jax	skipped	-	-	0	# unreadable reply ({e})");
            None
        }
    }
}

/// How a figure names the code that trained: on the CPU the fast path or Burn's autodiff.
fn path_label(kind: BackendKind, engine: Engine) -> &'static str {
    match (kind, engine) {
        (BackendKind::Cpu, Engine::Auto) => "fast path, ",
        (BackendKind::Cpu, Engine::Burn) => "Burn, ",
        _ => "",
    }
}

/// The JAX peer of the FCGAN (scripts/jax_gan_peer.py): one training epoch of the same network
/// on as many events, beside the fast path's figure, with the ratio (above 1: the project is
/// faster).
fn jax_gan_peer(events: usize, runs: usize, net: &GanConfig, preset: &str, epoch_s: f64) {
    let args = [
        ("--events", events),
        ("--runs", runs),
        ("--layers", net.layers),
        ("--units", net.units),
    ]
    .map(|(k, v)| [k.to_string(), v.to_string()])
    .concat();
    let Some(v) = run_peer("jax_gan_peer.py", &args) else {
        return;
    };
    let version = v["jax"].as_str().unwrap_or("?");
    let Some(j_epoch) = v["train_epoch_s"].as_f64() else {
        println!("jax	skipped	-	-	0	# reply without figures");
        return;
    };
    println!(
        "JAX {version}	FCGAN train epoch ({preset}, {} events, batch 512)	{j_epoch:.3}	s/epoch	{runs}",
        events * 4 / 5
    );
    println!(
        "ratio	FCGAN train ({preset}): JAX s/epoch ÷ fast path s/epoch	{:.2}	×	-",
        j_epoch / epoch_s
    );
}

/// The JAX peer (scripts/jax_peer.py) on the same machine now, beside the fast path's figures,
/// with the ratios (above 1: the project is faster). Skipped with a reason when JAX is not
/// installed (`scripts/install` puts it in a virtual environment).
fn jax_peer(args: &BenchArgs, runs: usize, cols: &TrainData, epoch_s: f64, rate: f64) {
    let h = cols.hidden;
    let peer_args = [
        ("--train-events", args.train_events.to_string()),
        ("--sample-events", args.sample_events.to_string()),
        ("--runs", runs.to_string()),
        ("--features", cols.gen_cols.len().to_string()),
        ("--hidden", format!("{}x{}", h.layers, h.width)),
    ]
    .map(|(k, v)| [k.to_string(), v])
    .concat();
    let Some(v) = run_peer("jax_peer.py", &peer_args) else {
        return;
    };
    let version = v["jax"].as_str().unwrap_or("?");
    let (Some(j_epoch), Some(j_rate)) = (
        v["train_epoch_s"].as_f64(),
        v["sample_events_per_s"].as_f64(),
    ) else {
        println!("jax	skipped	-	-	0	# reply without figures");
        return;
    };
    println!(
        "JAX {version}	train epoch ({} events, batch 128)	{j_epoch:.3}	s/epoch	{runs}",
        args.train_events
    );
    println!(
        "JAX {version}	sample ({} events)	{j_rate:.0}	events/s	{runs}",
        args.sample_events
    );
    println!(
        "ratio	train: JAX s/epoch ÷ fast path s/epoch	{:.2}	×	-",
        j_epoch / epoch_s
    );
    println!(
        "ratio	sample: fast path events/s ÷ JAX events/s	{:.2}	×	-",
        rate / j_rate
    );
}

/// A model header for benchmarking an untrained network (unit standardisation).
fn jet_meta(config: JetVaeConfig) -> JetVaeMeta {
    let scales = JetScales {
        mean: [0.0; 3],
        std: [10.0; 3],
        pt: 50.0,
        m: 10.0,
    };
    JetVaeMeta::untrained(config, scales, jets::PAPER)
}
