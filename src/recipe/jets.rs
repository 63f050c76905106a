//! Built-in jets with constituents: the jet generator and the particle-level detector, run in
//! steps (the page yields between them), giving paired gen/reco jets in the file layout.

use crate::data::{JetArrays, JET_VALUES};
use crate::detector::ParticleDetector;
use crate::error::{Error, Result};
use crate::generate::JetsConfig;
use crate::physics::to_fixed;
use crate::random::{rng, stream, Rng};
use serde::{Deserialize, Serialize};

/// Largest number of jets one recipe may ask for (≈ 600 MB of arrays).
pub const MAX_JETS: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JetRecipe {
    pub jets: usize,
    pub seed: u64,
    #[serde(default)]
    pub generator: JetsConfig,
    #[serde(default)]
    pub detector: ParticleDetector,
}

impl JetRecipe {
    pub fn new(jets: usize, seed: u64) -> Self {
        Self {
            jets,
            seed,
            generator: JetsConfig::default(),
            detector: ParticleDetector::default(),
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.jets == 0 || self.jets > MAX_JETS {
            return Err(Error::invalid(
                "jets",
                format!("{} (1 to {MAX_JETS})", self.jets),
            ));
        }
        self.generator.validate()?;
        self.detector.validate()
    }

    pub fn stream(&self) -> Result<JetStream> {
        self.validate()?;
        Ok(JetStream {
            recipe: self.clone(),
            rng: rng(self.seed, stream::JETS),
            gen: Vec::with_capacity(self.jets * JET_VALUES),
            reco: Vec::with_capacity(self.jets * JET_VALUES),
            tried: 0,
        })
    }

    /// All the jets at once (the command line).
    pub fn build(&self) -> Result<JetArrays> {
        let mut s = self.stream()?;
        while !s.fill(10_000)? {}
        s.into_arrays()
    }
}

/// Jets generated so far; one seeded stream, so the result does not depend on the steps.
pub struct JetStream {
    recipe: JetRecipe,
    rng: Rng,
    gen: Vec<f32>,
    reco: Vec<f32>,
    tried: usize,
}

impl JetStream {
    /// Generates up to `attempts` jets; `true` when all are there. Refuses settings whose
    /// selection keeps (almost) nothing, rather than looping for ever.
    pub fn fill(&mut self, attempts: usize) -> Result<bool> {
        for _ in 0..attempts {
            if self.done() {
                break;
            }
            self.tried += 1;
            let ev = self.recipe.generator.generate(&mut self.rng);
            if let Some(pair) = self.recipe.detector.reconstruct(&ev, &mut self.rng) {
                self.gen
                    .extend_from_slice(to_fixed(&pair.gen).as_flattened());
                self.reco
                    .extend_from_slice(to_fixed(&pair.reco).as_flattened());
            }
        }
        if self.tried >= 20_000 && self.efficiency() < 1e-3 {
            return Err(Error::invalid(
                "jet recipe",
                format!(
                    "the selection kept {} of {} generated jets: loosen the reco jet pT or η cut",
                    self.gen.len() / JET_VALUES,
                    self.tried
                ),
            ));
        }
        Ok(self.done())
    }

    pub fn done(&self) -> bool {
        self.gen.len() >= self.recipe.jets * JET_VALUES
    }

    pub fn progress(&self) -> f64 {
        self.gen.len() as f64 / (self.recipe.jets * JET_VALUES) as f64
    }

    /// Fraction of generated jets that passed the training selection.
    pub fn efficiency(&self) -> f64 {
        self.gen.len() as f64 / JET_VALUES as f64 / self.tried.max(1) as f64
    }

    pub fn into_arrays(self) -> Result<JetArrays> {
        let n = self.gen.len() / JET_VALUES;
        let mut out = JetArrays::new(n);
        out.insert("gen", self.gen)?;
        out.insert("reco", self.reco)?;
        Ok(out)
    }
}
