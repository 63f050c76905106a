//! Built-in photon showers (seed 003): the photon gun into the Si-W calorimeter, each shower
//! reduced to a 10 × 10 image as the paper does (section 2, fig. 1), in steps.

use crate::detector::{Ecal, Layers, Scratch};
use crate::error::{Error, Result};
use crate::generate::PhotonGun;
use crate::physics::{reduce, IMAGE_PIXELS};
use crate::random::{rng, stream, Rng};
use serde::{Deserialize, Serialize};

/// Largest number of showers one recipe may ask for (400 MB of images).
pub const MAX_SHOWERS: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShowerRecipe {
    pub showers: usize,
    pub seed: u64,
    #[serde(default)]
    pub gun: PhotonGun,
    #[serde(default)]
    pub ecal: Ecal,
}

impl ShowerRecipe {
    pub fn new(showers: usize, seed: u64) -> Self {
        Self {
            showers,
            seed,
            gun: PhotonGun::default(),
            ecal: Ecal::default(),
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.showers == 0 || self.showers > MAX_SHOWERS {
            return Err(Error::invalid(
                "showers",
                format!("{} (1 to {MAX_SHOWERS})", self.showers),
            ));
        }
        self.gun.validate()?;
        self.ecal.validate()
    }

    pub fn stream(&self) -> Result<ShowerStream> {
        self.validate()?;
        Ok(ShowerStream {
            layers: self.ecal.layers(),
            recipe: self.clone(),
            rng: rng(self.seed, stream::SHOWERS),
            scratch: Scratch::default(),
            images: Vec::with_capacity(self.showers * IMAGE_PIXELS),
        })
    }

    /// All the showers at once (the command line, tests).
    pub fn build(&self) -> Result<Vec<f32>> {
        let mut s = self.stream()?;
        while !s.fill(1_000)? {}
        Ok(s.into_images())
    }

    /// Pixel pitch of the images (mm): three cells.
    pub fn pixel_mm(&self) -> f32 {
        (3.0 * self.ecal.cell_mm) as f32
    }
}

/// Showers made so far; one seeded stream, so the result does not depend on the steps.
pub struct ShowerStream {
    recipe: ShowerRecipe,
    layers: Layers,
    rng: Rng,
    scratch: Scratch,
    images: Vec<f32>,
}

impl ShowerStream {
    /// Makes up to `n` more showers; `true` when all are there.
    pub fn fill(&mut self, n: usize) -> Result<bool> {
        let (gun, ecal) = (&self.recipe.gun, &self.recipe.ecal);
        for _ in 0..n {
            if self.done() {
                break;
            }
            let (x, y) = gun.shoot(&mut self.rng);
            let hits = self
                .layers
                .shower(gun.energy_gev, x, y, &mut self.rng, &mut self.scratch);
            self.images
                .extend(reduce(&hits.grid, ecal.n_layers(), ecal.cells));
        }
        Ok(self.done())
    }

    pub fn done(&self) -> bool {
        self.images.len() >= self.recipe.showers * IMAGE_PIXELS
    }

    pub fn progress(&self) -> f64 {
        self.images.len() as f64 / (self.recipe.showers * IMAGE_PIXELS) as f64
    }

    /// The images, N × 100 values (MeV), before any cut (the training images' form).
    pub fn into_images(self) -> Vec<f32> {
        self.images
    }
}

/// The generator's physics against the textbook figures it must reproduce.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::mean_sd;
    use crate::physics::{apply_cut, Observable, MIP_CUT_MEV};

    /// Showers of `energy_gev`: per shower the visible energy (MeV) and the layer-calibrated
    /// energy (each layer's silicon energy over its visible fraction) over the energy the
    /// shower deposited in the stack, which leakage does not move; the depth (X₀) of
    /// the mean longitudinal profile's maximum; per shower the fraction deposited within one
    /// Molière radius.
    fn showers(energy_gev: f64, n: usize, seed: u64) -> (Vec<f64>, Vec<f64>, f64, Vec<f64>) {
        let ecal = Ecal::default();
        let layers = ecal.layers();
        let mut r = rng(seed, stream::SHOWERS);
        let mut scratch = Scratch::default();
        let gun = PhotonGun::default();
        let (mut e_vis, mut e_cal, mut contained) = (Vec::new(), Vec::new(), Vec::new());
        let mut deposit = vec![0.0; ecal.n_layers()];
        let cells2 = ecal.cells * ecal.cells;
        for _ in 0..n {
            let (x, y) = gun.shoot(&mut r);
            let h = layers.shower(energy_gev, x, y, &mut r, &mut scratch);
            e_vis.push(h.grid.iter().map(|&v| v as f64).sum());
            contained.push(h.within_moliere_mev / h.deposited_mev);
            let mut cal = 0.0;
            for (i, layer) in h.grid.chunks_exact(cells2).enumerate() {
                let s: f64 = layer.iter().map(|&v| v as f64).sum();
                cal += s / layers.visible_fraction(i);
                deposit[i] += s / layers.visible_fraction(i);
            }
            e_cal.push(cal / h.deposited_mev);
        }
        // dE/dt per layer; the maximum by a parabola through the highest layer and its
        // neighbours.
        let points: Vec<(f64, f64)> = deposit
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let (a, b) = layers.layer_x0(i);
                (0.5 * (a + b), d / (b - a))
            })
            .collect();
        let k = (1..points.len() - 1)
            .max_by(|&i, &j| points[i].1.total_cmp(&points[j].1))
            .unwrap();
        let [(x0, y0), (x1, y1), (x2, y2)] = [points[k - 1], points[k], points[k + 1]];
        let num = (x1 - x0).powi(2) * (y1 - y2) - (x1 - x2).powi(2) * (y1 - y0);
        let den = (x1 - x0) * (y1 - y2) - (x1 - x2) * (y1 - y0);
        (e_vis, e_cal, x1 - 0.5 * num / den, contained)
    }

    /// The PDG review's shower maximum of a photon shower, t_max = ln(E/E_c) + 0.5
    /// ("Passage of particles through matter", electromagnetic cascades), at three
    /// energies, and its growth with ln E.
    #[test]
    fn shower_maximum_follows_ln_e_over_ec() {
        let ec = Ecal::default().layers().critical_mev();
        let mut fitted = Vec::new();
        for e in [10.0, 50.0, 200.0] {
            let (_, _, t_max, _) = showers(e, 300, 1);
            let pdg = (e * 1e3 / ec).ln() + 0.5;
            assert!(
                (t_max - pdg).abs() < 0.8,
                "{e} GeV: shower maximum at {t_max:.2} X0, PDG {pdg:.2}"
            );
            fitted.push(t_max);
        }
        let slope = (fitted[2] - fitted[0]) / (200f64 / 10.0).ln();
        assert!((0.8..1.2).contains(&slope), "dt_max/dln E = {slope:.2}");
    }

    /// About 90 % of a shower's energy lies within one Molière radius of its axis (PDG
    /// review, electromagnetic cascades).
    #[test]
    fn containment_radius_is_the_moliere_radius() {
        let (_, _, _, contained) = showers(50.0, 100, 2);
        let (m, _) = mean_sd(&contained);
        assert!((0.85..0.95).contains(&m), "{m:.3} within one R_M");
    }

    /// The sampling resolution: σ/E of the layer-calibrated energy (over the deposited
    /// energy) follows the stochastic term a/√E, with a between the front plates' 14.3 % and
    /// the back plates' 20.2 % (the CALICE prototype's 16.5 % at 2.8 mm, scaled as √d), at 10
    /// and 50 GeV. The raw E_vis (silicon only) spreads more: where a shower's depth puts
    /// its energy, in the front layers (4.0 % sampled) or the back ones (2.0 %), moves it by
    /// several per cent.
    #[test]
    fn sampling_resolution_scales_as_one_over_root_e() {
        let mut terms = Vec::new();
        for e in [10.0, 50.0] {
            let (vis, cal, _, _) = showers(e, 600, 3);
            let (m, sd) = mean_sd(&cal);
            let a = sd / m * e.sqrt();
            assert!((0.13..0.20).contains(&a), "{e} GeV: σ/E·√E = {a:.3}");
            // Calibrated, the deposit is measured without bias (beside the grid: < 2 %).
            assert!(
                (0.98..1.0).contains(&m),
                "{e} GeV: calibrated/deposited = {m:.3}"
            );
            // The visible energy: ≈ 2.4 % of E (sampling fraction × e/mip).
            let (v, v_sd) = mean_sd(&vis);
            assert!(
                (0.02..0.03).contains(&(v / (e * 1e3))),
                "{e} GeV: E_vis = {v:.0} MeV"
            );
            assert!(v_sd / v > sd / m);
            terms.push(a);
        }
        let ratio = terms[0] / terms[1];
        assert!(
            (0.8..1.2).contains(&ratio),
            "a(10 GeV)/a(50 GeV) = {ratio:.2}"
        );
    }

    #[test]
    fn steps_do_not_change_the_showers_and_images_look_like_showers() {
        let recipe = ShowerRecipe::new(40, 5);
        let mut a = recipe.stream().unwrap();
        while !a.fill(7).unwrap() {}
        let images = a.into_images();
        assert_eq!(images, recipe.build().unwrap());
        let mut cut = images.clone();
        apply_cut(&mut cut, MIP_CUT_MEV);
        let peak = Observable::EPeak.values(&cut, recipe.pixel_mm());
        let vis = Observable::EVis.values(&cut, recipe.pixel_mm());
        // The photon hits the centre of pixel (4, 4): it is the peak, holding most of the
        // energy, and the centre of gravity lies within that pixel.
        let cg = Observable::CgX.values(&cut, recipe.pixel_mm());
        for (i, im) in cut.chunks_exact(IMAGE_PIXELS).enumerate() {
            let at = im.iter().position(|&v| v == peak[i]).unwrap();
            assert_eq!(at, 44, "shower {i}: peak at pixel {at}");
            assert!(
                peak[i] > 0.6 * vis[i],
                "shower {i}: {} of {} MeV",
                peak[i],
                vis[i]
            );
            assert!((cg[i] + 7.5).abs() < 7.5, "shower {i}: CG_x = {} mm", cg[i]);
        }
        assert!(ShowerRecipe::new(0, 1).stream().is_err());
    }
}
