//! n-dimensional quantile binning by recursive medians (seed 003, section 3 and fig. 5): the
//! reference is split at the median of one coordinate, each half at the median of the next
//! coordinate, and so on (the splitting dimension alternates level by level), until there are
//! n_quant cells of equal reference count. Ties go to the upper side, as in one dimension.

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct QuantileTree {
    dims: usize,
    /// Split values in heap order: node i has children 2i+1 and 2i+2; its depth picks the
    /// coordinate (depth mod dims). `n_quant − 1` inner nodes.
    splits: Vec<f32>,
}

impl QuantileTree {
    /// Cells for `n_quant` (a power of two ≥ 2) quantiles of `reference`, row-major with
    /// `dims` coordinates per point.
    pub fn fit(reference: &[f32], dims: usize, n_quant: usize) -> Result<Self> {
        if dims == 0 || !reference.len().is_multiple_of(dims) {
            return Err(Error::invalid(
                "reference sample",
                format!("{} values do not make rows of {dims}", reference.len()),
            ));
        }
        let n = reference.len() / dims;
        if n_quant < 2 || !n_quant.is_power_of_two() || n < n_quant {
            return Err(Error::invalid(
                "n_quant",
                format!("{n_quant} (a power of two ≥ 2, at most {n} points)"),
            ));
        }
        if reference.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "reference sample",
                "holds a non-finite value",
            ));
        }
        let mut splits = vec![0f32; n_quant - 1];
        let mut rows: Vec<u32> = (0..n as u32).collect();
        build(reference, dims, &mut rows, 0, 0, &mut splits);
        Ok(Self { dims, splits })
    }

    pub fn n_cells(&self) -> usize {
        self.splits.len() + 1
    }

    /// The cell of one point (`dims` coordinates).
    pub fn cell(&self, point: &[f32]) -> usize {
        let mut node = 0;
        let mut depth = 0;
        while node < self.splits.len() {
            let upper = point[depth % self.dims] >= self.splits[node];
            node = 2 * node + 1 + upper as usize;
            depth += 1;
        }
        node - self.splits.len()
    }

    /// Occupation counts of a row-major sample in these cells.
    pub fn counts(&self, sample: &[f32]) -> Vec<u64> {
        let mut c = vec![0u64; self.n_cells()];
        for p in sample.chunks_exact(self.dims) {
            c[self.cell(p)] += 1;
        }
        c
    }

    /// Counts for every n_quant = 2, 4, … up to [`Self::n_cells`], from one pass. A tree fitted
    /// for n_quant holds the tree for n_quant/2 as its top levels (the medians are found top
    /// down), and the leaves are in left-to-right order, so merging neighbouring cells pairwise
    /// gives the coarser binning exactly.
    pub fn counts_by_level(&self, sample: &[f32]) -> Vec<Vec<u64>> {
        let mut levels = vec![self.counts(sample)];
        while levels[0].len() > 2 {
            let coarser = levels[0].chunks_exact(2).map(|p| p[0] + p[1]).collect();
            levels.insert(0, coarser);
        }
        levels
    }

    pub fn dims(&self) -> usize {
        self.dims
    }
}

fn build(
    data: &[f32],
    dims: usize,
    rows: &mut [u32],
    node: usize,
    depth: usize,
    splits: &mut [f32],
) {
    if node >= splits.len() {
        return;
    }
    let d = depth % dims;
    let key = |r: &u32| data[*r as usize * dims + d];
    rows.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let mid = rows.len() / 2;
    splits[node] = key(&rows[mid]);
    let (lo, hi) = rows.split_at_mut(mid);
    build(data, dims, lo, 2 * node + 1, depth + 1, splits);
    build(data, dims, hi, 2 * node + 2, depth + 1, splits);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::QuantileBins;
    use proptest::prelude::*;

    #[test]
    fn two_d_cells_hold_equal_counts() {
        // A 16 × 16 grid: 4 cells split at the x median, then each half at its y median.
        let pts: Vec<f32> = (0..16)
            .flat_map(|i| (0..16).flat_map(move |j| [i as f32, j as f32]))
            .collect();
        let t = QuantileTree::fit(&pts, 2, 4).unwrap();
        assert_eq!(t.counts(&pts), vec![64, 64, 64, 64]);
        assert_eq!(t.cell(&[0.0, 0.0]), 0);
        assert_eq!(t.cell(&[15.0, 15.0]), 3);
    }

    proptest! {
        /// Without ties, every cell holds ⌊N/n⌋ or ⌈N/n⌉ reference points, in any dimension.
        #[test]
        fn equal_cell_counts_without_ties(
            mut x in proptest::collection::hash_set(-100_000i32..100_000, 90..600),
            k in 1u32..6,
        ) {
            let v: Vec<f32> = x.drain().map(|v| v as f32).collect();
            // Pairs of distinct coordinates: no ties in either.
            let n = v.len() / 2;
            let pts: Vec<f32> = (0..n).flat_map(|i| [v[i], v[2 * n - 1 - i]]).collect();
            let t = QuantileTree::fit(&pts, 2, 1 << k).unwrap();
            let c = t.counts(&pts);
            let (lo, hi) = (*c.iter().min().unwrap(), *c.iter().max().unwrap());
            prop_assert!(hi - lo <= 1, "{:?}", c);
        }

        #[test]
        fn coarser_levels_equal_coarser_trees(
            x in proptest::collection::vec(-1e3f32..1e3, 128..400),
            y in proptest::collection::vec(-1e3f32..1e3, 20..200),
        ) {
            let pts: Vec<f32> = x[..x.len() / 2 * 2].to_vec();
            let fine = QuantileTree::fit(&pts, 2, 16).unwrap();
            let levels = fine.counts_by_level(&y[..y.len() / 2 * 2]);
            prop_assert_eq!(levels.len(), 4);
            for (k, counts) in levels.iter().enumerate() {
                let coarse = QuantileTree::fit(&pts, 2, 2 << k).unwrap();
                prop_assert_eq!(counts, &coarse.counts(&y[..y.len() / 2 * 2]));
            }
        }

        #[test]
        fn one_dimension_matches_the_1d_bins(x in proptest::collection::vec(-1e3f32..1e3, 40..300), k in 1u32..4) {
            let n_quant = 1usize << k;
            let tree = QuantileTree::fit(&x, 1, n_quant).unwrap();
            let bins = QuantileBins::fit(&x, n_quant).unwrap();
            prop_assert_eq!(tree.counts(&x), bins.counts(&x));
        }
    }
}
