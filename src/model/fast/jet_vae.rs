//! The jet VAE of seed 001 on the fast path: the forward pass of `JetVae::forward`, the loss of
//! eq. (1) as `JetVae::loss` computes it (KL, Chamfer eq. 2, the jet mass and pT terms, the
//! masked variant's existence cross-entropy), its gradient written out by hand, and Adam.
//! Burn stays the reference (the tests compare outputs, losses and gradients with autodiff)
//! and the GPU path.
//!
//! The weights are kept in the order of `to_flat` block by block, each block rearranged for
//! channels-last products (see [`Layout`]); a model file never sees the difference.

use super::activation::{leaky, leaky_back, log_sigmoid, sigmoid};
use super::conv::{pool, pool_back, Conv, Dense, Upsample, PLANE_ROWS};
use super::Adam;
use crate::model::{HostNoise, JetScales, JetVaeConfig};

/// Added to squared norms under a square root, as `jet_pt_mass` does (keeps it
/// differentiable at zero).
const EPS: f32 = 1e-6;

/// The layers of a [`JetVaeConfig`] and where each one's weights sit.
#[derive(Debug, Clone)]
struct Layout {
    enc: [Conv; 3],
    enc_dense: [Dense; 2],
    mu: Dense,
    log_var: Dense,
    dec_dense: [Dense; 3],
    dec: [Conv; 3],
    exist: Option<Dense>,
    /// Up-sampling before the second and the third transposed convolution.
    up: [Upsample; 2],
    widths: [usize; 3],
    /// internal[i] = flat[perm[i]]: the flat layout of `to_flat` to the one the products
    /// here read.
    perm: Vec<u32>,
}

impl Layout {
    fn new(cfg: &JetVaeConfig) -> Self {
        let [c1, c2, c3] = [cfg.channels[0], cfg.channels[1], cfg.channels[2]];
        let widths = cfg.widths();
        let [w0, w1, w2] = widths;
        let flat = c3 * PLANE_ROWS * w2;
        let (d1, d2, lat) = (cfg.dense1, cfg.dense2, cfg.latent);
        let mut at = 0;
        let mut conv = |c_in, c_out, kh, width| {
            let c = Conv::new(c_in, c_out, kh, width, at);
            at += c.dense.n_params();
            c
        };
        let enc = [conv(1, c1, 3, w0), conv(c1, c2, 1, w1), conv(c2, c3, 1, w2)];
        let mut dense = |i, o| {
            let d = Dense { i, o, at };
            at += d.n_params();
            d
        };
        let enc_dense = [dense(flat, d1), dense(d1, d2)];
        let (mu, log_var) = (dense(d2, lat), dense(d2, lat));
        let dec_dense = [dense(lat, d2), dense(d2, d1), dense(d1, flat)];
        let mut conv = |c_in, c_out, kh, width| {
            let c = Conv::new(c_in, c_out, kh, width, at);
            at += c.dense.n_params();
            c
        };
        let dec = [conv(c3, c2, 1, w2), conv(c2, c1, 1, w1), conv(c1, 1, 3, w0)];
        let exist = cfg.masked.then_some(Dense {
            i: d1,
            o: cfg.particles,
            at,
        });
        let mut layout = Self {
            enc,
            enc_dense,
            mu,
            log_var,
            dec_dense,
            dec,
            exist,
            up: [Upsample::new(w2, w1), Upsample::new(w1, w0)],
            widths,
            perm: Vec::new(),
        };
        layout.perm = layout.permutation();
        layout
    }

    fn n_params(&self) -> usize {
        self.perm.len()
    }

    /// See [`Layout::perm`]. Burn's Conv2d weight is [out, in, kh, kw], ConvTranspose2d's
    /// [in, out, kh, kw] (with stride 1 it is the convolution with the kernel flipped and the
    /// channels swapped); the products here want (tap row, tap column, in) × out. The encoder's
    /// flatten of [c, h, x] and the decoder's reshape to it become (h, x, c): a permutation of
    /// the first dense layer's rows and of the last one's columns.
    fn permutation(&self) -> Vec<u32> {
        let mut perm: Vec<u32> = Vec::new();
        let mut push = |v: usize| perm.push(v as u32);
        let conv = |push: &mut dyn FnMut(usize), c: &Conv, transposed: bool| {
            let (ci, co, kh, at) = (c.c_in, c.c_out(), c.kh, c.dense.at);
            for i in 0..kh {
                for t in 0..super::conv::KW {
                    for ch in 0..ci {
                        for o in 0..co {
                            push(
                                at + if transposed {
                                    ((ch * co + o) * kh + (kh - 1 - i)) * 5 + (4 - t)
                                } else {
                                    ((o * ci + ch) * kh + i) * 5 + t
                                },
                            );
                        }
                    }
                }
            }
            (0..co).for_each(|o| push(at + ci * co * kh * 5 + o));
        };
        let identity = |push: &mut dyn FnMut(usize), d: &Dense| {
            (d.at..d.at + d.n_params()).for_each(push);
        };
        // Position (h, x, c) of the channels-last plane in Burn's [c, h, x] flatten.
        let (c3, w2) = (self.enc[2].c_out(), self.widths[2]);
        let burn_index = |r: usize| {
            let (hx, c) = (r / c3, r % c3);
            c * PLANE_ROWS * w2 + hx
        };
        for c in &self.enc {
            conv(&mut push, c, false);
        }
        let e0 = self.enc_dense[0];
        for r in 0..e0.i {
            (0..e0.o).for_each(|o| push(e0.at + burn_index(r) * e0.o + o));
        }
        (0..e0.o).for_each(|o| push(e0.at + e0.i * e0.o + o));
        for d in [&self.enc_dense[1], &self.mu, &self.log_var] {
            identity(&mut push, d);
        }
        identity(&mut push, &self.dec_dense[0]);
        identity(&mut push, &self.dec_dense[1]);
        let d2 = self.dec_dense[2];
        for row in 0..d2.i {
            (0..d2.o).for_each(|r| push(d2.at + row * d2.o + burn_index(r)));
        }
        (0..d2.o).for_each(|r| push(d2.at + d2.i * d2.o + burn_index(r)));
        for c in &self.dec {
            conv(&mut push, c, true);
        }
        if let Some(e) = &self.exist {
            identity(&mut push, e);
        }
        perm
    }
}

/// The activations of one forward pass (kept for the backward pass), and scratch.
#[derive(Debug, Default, Clone)]
struct Acts {
    jets: usize,
    x: Vec<f32>,
    /// The unrolled inputs of the six convolutions (encoder, then decoder).
    col: [Vec<f32>; 6],
    a1: Vec<f32>,
    p1: Vec<f32>,
    a2: Vec<f32>,
    p2: Vec<f32>,
    a3: Vec<f32>,
    d1: Vec<f32>,
    d2: Vec<f32>,
    mu: Vec<f32>,
    log_var: Vec<f32>,
    z: Vec<f32>,
    g1: Vec<f32>,
    g2: Vec<f32>,
    exist: Vec<f32>,
    g3: Vec<f32>,
    t1: Vec<f32>,
    u1: Vec<f32>,
    t2: Vec<f32>,
    u2: Vec<f32>,
    out: Vec<f32>,
    /// Gradient buffers, used in turn.
    grad: [Vec<f32>; 4],
    d_exist: Vec<f32>,
    d_mu: Vec<f32>,
    d_log_var: Vec<f32>,
}

/// The loss of a batch: [total, KL, Chamfer, mass, pT, existence], means over its jets, as
/// `JetVae::loss` returns them.
pub type JetLoss = [f64; 6];

/// The jet VAE training on the CPU without autodiff.
#[derive(Debug, Clone)]
pub struct FusedJetVae {
    cfg: JetVaeConfig,
    scales: JetScales,
    layout: Layout,
    slope: f32,
    params: Vec<f32>,
    adam: Adam,
    grads: Vec<f32>,
    acts: Acts,
}

impl FusedJetVae {
    /// The network with the weights `flat` (the layout of `to_flat`).
    pub fn new(cfg: &JetVaeConfig, scales: &JetScales, flat: &[f32]) -> Self {
        let layout = Layout::new(cfg);
        assert_eq!(flat.len(), layout.n_params(), "jet VAE parameter count");
        let params = layout.perm.iter().map(|&i| flat[i as usize]).collect();
        Self {
            adam: Adam::new(layout.n_params()),
            grads: vec![0.0; layout.n_params()],
            slope: cfg.leaky_slope as f32,
            cfg: cfg.clone(),
            scales: scales.clone(),
            layout,
            params,
            acts: Acts::default(),
        }
    }

    /// The weights in the layout of `to_flat` (what a model file keeps).
    pub fn flat(&self) -> Vec<f32> {
        let mut flat = vec![0.0; self.params.len()];
        for (&i, &v) in self.layout.perm.iter().zip(&self.params) {
            flat[i as usize] = v;
        }
        flat
    }

    /// The gradients of the last [`FusedJetVae::loss_and_gradients`], in the layout of
    /// `to_flat`.
    pub fn flat_gradients(&self) -> Vec<f32> {
        let mut flat = vec![0.0; self.grads.len()];
        for (&i, &v) in self.layout.perm.iter().zip(&self.grads) {
            flat[i as usize] = v;
        }
        flat
    }

    /// One Adam step at `lr` on a batch: `x` standardised gen jets (jets × 3 × particles,
    /// feature-major), `y` per jet the standardised reco jet and its mask of real particles
    /// (the trainer's targets), `noise` the draws of `JetVaeConfig::host_noise`.
    pub fn step(
        &mut self,
        x: &[f32],
        y: &[f32],
        jets: usize,
        noise: &HostNoise,
        lr: f64,
    ) -> JetLoss {
        let loss = self.loss_and_gradients(x, y, jets, noise);
        self.adam.step(&mut self.params, &self.grads, lr);
        loss
    }

    /// The loss of a batch and its gradients (kept for [`FusedJetVae::flat_gradients`]).
    pub fn loss_and_gradients(
        &mut self,
        x: &[f32],
        y: &[f32],
        jets: usize,
        noise: &HostNoise,
    ) -> JetLoss {
        self.forward(x, jets, noise);
        let loss = self.loss_grad(y, true);
        self.backward(noise);
        loss
    }

    /// The loss of a batch without gradients (validation: `noise` without dropout).
    pub fn loss(&mut self, x: &[f32], y: &[f32], jets: usize, noise: &HostNoise) -> JetLoss {
        self.forward(x, jets, noise);
        self.loss_grad(y, false)
    }

    /// The standardised output jets (jets × 3 × particles) and, for the masked variant, the
    /// existence logits (jets × particles) of `x`.
    pub fn generate(&mut self, x: &[f32], jets: usize, noise: &HostNoise) -> (&[f32], &[f32]) {
        self.forward(x, jets, noise);
        (&self.acts.out, &self.acts.exist)
    }

    fn forward(&mut self, x: &[f32], jets: usize, noise: &HostNoise) {
        let (l, p, s, a) = (&self.layout, &self.params, self.slope, &mut self.acts);
        let [w0, w1, _] = l.widths;
        let [c1, c2, _] = [l.enc[0].c_out(), l.enc[1].c_out(), l.enc[2].c_out()];
        a.jets = jets;
        a.x.clear();
        a.x.extend_from_slice(&x[..jets * PLANE_ROWS * w0]);
        let [col0, col1, col2, col3, col4, col5] = &mut a.col;
        // Encoder: conv 3×5 → pool → conv 1×5 → pool → conv 1×5 → dense → dense.
        l.enc[0].forward(p, &a.x, jets, col0, &mut a.a1);
        leaky(&mut a.a1, s);
        pool(&a.a1, jets, w0, c1, &mut a.p1);
        l.enc[1].forward(p, &a.p1, jets, col1, &mut a.a2);
        leaky(&mut a.a2, s);
        pool(&a.a2, jets, w1, c2, &mut a.p2);
        l.enc[2].forward(p, &a.p2, jets, col2, &mut a.a3);
        leaky(&mut a.a3, s);
        let drop = |v: &mut [f32], i: usize| {
            if let Some(m) = &noise.dropout {
                v.iter_mut().zip(&m[i]).for_each(|(v, m)| *v *= m);
            }
        };
        l.enc_dense[0].forward(p, &a.a3, jets, &mut a.d1);
        leaky(&mut a.d1, s);
        drop(&mut a.d1, 0);
        l.enc_dense[1].forward(p, &a.d1, jets, &mut a.d2);
        leaky(&mut a.d2, s);
        l.mu.forward(p, &a.d2, jets, &mut a.mu);
        l.log_var.forward(p, &a.d2, jets, &mut a.log_var);
        // z = μ + σ·ε
        a.z.clear();
        a.z.extend(
            a.mu.iter()
                .zip(&a.log_var)
                .zip(&noise.eps)
                .map(|((m, lv), e)| m + (lv * 0.5).exp() * e),
        );
        // Decoder: dense ×3 → convT 1×5 → upsample → convT 1×5 → upsample → convT 3×5.
        l.dec_dense[0].forward(p, &a.z, jets, &mut a.g1);
        leaky(&mut a.g1, s);
        drop(&mut a.g1, 1);
        l.dec_dense[1].forward(p, &a.g1, jets, &mut a.g2);
        leaky(&mut a.g2, s);
        drop(&mut a.g2, 2);
        match &l.exist {
            Some(e) => e.forward(p, &a.g2, jets, &mut a.exist),
            None => a.exist.clear(),
        }
        l.dec_dense[2].forward(p, &a.g2, jets, &mut a.g3);
        leaky(&mut a.g3, s);
        l.dec[0].forward(p, &a.g3, jets, col3, &mut a.t1);
        leaky(&mut a.t1, s);
        l.up[0].forward(&a.t1, jets, c2, &mut a.u1);
        l.dec[1].forward(p, &a.u1, jets, col4, &mut a.t2);
        leaky(&mut a.t2, s);
        l.up[1].forward(&a.t2, jets, c1, &mut a.u2);
        l.dec[2].forward(p, &a.u2, jets, col5, &mut a.out);
    }

    /// Eq. (1) on the last forward pass against targets `y`; with `grad`, dL/d(output jets)
    /// into the first gradient buffer, dL/d(existence logits), dL/dμ and dL/d ln σ² (the KL
    /// term's and, through z, the decoder's are added in `backward`).
    fn loss_grad(&mut self, y: &[f32], grad: bool) -> JetLoss {
        let cfg = &self.cfg;
        let a = &mut self.acts;
        let (jets, np) = (a.jets, cfg.particles);
        let per_jet = 3 * np;
        let k_out = per_jet + np;
        let inv_b = 1.0 / jets as f64;
        let beta = cfg.beta;
        let rec_w = (1.0 - beta) as f32 * inv_b as f32;
        // KL = mean over jets of −½ Σ (1 + ln σ² − μ² − σ²).
        let mut kl = 0.0f64;
        for (m, lv) in a.mu.iter().zip(&a.log_var) {
            kl += -0.5 * (1.0 + lv - m * m - lv.exp()) as f64;
        }
        if grad {
            let kw = (beta * inv_b) as f32;
            a.d_mu.clear();
            a.d_mu.extend(a.mu.iter().map(|m| kw * m));
            a.d_log_var.clear();
            a.d_log_var
                .extend(a.log_var.iter().map(|lv| kw * 0.5 * (lv.exp() - 1.0)));
        }
        let g_out = &mut a.grad[0];
        if grad {
            g_out.clear();
            g_out.resize(jets * per_jet, 0.0);
            a.d_exist.clear();
            a.d_exist.resize(a.exist.len(), 0.0);
        }
        let (mut rec, mut dm, mut dpt, mut ex) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        let s = &self.scales;
        let mut real: Vec<usize> = Vec::with_capacity(np);
        let mut dist = vec![0f32; np * np];
        for j in 0..jets {
            let target = &y[j * k_out..j * k_out + per_jet];
            let mask = &y[j * k_out + per_jet..(j + 1) * k_out];
            let out = &a.out[j * per_jet..(j + 1) * per_jet];
            real.clear();
            if cfg.masked {
                real.extend((0..np).filter(|&i| mask[i] > 0.5));
            } else {
                real.extend(0..np);
            }
            // Chamfer, eq. (2), over the real slots (every slot for the paper's loss).
            for &i in &real {
                for &k in &real {
                    dist[i * np + k] = (0..3)
                        .map(|f| {
                            let d = target[f * np + i] - out[f * np + k];
                            d * d
                        })
                        .sum();
                }
            }
            let argmin = |it: &mut dyn Iterator<Item = (usize, f32)>| {
                it.fold((usize::MAX, f32::INFINITY), |b, (k, d)| {
                    if d < b.1 {
                        (k, d)
                    } else {
                        b
                    }
                })
            };
            // Each target particle's nearest output slot, then each output slot's nearest
            // target particle: the pairs (i, k) of the two sums.
            let to_output = real.iter().map(|&i| {
                let (k, d) = argmin(&mut real.iter().map(|&k| (k, dist[i * np + k])));
                (i, k, d)
            });
            let to_target = real.iter().map(|&k| {
                let (i, d) = argmin(&mut real.iter().map(|&i| (i, dist[i * np + k])));
                (i, k, d)
            });
            let mut jet_rec = 0.0f64;
            for (i, k, d) in to_output.chain(to_target) {
                jet_rec += d as f64;
                if grad {
                    for f in 0..3 {
                        g_out[j * per_jet + f * np + k] -=
                            rec_w * 2.0 * (target[f * np + i] - out[f * np + k]);
                    }
                }
            }
            rec += jet_rec;
            // Jet pT and mass (GeV) of target and output, over the real slots.
            let (pt_t, m_t, _) = jet_kinematics(target, &real, s, np);
            let (pt_o, m_o, k_o) = jet_kinematics(out, &real, s, np);
            let (sm, spt) = (s.m as f64, s.pt as f64);
            let (em, ept) = ((m_t - m_o) / sm, (pt_t - pt_o) / spt);
            dm += em * em;
            dpt += ept * ept;
            if grad {
                // d/dm_o and d/dpT_o of the weighted squared differences.
                let gm = (-2.0 * em / sm * cfg.alpha_m) as f32 * rec_w;
                let gpt = (-2.0 * ept / spt * cfg.alpha_pt) as f32 * rec_w;
                let [tx, ty, tz] = k_o.total;
                let (m, pt) = (m_o as f32, pt_o as f32);
                // m = √(max(E² − |T|², 0) + ε): its gradient is zero where clamped.
                let (ge, gt) = if k_o.massive {
                    (
                        gm * k_o.energy / m,
                        [-gm * tx / m, -gm * ty / m, -gm * tz / m],
                    )
                } else {
                    (0.0, [0.0; 3])
                };
                let gt = [gt[0] + gpt * tx / pt, gt[1] + gpt * ty / pt, gt[2]];
                for &k in &real {
                    let mom: [f32; 3] =
                        std::array::from_fn(|f| out[f * np + k] * s.std[f] + s.mean[f]);
                    let e = (mom.iter().map(|v| v * v).sum::<f32>() + EPS).sqrt();
                    for f in 0..3 {
                        g_out[j * per_jet + f * np + k] += (ge * mom[f] / e + gt[f]) * s.std[f];
                    }
                }
            }
            // The masked variant's existence cross-entropy.
            if cfg.masked {
                let logits = &a.exist[j * np..(j + 1) * np];
                for (k, (&l, &m)) in logits.iter().zip(mask).enumerate() {
                    ex -= (m * log_sigmoid(l) + (1.0 - m) * log_sigmoid(-l)) as f64;
                    if grad {
                        a.d_exist[j * np + k] = rec_w * (sigmoid(l) - m);
                    }
                }
            }
        }
        let [kl, rec, dm, dpt, ex] = [kl, rec, dm, dpt, ex].map(|v| v * inv_b);
        let recon = rec + cfg.alpha_m * dm + cfg.alpha_pt * dpt + ex;
        [beta * kl + (1.0 - beta) * recon, kl, rec, dm, dpt, ex]
    }

    /// Backpropagation from the gradients `loss_grad` left, into `self.grads`.
    fn backward(&mut self, noise: &HostNoise) {
        let (l, p, s) = (&self.layout, &self.params, self.slope);
        let a = &mut self.acts;
        let g = &mut self.grads;
        let jets = a.jets;
        let [w0, w1, _] = l.widths;
        let [c1, c2, _] = [l.enc[0].c_out(), l.enc[1].c_out(), l.enc[2].c_out()];
        let [g0, g1, g2, g3] = &mut a.grad;
        let undrop = |v: &mut [f32], i: usize| {
            if let Some(m) = &noise.dropout {
                v.iter_mut().zip(&m[i]).for_each(|(v, m)| *v *= m);
            }
        };
        // Decoder convolutions, from dL/d(out) in g0.
        l.dec[2].backward(p, &a.col[5], g0, jets, g, Some((g1, g2)));
        l.up[1].backward(g2, jets, c1, g0);
        leaky_back(g0, &a.t2, s);
        l.dec[1].backward(p, &a.col[4], g0, jets, g, Some((g1, g2)));
        l.up[0].backward(g2, jets, c2, g0);
        leaky_back(g0, &a.t1, s);
        l.dec[0].backward(p, &a.col[3], g0, jets, g, Some((g1, g2)));
        leaky_back(g2, &a.g3, s);
        // Decoder dense layers (and the existence head on the same input).
        l.dec_dense[2].backward(p, &a.g2, g2, jets, g, Some(g0), false);
        if let Some(e) = &l.exist {
            e.backward(p, &a.g2, &a.d_exist, jets, g, Some(g0), true);
        }
        undrop(g0, 2);
        leaky_back(g0, &a.g2, s);
        l.dec_dense[1].backward(p, &a.g1, g0, jets, g, Some(g1), false);
        undrop(g1, 1);
        leaky_back(g1, &a.g1, s);
        l.dec_dense[0].backward(p, &a.z, g1, jets, g, Some(g0), false);
        // z = μ + exp(½ ln σ²)·ε
        for (((dm, dlv), (lv, e)), dz) in a
            .d_mu
            .iter_mut()
            .zip(a.d_log_var.iter_mut())
            .zip(a.log_var.iter().zip(&noise.eps))
            .zip(g0.iter())
        {
            *dm += dz;
            *dlv += dz * 0.5 * (lv * 0.5).exp() * e;
        }
        l.mu.backward(p, &a.d2, &a.d_mu, jets, g, Some(g1), false);
        l.log_var
            .backward(p, &a.d2, &a.d_log_var, jets, g, Some(g1), true);
        leaky_back(g1, &a.d2, s);
        l.enc_dense[1].backward(p, &a.d1, g1, jets, g, Some(g0), false);
        undrop(g0, 0);
        leaky_back(g0, &a.d1, s);
        l.enc_dense[0].backward(p, &a.a3, g0, jets, g, Some(g1), false);
        leaky_back(g1, &a.a3, s);
        // Encoder convolutions.
        l.enc[2].backward(p, &a.col[2], g1, jets, g, Some((g2, g0)));
        pool_back(&a.a2, g0, jets, w1, c2, g3);
        leaky_back(g3, &a.a2, s);
        l.enc[1].backward(p, &a.col[1], g3, jets, g, Some((g2, g0)));
        pool_back(&a.a1, g0, jets, w0, c1, g3);
        leaky_back(g3, &a.a1, s);
        l.enc[0].backward(p, &a.col[0], g3, jets, g, None);
    }
}

/// What the gradient of a jet's mass and pT needs.
struct Kinematics {
    energy: f32,
    total: [f32; 3],
    /// E² − |T|² > 0 (the mass's clamp not active).
    massive: bool,
}

/// Jet pT and mass (GeV) of one standardised jet (3 × particles) over the slots `real`, as
/// `jet_pt_mass` computes them from massless constituents.
fn jet_kinematics(jet: &[f32], real: &[usize], s: &JetScales, np: usize) -> (f64, f64, Kinematics) {
    let mut energy = 0.0f32;
    let mut total = [0.0f32; 3];
    for &k in real {
        let mom: [f32; 3] = std::array::from_fn(|f| jet[f * np + k] * s.std[f] + s.mean[f]);
        energy += (mom.iter().map(|v| v * v).sum::<f32>() + EPS).sqrt();
        for f in 0..3 {
            total[f] += mom[f];
        }
    }
    let pt = (total[0] * total[0] + total[1] * total[1] + EPS).sqrt();
    let m2 = energy * energy - total.iter().map(|v| v * v).sum::<f32>();
    let m = (m2.max(0.0) + EPS).sqrt();
    (
        pt as f64,
        m as f64,
        Kinematics {
            energy,
            total,
            massive: m2 > 0.0,
        },
    )
}
