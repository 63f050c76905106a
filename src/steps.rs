//! Work that advances in steps — the built-in event and jet streams — so the page can yield
//! to the browser between steps and the command line can move a progress bar.

use crate::error::Result;

pub trait Steps {
    /// Advances by up to `n` units; `true` when finished.
    fn step(&mut self, n: usize) -> Result<bool>;
    /// Fraction done.
    fn progress(&self) -> f64;
}

macro_rules! steps_by_fill {
    ($($t:ty),*) => {$(
        impl Steps for $t {
            fn step(&mut self, n: usize) -> Result<bool> {
                self.fill(n)
            }
            fn progress(&self) -> f64 {
                <$t>::progress(self)
            }
        }
    )*};
}

steps_by_fill!(
    crate::recipe::EventStream,
    crate::wz_recipe::WzStream,
    crate::jet_recipe::JetStream
);
