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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn zero_gen_is_skipped() {
        let (r, skipped) = relative_residuals(&[1.1, 5.0, 0.9], &[1.0, 0.0, 1.0]);
        assert_eq!(skipped, 1);
        assert!((r[0] - 0.1).abs() < 1e-6 && (r[1] + 0.1).abs() < 1e-6);
    }

    proptest! {
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
