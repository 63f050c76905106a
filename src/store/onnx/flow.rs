//! The conditional flow's sampling direction as ONNX nodes: standard normals through the
//! coupling layers in reverse, each the inverse rational-quadratic spline of
//! [`crate::model::Spline`] (Durkan et al., arXiv:1906.04032, appendix A) with the same
//! knots, bins chosen by one-hot comparisons as in Burn.

use super::graph::{int_attr, Graph};
use crate::model::{FlowSpec, MlpConfig, MIN_BIN, MIN_DERIVATIVE};

/// Standardised targets (N × dims) for the normals `noise` given the standardised gen
/// features `context`; `flat` holds the conditioners in order.
pub fn inverse(
    g: &mut Graph,
    context: &str,
    noise: &str,
    flat: &[f32],
    spec: &FlowSpec,
    mlp: &MlpConfig,
    dims: usize,
) -> String {
    let per = mlp.n_params();
    let mut v = noise.to_string();
    for l in (0..spec.layers).rev() {
        let t: Vec<f32> = spec
            .transformed(l, dims)
            .iter()
            .map(|&b| if b { 1.0 } else { 0.0 })
            .collect();
        let kept: Vec<f32> = t.iter().map(|x| 1.0 - x).collect();
        let t = g.constant("transformed", &[1, dims], t);
        let kept = g.constant("kept", &[1, dims], kept);
        let masked = g.mul(&v, &kept);
        let input = g.op("Concat", &[&masked, context], vec![int_attr("axis", 1)]);
        let raw = g.mlp(
            &input,
            &flat[l * per..(l + 1) * per],
            &mlp.shapes(),
            mlp.negative_slope,
        );
        let raw = g.reshape(&raw, &[-1, dims as i64, (3 * spec.bins - 1) as i64]);
        let out = spline_inverse(g, &v, &raw, spec.bins, spec.tail_bound);
        let a = g.mul(&out, &t);
        let b = g.mul(&v, &kept);
        v = g.add(&a, &b);
    }
    v
}

/// `x[..., start..end]` along the last axis (2).
fn last(g: &mut Graph, x: &str, start: usize, end: usize) -> String {
    let s = g.int64s("starts", &[1], vec![start as i64]);
    let e = g.int64s("ends", &[1], vec![end as i64]);
    let a = g.int64s("axes", &[1], vec![2]);
    g.op("Slice", &[x, &s, &e, &a], vec![])
}

/// Knots [N, d, K + 1] from logits [N, d, K]: softmax shares with a floor, cumulated by a
/// triangular product, on [−B, B].
fn knots(g: &mut Graph, logits: &str, k: usize, bound: f64) -> String {
    let share = g.op("Softmax", &[logits], vec![int_attr("axis", 2)]);
    let scale = g.scalar("share_scale", (1.0 - k as f64 * MIN_BIN) as f32);
    let floor = g.scalar("min_bin", MIN_BIN as f32);
    let share = g.mul(&share, &scale);
    let share = g.add(&share, &floor);
    let tri: Vec<f32> = (0..k)
        .flat_map(|i| (0..=k).map(move |j| if i < j { 1.0 } else { 0.0 }))
        .collect();
    let tri = g.constant("cumulate", &[k, k + 1], tri);
    let c = g.op("MatMul", &[&share, &tri], vec![]);
    let two_b = g.scalar("two_b", (2.0 * bound) as f32);
    let b = g.scalar("b", bound as f32);
    let c = g.mul(&c, &two_b);
    g.sub(&c, &b)
}

/// The inverse spline of `raw` [N, d, 3K − 1] applied to `y` [N, d] (identity beyond ±B).
fn spline_inverse(g: &mut Graph, y: &str, raw: &str, k: usize, bound: f64) -> String {
    let w_logits = last(g, raw, 0, k);
    let h_logits = last(g, raw, k, 2 * k);
    let d_raw = last(g, raw, 2 * k, 3 * k - 1);
    let xk = knots(g, &w_logits, k, bound);
    let yk = knots(g, &h_logits, k, bound);
    let shift = g.scalar(
        "softplus_shift",
        (1.0f64 - MIN_DERIVATIVE).exp_m1().ln() as f32,
    );
    let d = g.add(&d_raw, &shift);
    let d = g.op("Softplus", &[&d], vec![]);
    let min_d = g.scalar("min_derivative", MIN_DERIVATIVE as f32);
    let d = g.add(&d, &min_d);
    // Ones and zeros of shape [N, d, 1].
    let first = last(g, &xk, 0, 1);
    let zero = g.scalar("zero", 0.0);
    let one = g.scalar("one", 1.0);
    let zeros = g.mul(&first, &zero);
    let ones = g.add(&zeros, &one);
    let dk = g.op("Concat", &[&ones, &d, &ones], vec![int_attr("axis", 2)]);
    // y clamped into [−B, B], and which values are inside.
    let (lo, hi) = (g.scalar("lo", -bound as f32), g.scalar("hi", bound as f32));
    let yc = g.op("Clip", &[y, &lo, &hi], vec![]);
    let abs = g.op("Abs", &[y], vec![]);
    let inside = g.op("Less", &[&abs, &hi], vec![]);
    // One-hot bin of yc among the y-knots.
    let axes = g.int64s("axes", &[1], vec![2]);
    let y3 = g.op("Unsqueeze", &[&yc, &axes], vec![]);
    let interior = last(g, &yk, 1, k);
    let ge = g.op("GreaterOrEqual", &[&y3, &interior], vec![]);
    let ge = g.op("Cast", &[&ge], vec![int_attr("to", 1)]);
    let a = g.op("Concat", &[&ones, &ge], vec![int_attr("axis", 2)]);
    let b = g.op("Concat", &[&ge, &zeros], vec![int_attr("axis", 2)]);
    let hot = g.sub(&a, &b);
    let pick = |g: &mut Graph, t: &str| {
        let p = g.mul(t, &hot);
        g.op("ReduceSum", &[&p, &axes], vec![int_attr("keepdims", 0)])
    };
    let left = |g: &mut Graph, t: &str| last(g, t, 0, k);
    let right = |g: &mut Graph, t: &str| last(g, t, 1, k + 1);
    let (xl, xr) = (left(g, &xk), right(g, &xk));
    let (yl, yr) = (left(g, &yk), right(g, &yk));
    let (dl, dr) = (left(g, &dk), right(g, &dk));
    let xw = g.sub(&xr, &xl);
    let yh = g.sub(&yr, &yl);
    let x0 = pick(g, &xl);
    let w = pick(g, &xw);
    let y0 = pick(g, &yl);
    let h = pick(g, &yh);
    let d0 = pick(g, &dl);
    let d1 = pick(g, &dr);
    // The root of Durkan et al.'s quadratic, ξ = 2c / (−b − √(b² − 4ac)).
    let s = g.div(&h, &w);
    let dy = g.sub(&yc, &y0);
    let two = g.scalar("two", 2.0);
    let four = g.scalar("four", 4.0);
    let s2 = g.mul(&s, &two);
    let dd = g.add(&d1, &d0);
    let t = g.sub(&dd, &s2);
    let s_d0 = g.sub(&s, &d0);
    let h_sd0 = g.mul(&h, &s_d0);
    let dy_t = g.mul(&dy, &t);
    let qa = g.add(&h_sd0, &dy_t);
    let h_d0 = g.mul(&h, &d0);
    let qb = g.sub(&h_d0, &dy_t);
    let s_dy = g.mul(&s, &dy);
    let qc = g.op("Neg", &[&s_dy], vec![]);
    let b2 = g.mul(&qb, &qb);
    let ac = g.mul(&qa, &qc);
    let ac4 = g.mul(&ac, &four);
    let disc = g.sub(&b2, &ac4);
    let disc = g.op("Max", &[&disc, &zero], vec![]);
    let root = g.op("Sqrt", &[&disc], vec![]);
    let nb = g.op("Neg", &[&qb], vec![]);
    let den = g.sub(&nb, &root);
    let num = g.mul(&qc, &two);
    let xi = g.div(&num, &den);
    let xi = g.op("Clip", &[&xi, &zero, &one], vec![]);
    let xi_w = g.mul(&xi, &w);
    let x = g.add(&x0, &xi_w);
    g.op("Where", &[&inside, &x, y], vec![])
}
