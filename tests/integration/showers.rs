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
        "fits_kde_E_vis.png",
        "fits_histogram_E_vis.png",
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

/// The pre-trained VAE-GAN, its 1k training showers (remade from the manifest's recipe), an
/// independent truth sample and `n` generated showers, all cut at half a MIP.
fn pretrained_samples(truth: usize, n: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let manifest = Manifest::from_json(&text, "models/manifest.json").unwrap();
    let entry = manifest.find("showers-vae-gan").unwrap();
    let bytes = std::fs::read(dir.join(&entry.file)).unwrap();
    let model = load_vae_gan(&bytes, &entry.file, &fastsim_lab::backend::cpu()).unwrap();
    let recipe = entry.shower_recipe().unwrap();
    let train = recipe.build().unwrap();
    let truth = ShowerRecipe::new(truth, 909).build().unwrap();
    let mut sampler = model.sampler(n, 7);
    while !pollster::block_on(sampler.next(8)).unwrap() {}
    (
        showers::cut(&train),
        showers::cut(&truth),
        sampler.into_images(),
    )
}

/// JS of the training showers and of the generated ones against the truth, per observable.
fn js_pairs(
    os: &[Observable],
    n_quant: usize,
    (train, truth, gen): &(Vec<f32>, Vec<f32>, Vec<f32>),
) -> Vec<(f64, f64)> {
    let pixel_mm = ShowerRecipe::new(1, 1).pixel_mm();
    os.iter()
        .map(|o| {
            let v = |images: &[f32]| o.values(images, pixel_mm);
            let js_train = quantile_js(&v(truth), &v(train), n_quant).unwrap();
            let js_gen = quantile_js(&v(truth), &v(gen), n_quant).unwrap();
            println!("{}: JS at {n_quant} quantiles of the 1k training showers {js_train:.2e}, of the VAE-GAN's {js_gen:.2e}", o.name());
            (js_train, js_gen)
        })
        .collect()
}

/// What the pre-trained model achieves: its per-pixel energies (E_pixel, about 9 values a
/// shower) are closer to an independent truth sample than its 1k training showers' at 512
/// quantiles (≈ 18 training values each), the amplification of seed 003's fig. 6.
#[test]
fn pretrained_vae_gan_beats_its_training_sample_in_e_pixel() {
    let samples = pretrained_samples(10_000, 100_000);
    let [(js_train, js_gen)] = js_pairs(&[Observable::EPixel], 512, &samples)[..] else {
        unreachable!()
    };
    assert!(
        js_gen < js_train,
        "VAE-GAN {js_gen:.3e} ≥ training {js_train:.3e}"
    );
}

/// The criterion on the per-shower observables, not met by this model: its E_vis,
/// E_peak, CG_x and CG_y are farther from the truth than its training showers at 64
/// quantiles (E_vis: 2.2e-2 against 7.7e-3; README, "Photon showers").
#[test]
#[ignore = "open goal of issue 20: the pre-trained VAE-GAN does not yet beat its training sample in E_vis, E_peak, CG"]
fn pretrained_vae_gan_beats_its_training_sample() {
    let os = [
        Observable::EVis,
        Observable::EPeak,
        Observable::CgX,
        Observable::CgY,
    ];
    let samples = pretrained_samples(20_000, 200_000);
    for (o, (js_train, js_gen)) in os.iter().zip(js_pairs(&os, 64, &samples)) {
        assert!(
            js_gen < js_train,
            "{}: VAE-GAN {js_gen:.3e} ≥ training {js_train:.3e}",
            o.name()
        );
    }
}
