//! Axis labels with units for the W+jet and jet features (GeV; angles in rad).

/// The axis label of a column, e.g. `reco_mu_px` → "muon pₓ [GeV]".
pub fn axis_label(column: &str) -> String {
    let feature = column
        .strip_prefix("gen_")
        .or_else(|| column.strip_prefix("reco_"))
        .unwrap_or(column);
    let known = match feature {
        "mu_px" => "muon pₓ [GeV]",
        "mu_py" => "muon p_y [GeV]",
        "mu_pz" => "muon p_z [GeV]",
        "jet_px" => "jet pₓ [GeV]",
        "jet_py" => "jet p_y [GeV]",
        "jet_pz" => "jet p_z [GeV]",
        "jet_logm" => "ln(jet mass / GeV)",
        "met_x" => "missing pₓ [GeV]",
        "met_y" => "missing p_y [GeV]",
        "mu_pt" => "muon p_T [GeV]",
        "mu_eta" => "muon η",
        "mu_phi" => "muon φ [rad]",
        "jet_pt" => "jet p_T [GeV]",
        "jet_eta" => "jet η",
        "jet_phi" => "jet φ [rad]",
        "met" => "missing p_T [GeV]",
        "met_phi" => "missing p_T φ [rad]",
        "mt" => "M_T(μ, ν) [GeV]",
        "st" => "S_T [GeV]",
        "jet_m" => "jet mass [GeV]",
        "mu_q" => "muon charge",
        "jet_e" => "jet energy [GeV]",
        "jet_flow1" => "jet Flow₁ (ΔR ≤ R/4)",
        "jet_flow2" => "jet Flow₂ (R/4 < ΔR ≤ R/2)",
        "jet_flow3" => "jet Flow₃ (R/2 < ΔR ≤ 3R/4)",
        "jet_flow4" => "jet Flow₄ (3R/4 < ΔR ≤ R)",
        "jet_n" => "constituents per jet",
        "const_px" => "constituent pₓ [GeV]",
        "const_py" => "constituent p_y [GeV]",
        "const_pz" => "constituent p_z [GeV]",
        "j1_pt" => "leading jet p_T [GeV]",
        "j2_pt" => "second jet p_T [GeV]",
        "l1_pt" => "electron p_T [GeV]",
        "l2_pt" => "positron p_T [GeV]",
        "j1_eta" => "leading jet η",
        "j2_eta" => "second jet η",
        "l1_eta" => "electron η",
        "l2_eta" => "positron η",
        "j1_phi" => "leading jet φ [rad]",
        "j2_phi" => "second jet φ [rad]",
        "l1_phi" => "electron φ [rad]",
        "l2_phi" => "positron φ [rad]",
        "mjj" => "m_jj (W) [GeV]",
        "mll" => "m_ee (Z) [GeV]",
        "mwz" => "m_WZ [GeV]",
        _ => return feature.to_string(),
    };
    known.to_string()
}

/// The axis label of a residual of `column`: "(x − x_gen) / x_gen of jet p_T" (relative: no
/// unit) or "x − x_gen of muon η" (absolute, for angles and η), as
/// [`crate::metrics::residuals_for`] computes them.
pub fn residual_label(column: &str) -> String {
    let label = axis_label(column);
    if crate::metrics::absolute_residual(column) {
        format!("x − x_gen of {label}")
    } else {
        let name = label.split(" [").next().unwrap_or(&label);
        format!("(x − x_gen) / x_gen of {name}")
    }
}
