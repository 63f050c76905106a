//! Relative residuals (x − x_gen) / x_gen, event by event (seed 000, figs. 5–6 and 11–12):
//! the detector's effect on each quantity, for the detector's reco and for the model's.

/// The relative residuals of `x` against `gen`; events where x_gen = 0 (or either is not
/// finite) are left out, and their number returned.
pub fn relative_residuals(x: &[f32], gen: &[f32]) -> (Vec<f32>, usize) {
    let mut out = Vec::with_capacity(x.len());
    for (&v, &g) in x.iter().zip(gen) {
        let r = (v - g) / g;
        if g != 0.0 && r.is_finite() {
            out.push(r);
        }
    }
    let skipped = x.len().min(gen.len()) - out.len();
    (out, skipped)
}

/// Whether a feature's residual is taken absolute: angles and η have no scale (η near 0
/// would make a relative residual explode), everything else relative.
pub fn absolute_residual(column: &str) -> bool {
    column.ends_with("eta") || column.ends_with("phi")
}

/// An angle difference (rad) wrapped into (−π, π]: φ = −3.1 and φ = 3.1 are 0.08 apart, not
/// 6.2.
pub fn wrap_phi(d: f32) -> f32 {
    use std::f32::consts::{PI, TAU};
    let w = d - TAU * (d / TAU).round();
    if w <= -PI {
        w + TAU
    } else {
        w
    }
}

/// The residuals of `x` against `gen` for this column: absolute (x − x_gen) for angles and η,
/// relative otherwise, φ differences wrapped into (−π, π]; non-finite ones are left out and
/// counted.
pub fn residuals_for(column: &str, x: &[f32], gen: &[f32]) -> (Vec<f32>, usize) {
    if !absolute_residual(column) {
        return relative_residuals(x, gen);
    }
    let angle = column.ends_with("phi");
    let out: Vec<f32> = x
        .iter()
        .zip(gen)
        .map(|(v, g)| if angle { wrap_phi(v - g) } else { v - g })
        .filter(|r| r.is_finite())
        .collect();
    let skipped = x.len().min(gen.len()) - out.len();
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn angles_are_absolute() {
        let (r, _) = residuals_for("reco_mu_eta", &[0.11], &[0.01]);
        assert!((r[0] - 0.1).abs() < 1e-6);
        let (r, _) = residuals_for("reco_mu_pt", &[11.0], &[10.0]);
        assert!((r[0] - 0.1).abs() < 1e-6);
    }

    /// Issue 17: a muon at φ = 3.1 measured at −3.1 was a residual of −6.2 (a ±2π outlier).
    #[test]
    fn phi_residuals_wrap_across_pi() {
        let (r, _) = residuals_for("reco_mu_phi", &[-3.1, 3.1, 0.3], &[3.1, -3.1, 0.1]);
        let want = [
            2.0 * std::f32::consts::PI - 6.2,
            6.2 - 2.0 * std::f32::consts::PI,
            0.2,
        ];
        for (a, b) in r.iter().zip(want) {
            assert!((a - b).abs() < 1e-5, "{r:?}");
        }
        // η is not an angle: no wrapping.
        let (r, _) = residuals_for("reco_mu_eta", &[-3.1], &[3.1]);
        assert!((r[0] + 6.2).abs() < 1e-5);
    }

    #[test]
    fn zero_gen_is_skipped() {
        let (r, skipped) = relative_residuals(&[1.1, 5.0, 0.9], &[1.0, 0.0, 1.0]);
        assert_eq!(skipped, 1);
        assert!((r[0] - 0.1).abs() < 1e-6 && (r[1] + 0.1).abs() < 1e-6);
    }

    proptest! {
        #[test]
        fn wrapped_phi_lies_in_the_half_open_interval(d in -50f32..50.0) {
            let w = wrap_phi(d);
            prop_assert!(w > -std::f32::consts::PI - 1e-6 && w <= std::f32::consts::PI + 1e-6);
            let k = ((d - w) / std::f32::consts::TAU).round();
            prop_assert!((d - w - k * std::f32::consts::TAU).abs() < 1e-3);
        }

        #[test]
        fn scaling_both_leaves_residuals_unchanged(
            x in proptest::collection::vec(1f32..100.0, 1..50),
            k in 0.5f32..4.0,
        ) {
            let gen: Vec<f32> = x.iter().map(|v| v * 0.9).collect();
            let (a, _) = relative_residuals(&x, &gen);
            let xs: Vec<f32> = x.iter().map(|v| v * k).collect();
            let gs: Vec<f32> = gen.iter().map(|v| v * k).collect();
            let (b, _) = relative_residuals(&xs, &gs);
            for (p, q) in a.iter().zip(&b) {
                prop_assert!((p - q).abs() < 1e-4);
            }
        }
    }
}
