//! Quantile binning by recursive medians (seed 003, section 3 and fig. 5): the reference
//! (truth) sample is split at its median, each half at its own median, and so on, so every bin
//! holds the same share of the reference. In one dimension this puts the edges at the dyadic
//! quantiles of the reference.
//!
//! Ties: bins are half-open, [e_i, e_{i+1}); a value equal to an edge falls in the upper bin,
//! for the reference and for every sample compared with it. With ties in the reference, bins
//! can then hold unequal reference counts, which the JS estimate handles as it is.

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct QuantileBins {
    /// Inner edges, increasing; `edges.len() + 1` bins.
    edges: Vec<f32>,
}

impl QuantileBins {
    /// Bins for `n_quant` (a power of two ≥ 2) equal-probability quantiles of `reference`.
    pub fn fit(reference: &[f32], n_quant: usize) -> Result<Self> {
        if n_quant < 2 || !n_quant.is_power_of_two() {
            return Err(Error::invalid(
                "n_quant",
                format!("{n_quant} (a power of two ≥ 2)"),
            ));
        }
        if reference.len() < n_quant {
            return Err(Error::invalid(
                "n_quant",
                format!("{n_quant} quantiles of {} values", reference.len()),
            ));
        }
        if reference.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "reference sample",
                "holds a non-finite value",
            ));
        }
        let mut sorted = reference.to_vec();
        sorted.sort_by(f32::total_cmp);
        let mut edges = Vec::with_capacity(n_quant - 1);
        split(&sorted, n_quant, &mut edges);
        Ok(Self { edges })
    }

    pub fn n_bins(&self) -> usize {
        self.edges.len() + 1
    }

    pub fn edges(&self) -> &[f32] {
        &self.edges
    }

    /// The bin of one value (NaN goes to the last bin, where it cannot hide a mismatch).
    pub fn bin(&self, x: f32) -> usize {
        self.edges.partition_point(|&e| e <= x)
    }

    /// Occupation counts of a sample in these bins.
    pub fn counts(&self, sample: &[f32]) -> Vec<u64> {
        let mut c = vec![0u64; self.n_bins()];
        for &x in sample {
            c[self.bin(x)] += 1;
        }
        c
    }
}

/// Recursive median split of a sorted slice into `parts` (a power of two) pieces, pushing the
/// median edges in increasing order.
fn split(sorted: &[f32], parts: usize, edges: &mut Vec<f32>) {
    if parts < 2 {
        return;
    }
    let mid = sorted.len() / 2;
    split(&sorted[..mid], parts / 2, edges);
    edges.push(sorted[mid]);
    split(&sorted[mid..], parts / 2, edges);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn edges_are_medians() {
        let x: Vec<f32> = (0..8).map(|i| i as f32).collect();
        let b = QuantileBins::fit(&x, 4).unwrap();
        assert_eq!(b.edges(), &[2.0, 4.0, 6.0]);
        assert_eq!(b.counts(&x), vec![2, 2, 2, 2]);
        assert!(QuantileBins::fit(&x, 3).is_err());
        assert!(QuantileBins::fit(&x, 16).is_err());
    }

    proptest! {
        #[test]
        fn equal_reference_counts_without_ties(
            mut x in proptest::collection::hash_set(-100_000i32..100_000, 64..400),
            k in 1u32..5,
        ) {
            let x: Vec<f32> = x.drain().map(|v| v as f32).collect();
            let n_quant = 1usize << k;
            let b = QuantileBins::fit(&x, n_quant).unwrap();
            let c = b.counts(&x);
            let lo = *c.iter().min().unwrap();
            let hi = *c.iter().max().unwrap();
            // Halving with floor and ceil, level after level, leaves only ⌊N/n⌋ and ⌈N/n⌉.
            prop_assert!(hi - lo <= 1, "{:?}", c);
            prop_assert_eq!(c.iter().sum::<u64>() as usize, x.len());
        }
    }
}
