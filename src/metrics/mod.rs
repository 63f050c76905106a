//! Metrics that compare samples: quantile binning and the quantile Jensen–Shannon divergence
//! of Bieringer et al. (seed 003, section 3), JS-versus-n_quant curves, the amplification
//! factor and the density-estimator baselines (section 4), and relative residuals (seed 000).

mod amplification;
mod closure;
mod curve;
mod cuts;
mod density;
mod efp;
mod fpd;
mod histogram_estimator;
mod jetnet;
mod jets;
mod js;
mod kde;
mod kld;
mod moments;
mod quantile;
mod quantile_nd;
mod residual;

pub use amplification::{
    effective_size, truth_sizes, Amplification, Effective, HistogramCv, Study, StudyOptions,
};
pub use closure::{
    closure_js, normalised_deviation, pick, ClosureRow, CLOSURE_OBSERVABLES, CLOSURE_QUANTILES,
};
pub use curve::{CurvePoint, JsCurve, JsReference};
pub use cuts::Cut;
pub use efp::{efps, N_EFP};
pub use fpd::{fpd, frechet_distance, kpd, FpdOptions, KpdOptions};
pub use histogram_estimator::HistogramEstimator;
pub use jetnet::{w1, w1m, w1p, Batches, JetCloud, Spread, PARTICLE_FEATURES};
pub use jets::{jet_js, Acceptance, JetColumns, JS_FEATURES};
pub use js::{joint_js_curve, js_curve, js_divergence, quantile_js};
pub use kde::Kde;
pub use kld::{jet_kld, symmetrised_kld, KLD_BINS, KLD_FEATURES, KLD_FLOOR};
pub use moments::mean_sd;
pub use quantile::QuantileBins;
pub use quantile_nd::QuantileTree;
pub use residual::{absolute_residual, relative_residuals, residuals_for, wrap_phi};
