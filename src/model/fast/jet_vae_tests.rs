//! The jet VAE's fast path against Burn, the reference: the forward pass against
//! `JetVae::forward`, the loss components of eq. (1) and every weight's gradient against
//! autodiff through `JetVae::loss`, for the paper's loss and the masked variant.

use super::tests::{assert_close, batch, read};
use super::FusedJetVae;
use crate::model::params::from_flat;
use crate::model::{upload, HostNoise, JetScales, JetVae, JetVaeConfig, VaeNoise};
use crate::random::{rng, uniform};
use burn::module::{ModuleVisitor, Param};
use burn::prelude::*;

/// A small network on 12 particles (widths 12, 6, 3), every layer kind present.
fn cfg(masked: bool) -> JetVaeConfig {
    JetVaeConfig::new()
        .with_particles(12)
        .with_channels(vec![3, 4, 5])
        .with_dense1(16)
        .with_dense2(8)
        .with_latent(4)
        .with_masked(masked)
}

/// px, py about 20 GeV a standard unit, pz 40: jets of a few particles of tens of GeV.
fn scales() -> JetScales {
    JetScales {
        mean: [0.5, -0.3, 1.0],
        std: [20.0, 20.0, 40.0],
        pt: 20.0,
        m: 20.0,
    }
}

/// Targets as the trainer lays them out: per jet the standardised 3 × particles, then the
/// mask of its real particles (the first 2 to all of them).
fn targets(jets: usize, particles: usize, seed: u64) -> Vec<f32> {
    let values = batch(jets, 3 * particles, seed);
    let mut r = rng(seed, 1);
    let mut y = Vec::new();
    for jet in values.chunks_exact(3 * particles) {
        y.extend_from_slice(jet);
        let real = 2 + (uniform(&mut r) * (particles - 1) as f64) as usize;
        y.extend((0..particles).map(|k| if k < real { 1.0 } else { 0.0 }));
    }
    y
}

fn upload_noise(cfg: &JetVaeConfig, n: &HostNoise, rows: usize, device: &Device) -> VaeNoise {
    let [d1, d2] = [cfg.dense1, cfg.dense2];
    VaeNoise {
        eps: upload(n.eps.clone(), rows, cfg.latent, device),
        dropout: n.dropout.clone().map(|[a, b, c]| {
            [
                upload(a, rows, d1, device),
                upload(b, rows, d2, device),
                upload(c, rows, d1, device),
            ]
        }),
    }
}

/// `JetVae::loss` on `device` of a batch in the trainer's layout: (inputs, targets, rows).
fn burn_loss(
    net: &JetVae,
    cfg: &JetVaeConfig,
    (x, y, rows): (&[f32], &[f32], usize),
    noise: &HostNoise,
    device: &Device,
) -> Tensor<1> {
    let np = cfg.particles;
    let yt = upload(y.to_vec(), rows, 4 * np, device);
    net.loss(
        cfg,
        &scales(),
        upload(x.to_vec(), rows, 3 * np, device).reshape([rows, 3, np]),
        yt.clone().narrow(1, 0, 3 * np).reshape([rows, 3, np]),
        yt.narrow(1, 3 * np, np),
        &upload_noise(cfg, noise, rows, device),
    )
}

/// Every parameter's gradient, flat, in the order of `to_flat`.
fn grad_flat(net: &JetVae, grads: &burn::tensor::Gradients) -> Vec<f32> {
    struct Collect<'a>(&'a burn::tensor::Gradients, Vec<f32>);
    impl ModuleVisitor for Collect<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let g = param
                .val()
                .grad(self.0)
                .expect("every weight enters the loss");
            self.1.extend(read(g.flatten::<1>(0, D - 1)));
        }
    }
    let mut c = Collect(grads, Vec::new());
    net.visit(&mut c);
    c.1
}

#[test]
fn forward_matches_burn() {
    for masked in [false, true] {
        let cfg = cfg(masked);
        let flat = cfg.init_flat(&mut rng(3, 0));
        let rows = 7;
        let x = batch(rows, 3 * cfg.particles, 4);
        let noise = cfg.host_noise(rows, true, &mut rng(5, 0));
        let d = Device::flex();
        let net = from_flat(cfg.init_shapes(&d), &flat, &d).unwrap();
        let out = net.forward(
            upload(x.clone(), rows, 3 * cfg.particles, &d).reshape([rows, 3, cfg.particles]),
            &upload_noise(&cfg, &noise, rows, &d),
        );
        let mut fast = FusedJetVae::new(&cfg, &scales(), &flat);
        let (jets, exist) = fast.generate(&x, rows, &noise);
        assert_close(jets, &read(out.jets), 1e-5, "output jets");
        match out.exist {
            Some(e) => assert_close(exist, &read(e), 1e-5, "existence logits"),
            None => assert!(exist.is_empty()),
        }
        // The layout round trip: the weights come back as they went in.
        assert_eq!(fast.flat(), flat);
    }
}

#[test]
fn loss_and_gradients_match_autodiff() {
    for masked in [false, true] {
        let cfg = cfg(masked);
        let np = cfg.particles;
        // Initial weights plus noise on the biases (they start at zero).
        let mut r = rng(6, 0);
        let flat: Vec<f32> = cfg
            .init_flat(&mut rng(3, 0))
            .into_iter()
            .map(|w| w + 0.05 * (uniform(&mut r) as f32 - 0.5))
            .collect();
        let rows = 9;
        let x = batch(rows, 3 * np, 4);
        let y = targets(rows, np, 8);
        let noise = cfg.host_noise(rows, true, &mut rng(5, 0));
        let ad = Device::flex().autodiff();
        let net = from_flat(cfg.init_shapes(&ad), &flat, &ad).unwrap();
        let parts = burn_loss(&net, &cfg, (&x, &y, rows), &noise, &ad);
        let burn_parts = read(parts.clone());
        let burn_grads = grad_flat(&net, &parts.narrow(0, 0, 1).backward());

        let mut fast = FusedJetVae::new(&cfg, &scales(), &flat);
        let fast_parts = fast.loss_and_gradients(&x, &y, rows, &noise);
        for (i, (f, b)) in fast_parts.iter().zip(&burn_parts).enumerate() {
            assert!(
                (f - *b as f64).abs() <= 1e-4 * (b.abs() as f64).max(1e-3),
                "masked {masked}: loss part {i}: fast {f} vs burn {b}"
            );
        }
        // Every term must be there, or its gradient would go untested.
        assert!(fast_parts[1..5].iter().all(|&p| p > 1e-4), "{fast_parts:?}");
        assert_eq!(fast_parts[5] > 0.0, masked);
        // Element by element: the layers' gradients differ by orders of magnitude.
        let fast_grads = fast.flat_gradients();
        assert_eq!(fast_grads.len(), burn_grads.len());
        let scale = burn_grads.iter().fold(0f32, |m, g| m.max(g.abs()));
        for (i, (f, b)) in fast_grads.iter().zip(&burn_grads).enumerate() {
            assert!(
                (f - b).abs() <= 1e-3 * b.abs() + 1e-6 * scale,
                "masked {masked}: gradient {i}: fast {f} vs burn {b}"
            );
        }
        // Validation (no dropout) gives Burn's validation loss too.
        let eval = cfg.host_noise(rows, false, &mut rng(5, 0));
        let valid = net.valid();
        let want = read(burn_loss(
            &valid,
            &cfg,
            (&x, &y, rows),
            &eval,
            &Device::flex(),
        ));
        let got = fast.loss(&x, &y, rows, &eval);
        assert!(
            (got[0] - want[0] as f64).abs() <= 1e-4 * want[0].abs() as f64,
            "validation loss: fast {} vs burn {}",
            got[0],
            want[0]
        );
    }
}
