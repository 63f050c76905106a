//! The shower VAE-GAN's generators (seed 003) as one ONNX graph: latent points `noise`
//! (N × latent standard normals) in, showers `showers` (N × 10 × 10, MeV, the 0.1 MeV cut
//! applied) out — the mapping of [`TrainedVaeGan::sampler`]: each member's LAGAN-style
//! generator (dense, convolution, two locally connected layers, softplus), the pixel scale
//! back to MeV (E = 1 GeV · u²), shower i from member i mod M, and the half-MIP cut.

use super::graph::{int_attr, Graph};
use crate::error::Result;
use crate::model::{read_f32, Generator, LocallyConnected, TrainedVaeGan, PIXEL_SCALE_MEV};
use crate::physics::{IMAGE_PIXELS, IMAGE_SIDE, MIP_CUT_MEV};

/// The model's graph, serialised.
pub async fn export(model: &TrainedVaeGan) -> Result<Vec<u8>> {
    let latent = model.meta.config.latent;
    let mut g = Graph::default();
    let z = g.input("noise", latent);
    let mut images = Vec::new();
    for generator in model.generators() {
        images.push(generator_graph(&mut g, &z, generator).await?);
    }
    // Shower i from member i mod M.
    let mut u = images.pop().expect("a model has at least one member");
    let members = model.generators().len();
    if members > 1 {
        let shape = g.op("Shape", &[&z], vec![]);
        let idx0 = g.int64s("index", &[], vec![0]);
        let n = g.op("Gather", &[&shape, &idx0], vec![int_attr("axis", 0)]);
        let (start, step) = (
            g.int64s("zero", &[], vec![0]),
            g.int64s("one", &[], vec![1]),
        );
        let rows = g.op("Range", &[&start, &n, &step], vec![]);
        let m = g.int64s("members", &[], vec![members as i64]);
        let member = g.op("Mod", &[&rows, &m], vec![]);
        let member = g.reshape(&member, &[-1, 1]);
        // `u` is the last member's; each earlier one replaces its rows.
        for (i, img) in images.iter().enumerate() {
            let k = g.int64s("member", &[], vec![i as i64]);
            let mine = g.op("Equal", &[&member, &k], vec![]);
            u = g.op("Where", &[&mine, img, &u], vec![]);
        }
    }
    // MeV = 1 GeV · u², then the half-MIP cut.
    let u2 = g.mul(&u, &u);
    let scale = g.scalar("pixel_scale_mev", PIXEL_SCALE_MEV);
    let mev = g.mul(&u2, &scale);
    let cut = g.scalar("mip_cut_mev", MIP_CUT_MEV);
    let below = g.op("Less", &[&mev, &cut], vec![]);
    let zero = g.scalar("zero", 0.0);
    let showers = g.op("Where", &[&below, &zero, &mev], vec![]);
    let showers = g.reshape(&showers, &[-1, IMAGE_SIDE as i64, IMAGE_SIDE as i64]);
    g.output(&showers, "showers", &[IMAGE_SIDE, IMAGE_SIDE]);
    let doc = format!(
        "fastsim-lab shower VAE-GAN (Bieringer et al., seed 003), {members} member(s). Input: noise (N x {latent} standard normals; shower i from member i mod {members}). Output: showers (N x {IMAGE_SIDE} x {IMAGE_SIDE}, MeV per pixel, 0.1 MeV cut)."
    );
    Ok(g.into_model(
        "vae_gan",
        &doc,
        &[("kind", "vae-gan".into()), ("members", members.to_string())],
    ))
}

/// One generator on `z`: its images as N × 100 on the network scale u.
async fn generator_graph(g: &mut Graph, z: &str, gen: &Generator) -> Result<String> {
    let side = IMAGE_SIDE as i64;
    let c = gen.channels;
    let slope = gen.slope as f32;
    let leaky = |g: &mut Graph, x: &str| {
        g.op(
            "LeakyRelu",
            &[x],
            vec![super::graph::float_attr("alpha", slope)],
        )
    };
    let w = read_f32(gen.dense.weight.val()).await?;
    let b = read_f32(gen.dense.bias.val()).await?;
    let d_out = b.len();
    let mut flat = w;
    flat.extend(b);
    let h = g.dense(z, &flat, flat.len() / d_out - 1, d_out);
    let h = leaky(g, &h);
    let h = g.reshape(&h, &[-1, c as i64, side, side]);
    // The 3 × 3 "same" convolution.
    let cw = gen.conv.weight.val();
    let dims = cw.dims();
    let cw = g.constant("conv_w", &dims, read_f32(cw).await?);
    let cb = read_f32(gen.conv.bias.val()).await?;
    let cb = g.constant("conv_b", &[cb.len()], cb);
    let pads = super::graph::ints_attr("pads", &[1, 1, 1, 1]);
    let h = g.op("Conv", &[&h, &cw, &cb], vec![pads]);
    let h = leaky(g, &h);
    let h = locally_connected(g, &h, &gen.local1).await?;
    let h = leaky(g, &h);
    let h = locally_connected(g, &h, &gen.local2).await?;
    let h = g.op("Softplus", &[&h], vec![]);
    Ok(g.reshape(&h, &[-1, IMAGE_PIXELS as i64]))
}

/// The LAGAN's locally connected 3 × 3 layer: the image's 3 × 3 patches (zero-padded, in
/// Burn's `unfold4d` order: channel, kernel row, kernel column), each position multiplied
/// by its own [in·9, out] matrix, plus a bias per channel and position.
async fn locally_connected(g: &mut Graph, x: &str, layer: &LocallyConnected) -> Result<String> {
    let [c_in, c_out, side] = layer.dims;
    let positions = side * side;
    let k = c_in * 9;
    let pads = g.int64s("pads", &[8], vec![0, 0, 1, 1, 0, 0, 1, 1]);
    let padded = g.op("Pad", &[x, &pads], vec![]);
    let mut shifted = Vec::new();
    for ky in 0..3i64 {
        for kx in 0..3i64 {
            let starts = g.int64s("starts", &[2], vec![ky, kx]);
            let ends = g.int64s("ends", &[2], vec![ky + side as i64, kx + side as i64]);
            let axes = g.int64s("axes", &[2], vec![2, 3]);
            let s = g.op("Slice", &[&padded, &starts, &ends, &axes], vec![]);
            shifted.push(g.reshape(&s, &[-1, c_in as i64, 1, positions as i64]));
        }
    }
    let refs: Vec<&str> = shifted.iter().map(String::as_str).collect();
    let patches = g.op("Concat", &refs, vec![int_attr("axis", 2)]); // [b, in, 9, p]
    let patches = g.reshape(&patches, &[-1, k as i64, positions as i64]); // [b, k, p]
    let perm = super::graph::ints_attr("perm", &[2, 0, 1]);
    let patches = g.op("Transpose", &[&patches], vec![perm]); // [p, b, k]
                                                              // Weights [k, p·out] → [p, k, out].
    let w = read_f32(layer.weight.val()).await?;
    let mut wp = vec![0f32; w.len()];
    for kk in 0..k {
        for p in 0..positions {
            for o in 0..c_out {
                wp[(p * k + kk) * c_out + o] = w[kk * positions * c_out + p * c_out + o];
            }
        }
    }
    let wp = g.constant("local_w", &[positions, k, c_out], wp);
    let out = g.op("MatMul", &[&patches, &wp], vec![]); // [p, b, out]
    let perm = super::graph::ints_attr("perm", &[1, 2, 0]);
    let out = g.op("Transpose", &[&out], vec![perm]); // [b, out, p]
    let bias = read_f32(layer.bias.val()).await?;
    let bias = g.constant("local_b", &[1, c_out, positions], bias);
    let out = g.add(&out, &bias);
    Ok(g.reshape(&out, &[-1, c_out as i64, side as i64, side as i64]))
}
