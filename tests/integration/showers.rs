//! Showers (seed 003): the command line's chain — generate, train a short VAE-GAN, sample
//! without input, study — and the pre-trained VAE-GAN against its training sample.

use crate::tmp;
use fastsim_lab::data::{read_showers, write_showers};
use fastsim_lab::metrics::quantile_js;
use fastsim_lab::physics::{Observable, IMAGE_PIXELS};
use fastsim_lab::recipe::ShowerRecipe;
use fastsim_lab::store::{load_vae_gan, Manifest};
use fastsim_lab::workflow::showers;
use std::process::Command;

fn fastsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fastsim"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn generate_train_sample_and_study_from_the_command_line() {
    let train = tmp("showers", "train.npz");
    let truth = tmp("showers", "truth.npz");
    let model = tmp("showers", "m.fastsim");
    let gen = tmp("showers", "gen.npz");
    let plots = tmp("showers", "plots");
    let p = |x: &std::path::PathBuf| x.display().to_string();
    for (out, n, seed) in [(&train, "300", "5"), (&truth, "3000", "6")] {
        let o = fastsim(&[
            "generate",
            "--process",
            "showers",
            "--events",
            n,
            "--seed",
            seed,
            "--out",
            &p(out),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let images = read_showers(&std::fs::read(&train).unwrap(), "train.npz").unwrap();
    assert_eq!(images.len(), 300 * IMAGE_PIXELS);
    let o = fastsim(&[
        "train",
        "--model",
        "vae-gan",
        "--data",
        &p(&train),
        "--members",
        "2",
        "--epochs",
        "2",
        "--out",
        &p(&model),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("member 2/2") && err.contains("selection JS"),
        "{err}"
    );
    let o = fastsim(&[
        "sample",
        "--model",
        &p(&model),
        "--events",
        "2000",
        "--seed",
        "3",
        "--out",
        &p(&gen),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let g = read_showers(&std::fs::read(&gen).unwrap(), "gen.npz").unwrap();
    assert_eq!(g.len(), 2000 * IMAGE_PIXELS);
    // A shower model needs no input, the others do: each refusal is one line.
    let o = fastsim(&["sample", "--model", &p(&model), "--out", &p(&gen)]);
    assert!(!o.status.success());
    let o = fastsim(&[
        "showers",
        "--truth",
        &p(&truth),
        "--train",
        &p(&train),
        "--gen",
        &p(&gen),
        "--members",
        "2",
        "--repeats",
        "2",
        "--only",
        "E_vis,CG_x+CG_y",
        "--plot-dir",
        &p(&plots),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        out.contains("# E_vis: reference") && out.contains("# CG_x+CG_y: reference"),
        "{out}"
    );
    assert!(out.contains("KDE bandwidth"), "{out}");
    for f in [
        "dist_E_vis.png",
        "js_E_vis.png",
        "fits_E_vis.png",
        "js_CG_x+CG_y.png",
    ] {
        assert!(plots.join(f).exists(), "{f}");
    }
    // A file that is not showers is named in one line.
    let bad = tmp("showers", "bad.npz");
    std::fs::write(&bad, write_showers(&[f32::NAN; 100], "bad.npz").unwrap()).unwrap();
    let o = fastsim(&[
        "train",
        "--model",
        "vae-gan",
        "--data",
        &p(&bad),
        "--out",
        &p(&model),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.lines().count() == 1, "{err}");
    assert!(err.contains("bad.npz") && err.contains("NaN"), "{err}");
}

/// The paper's claim on the pre-trained model: its generated showers (200k) are closer to a
/// large independent truth sample (20k) than its own 1k training showers are, in E_vis,
/// E_peak, CG_x and CG_y at a high n_quant (64 quantiles: about 15 training showers each).
#[test]
fn pretrained_vae_gan_beats_its_training_sample() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let manifest = Manifest::from_json(&text, "models/manifest.json").unwrap();
    let entry = manifest.find("showers-vae-gan").unwrap();
    let bytes = std::fs::read(dir.join(&entry.file)).unwrap();
    let device = fastsim_lab::backend::cpu();
    let model = load_vae_gan(&bytes, &entry.file, &device).unwrap();
    // The training showers, remade from the recipe the manifest records.
    let train = ShowerRecipe::new(showers::TRAIN_SHOWERS, 101)
        .build()
        .unwrap();
    let truth = ShowerRecipe::new(20_000, 909).build().unwrap();
    let mut sampler = model.sampler(200_000, 7);
    while !pollster::block_on(sampler.next(8)).unwrap() {}
    let gen = sampler.into_images();
    let pixel_mm = ShowerRecipe::new(1, 1).pixel_mm();
    let (train, truth) = (showers::cut(&train), showers::cut(&truth));
    for o in [
        Observable::EVis,
        Observable::EPeak,
        Observable::CgX,
        Observable::CgY,
    ] {
        let v = |images: &[f32]| o.values(images, pixel_mm);
        let js_train = quantile_js(&v(&truth), &v(&train), 64).unwrap();
        let js_gen = quantile_js(&v(&truth), &v(&gen), 64).unwrap();
        println!(
            "{}: JS of the 1k training showers {js_train:.2e}, of the VAE-GAN's 200k {js_gen:.2e}",
            o.name()
        );
        assert!(
            js_gen < js_train,
            "{}: VAE-GAN {js_gen:.3e} ≥ training {js_train:.3e}",
            o.name()
        );
    }
}
