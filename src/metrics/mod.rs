//! Metrics that compare samples: quantile binning and the quantile Jensen–Shannon divergence
//! of Bieringer et al. (seed 003, section 3).

mod js;
mod quantile;

pub use js::{js_curve, js_divergence, quantile_js};
pub use quantile::QuantileBins;
