//! The WZ final state of seed 002 as the tables hold it: four objects (two jets, ℓ⁻, ℓ⁺), each
//! (pT, η, φ), and the masses derived from them.

use super::{FourVector, E_MASS};

/// The four objects, in column order: the two jets (leading first at reco level), ℓ⁻, ℓ⁺.
pub const WZ_OBJECTS: [&str; 4] = ["j1", "j2", "l1", "l2"];
/// Each object's columns.
pub const WZ_VARS: [&str; 3] = ["pt", "eta", "phi"];
/// Masses derived from the objects: m_jj (the W), m_ℓℓ (the Z), m_WZ (all four).
pub const WZ_DERIVED: [&str; 3] = ["mjj", "mll", "mwz"];
/// 1 for a W′ event, 0 for the Standard Model (both levels share it).
pub const WPRIME_COLUMN: &str = "wprime";

/// The twelve object columns of one level, e.g. `gen_j1_pt … gen_l2_phi`.
pub fn wz_object_columns(level: &str) -> Vec<String> {
    WZ_OBJECTS
        .iter()
        .flat_map(|o| WZ_VARS.iter().map(move |v| format!("{level}_{o}_{v}")))
        .collect()
}

/// Every column of the built-in table: objects of both levels, derived masses, the W′ flag.
pub fn wz_columns() -> Vec<String> {
    let mut c = wz_object_columns("gen");
    c.extend(wz_object_columns("reco"));
    for level in ["gen", "reco"] {
        c.extend(WZ_DERIVED.iter().map(|d| format!("{level}_{d}")));
    }
    c.push(WPRIME_COLUMN.to_string());
    c
}

/// m_jj, m_ℓℓ and m_WZ (GeV) of four objects given as (pT, η, φ) each, jets massless and
/// leptons with the electron mass.
pub fn wz_masses(obj: &[f32]) -> [f32; 3] {
    let v = |i: usize, m: f64| {
        FourVector::from_pt_eta_phi_m(
            obj[3 * i] as f64,
            obj[3 * i + 1] as f64,
            obj[3 * i + 2] as f64,
            m,
        )
    };
    let (j1, j2, l1, l2) = (v(0, 0.0), v(1, 0.0), v(2, E_MASS), v(3, E_MASS));
    [
        (j1 + j2).m() as f32,
        (l1 + l2).m() as f32,
        (j1 + j2 + l1 + l2).m() as f32,
    ]
}

/// m_jj (GeV) of the first two objects of a (pT, η, φ) row, massless.
pub fn wz_masses_of_jets(obj: &[f32]) -> f32 {
    let v = |i: usize| {
        FourVector::from_pt_eta_phi_m(
            obj[3 * i] as f64,
            obj[3 * i + 1] as f64,
            obj[3 * i + 2] as f64,
            0.0,
        )
    };
    (v(0) + v(1)).m() as f32
}
