//! Metrics that compare samples: quantile binning and the quantile Jensen–Shannon divergence
//! of Bieringer et al. (seed 003, section 3).

mod js;
mod quantile;
mod quantile_nd;

pub use js::{joint_js_curve, js_curve, js_divergence, quantile_js};
pub use quantile::QuantileBins;
pub use quantile_nd::QuantileTree;
