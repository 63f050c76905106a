//! Columns derived from others after a model wrote them: the W+jet auxiliary features from
//! the nine main ones, the WZ masses from the objects. A model's sample then agrees with
//! itself, as the detector's does.

use super::Table;
use crate::error::Result;
use crate::physics::{
    main_columns, wjet_features, wz_masses, wz_object_columns, FourVector, AUX_FEATURES, MU_MASS,
    WZ_DERIVED,
};

/// Recomputes the auxiliary W+jet features of one level (`reco` after sampling) from its nine
/// main features, as seed 000 derives them for validation: a model predicts the main
/// features, so the auxiliary columns copied from the input would contradict them. The muon
/// charge is kept. Does nothing when the table lacks any of the nine main columns.
pub fn derive_wjet_aux(table: &mut Table, level: &str) -> Result<()> {
    let main = main_columns(level);
    if main.iter().any(|c| table.index_of(c).is_err()) {
        return Ok(());
    }
    let rows = table.row_major(&main)?;
    let q_col = format!("{level}_mu_q");
    let charges: Vec<f32> = match table.column(&q_col) {
        Ok(q) => q.to_vec(),
        Err(_) => vec![0.0; table.n_rows()],
    };
    let mut aux = vec![Vec::with_capacity(table.n_rows()); AUX_FEATURES.len()];
    for (r, q) in rows.chunks_exact(9).zip(&charges) {
        let v: Vec<f64> = r.iter().map(|&x| x as f64).collect();
        let p_mu = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        let mu = FourVector::new(v[0], v[1], v[2], p_mu.hypot(MU_MASS));
        let p_jet = (v[3] * v[3] + v[4] * v[4] + v[5] * v[5]).sqrt();
        let jet = FourVector::new(v[3], v[4], v[5], p_jet.hypot(v[6].exp()));
        let f = wjet_features(&mu, *q as f64, &jet, (v[7], v[8]));
        for (col, value) in aux.iter_mut().zip(&f[9..]) {
            col.push(*value as f32);
        }
    }
    for (name, values) in AUX_FEATURES.iter().zip(aux) {
        table.set_column(&format!("{level}_{name}"), values)?;
    }
    Ok(())
}

/// (Re)computes `<level>_mjj`, `_mll`, `_mwz` from the level's twelve object columns (after
/// unfolding, so the masses agree with the sampled objects).
pub fn derive_wz_masses(table: &mut Table, level: &str) -> Result<()> {
    let rows = table.row_major(&wz_object_columns(level))?;
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    for r in rows.chunks_exact(12) {
        for (col, m) in out.iter_mut().zip(wz_masses(r)) {
            col.push(m);
        }
    }
    for (name, values) in WZ_DERIVED.iter().zip(out) {
        table.set_column(&format!("{level}_{name}"), values)?;
    }
    Ok(())
}
