//! JetNet's Wasserstein scores of generated jets (Kansal et al., "Particle cloud generation
//! with message passing GANs", NeurIPS 2021, arXiv:2106.11535, section 5; the `jetnet`
//! package's `w1m` and `w1p`; `shared/reference`): the 1-Wasserstein distance of the jet mass
//! and of each particle feature (η_rel, φ_rel, pT_rel; zero-padding excluded) between real
//! and generated jets, over batches of jets drawn with replacement, as mean ± standard
//! deviation over the batches. FPD and KPD, on energy-flow polynomials, are in `fpd.rs`.

use super::jets::Acceptance;
use crate::data::JetArrays;
use crate::physics::delta_phi;
use crate::random::{rng, uniform};

/// A score over batches: mean and standard deviation (over the batches, divided by their
/// number, as numpy's `std` that jetnet reports).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean: f64,
    pub sd: f64,
}

impl Spread {
    /// The score of an empty sample.
    pub(crate) const NAN: Spread = Spread {
        mean: f64::NAN,
        sd: f64::NAN,
    };
}

/// JetNet's defaults: batches of 50,000 jets, 5 of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Batches {
    pub jets: usize,
    pub batches: usize,
    pub seed: u64,
}

impl Default for Batches {
    fn default() -> Self {
        Self {
            jets: 50_000,
            batches: 5,
            seed: 1,
        }
    }
}

/// The particle features JetNet scores, in its order.
pub const PARTICLE_FEATURES: [&str; 3] = ["eta_rel", "phi_rel", "pt_rel"];

/// The accepted jets of one array: their masses (GeV) and their real particles' η_rel,
/// φ_rel, pT_rel (relative to the jet axis and pT), with each jet's range of particles.
#[derive(Debug, Clone, Default)]
pub struct JetCloud {
    pub masses: Vec<f32>,
    pub particles: [Vec<f32>; 3],
    /// Jet j's particles are `offsets[j]..offsets[j + 1]`.
    offsets: Vec<usize>,
}

impl JetCloud {
    pub fn of(jets: &JetArrays, array: &str, acc: &Acceptance) -> Self {
        let mut out = JetCloud {
            offsets: vec![0],
            ..Default::default()
        };
        for (ps, f) in acc.passing(jets, array) {
            out.masses.push(f.m as f32);
            for p in &ps {
                out.particles[0].push((p.eta() - f.eta) as f32);
                out.particles[1].push(delta_phi(p.phi(), f.phi) as f32);
                out.particles[2].push((p.pt() / f.pt) as f32);
            }
            out.offsets.push(out.particles[0].len());
        }
        out
    }

    pub fn len(&self) -> usize {
        self.masses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.masses.is_empty()
    }

    /// Each jet's 36 energy-flow polynomials ([`super::efps`]), the features of FPD and KPD.
    pub fn efps(&self) -> Vec<[f64; super::N_EFP]> {
        (0..self.len())
            .map(|j| {
                let r = self.offsets[j]..self.offsets[j + 1];
                super::efps(
                    &self.particles[0][r.clone()],
                    &self.particles[1][r.clone()],
                    &self.particles[2][r],
                )
            })
            .collect()
    }

    /// `n` jet indices drawn with replacement.
    fn draw(&self, n: usize, r: &mut crate::random::Rng) -> Vec<usize> {
        (0..n)
            .map(|_| ((uniform(r) * self.len() as f64) as usize).min(self.len() - 1))
            .collect()
    }
}

/// The 1-Wasserstein distance of two one-dimensional samples: ∫ |F_a − F_b| dx over the
/// merged sorted values (scipy's `wasserstein_distance`, which `jetnet` calls). NaN if
/// either is empty.
pub fn w1(a: &[f32], b: &[f32]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return f64::NAN;
    }
    let sorted = |v: &[f32]| {
        let mut s: Vec<f64> = v.iter().map(|&x| x as f64).collect();
        s.sort_by(f64::total_cmp);
        s
    };
    let (a, b) = (sorted(a), sorted(b));
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0, 0);
    let mut x = a[0].min(b[0]);
    let mut total = 0.0;
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(&u), Some(&v)) => u.min(v),
            (Some(&u), None) => u,
            (None, Some(&v)) => v,
            (None, None) => break,
        };
        total += (i as f64 / na - j as f64 / nb).abs() * (next - x);
        x = next;
        while a.get(i) == Some(&next) {
            i += 1;
        }
        while b.get(j) == Some(&next) {
            j += 1;
        }
    }
    total
}

fn spread(values: &[f64]) -> Spread {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Spread {
        mean,
        sd: var.sqrt(),
    }
}

/// W1m: the jet mass's W1 (GeV) between `real` and `gen`, per batch of `b.jets` jets drawn
/// with replacement from each.
pub fn w1m(real: &JetCloud, gen: &JetCloud, b: &Batches) -> Spread {
    if real.is_empty() || gen.is_empty() {
        return Spread::NAN;
    }
    let mut r = rng(b.seed, 0);
    let scores: Vec<f64> = (0..b.batches.max(1))
        .map(|_| {
            let pick = |c: &JetCloud, r: &mut _| -> Vec<f32> {
                c.draw(b.jets, r).iter().map(|&j| c.masses[j]).collect()
            };
            let (x, y) = (pick(real, &mut r), pick(gen, &mut r));
            w1(&x, &y)
        })
        .collect();
    spread(&scores)
}

/// W1p: per particle feature (η_rel, φ_rel, pT_rel), the W1 between the real particles of
/// `b.jets` jets drawn with replacement from each sample (padding excluded).
pub fn w1p(real: &JetCloud, gen: &JetCloud, b: &Batches) -> [Spread; 3] {
    if real.is_empty() || gen.is_empty() {
        return [Spread::NAN; 3];
    }
    let mut r = rng(b.seed, 1);
    let mut scores = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..b.batches.max(1) {
        let pick = |c: &JetCloud, r: &mut _| -> [Vec<f32>; 3] {
            let jets = c.draw(b.jets, r);
            std::array::from_fn(|f| {
                jets.iter()
                    .flat_map(|&j| {
                        c.particles[f][c.offsets[j]..c.offsets[j + 1]]
                            .iter()
                            .copied()
                    })
                    .collect()
            })
        };
        let (x, y) = (pick(real, &mut r), pick(gen, &mut r));
        for f in 0..3 {
            scores[f].push(w1(&x[f], &y[f]));
        }
    }
    scores.map(|s| spread(&s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::normal;
    use proptest::prelude::*;

    /// Closed forms: a shift by d of the same sample is d; U(0, 1) against U(0, 2) is ½
    /// (∫₀² |min(x, 1) − x/2| dx); identical samples give 0; unequal sizes are allowed.
    #[test]
    fn w1_closed_forms() {
        let mut r = rng(2, 0);
        let a: Vec<f32> = (0..10_000).map(|_| normal(&mut r) as f32).collect();
        let shifted: Vec<f32> = a.iter().map(|x| x + 0.7).collect();
        assert!((w1(&a, &shifted) - 0.7).abs() < 1e-5);
        assert_eq!(w1(&a, &a), 0.0);
        let u1: Vec<f32> = (0..=1000).map(|i| i as f32 / 1000.0).collect();
        let u2: Vec<f32> = (0..=2000).map(|i| i as f32 / 1000.0).collect();
        assert!((w1(&u1, &u2) - 0.5).abs() < 2e-3, "{}", w1(&u1, &u2));
        assert!(w1(&[], &a).is_nan());
    }

    proptest! {
        /// A metric on samples: symmetric, non-negative, and moved by a shift c by at most |c|.
        #[test]
        fn w1_is_a_symmetric_distance(
            a in proptest::collection::vec(-100f32..100.0, 1..60),
            b in proptest::collection::vec(-100f32..100.0, 1..60),
            c in -10f32..10.0,
        ) {
            let (ab, ba) = (w1(&a, &b), w1(&b, &a));
            prop_assert!(ab >= 0.0);
            prop_assert!((ab - ba).abs() <= 1e-9 * ab.max(1.0));
            let moved: Vec<f32> = a.iter().map(|x| x + c).collect();
            prop_assert!((w1(&a, &moved) - c.abs() as f64).abs() <= 1e-4 * (1.0 + c.abs() as f64));
        }
    }

    /// Against the `jetnet` package (0.2.5, through `scripts/check-jetnet`, which wrote the
    /// fixture): on the same 6,000 built-in jets (seed 31), the W1 of the jet mass and of
    /// each particle feature between all accepted gen and reco jets, no resampling, as
    /// jetnet computes it (scipy's W1 on its jet and particle features). The features are
    /// built the same way here (f32 storage: agreement to 10⁻⁵ relative).
    #[test]
    fn w1_matches_the_jetnet_package_on_a_fixture() {
        let (f, gen, reco) = fixture();
        let close = |ours: f64, theirs: &serde_json::Value, what: &str| {
            let theirs = theirs.as_f64().unwrap();
            assert!(
                (ours - theirs).abs() <= 1e-5 * theirs.abs(),
                "{what}: ours {ours} vs jetnet {theirs}"
            );
        };
        close(w1(&gen.masses, &reco.masses), &f["w1m"], "W1m");
        for (i, name) in PARTICLE_FEATURES.iter().enumerate() {
            close(
                w1(&gen.particles[i], &reco.particles[i]),
                &f["w1p"][i],
                name,
            );
        }
    }

    /// The fixture `scripts/check-jetnet` wrote, and the accepted gen and reco jets of the
    /// built-in jets it was computed on.
    fn fixture() -> (serde_json::Value, JetCloud, JetCloud) {
        let text = include_str!("../../tests/fixtures/jetnet-w1.json");
        let f: serde_json::Value = serde_json::from_str(text).unwrap();
        let (n, seed) = (f["jets"].as_u64().unwrap(), f["seed"].as_u64().unwrap());
        let jets = crate::recipe::JetRecipe::new(n as usize, seed)
            .build()
            .unwrap();
        let acc = Acceptance::default();
        let (gen, reco) = (
            JetCloud::of(&jets, "gen", &acc),
            JetCloud::of(&jets, "reco", &acc),
        );
        (f, gen, reco)
    }

    /// Against `energyflow` 1.4.0 and `jetnet` 0.2.5 (the same fixture): the 36 EFPs of the
    /// first accepted reco jets to 10⁻⁵ relative (f32 particle storage), and FPD and KPD of
    /// the gen jets against the reco jets within three combined spreads (jetnet draws its
    /// batches with numpy's generator, this code with its own).
    #[test]
    fn efps_fpd_kpd_match_the_jetnet_package_on_a_fixture() {
        use crate::metrics::{fpd, kpd, FpdOptions, KpdOptions};
        let (f, gen, reco) = fixture();
        let (gen, reco) = (gen.efps(), reco.efps());
        for (j, theirs) in f["efps_first_reco_jets"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            for (k, t) in theirs.as_array().unwrap().iter().enumerate() {
                let t = t.as_f64().unwrap();
                let ours = reco[j][k];
                assert!(
                    (ours - t).abs() <= 1e-5 * t.abs() + 1e-12,
                    "jet {j}, EFP {k}: ours {ours} vs energyflow {t}"
                );
            }
        }
        let (fo, ko) = (
            FpdOptions::capped(reco.len()),
            KpdOptions::capped(reco.len()),
        );
        for (ours, theirs, what) in [
            (fpd(&reco, &gen, &fo), &f["fpd_gen"], "FPD"),
            (kpd(&reco, &gen, &ko), &f["kpd_gen"], "KPD"),
        ] {
            let (t, ts) = (theirs[0].as_f64().unwrap(), theirs[1].as_f64().unwrap());
            let tolerance = 3.0 * (ours.sd * ours.sd + ts * ts).sqrt();
            assert!(
                (ours.mean - t).abs() <= tolerance,
                "{what}: ours {} ± {} vs jetnet {t} ± {ts}",
                ours.mean,
                ours.sd
            );
        }
    }

    /// On built-in jets: a sample scored against itself is near zero; the detector's reco
    /// jets against their gen jets score clearly higher in mass and in pT_rel; the particle
    /// features are relative to the jet (|η_rel|, |φ_rel| within the jet's radius, pT_rel
    /// below 1).
    #[test]
    fn reco_jets_score_above_a_resample_of_themselves() {
        let jets = crate::recipe::JetRecipe::new(1500, 4).build().unwrap();
        let acc = Acceptance::default();
        let (gen, reco) = (
            JetCloud::of(&jets, "gen", &acc),
            JetCloud::of(&jets, "reco", &acc),
        );
        assert!(gen.len() > 200 && reco.len() > 200);
        assert!(reco.particles[0].iter().all(|v| v.abs() < 1.0));
        assert!(reco.particles[1].iter().all(|v| v.abs() < 1.0));
        assert!(reco.particles[2].iter().all(|&v| v > 0.0 && v <= 1.0));
        let b = Batches {
            jets: 2000,
            batches: 5,
            seed: 3,
        };
        let same = w1m(&reco, &reco, &b);
        let det = w1m(&gen, &reco, &b);
        assert!(det.mean > 3.0 * same.mean, "mass: {det:?} vs {same:?}");
        let [_, _, pt_same] = w1p(&reco, &reco, &b);
        let [_, _, pt_det] = w1p(&gen, &reco, &b);
        assert!(
            pt_det.mean > 2.0 * pt_same.mean,
            "pT_rel: {pt_det:?} vs {pt_same:?}"
        );
    }
}
