//! One protocol for long work — generating events or jets, training (epoch by epoch), the
//! amplification study's truth curves — so that one driver serves both front ends: the page
//! yields to the browser between steps and polls its Cancel button, the command line moves a
//! progress bar.

use crate::error::{Error, Result};
use crate::metrics::Study;
use crate::train::Training;

/// Work that advances in steps.
// The page is single-threaded: no `Send` bound is wanted on the futures.
#[allow(async_fn_in_trait)]
pub trait Stepped {
    /// Advances by up to `n` units (attempted events, jets, optimiser steps, truth sizes);
    /// `Ok(true)` once finished.
    async fn step(&mut self, n: usize) -> Result<bool>;
    /// Fraction done, 0 to 1.
    fn progress(&self) -> f64;
    /// Stops the work. What it returns is what the driver returns: by default
    /// [`Error::Cancelled`] (nothing to keep); a training run keeps its best weights and
    /// returns `Ok`.
    fn cancel(&mut self) -> Result<()> {
        Err(Error::Cancelled)
    }
}

/// Drives `work` to its end, `n` units a step, awaiting `between(progress)` after each step:
/// the front end's pause (yield to the browser, move a bar). `between` returns `false` to
/// cancel.
pub async fn run_steps<W: Stepped>(
    work: &mut W,
    n: usize,
    mut between: impl AsyncFnMut(f64) -> bool,
) -> Result<()> {
    loop {
        if work.step(n).await? {
            return Ok(());
        }
        if !between(work.progress()).await {
            return work.cancel();
        }
    }
}

/// Drives `work` to its end without pausing (tests, benchmarks, batch runs; native only:
/// the page must yield).
#[cfg(not(target_arch = "wasm32"))]
pub fn run_to_end<W: Stepped>(work: &mut W, n: usize) -> Result<()> {
    pollster::block_on(run_steps(work, n, async |_| true))
}

/// A training run as stepped work: each step runs up to `n` optimiser steps and, at an
/// epoch's end, validates and hands the epoch's report to `on_epoch`.
pub struct Epochs<'a, T: Training, F: FnMut(&T::Report)> {
    pub job: &'a mut T,
    pub on_epoch: F,
}

impl<'a, T: Training, F: FnMut(&T::Report)> Epochs<'a, T, F> {
    pub fn new(job: &'a mut T, on_epoch: F) -> Self {
        Self { job, on_epoch }
    }
}

impl<T: Training, F: FnMut(&T::Report)> Stepped for Epochs<'_, T, F> {
    async fn step(&mut self, n: usize) -> Result<bool> {
        if !self.job.finished() && self.job.train_batches(n) {
            let report = self.job.end_epoch().await?;
            (self.on_epoch)(&report);
        }
        Ok(self.job.finished())
    }
    fn progress(&self) -> f64 {
        self.job.progress()
    }
    fn cancel(&mut self) -> Result<()> {
        self.job.cancel();
        Ok(())
    }
}

macro_rules! stepped_by_fill {
    ($($t:ty),*) => {$(
        impl Stepped for $t {
            async fn step(&mut self, n: usize) -> Result<bool> {
                self.fill(n)
            }
            fn progress(&self) -> f64 {
                <$t>::progress(self)
            }
        }
    )*};
}

stepped_by_fill!(
    crate::recipe::EventStream,
    crate::recipe::PairStream,
    crate::recipe::WzStream,
    crate::recipe::JetStream,
    crate::recipe::ShowerStream
);

/// A smearing model's sampling: one chunk of rows a unit.
impl Stepped for crate::model::SmearingSampler<'_> {
    async fn step(&mut self, n: usize) -> Result<bool> {
        self.next(n).await
    }
    fn progress(&self) -> f64 {
        crate::model::SmearingSampler::progress(self)
    }
}

/// A jet VAE's sampling: one chunk of jets a unit.
impl Stepped for crate::model::JetSampler<'_> {
    async fn step(&mut self, n: usize) -> Result<bool> {
        self.next(n).await
    }
    fn progress(&self) -> f64 {
        crate::model::JetSampler::progress(self)
    }
}

/// A VAE-GAN's sampling: one chunk of showers a unit.
impl Stepped for crate::model::ShowerSampler<'_> {
    async fn step(&mut self, n: usize) -> Result<bool> {
        self.next(n).await
    }
    fn progress(&self) -> f64 {
        crate::model::ShowerSampler::progress(self)
    }
}

/// The amplification study: one truth size's curve a unit.
impl Stepped for Study {
    async fn step(&mut self, n: usize) -> Result<bool> {
        for _ in 0..n.max(1) {
            if self.next_truth()? {
                return Ok(true);
            }
        }
        Ok(false)
    }
    fn progress(&self) -> f64 {
        self.truth.len() as f64 / self.sizes.len().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recipe::WjetsRecipe;

    /// The same events whatever the step size, and a cancel that stops the work with
    /// `Cancelled`.
    #[test]
    fn steps_do_not_change_the_result_and_cancel_stops() {
        let recipe = WjetsRecipe::new(300, 4);
        let mut a = recipe.stream().unwrap();
        run_to_end(&mut a, 7).unwrap();
        let mut b = recipe.stream().unwrap();
        run_to_end(&mut b, 1000).unwrap();
        assert_eq!(a.into_table(), b.into_table());
        let mut c = recipe.stream().unwrap();
        let mut calls = 0;
        let r = pollster::block_on(run_steps(&mut c, 1, async |_| {
            calls += 1;
            calls < 3
        }));
        assert!(matches!(r, Err(Error::Cancelled)));
        assert_eq!(calls, 3);
    }
}
