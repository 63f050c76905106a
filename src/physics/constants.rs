//! Particle masses and widths (PDG 2024), GeV: shared by the generators, the detectors and
//! the observables computed from them.

/// W boson mass and width (PDG 2024), GeV.
pub const W_MASS: f64 = 80.369;
pub const W_WIDTH: f64 = 2.085;
/// Muon mass (PDG), GeV.
pub const MU_MASS: f64 = 0.10566;
/// Z boson mass and width (PDG 2024), GeV.
pub const Z_MASS: f64 = 91.1876;
pub const Z_WIDTH: f64 = 2.4955;
/// Electron mass (PDG), GeV.
pub const E_MASS: f64 = 0.000511;
