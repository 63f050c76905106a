//! The fast path against Burn, the reference: gradients against autodiff, Adam steps against
//! burn-optim, samples against `SmearingNet::sample` with the same noise.

use super::*;
use crate::model::{read_f32, upload, SmearingConfig, SmearingNet};
use crate::random::{normal, rng, stream, uniform};
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;

fn cfg() -> SmearingConfig {
    SmearingConfig::new(3, 2)
        .with_hidden_layers(3)
        .with_hidden_width(16)
}

/// Initial weights with non-zero biases (Glorot init leaves them at zero, which would hide a
/// wrong bias gradient).
fn weights(cfg: &SmearingConfig) -> Vec<f32> {
    let mut r = rng(5, stream::NET_INIT);
    cfg.init_flat(&mut r)
        .into_iter()
        .map(|w| w + 0.05 * (uniform(&mut r) as f32 - 0.5))
        .collect()
}

pub(super) fn batch(rows: usize, k: usize, seed: u64) -> Vec<f32> {
    let mut r = rng(seed, 0);
    (0..rows * k).map(|_| normal(&mut r) as f32).collect()
}

pub(super) fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    pollster::block_on(read_f32(t)).unwrap()
}

pub(super) fn assert_close(a: &[f32], b: &[f32], tol: f32, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let scale = b.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-6);
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * scale,
            "{what}[{i}]: fast {x} vs burn {y} (scale {scale})"
        );
    }
}

#[test]
fn gradients_match_autodiff() {
    let cfg = cfg();
    let flat = weights(&cfg);
    let rows = 37;
    let (x, y) = (batch(rows, 3, 1), batch(rows, 2, 2));
    let ad = Device::flex().autodiff();
    let net: SmearingNet = cfg.from_flat(&flat, &ad);
    let loss = net.loss(
        upload(x.clone(), rows, 3, &ad),
        upload(y.clone(), rows, 2, &ad),
        cfg.gamma,
    );
    let burn_loss = read(loss.clone())[0] as f64;
    let grads = loss.backward();
    let burn_grads = [net.mean.grad_flat(&grads), net.quantile.grad_flat(&grads)].concat();

    let mut fast = FusedSmearing::new(&cfg, &flat);
    let (fast_loss, fast_grads) = fast.loss_and_gradients(&x, &y, rows);
    assert!(
        (fast_loss - burn_loss).abs() < 1e-5 * burn_loss.abs(),
        "{fast_loss} vs {burn_loss}"
    );
    assert_close(&fast_grads, &burn_grads, 1e-5, "gradient");
}

#[test]
fn adam_steps_match_burn_optim() {
    let cfg = cfg();
    let flat = weights(&cfg);
    let rows = 32;
    let ad = Device::flex().autodiff();
    let mut net: SmearingNet = cfg.from_flat(&flat, &ad);
    let mut optim = AdamConfig::new().init();
    let mut fast = FusedSmearing::new(&cfg, &flat);
    // Three steps: the first starts the moments, the later ones exercise their decay.
    for (step, lr) in [(0u64, 1e-3), (1, 1e-3), (2, 5e-4)] {
        let (x, y) = (batch(rows, 3, 10 + step), batch(rows, 2, 20 + step));
        let loss = net.loss(
            upload(x.clone(), rows, 3, &ad),
            upload(y.clone(), rows, 2, &ad),
            cfg.gamma,
        );
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        net = optim.step(lr, net, grads);
        fast.step(&x, &y, rows, lr);
    }
    let burn = read(net.to_flat());
    let fast = fast.flat();
    // Compare the change from the start: Adam moves each weight by about lr per step.
    let moved = |v: &[f32]| v.iter().zip(&flat).map(|(a, b)| a - b).collect::<Vec<_>>();
    assert_close(&moved(&fast), &moved(&burn), 1e-3, "Adam update");
}

#[test]
fn samples_match_burn_with_the_same_noise_and_any_blocking() {
    let cfg = SmearingConfig::new(3, 2)
        .with_hidden_layers(2)
        .with_hidden_width(8);
    let flat = weights(&cfg);
    // More rows than one block, not a multiple of it.
    let rows = SAMPLE_BLOCK + 1234;
    let x = batch(rows, 3, 3);
    let seed = 9;
    let mut noise = rng(seed, stream::SMEAR_NOISE);
    let eps: Vec<f32> = (0..rows * 2).map(|_| normal(&mut noise) as f32).collect();
    let device = Device::flex();
    let net: SmearingNet = cfg.from_flat(&flat, &device);
    let burn = read(net.sample(
        upload(x.clone(), rows, 3, &device),
        upload(eps, rows, 2, &device),
    ));
    let fast = sample_smearing(&cfg, &flat, &x, 0, seed);
    assert_close(&fast, &burn, 1e-5, "sample");
    // Sampling the rows in two calls continues the same stream.
    let cut = 1000;
    let mut parts = sample_smearing(&cfg, &flat, &x[..cut * 3], 0, seed);
    parts.extend(sample_smearing(&cfg, &flat, &x[cut * 3..], cut, seed));
    assert_eq!(parts, fast);
}

#[test]
fn training_is_deterministic_to_the_bit() {
    let cfg = cfg();
    let flat = weights(&cfg);
    let run = || {
        let mut fast = FusedSmearing::new(&cfg, &flat);
        for s in 0..5 {
            fast.step(&batch(64, 3, s), &batch(64, 2, 100 + s), 64, 1e-3);
        }
        fast.flat()
    };
    assert_eq!(run(), run());
}
