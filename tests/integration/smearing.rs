//! Native integration test of the foundation slice: train the smearing network on 20k built-in
//! W+jet events, sample an independent 20k, and require for each of the 9 features that the
//! model's quantile-JS against reco (16 quantiles) is at most the larger of one third of the
//! gen-vs-reco JS and 3× the statistical floor (JS between two independent reco samples).

use fastsim_lab::backend;
use fastsim_lab::metrics::quantile_js;
use fastsim_lab::physics::MAIN_FEATURES;
use fastsim_lab::recipe::WjetsRecipe;
use fastsim_lab::store::{load_smearing, save_smearing, sha256_hex};
use fastsim_lab::train::{SmearingJob, TrainConfig, TrainData};
use fastsim_lab::workflow::{run_to_end, Epochs};

const N: usize = 20_000;
const N_QUANT: usize = 16;
const EPOCHS: usize = 8;

#[test]
fn smearing_network_learns_the_detector() {
    let train_table = WjetsRecipe::new(N, 101).build().unwrap();
    let test = WjetsRecipe::new(N, 202).build().unwrap();
    let floor_sample = WjetsRecipe::new(N, 303).build().unwrap();
    let cols = TrainData::wjets_main();
    let cfg = TrainConfig {
        epochs: EPOCHS,
        seed: 7,
        ..TrainConfig::default()
    };
    let device = backend::cpu();
    let mut job = SmearingJob::new(&train_table, &cols, cfg, &device).unwrap();
    let mut first = None;
    run_to_end(
        &mut Epochs::new(&mut job.trainer, |r| {
            first.get_or_insert(r.val_loss);
            eprintln!(
                "epoch {} train {:.4} validation {:.4}",
                r.epoch, r.train_loss, r.val_loss
            );
        }),
        8,
    )
    .unwrap();
    assert!(job.trainer.stop_reason().is_none());
    let model = job.finish().unwrap();
    let best = model
        .meta
        .history
        .iter()
        .map(|r| r.val_loss)
        .fold(f64::MAX, f64::min);
    assert!(best < first.unwrap(), "validation loss fell");

    // Saving and loading gives the same sample.
    let bytes = pollster::block_on(save_smearing(&model)).unwrap();
    let loaded = load_smearing(&bytes, "mem", &device).unwrap();
    let sampled = pollster::block_on(model.sample(&test, 9)).unwrap();
    let again = pollster::block_on(loaded.sample(&test, 9)).unwrap();
    assert_eq!(sampled, again);

    println!("feature\tJS(model,reco)\tJS(gen,reco)\tfloor(reco,reco')\tbound");
    let mut failures = Vec::new();
    for f in MAIN_FEATURES {
        let reco = test.column(&format!("reco_{f}")).unwrap();
        let gen = test.column(&format!("gen_{f}")).unwrap();
        let model_js =
            quantile_js(reco, sampled.column(&format!("reco_{f}")).unwrap(), N_QUANT).unwrap();
        let gen_js = quantile_js(reco, gen, N_QUANT).unwrap();
        let floor = quantile_js(
            reco,
            floor_sample.column(&format!("reco_{f}")).unwrap(),
            N_QUANT,
        )
        .unwrap();
        let bound = (gen_js / 3.0).max(3.0 * floor);
        println!("{f}\t{model_js:.6}\t{gen_js:.6}\t{floor:.6}\t{bound:.6}");
        if model_js > bound {
            failures.push(format!("{f}: {model_js:.6} > {bound:.6}"));
        }
    }
    assert!(
        failures.is_empty(),
        "features above their bound: {failures:?}"
    );
}

#[test]
fn tampered_model_file_is_refused() {
    let table = WjetsRecipe::new(500, 1).build().unwrap();
    let cols = TrainData::wjets_main();
    let cfg = TrainConfig {
        epochs: 1,
        ..TrainConfig::default()
    };
    let device = backend::cpu();
    let mut job = SmearingJob::new(&table, &cols, cfg, &device).unwrap();
    run_to_end(&mut Epochs::new(&mut job.trainer, |_| {}), 8).unwrap();
    let mut bytes = pollster::block_on(save_smearing(&job.finish().unwrap())).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    let err = load_smearing(&bytes, "m.fastsim", &device)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("hash mismatch"), "{err}");
    let err = load_smearing(b"short", "m.fastsim", &device)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("not a fastsim model file"), "{err}");
}

/// On the CPU backend the same data, settings and seed give the same file, byte for byte —
/// what lets `scripts/retrain-models` check the pre-trained models by their hash, and a share
/// link's recipient recompute what the sender saw.
#[test]
fn cpu_training_is_bit_for_bit_deterministic() {
    let table = WjetsRecipe::new(600, 2).build().unwrap();
    let cfg = TrainConfig {
        epochs: 2,
        seed: 7,
        ..TrainConfig::default()
    };
    let device = backend::cpu();
    let file = || {
        let mut job =
            SmearingJob::new(&table, &TrainData::wjets_main(), cfg.clone(), &device).unwrap();
        run_to_end(&mut Epochs::new(&mut job.trainer, |_| {}), 8).unwrap();
        pollster::block_on(save_smearing(&job.finish().unwrap())).unwrap()
    };
    let (a, b) = (file(), file());
    assert_eq!(sha256_hex(&a), sha256_hex(&b));
}
