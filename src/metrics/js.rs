//! The quantile Jensen–Shannon divergence, seed 003 eq. (3.3), with natural logarithms:
//! D̄_JS(g, p) = ½ Σᵢ [gᵢ ln(gᵢ / ½(gᵢ + pᵢ)) + pᵢ ln(pᵢ / ½(gᵢ + pᵢ))], 0·ln 0 = 0,
//! where gᵢ, pᵢ are the fractions of each sample in the quantile bins of the reference.
//! It lies in [0, ln 2].

use super::{QuantileBins, QuantileTree};
use crate::error::Result;

/// JS divergence of two histograms of counts over the same bins (natural log).
pub fn js_divergence(g: &[u64], p: &[u64]) -> f64 {
    let ng = g.iter().sum::<u64>().max(1) as f64;
    let np = p.iter().sum::<u64>().max(1) as f64;
    let term = |a: f64, m: f64| if a > 0.0 { a * (a / m).ln() } else { 0.0 };
    let js: f64 = g
        .iter()
        .zip(p)
        .map(|(&gi, &pi)| {
            let (gi, pi) = (gi as f64 / ng, pi as f64 / np);
            let m = 0.5 * (gi + pi);
            0.5 * (term(gi, m) + term(pi, m))
        })
        .sum();
    js.clamp(0.0, std::f64::consts::LN_2)
}

/// Quantile-JS of `test` against `truth`, with `n_quant` bins from the truth's recursive medians.
pub fn quantile_js(truth: &[f32], test: &[f32], n_quant: usize) -> Result<f64> {
    let bins = QuantileBins::fit(truth, n_quant)?;
    Ok(js_divergence(&bins.counts(test), &bins.counts(truth)))
}

/// JS versus n_quant = 2, 4, 8, … up to `max_quant` and N/10 bins (N the smaller sample):
/// beyond N/10 the estimate is dominated by statistical noise (seed 003, section 3).
pub fn js_curve(truth: &[f32], test: &[f32], max_quant: usize) -> Result<Vec<(usize, f64)>> {
    let limit = (truth.len().min(test.len()) / 10).min(max_quant);
    let mut out = Vec::new();
    let mut n = 2;
    while n <= limit {
        out.push((n, quantile_js(truth, test, n)?));
        n *= 2;
    }
    Ok(out)
}

/// Joint (n-dimensional) quantile-JS versus n_quant, on row-major samples with `dims`
/// coordinates per event, with the same N/10 limit as [`js_curve`].
pub fn joint_js_curve(
    truth: &[f32],
    test: &[f32],
    dims: usize,
    max_quant: usize,
) -> Result<Vec<(usize, f64)>> {
    let n = (truth.len() / dims.max(1)).min(test.len() / dims.max(1));
    let mut out = Vec::new();
    let mut q = 2;
    while q <= (n / 10).min(max_quant) {
        let tree = QuantileTree::fit(truth, dims, q)?;
        out.push((q, js_divergence(&tree.counts(test), &tree.counts(truth))));
        q *= 2;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn disjoint_samples_reach_ln2() {
        assert!((js_divergence(&[10, 0], &[0, 10]) - std::f64::consts::LN_2).abs() < 1e-12);
        assert_eq!(js_divergence(&[3, 5], &[6, 10]), 0.0);
    }

    #[test]
    fn curve_stops_at_n_over_10() {
        let x: Vec<f32> = (0..200).map(|i| i as f32).collect();
        let c = js_curve(&x, &x, 1 << 20).unwrap();
        assert_eq!(c.iter().map(|p| p.0).collect::<Vec<_>>(), vec![2, 4, 8, 16]);
        assert!(c.iter().all(|p| p.1 == 0.0));
    }

    proptest! {
        #[test]
        fn bounded_symmetric_and_zero_on_self(
            g in proptest::collection::vec(0u64..1000, 1..32),
            p in proptest::collection::vec(0u64..1000, 1..32),
        ) {
            let n = g.len().min(p.len());
            let (g, p) = (&g[..n], &p[..n]);
            let a = js_divergence(g, p);
            prop_assert!((0.0..=std::f64::consts::LN_2).contains(&a));
            prop_assert!((a - js_divergence(p, g)).abs() < 1e-12);
            prop_assert!(js_divergence(g, g).abs() < 1e-12);
        }
    }
}
