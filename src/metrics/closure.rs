//! The closure tests of unfolding (seed 002, sections 3–4): on test events with known
//! parton-level truth, how far the unfolded distributions are from the truth, next to how far
//! the detector-level ones are, within a detector-level phase-space cut.

use super::quantile_js;
use crate::data::Table;
use crate::error::Result;

/// The observables the paper shows (figs. 3, 4, 6–8, 10): pT of j1, j2 and ℓ⁻; m_jj, m_ℓℓ,
/// m_WZ. Column names without the level prefix.
pub const CLOSURE_OBSERVABLES: [&str; 6] = ["j1_pt", "j2_pt", "l1_pt", "mjj", "mll", "mwz"];

/// Quantiles of the truth in the closure JS.
pub const CLOSURE_QUANTILES: usize = 16;

/// One observable's quantile-JS against the parton-level truth.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosureRow {
    pub observable: &'static str,
    /// The detector-level distribution (no unfolding).
    pub detector: f64,
    /// Each unfolded sample, in the order given.
    pub unfolded: Vec<f64>,
}

/// `rows` of a column.
pub fn pick(table: &Table, column: &str, rows: &[usize]) -> Result<Vec<f32>> {
    let c = table.column(column)?;
    Ok(rows.iter().map(|&i| c[i]).collect())
}

/// Quantile-JS of each observable on `rows` of `test` (truth `gen_…`, detector `reco_…`)
/// and of each unfolded table (`gen_…`, the same events in the same order).
pub fn closure_js(test: &Table, unfolded: &[&Table], rows: &[usize]) -> Result<Vec<ClosureRow>> {
    CLOSURE_OBSERVABLES
        .iter()
        .map(|&o| {
            let truth = pick(test, &format!("gen_{o}"), rows)?;
            let js = |t: &Table, col: String| -> Result<f64> {
                quantile_js(&truth, &pick(t, &col, rows)?, CLOSURE_QUANTILES)
            };
            Ok(ClosureRow {
                observable: o,
                detector: js(test, format!("reco_{o}"))?,
                unfolded: unfolded
                    .iter()
                    .map(|u| js(u, format!("gen_{o}")))
                    .collect::<Result<_>>()?,
            })
        })
        .collect()
}

/// Eq. (15): (x − x_truth) / x_truth event by event.
pub fn normalised_deviation(x: &[f32], truth: &[f32]) -> Vec<f32> {
    x.iter()
        .zip(truth)
        .filter(|(_, t)| **t != 0.0)
        .map(|(a, t)| (a - t) / t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Cut;
    use crate::recipe::WzRecipe;

    /// The truth against itself scores 0; the detector level is farther from the truth in
    /// m_jj than in m_WZ (the W peak is what the detector smears most).
    #[test]
    fn closure_of_the_truth_itself() {
        let t = WzRecipe::new(3000, 9, 0.0).build().unwrap();
        let mut same = t.clone();
        for o in CLOSURE_OBSERVABLES {
            same.set_column(
                &format!("gen_{o}"),
                t.column(&format!("gen_{o}")).unwrap().to_vec(),
            )
            .unwrap();
        }
        let rows = Cut::None.rows(&t).unwrap();
        let js = closure_js(&t, &[&same], &rows).unwrap();
        assert_eq!(js.len(), 6);
        assert!(js.iter().all(|r| r.unfolded[0] == 0.0 && r.detector > 0.0));
        let get = |o: &str| js.iter().find(|r| r.observable == o).unwrap().detector;
        assert!(get("mjj") > 3.0 * get("mwz"), "{js:?}");
        let d = normalised_deviation(&[1.1, 2.0], &[1.0, 0.0]);
        assert!(d.len() == 1 && (d[0] - 0.1).abs() < 1e-6, "{d:?}");
    }
}
