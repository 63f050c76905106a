//! The detector-level phase-space cuts of seed 002 under which an unfolding's closure is
//! tested (they sit beside the closure metric that reads them).

use crate::data::Table;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The detector-level phase-space cuts of seed 002 (eqs. 7, 8, 12, 13), applied to test
/// events after training on the full phase space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cut {
    /// No cut: the full phase space.
    None,
    /// Eq. (7): pT,j1 = 30 … 100 GeV.
    I,
    /// Eq. (8): pT,j1 = 30 … 60 GeV and pT,j2 = 30 … 50 GeV.
    II,
    /// Eq. (12): pT,j1 = 30 … 50, pT,j2 = 30 … 40, pT,ℓ⁻ = 20 … 50 GeV.
    III,
    /// Eq. (13): pT,j1 > 60 GeV.
    IV,
}

impl Cut {
    pub const ALL: [Cut; 5] = [Cut::None, Cut::I, Cut::II, Cut::III, Cut::IV];

    pub fn name(self) -> &'static str {
        match self {
            Cut::None => "none",
            Cut::I => "I",
            Cut::II => "II",
            Cut::III => "III",
            Cut::IV => "IV",
        }
    }

    /// The cut as a physicist writes it.
    pub fn describe(self) -> &'static str {
        match self {
            Cut::None => "full phase space",
            Cut::I => "cut I, eq. (7): pT,j1 = 30–100 GeV",
            Cut::II => "cut II, eq. (8): pT,j1 = 30–60, pT,j2 = 30–50 GeV",
            Cut::III => "cut III, eq. (12): pT,j1 = 30–50, pT,j2 = 30–40, pT,l- = 20–50 GeV",
            Cut::IV => "cut IV, eq. (13): pT,j1 > 60 GeV",
        }
    }

    pub fn parse(s: &str) -> Result<Cut> {
        Cut::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::invalid("cut", format!("'{s}' (choose none, I, II, III or IV)")))
    }

    /// Whether a detector-level event with these transverse momenta (GeV) passes.
    pub fn pass(self, j1_pt: f32, j2_pt: f32, l_minus_pt: f32) -> bool {
        let within = |v: f32, lo: f32, hi: f32| v > lo && v < hi;
        match self {
            Cut::None => true,
            Cut::I => within(j1_pt, 30.0, 100.0),
            Cut::II => within(j1_pt, 30.0, 60.0) && within(j2_pt, 30.0, 50.0),
            Cut::III => {
                within(j1_pt, 30.0, 50.0)
                    && within(j2_pt, 30.0, 40.0)
                    && within(l_minus_pt, 20.0, 50.0)
            }
            Cut::IV => j1_pt > 60.0,
        }
    }

    /// The rows of `table` whose detector-level (`reco_`) objects pass.
    pub fn rows(self, table: &Table) -> Result<Vec<usize>> {
        let j1 = table.column("reco_j1_pt")?;
        let j2 = table.column("reco_j2_pt")?;
        let l1 = table.column("reco_l1_pt")?;
        Ok((0..table.n_rows())
            .filter(|&i| self.pass(j1[i], j2[i], l1[i]))
            .collect())
    }
}
