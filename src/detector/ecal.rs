//! The silicon-tungsten electromagnetic calorimeter of seed 003 (an ILD-like ECal, section 2)
//! and a parametrised photon shower in it: GFlash, the parametrisation of Grindhammer and
//! Peters (G&P: G. Grindhammer, S. Peters, *The parameterized simulation of electromagnetic
//! showers in homogeneous and sampling calorimeters*, hep-ex/0001020; and Grindhammer,
//! Rudowicz, Peters, NIM A290 (1990) 469).
//!
//! A shower is the individual longitudinal profile (a gamma distribution whose ln T and ln α
//! are drawn correlated, shower by shower), cut into energy spots; each spot gets a depth from
//! the spot profile, a radius from the two-component radial profile at that depth, and a
//! uniform azimuth. A spot's energy is sampled by the silicon layer behind the tungsten slab it
//! falls in, with the slab's MIP sampling fraction, and with sampling fluctuations of the
//! CALICE prototype's measured size. Energies are MeV, lengths mm, depths radiation lengths.

use crate::error::{check_ranges, Error, Result};
use crate::random::{gamma, normal, uniform, Rng};
use serde::{Deserialize, Serialize};

/// A material of the stack, with the constants of the PDG's "Atomic and nuclear properties of
/// materials" tables (pdg.lbl.gov/2024/AtomicNuclearProperties).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Material {
    pub z: f64,
    /// g/cm³.
    pub density: f64,
    /// Radiation length, g/cm².
    pub x0: f64,
    /// Molière radius, g/cm².
    pub moliere: f64,
    /// Critical energy for electrons, MeV.
    pub critical_mev: f64,
    /// Minimum ionisation, MeV cm²/g.
    pub dedx_min: f64,
}

/// Tungsten (Z = 74): ρ = 19.30 g/cm³, X₀ = 6.76 g/cm² (3.504 mm), R_M = 0.9327 cm,
/// E_c = 7.97 MeV, ⟨dE/dx⟩_min = 1.145 MeV cm²/g (PDG).
pub const TUNGSTEN: Material = Material {
    z: 74.0,
    density: 19.30,
    x0: 6.76,
    moliere: 0.9327 * 19.30,
    critical_mev: 7.97,
    dedx_min: 1.145,
};

/// Silicon (Z = 14): ρ = 2.329 g/cm³, X₀ = 21.82 g/cm² (9.370 cm), R_M = 4.944 cm,
/// E_c = 40.19 MeV, ⟨dE/dx⟩_min = 1.664 MeV cm²/g (PDG).
pub const SILICON: Material = Material {
    z: 14.0,
    density: 2.329,
    x0: 21.82,
    moliere: 4.944 * 2.329,
    critical_mev: 40.19,
    dedx_min: 1.664,
};

/// The calorimeter, as data (the page's editor and `--detector` JSON can change it).
/// Defaults: seed 003, section 2 (30 silicon layers behind 20 × 2.1 mm then 10 × 4.2 mm of
/// tungsten, 5 × 5 mm² cells, a 30 × 30 × 30 grid), with the ILD Detailed Baseline Design's
/// 0.5 mm silicon (ILD concept group, arXiv:1306.6329, ECal chapter).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ecal {
    /// Tungsten thickness of each layer, front to back (mm).
    pub tungsten_mm: Vec<f64>,
    /// Silicon sensor behind each tungsten plate (mm).
    pub silicon_mm: f64,
    /// Passive material per layer (PCB, glue, air; mm): widens the layer pitch, adds no
    /// radiation length or signal (its X₀ is ≥ 50 times tungsten's per mm).
    pub gap_mm: f64,
    /// Cell side (mm) and cells per side of the grid, centred on the photon's axis.
    pub cell_mm: f64,
    pub cells: usize,
    /// Stochastic term of the sampling fluctuations, σ/E = a/√(E/GeV), for `reference_mm` of
    /// tungsten per layer: the CALICE Si-W prototype's 16.53 % (NIM A608 (2009) 372,
    /// arXiv:0811.2354; its plates were 1.4, 2.8 and 4.2 mm). Layers of other thickness scale
    /// as √(d/reference), the sampling-fluctuation law σ² ∝ d (PDG review "Calorimetry").
    pub stochastic: f64,
    pub reference_mm: f64,
    /// e/mip: the signal of an electromagnetic shower per unit energy over a minimum-ionising
    /// particle's, below 1 in high-Z sampling calorimeters because the soft electrons made in
    /// tungsten rarely reach the silicon (R. Wigmans, *Calorimetry*, 2nd ed., sec. 3.2:
    /// 0.6–0.8 for lead or tungsten with low-Z readout).
    pub e_over_mip: f64,
}

impl Default for Ecal {
    fn default() -> Self {
        let mut tungsten_mm = vec![2.1; 20];
        tungsten_mm.extend([4.2; 10]);
        Self {
            tungsten_mm,
            silicon_mm: 0.5,
            gap_mm: 1.25,
            cell_mm: 5.0,
            cells: 30,
            stochastic: 0.1653,
            reference_mm: 2.8,
            e_over_mip: 0.7,
        }
    }
}

/// Mass-weighted constants of one layer (PDG review "Passage of particles through matter",
/// the mixture rules: 1/X₀ = Σ wⱼ/X₀ⱼ and 1/R_M = Σ wⱼ E_cⱼ/(X₀ⱼ E_s)).
#[derive(Debug, Clone, Copy)]
struct Mixture {
    z: f64,
    critical_mev: f64,
    /// Molière radius in mm of the layer (its mass spread over the whole pitch).
    moliere_mm: f64,
}

/// The calorimeter's precomputed layers.
#[derive(Debug, Clone)]
pub struct Layers {
    /// Depth (X₀) of each layer's end, from the front face.
    end_x0: Vec<f64>,
    /// MIP sampling fraction × e/mip: the visible share of the energy deposited in a layer.
    visible: Vec<f64>,
    /// Sampling-fluctuation stochastic term of each layer.
    stochastic: Vec<f64>,
    /// Molière radius (mm) of each layer.
    moliere_mm: Vec<f64>,
    /// The first layer's mixture: the material the shower starts in (G&P's Z and E_c).
    front: Mixture,
    cell_mm: f64,
    cells: usize,
}

impl Ecal {
    /// Refuses sizes a shower cannot be computed with (a tampered JSON or link).
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::invalid("calorimeter", m));
        let n = self.tungsten_mm.len();
        if !(1..=200).contains(&n) {
            return bad(format!("{n} layers (1 … 200 allowed)"));
        }
        if let Some(d) = self
            .tungsten_mm
            .iter()
            .find(|d| !(d.is_finite() && (0.1..=50.0).contains(*d)))
        {
            return bad(format!("a tungsten plate of {d} mm (0.1 … 50 allowed)"));
        }
        check_ranges(
            "calorimeter",
            &[
                ("silicon_mm", self.silicon_mm, 0.01, 10.0),
                ("gap_mm", self.gap_mm, 0.0, 100.0),
                ("cell_mm", self.cell_mm, 0.5, 100.0),
                ("stochastic", self.stochastic, 0.0, 2.0),
                ("reference_mm", self.reference_mm, 0.1, 50.0),
                ("e_over_mip", self.e_over_mip, 0.1, 2.0),
            ],
        )?;
        if !(3..=300).contains(&self.cells) || !self.cells.is_multiple_of(3) {
            return bad(format!(
                "{} cells per side (a multiple of 3, 3 … 300: images pool 3 × 3)",
                self.cells
            ));
        }
        Ok(())
    }

    /// Silicon layers.
    pub fn n_layers(&self) -> usize {
        self.tungsten_mm.len()
    }

    /// The per-layer constants of the stack.
    pub fn layers(&self) -> Layers {
        let mut end_x0 = Vec::new();
        let mut visible = Vec::new();
        let mut stochastic = Vec::new();
        let mut moliere_mm = Vec::new();
        let mut depth = 0.0;
        let mut front = None;
        for &w in &self.tungsten_mm {
            let (w_cm, si_cm) = (w / 10.0, self.silicon_mm / 10.0);
            let (m_w, m_si) = (w_cm * TUNGSTEN.density, si_cm * SILICON.density);
            depth += m_w / TUNGSTEN.x0 + m_si / SILICON.x0;
            end_x0.push(depth);
            // The MIP sampling fraction: silicon's share of a MIP's energy loss in the layer.
            let (mip_w, mip_si) = (m_w * TUNGSTEN.dedx_min, m_si * SILICON.dedx_min);
            visible.push(self.e_over_mip * mip_si / (mip_w + mip_si));
            stochastic.push(self.stochastic * (w / self.reference_mm).sqrt());
            let mass = m_w + m_si;
            let (fw, fs) = (m_w / mass, m_si / mass);
            let inv_x0 = fw / TUNGSTEN.x0 + fs / SILICON.x0;
            let critical = (fw * TUNGSTEN.critical_mev / TUNGSTEN.x0
                + fs * SILICON.critical_mev / SILICON.x0)
                / inv_x0;
            // R_M = E_s X₀ / E_c per material, combined: 1/R_M = Σ wⱼ / R_Mⱼ (g/cm²).
            let rm_g = 1.0 / (fw / TUNGSTEN.moliere + fs / SILICON.moliere);
            let pitch_cm = w_cm + si_cm + self.gap_mm / 10.0;
            let rm_mm = 10.0 * rm_g / (mass / pitch_cm);
            moliere_mm.push(rm_mm);
            front.get_or_insert(Mixture {
                z: fw * TUNGSTEN.z + fs * SILICON.z,
                critical_mev: critical,
                moliere_mm: rm_mm,
            });
        }
        Layers {
            end_x0,
            visible,
            stochastic,
            moliere_mm,
            front: front.expect("validated: at least one layer"),
            cell_mm: self.cell_mm,
            cells: self.cells,
        }
    }
}

impl Layers {
    /// Total depth in X₀.
    pub fn depth_x0(&self) -> f64 {
        *self.end_x0.last().expect("at least one layer")
    }

    /// The layer whose tungsten a spot at depth `t` (X₀) lies in; `None` behind the stack.
    pub fn layer_at(&self, t: f64) -> Option<usize> {
        let i = self.end_x0.partition_point(|&e| e <= t);
        (i < self.end_x0.len()).then_some(i)
    }

    /// The Molière radius (mm) of the first layer's material.
    pub fn moliere_mm(&self) -> f64 {
        self.front.moliere_mm
    }

    /// The critical energy (MeV) of the first layer's material.
    pub fn critical_mev(&self) -> f64 {
        self.front.critical_mev
    }

    /// Mass-weighted Z of the first layer's material.
    pub fn z_eff(&self) -> f64 {
        self.front.z
    }

    /// Start and end depth (X₀) of layer `i`.
    pub fn layer_x0(&self, i: usize) -> (f64, f64) {
        (
            if i == 0 { 0.0 } else { self.end_x0[i - 1] },
            self.end_x0[i],
        )
    }

    /// The visible share of the energy deposited in layer `layer` (MIP sampling fraction ×
    /// e/mip).
    pub fn visible_fraction(&self, layer: usize) -> f64 {
        self.visible[layer]
    }
}

/// Parameters of one shower's individual longitudinal profile: a gamma distribution in depth
/// (X₀) from the shower's start, dE/dt ∝ t^(α−1) e^(−βt), its maximum at T = (α − 1)/β.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub t_max: f64,
    pub alpha: f64,
}

impl Profile {
    pub fn beta(&self) -> f64 {
        (self.alpha - 1.0) / self.t_max
    }
}

/// G&P's fits for individual profiles in homogeneous media, y = E/E_c (the same as GEANT4's
/// GFlashHomoShowerParameterisation): ⟨ln T⟩ = ln(ln y − 0.812),
/// ⟨ln α⟩ = ln(0.81 + (0.458 + 2.26/Z) ln y), σ(ln T) = 1/(−1.4 + 1.26 ln y),
/// σ(ln α) = 1/(−0.58 + 0.86 ln y), ρ(ln T, ln α) = 0.705 − 0.023 ln y.
pub fn draw_profile(energy_mev: f64, z: f64, critical_mev: f64, rng: &mut Rng) -> Profile {
    let ln_y = (energy_mev / critical_mev)
        .max(std::f64::consts::E * 3.0)
        .ln();
    let mean_ln_t = (ln_y - 0.812).ln();
    let mean_ln_a = (0.81 + (0.458 + 2.26 / z) * ln_y).ln();
    let sigma_ln_t = 1.0 / (-1.4 + 1.26 * ln_y);
    let sigma_ln_a = 1.0 / (-0.58 + 0.86 * ln_y);
    let rho = 0.705 - 0.023 * ln_y;
    let (z1, z2) = (normal(rng), normal(rng));
    let ln_t = mean_ln_t + sigma_ln_t * z1;
    let ln_a = mean_ln_a + sigma_ln_a * (rho * z1 + (1.0 - rho * rho).max(0.0).sqrt() * z2);
    Profile {
        t_max: ln_t.exp(),
        // α > 1: a profile that rises from the front (the fits' domain).
        alpha: ln_a.exp().max(1.05),
    }
}

/// G&P's spot profile: the spots are distributed like the shower's energy but with
/// T_spot = T (0.698 + 0.00212 Z) and α_spot = α (0.639 + 0.00334 Z).
pub fn spot_profile(p: Profile, z: f64) -> Profile {
    Profile {
        t_max: p.t_max * (0.698 + 0.00212 * z),
        alpha: (p.alpha * (0.639 + 0.00334 * z)).max(1.05),
    }
}

/// G&P's number of spots in homogeneous media: N = 93 ln Z E^0.876 (E in GeV).
pub fn spot_count(energy_gev: f64, z: f64) -> usize {
    (93.0 * z.ln() * energy_gev.powf(0.876)).round().max(1.0) as usize
}

/// G&P's radial profile at relative depth τ = t/T, in Molière radii: the core and tail terms
/// f(r) = p f_C(r) + (1 − p) f_T(r), f_i(r) = 2 r R_i² / (r² + R_i²)², with
/// R_C = z₁ + z₂ τ, R_T = k₁ (e^{k₃(τ−k₂)} + e^{k₄(τ−k₂)}),
/// p = p₁ exp((p₂ − τ)/p₃ − exp((p₂ − τ)/p₃)), and z₁ = 0.0251 + 0.00319 ln E,
/// z₂ = 0.1162 − 0.000381 Z, k₁ = 0.659 − 0.00309 Z, k₂ = 0.645, k₃ = −2.59,
/// k₄ = 0.3585 + 0.0421 ln E, p₁ = 2.632 − 0.00094 Z, p₂ = 0.401 + 0.00187 Z,
/// p₃ = 1.313 − 0.0686 ln E (E in GeV).
#[derive(Debug, Clone, Copy)]
pub struct Radial {
    pub core: f64,
    pub tail: f64,
    pub p_core: f64,
}

pub fn radial(tau: f64, energy_gev: f64, z: f64) -> Radial {
    let ln_e = energy_gev.ln();
    let (z1, z2) = (0.0251 + 0.00319 * ln_e, 0.1162 - 0.000381 * z);
    let (k1, k2, k3, k4) = (0.659 - 0.00309 * z, 0.645, -2.59, 0.3585 + 0.0421 * ln_e);
    let (p1, p2, p3) = (
        2.632 - 0.00094 * z,
        0.401 + 0.00187 * z,
        1.313 - 0.0686 * ln_e,
    );
    let x = (p2 - tau) / p3;
    Radial {
        core: (z1 + z2 * tau).max(1e-3),
        tail: (k1 * ((k3 * (tau - k2)).exp() + (k4 * (tau - k2)).exp())).max(1e-3),
        p_core: (p1 * (x - x.exp()).exp()).clamp(0.0, 1.0),
    }
}

impl Radial {
    /// A radius (Molière radii) drawn from the profile: the component by its weight, then
    /// the inverse of F_i(r) = r²/(r² + R_i²).
    pub fn draw(&self, rng: &mut Rng) -> f64 {
        let r = if uniform(rng) < self.p_core {
            self.core
        } else {
            self.tail
        };
        let u = uniform(rng).min(0.999_999);
        r * (u / (1.0 - u)).sqrt()
    }

    /// Fraction of the energy within radius `r` (Molière radii).
    pub fn contained(&self, r: f64) -> f64 {
        let f = |rr: f64| r * r / (r * r + rr * rr);
        self.p_core * f(self.core) + (1.0 - self.p_core) * f(self.tail)
    }
}

/// Pair production's mean free path of a high-energy photon: 9/7 X₀ (PDG review "Passage of
/// particles through matter", the high-energy limit of the pair-production cross-section).
pub const PHOTON_FREE_PATH_X0: f64 = 9.0 / 7.0;

/// One shower's silicon energies on the grid (MeV), layer-major: `[layer][x][y]`, and what
/// the tests check of it.
#[derive(Debug, Clone)]
pub struct ShowerHits {
    pub grid: Vec<f32>,
    /// Depth (X₀) where the photon converted and the profile it drew.
    pub start_x0: f64,
    pub profile: Profile,
    /// Energy of the spots inside the stack (MeV, before sampling), and inside a cylinder of
    /// one Molière radius around the axis.
    pub deposited_mev: f64,
    pub within_moliere_mev: f64,
}

/// Reusable buffers of the shower loop.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Per spot: its cell (`u32::MAX` behind the stack, `u32::MAX − 1` beside the grid),
    /// its weight, and whether it lies within one Molière radius of the axis.
    spots: Vec<(u32, f64, bool)>,
    /// Energy deposited per cell (MeV).
    energy: Vec<f64>,
}

impl Layers {
    /// A photon of `energy_gev` entering at (x, y) mm (perpendicular incidence): the silicon
    /// energies of its shower on the grid.
    pub fn shower(
        &self,
        energy_gev: f64,
        x: f64,
        y: f64,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> ShowerHits {
        let (n_layers, cells) = (self.end_x0.len(), self.cells);
        let energy_mev = energy_gev * 1e3;
        let z = self.front.z;
        let start = -PHOTON_FREE_PATH_X0 * (1.0 - uniform(rng)).ln();
        let profile = draw_profile(energy_mev, z, self.front.critical_mev, rng);
        let spots = spot_profile(profile, z);
        let n_spots = spot_count(energy_gev, z);
        // Spot depths follow the spot profile; each spot carries the energy profile over the
        // spot profile at its depth (∝ t^(α−α_s) e^(−(β−β_s) t)), normalised to E over the
        // shower, so the energy follows the energy profile and the spots G&P's density.
        let (beta, beta_s) = (profile.beta(), spots.beta());
        let log_weight = |t: f64| (profile.alpha - spots.alpha) * t.ln() - (beta - beta_s) * t;
        let half = 0.5 * cells as f64 * self.cell_mm;
        let outside = u32::MAX;
        scratch.spots.clear();
        let mut reference = None;
        for _ in 0..n_spots {
            let t_local = (gamma(rng, spots.alpha) / beta_s).max(1e-9);
            let lw = log_weight(t_local);
            // Weights relative to the first spot's, so the exponentials stay in range.
            let w = (lw - *reference.get_or_insert(lw))
                .clamp(-200.0, 200.0)
                .exp();
            let Some(layer) = self.layer_at(start + t_local) else {
                // Behind the stack: longitudinal leakage. (The draws below are skipped, so
                // the stream depends on the geometry, which is part of the recipe.)
                scratch.spots.push((outside, w, false));
                continue;
            };
            let r = radial(t_local / profile.t_max, energy_gev, z).draw(rng);
            let phi = std::f64::consts::TAU * uniform(rng);
            let r_mm = r * self.moliere_mm[layer];
            let (px, py) = (x + r_mm * phi.cos() + half, y + r_mm * phi.sin() + half);
            let (ix, iy) = ((px / self.cell_mm).floor(), (py / self.cell_mm).floor());
            let inside = ix >= 0.0 && iy >= 0.0 && ix < cells as f64 && iy < cells as f64;
            let cell = if inside {
                ((layer * cells + ix as usize) * cells + iy as usize) as u32
            } else {
                outside - 1 // in the stack, outside the grid
            };
            scratch.spots.push((cell, w, r <= 1.0));
        }
        let total_w: f64 = scratch.spots.iter().map(|s| s.1).sum();
        let to_mev = energy_mev / total_w;
        scratch.energy.clear();
        scratch.energy.resize(n_layers * cells * cells, 0.0);
        let (mut deposited, mut within) = (0.0, 0.0);
        for &(cell, w, near) in &scratch.spots {
            if cell == outside {
                continue;
            }
            deposited += w * to_mev;
            if near {
                within += w * to_mev;
            }
            if let Some(e) = scratch.energy.get_mut(cell as usize) {
                *e += w * to_mev;
            }
        }
        // Sampling fluctuations: a cell's visible energy is its deposit's visible share times
        // a Gamma factor of mean 1 and shape k = E_cell/a² (GeV), so that σ/E = a/√E for any
        // sum of cells.
        let mut grid = vec![0f32; scratch.energy.len()];
        for (i, &e) in scratch.energy.iter().enumerate() {
            if e <= 0.0 {
                continue;
            }
            let layer = i / (cells * cells);
            let a = self.stochastic[layer];
            let mean = e * self.visible[layer];
            let value = if a > 0.0 {
                let k = e * 1e-3 / (a * a);
                mean * gamma(rng, k) / k
            } else {
                mean
            };
            grid[i] = value as f32;
        }
        ShowerHits {
            grid,
            start_x0: start,
            profile,
            deposited_mev: deposited,
            within_moliere_mev: within,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::rng;

    #[test]
    fn stack_constants_are_the_pdg_mixture() {
        let l = Ecal::default().layers();
        // 20 × (2.1/3.504 + 0.5/93.7) + 10 × (4.2/3.504 + 0.5/93.7) = 24.13 X₀.
        assert!((l.depth_x0() - 24.13).abs() < 0.02, "{}", l.depth_x0());
        assert_eq!(l.layer_at(0.0), Some(0));
        assert_eq!(l.layer_at(100.0), None);
        // Tungsten dominates the mass: Z_eff ≈ 72, E_c ≈ 8.3 MeV.
        assert!((l.z_eff() - 72.3).abs() < 0.5, "{}", l.z_eff());
        assert!(
            (l.critical_mev() - 8.25).abs() < 0.1,
            "{}",
            l.critical_mev()
        );
        // A 2.1 mm layer: 0.194 MeV of 4.83 MeV of a MIP's loss is in the silicon.
        assert!((l.visible_fraction(0) / 0.7 - 0.0401).abs() < 1e-3);
        assert!(l.visible_fraction(25) < l.visible_fraction(0));
        // The tungsten's 9.33 mm Molière radius, spread over the 3.85 mm pitch.
        assert!((l.moliere_mm() - 16.4).abs() < 0.3, "{}", l.moliere_mm());
    }

    #[test]
    fn bad_calorimeters_are_refused() {
        for ecal in [
            Ecal {
                tungsten_mm: vec![],
                ..Ecal::default()
            },
            Ecal {
                cells: 31,
                ..Ecal::default()
            },
            Ecal {
                silicon_mm: f64::NAN,
                ..Ecal::default()
            },
        ] {
            assert!(ecal.validate().is_err(), "{ecal:?}");
        }
        Ecal::default().validate().unwrap();
    }

    #[test]
    fn radial_profile_is_a_distribution() {
        for tau in [0.2, 1.0, 2.5] {
            let r = radial(tau, 50.0, 74.0);
            assert!(r.contained(0.0) == 0.0 && r.contained(1e6) > 0.999_999);
            let mut g = rng(3, 0);
            let n = 20_000;
            let inside = (0..n).filter(|_| r.draw(&mut g) < 1.0).count() as f64 / n as f64;
            assert!((inside - r.contained(1.0)).abs() < 0.015, "{inside}");
        }
    }
}
