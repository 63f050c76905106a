//! The jet VAE's generation path (seed 001) as one ONNX graph: `gen` (N × 150, a gen-level
//! jet's 50 pT-ordered constituents as px, py, pz in GeV, the file layout) and `noise`
//! (N × latent standard normals) in, `reco` (N × 150, same layout) out. The graph holds the
//! whole mapping of [`TrainedJetVae::sample`]: the per-feature standardisation, the encoder
//! (three convolutions with max pooling, two dense layers, μ and ln σ²), z = μ + σ·ε, the
//! decoder (three dense layers, transposed convolutions with linear up-sampling), GeV, and
//! the acceptance after inference (seed 001, section 5: pT > 250 MeV, |η| < 3.2; the masked
//! variant's existence score above ½), the kept constituents pT-ordered and zero-padded.

use super::graph::{float_attr, int_attr, ints_attr, Graph};
use crate::error::Result;
use crate::model::fast::upsample_taps;
use crate::model::params::to_flat;
use crate::model::{read_f32, TrainedJetVae};

/// The model's graph, serialised.
pub async fn export(model: &TrainedJetVae) -> Result<Vec<u8>> {
    let m = &model.meta;
    let cfg = &m.config;
    let flat = read_f32(to_flat(model.net())).await?;
    let (p, latent) = (cfg.particles, cfg.latent);
    let [c1, c2, c3] = [cfg.channels[0], cfg.channels[1], cfg.channels[2]];
    let [w0, w1, w2] = cfg.widths();
    let plane = c3 * 3 * w2;
    let slope = cfg.leaky_slope as f32;
    let mut w = Weights { flat: &flat, at: 0 };
    let mut g = Graph::default();
    let gen = g.input("gen", 3 * p);
    let noise = g.input("noise", latent);
    let leaky = |g: &mut Graph, x: &str| g.op("LeakyRelu", &[x], vec![float_attr("alpha", slope)]);

    // File layout (jet, particle, feature) → standardised (jet, 1, feature, particle).
    let x = g.reshape(&gen, &[-1, p as i64, 3]);
    let x = g.op("Transpose", &[&x], vec![ints_attr("perm", &[0, 2, 1])]);
    let mean = g.constant("jet_mean", &[3, 1], m.scales.mean.to_vec());
    let std = g.constant("jet_std", &[3, 1], m.scales.std.to_vec());
    let x = g.sub(&x, &mean);
    let x = g.div(&x, &std);
    let x = g.reshape(&x, &[-1, 1, 3, p as i64]);

    // Encoder: conv 3×5 → pool → conv 1×5 → pool → conv 1×5 → dense → dense → μ, ln σ².
    let pool = |g: &mut Graph, x: &str| {
        g.op(
            "MaxPool",
            &[x],
            vec![
                ints_attr("kernel_shape", &[1, 2]),
                ints_attr("strides", &[1, 2]),
            ],
        )
    };
    let h = conv(&mut g, &x, &mut w, "Conv", [1, c1], 3);
    let h = leaky(&mut g, &h);
    let h = pool(&mut g, &h);
    let h = conv(&mut g, &h, &mut w, "Conv", [c1, c2], 1);
    let h = leaky(&mut g, &h);
    let h = pool(&mut g, &h);
    let h = conv(&mut g, &h, &mut w, "Conv", [c2, c3], 1);
    let h = leaky(&mut g, &h);
    let h = g.op("Flatten", &[&h], vec![int_attr("axis", 1)]);
    let h = w.dense(&mut g, &h, plane, cfg.dense1);
    let h = leaky(&mut g, &h);
    let h = w.dense(&mut g, &h, cfg.dense1, cfg.dense2);
    let h = leaky(&mut g, &h);
    let mu = w.dense(&mut g, &h, cfg.dense2, latent);
    let log_var = w.dense(&mut g, &h, cfg.dense2, latent);
    let half = g.scalar("half", 0.5);
    let half_lv = g.mul(&log_var, &half);
    let sigma = g.op("Exp", &[&half_lv], vec![]);
    let spread = g.mul(&sigma, &noise);
    let z = g.add(&mu, &spread);

    // Decoder: dense ×3 → convT 1×5 → upsample → convT 1×5 → upsample → convT 3×5.
    let h = w.dense(&mut g, &z, latent, cfg.dense2);
    let h = leaky(&mut g, &h);
    let h = w.dense(&mut g, &h, cfg.dense2, cfg.dense1);
    let h640 = leaky(&mut g, &h);
    let h = w.dense(&mut g, &h640, cfg.dense1, plane);
    let h = leaky(&mut g, &h);
    let h = g.reshape(&h, &[-1, c3 as i64, 3, w2 as i64]);
    let h = conv(&mut g, &h, &mut w, "ConvTranspose", [c3, c2], 1);
    let h = leaky(&mut g, &h);
    let h = upsample(&mut g, &h, w2, w1);
    let h = conv(&mut g, &h, &mut w, "ConvTranspose", [c2, c1], 1);
    let h = leaky(&mut g, &h);
    let h = upsample(&mut g, &h, w1, w0);
    let out = conv(&mut g, &h, &mut w, "ConvTranspose", [c1, 1], 3);
    let exist = cfg.masked.then(|| w.dense(&mut g, &h640, cfg.dense1, p));
    debug_assert_eq!(w.at, flat.len(), "every weight used once");

    // GeV, then the acceptance.
    let out = g.reshape(&out, &[-1, 3, p as i64]);
    let out = g.mul(&out, &std);
    let out = g.add(&out, &mean);
    let [px, py, pz] = [0, 1, 2].map(|f| {
        let idx = g.int64s("feature", &[], vec![f]);
        g.op("Gather", &[&out, &idx], vec![int_attr("axis", 1)])
    });
    let px2 = g.mul(&px, &px);
    let py2 = g.mul(&py, &py);
    let pt2 = g.add(&px2, &py2);
    let pt = g.op("Sqrt", &[&pt2], vec![]);
    let min_pt = g.scalar("min_pt", m.min_pt as f32);
    let mut accept = g.op("Greater", &[&pt, &min_pt], vec![]);
    // |η| < η_max ⇔ |pz| < pT·sinh(η_max), with η = asinh(pz / pT).
    let sinh = g.scalar("sinh_max_eta", m.max_eta.sinh() as f32);
    let abs_pz = g.op("Abs", &[&pz], vec![]);
    let pz_max = g.mul(&pt, &sinh);
    let central = g.op("Less", &[&abs_pz, &pz_max], vec![]);
    accept = g.op("And", &[&accept, &central], vec![]);
    if let Some(logits) = exist {
        // σ(l) > ½ ⇔ l > 0.
        let prob = g.op("Sigmoid", &[&logits], vec![]);
        let half = g.scalar("half", 0.5);
        let exists = g.op("Greater", &[&prob, &half], vec![]);
        accept = g.op("And", &[&accept, &exists], vec![]);
    }
    // pT order of the kept constituents (TopK keeps equal keys in index order, as a stable
    // sort does); the rejected ones sort last with key −1 and become padding.
    let none = g.scalar("rejected", -1.0);
    let key = g.op("Where", &[&accept, &pt, &none], vec![]);
    let k = g.int64s("k", &[1], vec![p as i64]);
    let [sorted, order] = g.op2(
        "TopK",
        &[&key, &k],
        vec![
            int_attr("axis", 1),
            int_attr("largest", 1),
            int_attr("sorted", 1),
        ],
    );
    let floor = g.scalar("kept", -0.5);
    let kept = g.op("Greater", &[&sorted, &floor], vec![]);
    let zero = g.scalar("zero", 0.0);
    let [px, py, pz] = [px, py, pz].map(|c| {
        let v = g.op("GatherElements", &[&c, &order], vec![int_attr("axis", 1)]);
        g.op("Where", &[&kept, &v, &zero], vec![])
    });
    let reco = g.triples([&px, &py, &pz], p);
    g.output(&reco, "reco", &[3 * p]);
    let variant = if cfg.masked { "masked" } else { "paper" };
    let doc = format!(
        "fastsim-lab jet VAE (Touranakou et al., seed 001; {variant} variant). Inputs: gen (N x {}: {p} pT-ordered constituents as px, py, pz in GeV, zero-padded), noise (N x {latent} standard normals). Output: reco (N x {}, same layout), constituents with pT > {} GeV and |eta| < {} kept.",
        3 * p,
        3 * p,
        m.min_pt,
        m.max_eta
    );
    Ok(g.into_model(
        "jet_vae",
        &doc,
        &[
            ("kind", "jet-vae".into()),
            ("particles", p.to_string()),
            ("gen_columns", "gen".into()),
            ("reco_columns", "reco".into()),
        ],
    ))
}

/// The flat weights of `to_flat` (Burn's module order), read layer by layer.
struct Weights<'a> {
    flat: &'a [f32],
    at: usize,
}

impl Weights<'_> {
    fn take(&mut self, n: usize) -> Vec<f32> {
        let v = self.flat[self.at..self.at + n].to_vec();
        self.at += n;
        v
    }

    /// A dense layer: W (d_in × d_out) then b.
    fn dense(&mut self, g: &mut Graph, x: &str, d_in: usize, d_out: usize) -> String {
        let v = g.dense(x, &self.flat[self.at..], d_in, d_out);
        self.at += d_in * d_out + d_out;
        v
    }
}

/// A 1×5 or 3×5 (`kh`) convolution or transposed convolution with "same" padding, stride 1.
/// Burn's and ONNX's weight layouts agree: Conv [out, in, kh, kw], ConvTranspose
/// [in, out, kh, kw].
fn conv(
    g: &mut Graph,
    x: &str,
    w: &mut Weights,
    op: &str,
    [c_in, c_out]: [usize; 2],
    kh: usize,
) -> String {
    let dims = if op == "Conv" {
        [c_out, c_in, kh, 5]
    } else {
        [c_in, c_out, kh, 5]
    };
    let weight = w.take(dims.iter().product());
    let weight = g.constant("conv_w", &dims, weight);
    let bias = w.take(c_out);
    let bias = g.constant("conv_b", &[c_out], bias);
    let ph = ((kh - 1) / 2) as i64;
    g.op(
        op,
        &[x, &weight, &bias],
        vec![
            ints_attr("kernel_shape", &[kh as i64, 5]),
            ints_attr("pads", &[ph, 2, ph, 2]),
        ],
    )
}

/// Linear up-sampling along the particle axis (the last), `from` → `to` wide, as one product
/// with its interpolation matrix (the fast path's taps: PyTorch's and Burn's unaligned
/// corners).
fn upsample(g: &mut Graph, x: &str, from: usize, to: usize) -> String {
    let mut m = vec![0f32; from * to];
    for (x, (low, high, right)) in upsample_taps(from, to).into_iter().enumerate() {
        m[low * to + x] += 1.0 - right;
        m[high * to + x] += right;
    }
    let m = g.constant("upsample", &[from, to], m);
    g.op("MatMul", &[x, &m], vec![])
}
