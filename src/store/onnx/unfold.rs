//! The unfolding GANs' generator (seed 002) as one ONNX graph in physical units: detector-level
//! objects `reco` (N × 3·objects: pT [GeV], η, φ per object, the model's reco columns in its
//! order) and `noise` (N × noise standard normals; unused by the naive GAN) in, parton-level
//! objects `gen` (N × 3·objects, the same layout) out — the mapping of
//! [`TrainedUnfold::unfold_rows`]: to (px, py, pz), with `detector_features` the jet pair's
//! m_jj, pT,j1, pT,j2 appended, standardisation, the generator, the inverse standardisation
//! and back to (pT, η, φ).

use super::graph::{int_attr, Graph};
use crate::error::Result;
use crate::model::read_f32;
use crate::model::{GanKind, TrainedUnfold};

/// The generator's graph, serialised.
pub async fn export(model: &TrainedUnfold) -> Result<Vec<u8>> {
    let m = &model.meta;
    let cfg = &m.config;
    let objects = cfg.objects;
    let k = cfg.d_event();
    let flat = read_f32(model.generator().to_flat()).await?;
    let mut g = Graph::default();
    let reco = g.input("reco", k);
    let noise = g.input("noise", cfg.noise);
    // (pT, η, φ) → (px, py, pz) = (pT cos φ, pT sin φ, pT sinh η).
    let [pt, eta, phi] = g.coordinates(&reco, objects);
    let (cos, sin) = (g.op("Cos", &[&phi], vec![]), g.op("Sin", &[&phi], vec![]));
    let sinh = g.op("Sinh", &[&eta], vec![]);
    let (px, py, pz) = (g.mul(&pt, &cos), g.mul(&pt, &sin), g.mul(&pt, &sinh));
    let mut cond = g.triples([&px, &py, &pz], objects);
    if cfg.detector_features {
        // The two jets (objects 0 and 1), massless: m² = 2 pT₁ pT₂ (cosh Δη − cos Δφ).
        let first = |g: &mut Graph, v: &str, i: i64| {
            let idx = g.int64s("index", &[1], vec![i]);
            g.op("Gather", &[v, &idx], vec![int_attr("axis", 1)])
        };
        let (pt1, pt2) = (first(&mut g, &pt, 0), first(&mut g, &pt, 1));
        let (eta1, eta2) = (first(&mut g, &eta, 0), first(&mut g, &eta, 1));
        let (phi1, phi2) = (first(&mut g, &phi, 0), first(&mut g, &phi, 1));
        let deta = g.sub(&eta1, &eta2);
        let dphi = g.sub(&phi1, &phi2);
        let ch = g.op("Cosh", &[&deta], vec![]);
        let c = g.op("Cos", &[&dphi], vec![]);
        let diff = g.sub(&ch, &c);
        let pp = g.mul(&pt1, &pt2);
        let two = g.scalar("two", 2.0);
        let m2 = g.mul(&pp, &diff);
        let m2 = g.mul(&m2, &two);
        let zero = g.scalar("zero", 0.0);
        let m2 = g.op("Max", &[&m2, &zero], vec![]);
        let mjj = g.op("Sqrt", &[&m2], vec![]);
        cond = g.op(
            "Concat",
            &[&cond, &mjj, &pt1, &pt2],
            vec![int_attr("axis", 1)],
        );
    }
    let x = g.standardise(&cond, &m.reco_scales.mean, &m.reco_scales.std);
    let input = match cfg.kind {
        GanKind::Naive => x,
        GanKind::Fcgan => g.op("Concat", &[&noise, &x], vec![int_attr("axis", 1)]),
    };
    let gc = cfg.generator_config();
    let y = g.mlp(&input, &flat, &gc.shapes(), gc.negative_slope);
    let y = g.unstandardise(&y, &m.gen_scales.mean, &m.gen_scales.std);
    // (px, py, pz) → (pT, η, φ): pT = max(√(px² + py²), 10⁻⁶), η = asinh(pz / pT), and φ by
    // the half-angle formulas, ONNX having no atan2: 2 atan(py / (pT + px)) where px > 0,
    // 2 atan((pT − px) / py) elsewhere (no cancellation in either).
    let [px, py, pz] = g.coordinates(&y, objects);
    let (px2, py2) = (g.mul(&px, &px), g.mul(&py, &py));
    let r2 = g.add(&px2, &py2);
    let r = g.op("Sqrt", &[&r2], vec![]);
    let floor = g.scalar("pt_floor", 1e-6);
    let pt = g.op("Max", &[&r, &floor], vec![]);
    let ratio = g.div(&pz, &pt);
    let eta = g.op("Asinh", &[&ratio], vec![]);
    let plus = g.add(&r, &px);
    let a = g.div(&py, &plus);
    let minus = g.sub(&r, &px);
    let b = g.div(&minus, &py);
    let (ta, tb) = (g.op("Atan", &[&a], vec![]), g.op("Atan", &[&b], vec![]));
    let zero = g.scalar("zero", 0.0);
    let right = g.op("Greater", &[&px, &zero], vec![]);
    let half = g.op("Where", &[&right, &ta, &tb], vec![]);
    let two = g.scalar("two", 2.0);
    let phi = g.mul(&half, &two);
    let gen = g.triples([&pt, &eta, &phi], objects);
    g.output(&gen, "gen", &[k]);
    let doc = format!(
        "fastsim-lab unfolding {} (seed 002). Inputs: reco (N x {k}: {}), noise (N x {} standard normals{}). Output: gen (N x {k}: {}).",
        cfg.kind.label(),
        m.reco_cols.join(", "),
        cfg.noise,
        if cfg.kind == GanKind::Naive { ", unused by the naive GAN" } else { "" },
        m.gen_cols.join(", ")
    );
    Ok(g.into_model(
        "unfold",
        &doc,
        &[
            ("kind", "unfold-gan".into()),
            ("reco_columns", m.reco_cols.join(",")),
            ("gen_columns", m.gen_cols.join(",")),
        ],
    ))
}
