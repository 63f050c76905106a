//! Per-column transforms applied before training and undone after sampling, so a network
//! learns in a space where the detector's response is simpler.

use crate::data::Table;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// A monotonic map of one column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transform {
    #[default]
    None,
    /// Natural log, for a positive quantity (pT, E, mass): a multiplicative resolution such
    /// as the calorimeter's σ/E becomes additive, and the network's Gaussian fits it better.
    Log,
}

impl Transform {
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Log => "log",
        }
    }

    /// Parses `none` / `log`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "none" | "" => Ok(Self::None),
            "log" => Ok(Self::Log),
            other => Err(Error::invalid(
                "transform",
                format!("'{other}' (expected none or log)"),
            )),
        }
    }

    /// Whether the transform applies to these values (log: all positive).
    pub fn applies_to(self, values: &[f32]) -> bool {
        match self {
            Self::None => true,
            Self::Log => values.iter().all(|v| *v > 0.0),
        }
    }

    /// Transforms `values` (column `column` of `file`, for messages) in place; a value outside
    /// the domain is refused with its row (from 1).
    pub fn apply(self, values: &mut [f32], file: &str, column: &str) -> Result<()> {
        if self == Self::Log {
            if let Some(r) = values
                .iter()
                .position(|v| v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater))
            {
                return Err(Error::Parse {
                    file: file.to_string(),
                    row: r + 1,
                    column: column.to_string(),
                    message: format!("log transform needs positive values, found {}", values[r]),
                });
            }
            values.iter_mut().for_each(|v| *v = v.ln());
        }
        Ok(())
    }

    /// Undoes [`Transform::apply`].
    pub fn invert(self, values: &mut [f32]) {
        if self == Self::Log {
            values.iter_mut().for_each(|v| *v = v.exp());
        }
    }
}

/// Applies `transforms[i]` to column `names[i]` of `t` in place (pairs past the list: none).
pub fn apply_transforms(t: &mut Table, names: &[String], transforms: &[Transform]) -> Result<()> {
    for (name, tr) in names.iter().zip(transforms) {
        let mut v = t.column(name)?.to_vec();
        tr.apply(&mut v, t.source(), name)?;
        t.set_column(name, v)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn log_round_trips(v in prop::collection::vec(1e-6f32..1e6, 1..50)) {
            let mut w = v.clone();
            Transform::Log.apply(&mut w, "f", "c").unwrap();
            Transform::Log.invert(&mut w);
            for (a, b) in v.iter().zip(&w) {
                prop_assert!((a - b).abs() <= 1e-5 * a.abs());
            }
        }
    }

    #[test]
    fn log_refuses_non_positive_with_row() {
        let mut v = vec![1.0, 0.0];
        let e = Transform::Log.apply(&mut v, "f.csv", "gen_pt").unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.csv: row 2, column 'gen_pt': log transform needs positive values, found 0"
        );
        assert!(Transform::parse("sqrt").is_err());
    }
}
