//! The GANs' fast path against Burn, the reference: both networks' gradients against
//! autodiff through `UnfoldGan::d_loss` / `g_loss`, for both kinds and kernels with and
//! without detector-level observables; m_jj and the MMD against `mjj_gev` and `mmd`.

use super::tests::{assert_close, batch, read};
use super::*;
use crate::model::{generate, mjj_gev, mmd, upload, EventScales, GanBatch, GanConfig};
use crate::model::{GanKind, KernelShape, MmdKernel, UnfoldGan};
use crate::random::{rng, stream, uniform};
use burn::prelude::*;

/// Jets of ±40 GeV along x with a 2 GeV spread per standard unit: m_jj ≈ 80 GeV, spread over
/// a few GeV, where the W-width kernels have gradients.
fn scales() -> EventScales {
    let mut mean = vec![0.0; 12];
    (mean[0], mean[3]) = (40.0, -40.0);
    EventScales {
        mean,
        std: vec![2.0; 12],
    }
}

/// Initial weights with non-zero biases (Glorot init leaves them at zero).
fn weights(cfg: &crate::model::MlpConfig, seed: u64) -> Vec<f32> {
    let mut r = rng(seed, stream::GAN_INIT);
    cfg.init_flat(&mut r)
        .into_iter()
        .map(|w| w + 0.05 * (uniform(&mut r) as f32 - 0.5))
        .collect()
}

fn check_gradients(kind: GanKind, kernel: MmdKernel, detector_features: bool) {
    let mut cfg = GanConfig::small(kind, 4);
    (cfg.layers, cfg.units, cfg.kernel) = (2, 16, kernel);
    cfg.detector_features = detector_features;
    // A regulariser weight that makes its gradient as large as L_D's.
    cfg.lambda_d = 1.0;
    let (k, kc, nz) = (cfg.d_event(), cfg.d_cond(), cfg.noise);
    let rows = 24;
    let (cond, real, noise) = (batch(rows, kc, 1), batch(rows, k, 2), batch(rows, nz, 3));
    let aux: Vec<f32> = batch(rows, 3, 4).iter().map(|v| 80.0 + 3.0 * v).collect();
    let (gw, dw) = (
        weights(&cfg.generator_config(), 5),
        weights(&cfg.discriminator_config(), 6),
    );
    let scales = scales();
    let cooling = 3.0;

    let ad = Device::flex().autodiff();
    let gan = UnfoldGan {
        generator: cfg.generator_config().from_flat(&gw, &ad),
        discriminator: cfg.discriminator_config().from_flat(&dw, &ad),
        kind,
    };
    let b = GanBatch {
        cond: upload(cond.clone(), rows, kc, &ad),
        real: upload(real.clone(), rows, k, &ad),
        noise: upload(noise.clone(), rows, nz, &ad),
        aux: upload(aux.clone(), rows, 3, &ad),
    };
    let fake = generate(&gan.generator, kind, b.cond.clone(), b.noise.clone());
    let d_parts = gan.d_loss(&b, fake.clone().detach(), cfg.lambda_d);
    let d_grads = gan
        .discriminator
        .grad_flat(&d_parts.clone().narrow(0, 0, 1).backward());
    let g_parts = gan.g_loss(&b, fake, &cfg, &scales, cooling);
    let g_grads = gan
        .generator
        .grad_flat(&g_parts.clone().narrow(0, 0, 1).backward());
    let burn_parts = [read(d_parts), read(g_parts)].concat();

    let mut fast = FusedGan::new(&cfg, &scales, gw, dw);
    let rows_in = GanRows {
        cond: &cond,
        real: &real,
        noise: &noise,
        aux: &aux,
        rows,
    };
    let (parts, fast_d, fast_g) = fast.gradients(&rows_in, cooling);
    let what = format!("{kind:?} {kernel:?} features {detector_features}");
    for (i, (f, b)) in parts.iter().zip(&burn_parts).enumerate() {
        assert!(
            (f - *b as f64).abs() < 1e-4 * (b.abs() as f64).max(1e-2),
            "{what}: loss part {i}: fast {f} vs burn {b}"
        );
    }
    // The MMD term must matter, or its gradient would go untested.
    assert!(parts[5] > 1e-3, "{what}: MMD {}", parts[5]);
    assert_close(
        &fast_d,
        &d_grads,
        2e-4,
        &format!("{what}: discriminator gradient"),
    );
    assert_close(
        &fast_g,
        &g_grads,
        2e-4,
        &format!("{what}: generator gradient"),
    );
}

#[test]
fn gan_gradients_match_autodiff() {
    check_gradients(GanKind::Naive, MmdKernel::Multiple, false);
    check_gradients(GanKind::Fcgan, MmdKernel::Multiple, false);
    check_gradients(GanKind::Fcgan, MmdKernel::Conditional, true);
    check_gradients(GanKind::Naive, MmdKernel::Cooling, false);
}

#[test]
fn mjj_and_mmd_match_burn() {
    let d = Device::flex();
    let scales = scales();
    let rows = 40;
    let x = batch(rows, 12, 7);
    let (m, _) = mjj_with_grad(&x, 12, &scales);
    let burn = read(mjj_gev(upload(x, rows, 12, &d), &scales));
    assert_close(&m, &burn, 1e-6, "m_jj");
    // Two samples of (m, observable) rows of different sizes.
    let a: Vec<f32> = batch(30, 2, 8).iter().map(|v| 80.0 + 2.0 * v).collect();
    let b: Vec<f32> = batch(50, 2, 9).iter().map(|v| 81.0 + 3.0 * v).collect();
    let widths = [1.0, 2.0, 8.0];
    for shape in [KernelShape::Gaussian, KernelShape::BreitWigner] {
        let mut dx = vec![0.0; a.len()];
        let fast = mmd_with_grad(&a, &b, 2, &widths, shape, &mut dx);
        let value = |a: &[f32]| {
            read(mmd(
                upload(a.to_vec(), 30, 2, &d),
                upload(b.clone(), 50, 2, &d),
                &widths,
                shape,
            ))[0] as f64
        };
        let burn = value(&a);
        assert!((fast - burn).abs() < 1e-5, "{shape:?}: {fast} vs {burn}");
        // dMMD/dx against central differences of Burn's value, a few coordinates (MMD² is a
        // difference of O(1) f32 sums: the quotient is good to a few per cent).
        for i in [0, 7, 31, 58] {
            let h = 1e-2f32;
            let mut up = a.clone();
            up[i] += h;
            let mut down = a.clone();
            down[i] -= h;
            let numeric = (value(&up) - value(&down)) / (2.0 * h as f64);
            assert!(
                (dx[i] as f64 - numeric).abs() < 1e-4 + 5e-2 * numeric.abs(),
                "{shape:?} coordinate {i}: {} vs {numeric}",
                dx[i]
            );
        }
    }
}

#[test]
fn gan_training_is_deterministic_to_the_bit() {
    let cfg = GanConfig::small(GanKind::Fcgan, 4);
    let run = || {
        let mut fast = FusedGan::new(
            &cfg,
            &scales(),
            weights(&cfg.generator_config(), 1),
            weights(&cfg.discriminator_config(), 2),
        );
        for s in 0..3 {
            let rows = 32;
            let (c, r, z) = (
                batch(rows, 12, s),
                batch(rows, 12, 10 + s),
                batch(rows, 12, 20 + s),
            );
            let aux = vec![80.0; rows * 3];
            let b = GanRows {
                cond: &c,
                real: &r,
                noise: &z,
                aux: &aux,
                rows,
            };
            fast.step(&b, 1e-3, 5.0);
        }
        [fast.generator_flat(), fast.discriminator_flat()].concat()
    };
    assert_eq!(run(), run());
}
