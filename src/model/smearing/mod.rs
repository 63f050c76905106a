//! Seed 000's smearing network: two MLPs for the mean and the +1σ quantile of each reco
//! feature given the gen features, and its trained form.

mod net;
mod trained;

pub use net::{pinball, ResponseNet, SmearingConfig, SmearingNet};
pub use trained::{SmearingMeta, SmearingSampler, Target, TrainedSmearing};
