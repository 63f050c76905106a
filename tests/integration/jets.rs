//! Native integration test of the jet VAE (seed 001): a short training of the small network on
//! built-in jets lowers the validation loss, and its model jets are compared with the
//! detector's by quantile-JS (16 quantiles, jets with pT > 200 GeV and |η| < 2.5) next to the
//! gen jets, which stand for "no simulation at all". Also: the model file round trip.

use fastsim_lab::backend;
use fastsim_lab::data::JetArrays;
use fastsim_lab::metrics::{jet_js, Acceptance, JetColumns, JS_FEATURES};
use fastsim_lab::model::JetVaeConfig;
use fastsim_lab::recipe::JetRecipe;
use fastsim_lab::store::{load_jet_vae, save_jet_vae};
use fastsim_lab::train::JetVaeJob;
use fastsim_lab::workflow::{jets, run_to_end, Epochs};

const EPOCHS: usize = 16;

fn small(masked: bool) -> JetVaeConfig {
    JetVaeConfig::new()
        .with_masked(masked)
        .with_channels(vec![8, 16, 32])
        .with_dense1(128)
        .with_dense2(64)
}

#[test]
fn jet_vae_learns_the_particle_detector() {
    let train = JetRecipe::new(8_000, 11).build().unwrap();
    let mut test = JetRecipe::new(6_000, 12).build().unwrap();
    let device = backend::cpu();
    let mut cfg = jets::PAPER;
    cfg.epochs = EPOCHS;
    // Ten times the paper's learning rate: a few epochs instead of its 300.
    cfg.lr = 1e-3;
    cfg.seed = 3;
    let mut job = JetVaeJob::new(&train, "built-in jets", small(false), cfg, &device).unwrap();
    run_to_end(
        &mut Epochs::new(&mut job.trainer, |r| {
            eprintln!(
                "epoch {} train {:.3} validation {:.3} {:?}",
                r.epoch, r.train_loss, r.val_loss, r.val_parts
            )
        }),
        8,
    )
    .unwrap();
    let h = job.trainer.history();
    assert_eq!(h.len(), EPOCHS);
    let best = h.iter().map(|r| r.val_loss).fold(f64::INFINITY, f64::min);
    assert!(
        best < 0.5 * h[0].val_loss,
        "validation loss {} → best {best}",
        h[0].val_loss
    );
    assert_eq!(h[0].val_parts.len(), 5, "KL, Chamfer, mass, pT, existence");

    let model = job.finish().unwrap();
    let gen = test.get("gen").unwrap().to_vec();
    let sampled = pollster::block_on(model.sample(&gen, 1)).unwrap();
    test.insert("model", sampled.clone()).unwrap();
    let acc = Acceptance::default();
    let reco = JetColumns::of(&test, "reco", &acc);
    let js_model = jet_js(&reco, &JetColumns::of(&test, "model", &acc), 16).unwrap();
    let js_gen = jet_js(&reco, &JetColumns::of(&test, "gen", &acc), 16).unwrap();
    eprintln!("feature  JS(model, reco)  JS(gen, reco)");
    for (f, (m, g)) in JS_FEATURES.iter().zip(js_model.iter().zip(&js_gen)) {
        eprintln!("{f:>7}  {m:.3e}  {g:.3e}");
    }
    // Jet mass: pile-up and the detector move it far from gen; the model must follow reco.
    assert!(
        js_model[1] < 0.75 * js_gen[1],
        "mass: model {} vs gen {}",
        js_model[1],
        js_gen[1]
    );
    // Jet pT: the spectrum is right to a few per mille of JS, but a training this short does
    // not reach the detector's own level against gen (≈ 2e-3); the note reports longer runs.
    assert!(js_model[0] < 0.02, "pT: model {}", js_model[0]);
    // Jet direction is kept by the detector and must be kept by the model.
    assert!(
        js_model[2] < 0.02 && js_model[3] < 0.1,
        "η, φ: {js_model:?}"
    );

    // The model file: same samples after a round trip; a changed byte is refused.
    let bytes = pollster::block_on(save_jet_vae(&model)).unwrap();
    let back = load_jet_vae(&bytes, "m.fastsim", &device).unwrap();
    assert_eq!(pollster::block_on(back.sample(&gen, 1)).unwrap(), sampled);
    let mut bad = bytes.clone();
    bad[100] ^= 1;
    let e = load_jet_vae(&bad, "m.fastsim", &device).err().unwrap();
    assert!(e.to_string().contains("content hash mismatch"), "{e}");
}

/// The masked variant trains, and its output never holds more particles than slots it
/// declared to exist; jets written and read back through a file are unchanged.
#[test]
fn masked_variant_and_jet_files() {
    let jets = JetRecipe::new(600, 21).build().unwrap();
    let device = backend::cpu();
    let mut cfg = jets::PAPER;
    cfg.epochs = 2;
    cfg.lr = 1e-3;
    let mut job = JetVaeJob::new(&jets, "built-in jets", small(true), cfg, &device).unwrap();
    run_to_end(&mut Epochs::new(&mut job.trainer, |_| {}), 8).unwrap();
    let model = job.finish().unwrap();
    assert!(model.meta.config.masked);
    let out = pollster::block_on(model.sample(jets.get("gen").unwrap(), 5)).unwrap();
    assert_eq!(out.len(), jets.get("gen").unwrap().len());
    assert!(out.iter().all(|v| v.is_finite()));
    for file in ["j.npz", "j.csv"] {
        let bytes = jets.write_bytes(file).unwrap();
        let back = JetArrays::read_bytes(&bytes, file).unwrap();
        assert_eq!(back.get("gen"), jets.get("gen"), "{file}");
        assert_eq!(back.get("reco"), jets.get("reco"), "{file}");
    }
}
