//! The seed policy of every workflow: each sample a workflow draws besides the training events
//! gets its seed from the user's one seed by a named offset, here and nowhere else, so the
//! same seed gives the same test events, ensembles and truth samples on the command line and
//! in the page. (The streams *within* one seed are named in [`crate::random::stream`].)

/// Built-in test events of a smearing model: the training recipe with seed + 1.
pub const TEST_EVENTS: u64 = 1;
/// Ensemble member k (k = 1 … K − 1; the main model is member 0) trains with seed + k.
pub const ENSEMBLE_MEMBER: u64 = 0;
/// The data-augmentation gen sample of the evaluation: seed + 1000.
pub const AUGMENTATION_EVENTS: u64 = 1000;
/// Member k's reco for that gen sample is sampled with seed + 2000 + k.
pub const AUGMENTATION_SAMPLING: u64 = 2000;
/// Chunk c of the evaluation's truth sample: seed + 100 000 + c.
pub const TRUTH_CHUNK: u64 = 100_000;
/// Built-in WZ test events of an unfolding closure test: seed + 1000.
pub const UNFOLD_TEST: u64 = 1000;
/// Built-in W′-injected test events: seed + 2000.
pub const WPRIME_TEST: u64 = 2000;
/// Built-in test jets of a jet VAE: seed + 1000.
pub const JETS_TEST: u64 = 1000;

/// The seed `offset` away from `seed` (wrapping: any u64 seed is valid).
pub fn derive(seed: u64, offset: u64) -> u64 {
    seed.wrapping_add(offset)
}

/// Fraction of a user's file held out as test rows (its last rows), never trained on: the
/// quality figure of a model trained on a file and the closure tests of an uploaded WZ file
/// are measured on them.
pub const HELD_OUT_FRACTION: f64 = 0.2;

/// How many of `n` rows train (and validate): the first ⌊4n/5⌋; the rest are held out
/// ([`HELD_OUT_FRACTION`]).
pub fn held_out_split(n: usize) -> usize {
    n * 4 / 5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_distinct_where_samples_meet() {
        // Samples drawn in one evaluation must not share a seed.
        let eval = [
            TEST_EVENTS,
            AUGMENTATION_EVENTS,
            AUGMENTATION_SAMPLING,
            TRUTH_CHUNK,
        ];
        for (i, a) in eval.iter().enumerate() {
            for b in &eval[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_ne!(UNFOLD_TEST, WPRIME_TEST);
        assert!((held_out_split(1000) as f64 - 1000.0 * (1.0 - HELD_OUT_FRACTION)).abs() < 1e-9);
        assert_eq!(derive(u64::MAX, 1), 0);
    }

    #[test]
    fn the_split_holds_out_a_fifth() {
        assert_eq!(held_out_split(1000), 800);
        assert_eq!(held_out_split(3), 2);
        assert_eq!(held_out_split(0), 0);
    }
}
