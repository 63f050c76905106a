//! The photon gun of seed 003 (section 2): photons of one energy shot perpendicularly into
//! the calorimeter, their impact point spread uniformly over a square around its aim.

use crate::error::{check_ranges, Result};
use crate::random::{uniform, Rng};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhotonGun {
    /// Photon energy (GeV): the paper's 50.
    pub energy_gev: f64,
    /// Side (mm) of the square the impact points are spread over: one 5 mm cell, so the
    /// centre of gravity varies shower by shower as the ILD sample's does over the cells.
    pub spread_mm: f64,
    /// Where the photons aim (x = y, mm from the grid's centre): the centre of one 15 mm
    /// pixel (−7.5 mm: pixel 4 of 0 … 9), so a shower's core lies in one pixel and the
    /// centres of gravity are unimodal, as the paper's are (section 4, "simple, uni-modal
    /// distributions like … the centers of gravity"). Aimed at the grid's centre, a pixel
    /// corner, the pooling splits each core over four pixels and CG_x, CG_y turn bimodal.
    pub aim_mm: f64,
}

impl Default for PhotonGun {
    fn default() -> Self {
        Self {
            energy_gev: 50.0,
            spread_mm: 5.0,
            aim_mm: -7.5,
        }
    }
}

impl PhotonGun {
    pub fn validate(&self) -> Result<()> {
        check_ranges(
            "photon gun",
            &[
                ("energy_gev", self.energy_gev, 0.5, 1000.0),
                ("spread_mm", self.spread_mm, 0.0, 50.0),
                ("aim_mm", self.aim_mm, -100.0, 100.0),
            ],
        )
    }

    /// The next photon's impact point (x, y) in mm.
    pub fn shoot(&self, rng: &mut Rng) -> (f64, f64) {
        let s = self.spread_mm;
        (
            self.aim_mm + s * (uniform(rng) - 0.5),
            self.aim_mm + s * (uniform(rng) - 0.5),
        )
    }
}
