//! A conditional normalizing flow for the detector response (issue 22, beyond seed 000's
//! Gaussian): rational-quadratic spline couplings conditioned on the gen features, trained by
//! maximum likelihood, sampled by inverting the flow with seeded noise.

mod net;
mod spline;

pub use net::{FlowNet, FlowSpec};
pub use spline::{Spline, MIN_BIN, MIN_DERIVATIVE};
