//! The smearing network (seed 000) as one ONNX graph in physical units: `gen` (N × k_in, the
//! model's gen columns in its order) and `noise` (N × k_out standard normals) in, `reco`
//! (N × k_out) out. The graph holds the whole mapping of [`TrainedSmearing::sample`]: the
//! per-column transforms (log), standardisation, both regressors, eq. (1)'s
//! x = μ + |q − μ|·ε, the inverse standardisation, the residual's gen term and the inverse
//! transforms.

use super::graph::Graph;
use crate::data::Transform;
use crate::error::{Error, Result};
use crate::model::{Target, TrainedSmearing};

/// The model's graph, serialised.
pub async fn export(model: &TrainedSmearing) -> Result<Vec<u8>> {
    let m = &model.meta;
    let (k_in, k_out) = (m.gen_cols.len(), m.reco_cols.len());
    if m.target == Target::Residual && k_in != k_out {
        return Err(Error::invalid(
            "ONNX export",
            format!("a residual model pairs its columns, but it has {k_in} gen and {k_out} reco columns"),
        ));
    }
    let flat = model.weights().await?;
    let slope = m.config.leaky_slope;
    let logs = |k: usize| -> Vec<bool> {
        (0..k)
            .map(|j| m.transforms.get(j) == Some(&Transform::Log))
            .collect()
    };
    let mut g = Graph::default();
    let gen = g.input("gen", k_in);
    let noise = g.input("noise", k_out);
    let t = g.on_columns(&gen, "Log", &logs(k_in));
    let x = g.standardise(&t, &m.x_norm.mean, &m.x_norm.std);
    let y = match &m.config.flow {
        // The flow: the normals through the inverse couplings.
        Some(spec) => {
            let mlp = m.config.conditioner(spec);
            super::flow::inverse(&mut g, &x, &noise, &flat, spec, &mlp, k_out)
        }
        // Eq. (1) of seed 000: x = μ + |q − μ|·ε.
        None => {
            let mlp = m.config.mlp();
            let (half, shapes) = (mlp.n_params(), mlp.shapes());
            let mu = g.mlp(&x, &flat[..half], &shapes, slope);
            let q = g.mlp(&x, &flat[half..], &shapes, slope);
            let d = g.sub(&q, &mu);
            let sigma = g.op("Abs", &[&d], vec![]);
            let spread = g.mul(&sigma, &noise);
            g.add(&mu, &spread)
        }
    };
    let mut y = g.unstandardise(&y, &m.y_norm.mean, &m.y_norm.std);
    if m.target == Target::Residual {
        y = g.add(&y, &t);
    }
    let reco = g.on_columns(&y, "Exp", &logs(k_out));
    g.output(&reco, "reco", &[k_out]);
    let what = if model.is_flow() {
        "conditional flow (rational-quadratic spline couplings)"
    } else {
        "smearing network (Chen et al., seed 000)"
    };
    let doc = format!(
        "fastsim-lab {what}. Inputs: gen (N x {k_in}: {}), noise (N x {k_out} standard normals). Output: reco (N x {k_out}: {}).",
        m.gen_cols.join(", "),
        m.reco_cols.join(", ")
    );
    Ok(g.into_model(
        "smearing",
        &doc,
        &[
            ("kind", "smearing".into()),
            ("gen_columns", m.gen_cols.join(",")),
            ("reco_columns", m.reco_cols.join(",")),
        ],
    ))
}
