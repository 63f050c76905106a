//! A data recipe — process, event count, seed, generator and detector — and the paired
//! gen/reco table it makes. The same recipe gives the same table on every platform.

use crate::data::Table;
use crate::detector::{RecoEvent, WjetsDetector};
use crate::error::{Error, Result};
use crate::generate::{WJetGenEvent, WJetsConfig};
use crate::physics::{wjet_features, wjets_columns};
use crate::random::{rng, stream, Rng};
use serde::{Deserialize, Serialize};

/// Most events one recipe may ask for (memory: 42 f32 columns, ≈ 170 MB at this size).
pub const MAX_EVENTS: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Process {
    Wjets,
}

/// Where a model's training events came from, as its file and a share link record it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DataOrigin {
    /// Built-in events: this recipe regenerates exactly them (same seed, same detector).
    Recipe { recipe: Box<WjetsRecipe> },
    /// A file: its name, rows and SHA-256 (whoever wants the same events needs that file).
    Upload {
        name: String,
        rows: usize,
        sha256: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WjetsRecipe {
    pub process: Process,
    pub events: usize,
    pub seed: u64,
    #[serde(default)]
    pub generator: WJetsConfig,
    #[serde(default)]
    pub detector: WjetsDetector,
}

impl WjetsRecipe {
    pub fn new(events: usize, seed: u64) -> Self {
        Self {
            process: Process::Wjets,
            events,
            seed,
            generator: WJetsConfig::default(),
            detector: WjetsDetector::default(),
        }
    }

    /// Refuses an event count outside 1 … [`MAX_EVENTS`] and invalid generator or detector
    /// parameters (a recipe may come from a link or a file).
    pub fn validate(&self) -> Result<()> {
        if self.events == 0 || self.events > MAX_EVENTS {
            return Err(Error::invalid(
                "event count",
                format!("{} (allowed: 1 to {MAX_EVENTS})", self.events),
            ));
        }
        self.generator.validate()?;
        self.detector.validate()
    }

    /// Starts making the table; call [`EventStream::fill`] until it returns `true`.
    pub fn stream(&self) -> Result<EventStream> {
        self.validate()?;
        Ok(EventStream {
            recipe: self.clone(),
            table: Table::new(wjets_columns(), "built-in W+jet")?,
            gen_rng: rng(self.seed, stream::GEN_EVENTS),
            det_rng: rng(self.seed, stream::DETECTOR),
            tried: 0,
        })
    }

    /// Makes the whole table at once.
    pub fn build(&self) -> Result<Table> {
        let mut s = self.stream()?;
        while !s.fill(10_000)? {}
        Ok(s.into_table())
    }
}

/// Appends one event's row: the gen features, then the reco features (`wjets_columns` order).
fn push_event(table: &mut Table, gen: &WJetGenEvent, reco: &RecoEvent) {
    let g = wjet_features(&gen.mu, gen.q, &gen.jet, gen.met());
    let r = wjet_features(&reco.mu, reco.q, &reco.jet, reco.met);
    let mut row = [0f32; 42];
    for (dst, src) in row.iter_mut().zip(g.iter().chain(r.iter())) {
        *dst = *src as f32;
    }
    table.push_row(&row);
}

/// Generation in steps, so the page can yield to the browser and show progress.
pub struct EventStream {
    recipe: WjetsRecipe,
    table: Table,
    gen_rng: Rng,
    det_rng: Rng,
    tried: usize,
}

impl EventStream {
    /// Generates up to `attempts` more events; `true` once the table is full. Refuses a
    /// detector whose selection keeps under one event in 1000.
    pub fn fill(&mut self, attempts: usize) -> Result<bool> {
        for _ in 0..attempts {
            if self.done() {
                break;
            }
            self.tried += 1;
            let gen = self.recipe.generator.sample(&mut self.gen_rng);
            if let Some(reco) = self.recipe.detector.reconstruct(&gen, &mut self.det_rng) {
                push_event(&mut self.table, &gen, &reco);
            }
        }
        if self.tried > 1000 * (self.table.n_rows() + 10) {
            return Err(Error::invalid(
                "detector",
                format!(
                    "its selection kept {} of {} events; loosen the cuts",
                    self.table.n_rows(),
                    self.tried
                ),
            ));
        }
        Ok(self.done())
    }

    pub fn done(&self) -> bool {
        self.table.n_rows() >= self.recipe.events
    }

    /// Fraction of the requested events made so far.
    pub fn progress(&self) -> f64 {
        self.table.n_rows() as f64 / self.recipe.events as f64
    }

    /// Fraction of generated events that passed the selection.
    pub fn efficiency(&self) -> f64 {
        self.table.n_rows() as f64 / self.tried.max(1) as f64
    }

    pub fn into_table(self) -> Table {
        self.table
    }
}

/// The same generator-level events through two detectors (what-if smearing): row i of both
/// tables is one gen event, kept when both detectors select it. Each detector draws from its
/// own copy of the recipe's detector stream, so a parameter both share acts the same way
/// and the differences come from the parameters that differ.
pub struct PairStream {
    recipe: WjetsRecipe,
    other: WjetsDetector,
    tables: (Table, Table),
    gen_rng: Rng,
    det_rngs: (Rng, Rng),
    tried: usize,
}

impl WjetsRecipe {
    /// Starts a [`PairStream`] of this recipe's detector and `other`.
    pub fn stream_pair(&self, other: &WjetsDetector) -> Result<PairStream> {
        self.stream()?;
        other.validate()?;
        Ok(PairStream {
            recipe: self.clone(),
            other: other.clone(),
            tables: (
                Table::new(wjets_columns(), "detector A")?,
                Table::new(wjets_columns(), "detector B")?,
            ),
            gen_rng: rng(self.seed, stream::GEN_EVENTS),
            det_rngs: (
                rng(self.seed, stream::DETECTOR),
                rng(self.seed, stream::DETECTOR),
            ),
            tried: 0,
        })
    }
}

impl PairStream {
    /// Generates up to `attempts` more gen events; `true` once the tables are full.
    pub fn fill(&mut self, attempts: usize) -> Result<bool> {
        for _ in 0..attempts {
            if self.done() {
                break;
            }
            self.tried += 1;
            let gen = self.recipe.generator.sample(&mut self.gen_rng);
            let a = self.recipe.detector.reconstruct(&gen, &mut self.det_rngs.0);
            let b = self.other.reconstruct(&gen, &mut self.det_rngs.1);
            if let (Some(a), Some(b)) = (a, b) {
                push_event(&mut self.tables.0, &gen, &a);
                push_event(&mut self.tables.1, &gen, &b);
            }
        }
        if self.tried > 1000 * (self.tables.0.n_rows() + 10) {
            return Err(Error::invalid(
                "detector",
                "the two selections together keep under one event in 1000; loosen the cuts",
            ));
        }
        Ok(self.done())
    }

    pub fn done(&self) -> bool {
        self.tables.0.n_rows() >= self.recipe.events
    }

    pub fn progress(&self) -> f64 {
        self.tables.0.n_rows() as f64 / self.recipe.events as f64
    }

    /// The tables of detector A (the recipe's) and B.
    pub fn into_tables(self) -> (Table, Table) {
        self.tables
    }
}

#[cfg(test)]
mod pair_tests {
    use super::*;

    #[test]
    fn both_detectors_see_the_same_gen_events() {
        let mut b = WjetsDetector::default();
        b.jet.sigma_eta *= 3.0;
        let mut s = WjetsRecipe::new(200, 5).stream_pair(&b).unwrap();
        while !s.fill(1000).unwrap() {}
        let (ta, tb) = s.into_tables();
        assert_eq!(
            ta.column("gen_jet_eta").unwrap(),
            tb.column("gen_jet_eta").unwrap()
        );
        assert_eq!(
            ta.column("reco_mu_px").unwrap(),
            tb.column("reco_mu_px").unwrap()
        );
        let spread = |t: &Table| {
            let (g, r) = (
                t.column("gen_jet_eta").unwrap(),
                t.column("reco_jet_eta").unwrap(),
            );
            g.iter()
                .zip(r)
                .map(|(g, r)| ((r - g) as f64).powi(2))
                .sum::<f64>()
        };
        assert!(
            spread(&tb) > 4.0 * spread(&ta),
            "B's wider η resolution shows"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::derive_wjet_aux;
    use crate::physics::AUX_FEATURES;

    /// Seed 000's HL-LHC pile-up (⟨μ⟩ = 200 against Run 2's 27): the MET noise per component
    /// is √(σ₀² + k²·N_PU), so the variance of reco − gen MET grows by k²·(200 − 27) =
    /// 173 GeV² (k = 1 GeV), the jet's and muon's shares being the same in both.
    #[test]
    fn hl_lhc_pile_up_widens_the_met_resolution() {
        let variance = |mu: f64| {
            let mut r = WjetsRecipe::new(20_000, 3);
            r.generator.mean_pileup = mu;
            let t = r.build().unwrap();
            let d: Vec<f64> = ["x", "y"]
                .iter()
                .flat_map(|c| {
                    let (reco, gen) = (
                        t.column(&format!("reco_met_{c}")).unwrap().to_vec(),
                        t.column(&format!("gen_met_{c}")).unwrap().to_vec(),
                    );
                    reco.into_iter().zip(gen).map(|(r, g)| (r - g) as f64)
                })
                .collect();
            let m = d.iter().sum::<f64>() / d.len() as f64;
            d.iter().map(|v| (v - m).powi(2)).sum::<f64>() / d.len() as f64
        };
        let (run2, hl_lhc) = (variance(27.0), variance(200.0));
        let added = hl_lhc - run2;
        assert!(
            (added - 173.0).abs() < 0.25 * 173.0,
            "{run2:.0} → {hl_lhc:.0} GeV²"
        );
    }

    #[test]
    fn same_seed_same_table_and_sensible_physics() {
        let a = WjetsRecipe::new(2000, 5).build().unwrap();
        let b = WjetsRecipe::new(2000, 5).build().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.n_rows(), 2000);
        assert_eq!(a.n_cols(), 42);
        let c = WjetsRecipe::new(2000, 6).build().unwrap();
        assert_ne!(a, c);
        // The kinematic selection holds at generator level (seed 000, section 2), the muon
        // match at reco level.
        assert!(a.column("gen_mu_pt").unwrap().iter().all(|&v| v > 22.0));
        assert!(a.column("gen_jet_pt").unwrap().iter().all(|&v| v > 30.0));
        assert!(a
            .column("gen_jet_eta")
            .unwrap()
            .iter()
            .all(|&v| v.abs() < 2.4));
        let (g, r) = (
            a.column("gen_mu_pt").unwrap(),
            a.column("reco_mu_pt").unwrap(),
        );
        assert!(g.iter().zip(r).all(|(g, r)| ((g - r) / g).abs() < 0.1));
        // M_T has its Jacobian edge near m_W: most events below 100 GeV at gen level.
        let mt = a.column("gen_mt").unwrap();
        let below = mt.iter().filter(|&&v| v < 100.0).count() as f64 / mt.len() as f64;
        assert!(below > 0.85, "fraction with M_T < 100 GeV: {below}");
        // Muon resolution is per-cent level, jets ten per-cent level.
        let rel = |lvl: &str| -> f64 {
            let g = a.column(&format!("gen_{lvl}_pt")).unwrap();
            let r = a.column(&format!("reco_{lvl}_pt")).unwrap();
            let d: Vec<f64> = g.iter().zip(r).map(|(g, r)| ((r - g) / g) as f64).collect();
            (d.iter().map(|x| x * x).sum::<f64>() / d.len() as f64).sqrt()
        };
        let (mu, jet) = (rel("mu"), rel("jet"));
        assert!(mu < 0.03 && jet > 0.08 && jet < 0.3, "muon {mu}, jet {jet}");
    }

    #[test]
    fn derived_aux_features_match_the_generator() {
        let t = WjetsRecipe::new(300, 8).build().unwrap();
        let mut d = t.clone();
        for f in AUX_FEATURES {
            if f != "mu_q" {
                d.set_column(&format!("reco_{f}"), vec![0.0; 300]).unwrap();
            }
        }
        derive_wjet_aux(&mut d, "reco").unwrap();
        for f in AUX_FEATURES {
            let (a, b) = (
                t.column(&format!("reco_{f}")).unwrap(),
                d.column(&format!("reco_{f}")).unwrap(),
            );
            for (x, y) in a.iter().zip(b) {
                // φ can wrap at ±π; compare with a tolerance relative to the value.
                let close = (x - y).abs() <= 1e-3 * (1.0 + x.abs())
                    || (f.ends_with("phi") && (x.abs() - std::f32::consts::PI).abs() < 1e-3);
                assert!(close, "{f}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn refuses_absurd_requests() {
        assert!(WjetsRecipe::new(0, 1).stream().is_err());
        assert!(WjetsRecipe::new(MAX_EVENTS + 1, 1).stream().is_err());
        let mut g = WjetsRecipe::new(100, 1);
        g.generator.w_pt_power = 0.5;
        assert!(g.stream().is_err());
        let mut r = WjetsRecipe::new(100, 1);
        r.detector.selection.mu_pt_min = 1e9;
        let e = r.build().unwrap_err().to_string();
        assert!(e.contains("loosen the cuts"), "{e}");
    }
}
