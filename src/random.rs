//! Seeded random numbers for every draw in the core (DESIGN.md, determinism): one ChaCha8
//! stream per purpose, derived from the user's seed, so the same seed gives the same events on
//! every platform (ChaCha's output is specified bit for bit).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The generator every module draws from.
pub type Rng = ChaCha8Rng;

/// A generator for `seed`, on the independent stream `stream` (e.g. events vs detector).
pub fn rng(seed: u64, stream: u64) -> Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

/// The independent streams of [`rng`], one per purpose, named in one place (DESIGN.md,
/// determinism). Values never change: a model file's bytes depend on them.
pub mod stream {
    /// The generator's events (W+jet).
    pub const GEN_EVENTS: u64 = 0;
    /// The W+jet detector's smearing.
    pub const DETECTOR: u64 = 1;
    /// A network's initial weights (smearing, jet VAE).
    pub const NET_INIT: u64 = 3;
    /// The trainer's mini-batch order; the amplification study's truth shuffle.
    pub const SHUFFLE: u64 = 7;
    /// The smearing network's sampling noise; the KDE's sampling.
    pub const SMEAR_NOISE: u64 = 11;
    /// The histogram estimator's sampling.
    pub const HIST_SAMPLE: u64 = 12;
    /// The cross-validation folds of the baselines; the jet VAE's training noise.
    pub const CV_FOLDS: u64 = 13;
    /// The jet VAE's sampling noise.
    pub const JET_NOISE: u64 = 17;
    /// The built-in jets and their detector.
    pub const JETS: u64 = 21;
    /// The built-in WZ events and their detector.
    pub const WZ_EVENTS: u64 = 31;
    /// The unfolding GAN's sampling noise.
    pub const UNFOLD_NOISE: u64 = 41;
    /// The GANs' initial weights.
    pub const GAN_INIT: u64 = 43;
    /// The GAN trainer's batch order.
    pub const GAN_SHUFFLE: u64 = 44;
    /// The GAN trainer's generator noise.
    pub const GAN_NOISE: u64 = 45;
    /// The GAN trainer's validation noise.
    pub const GAN_VAL_NOISE: u64 = 46;
    /// The built-in photon showers (photon gun and shower development).
    pub const SHOWERS: u64 = 51;
    /// The VAE-GAN's initial weights.
    pub const SHOWER_INIT: u64 = 53;
    /// The VAE-GAN trainer's batch order.
    pub const SHOWER_SHUFFLE: u64 = 54;
    /// The VAE-GAN trainer's latent noise.
    pub const SHOWER_NOISE: u64 = 55;
    /// The VAE-GAN's sampling noise (generated showers).
    pub const SHOWER_SAMPLE: u64 = 56;
    /// The histogram baseline's random cross-validation sets (the paper's 500).
    pub const CV_SETS: u64 = 14;
}

/// Uniform in [0, 1).
pub fn uniform(rng: &mut Rng) -> f64 {
    rng.random::<f64>()
}

/// Standard normal deviate (Box–Muller; one of the pair is used, which keeps the stream simple).
pub fn normal(rng: &mut Rng) -> f64 {
    let u1 = 1.0 - uniform(rng); // (0, 1]: ln is finite
    let u2 = uniform(rng);
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Poisson deviate: Knuth's product method below a mean of 30, a rounded normal above it
/// (the relative error of that approximation is below 1 % in the bulk there).
pub fn poisson(rng: &mut Rng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let limit = (-mean).exp();
        let mut k = 0u32;
        let mut p = uniform(rng);
        while p > limit {
            k += 1;
            p *= uniform(rng);
        }
        k
    } else {
        (mean + mean.sqrt() * normal(rng)).round().max(0.0) as u32
    }
}

/// Gamma deviate of shape `k` > 0 and scale 1 (Marsaglia & Tsang, ACM TOMS 26 (2000) 363;
/// for k < 1 the k + 1 draw is boosted by U^(1/k), their section 6).
pub fn gamma(rng: &mut Rng, k: f64) -> f64 {
    if !(k > 0.0 && k.is_finite()) {
        return 0.0;
    }
    if k < 1.0 {
        let u = 1.0 - uniform(rng);
        return gamma(rng, k + 1.0) * u.powf(1.0 / k);
    }
    let d = k - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - uniform(rng);
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// Multiplicative log-normal smearing with mean 1 and relative width `sigma` (capped at 1),
/// as Delphes smears momenta and energies (reference/README.md): a factor that is never
/// negative, unlike a Gaussian one.
pub fn lognormal_factor(rng: &mut Rng, sigma: f64) -> f64 {
    // One normal draw whatever sigma is, so the stream never depends on the parameters.
    let z = normal(rng);
    let sigma = if sigma.is_finite() {
        sigma.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // For X = exp(N(μ, s²)): E X = 1 and sd X = sigma ⇔ s² = ln(1 + sigma²), μ = −s²/2.
    let s2 = (1.0 + sigma * sigma).ln();
    (-0.5 * s2 + s2.sqrt() * z).exp()
}

/// `n` standard normal values from `seed` (tests of metrics and estimators).
#[cfg(test)]
pub(crate) fn gaussian_sample(n: usize, seed: u64) -> Vec<f32> {
    let mut r = rng(seed, 0);
    (0..n).map(|_| normal(&mut r) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<f64> = (0..5)
            .map({
                let mut r = rng(7, 1);
                move |_| uniform(&mut r)
            })
            .collect();
        let mut r = rng(7, 1);
        let b: Vec<f64> = (0..5).map(|_| uniform(&mut r)).collect();
        assert_eq!(a, b);
        let mut other = rng(7, 2);
        assert_ne!(a[0], uniform(&mut other));
    }

    #[test]
    fn moments() {
        let mut r = rng(1, 0);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| normal(&mut r)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(
            mean.abs() < 0.01 && (var - 1.0).abs() < 0.02,
            "{mean} {var}"
        );
        let ln: Vec<f64> = (0..n).map(|_| lognormal_factor(&mut r, 0.2)).collect();
        let m = ln.iter().sum::<f64>() / n as f64;
        let sd = (ln.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64).sqrt();
        assert!(
            (m - 1.0).abs() < 0.005 && (sd - 0.2).abs() < 0.005,
            "{m} {sd}"
        );
        for k in [0.15, 1.0, 4.5] {
            let gs: Vec<f64> = (0..n).map(|_| gamma(&mut r, k)).collect();
            let m = gs.iter().sum::<f64>() / n as f64;
            let v = gs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
            // Gamma(k, 1): mean k, variance k.
            assert!(
                (m - k).abs() < 0.01 * k.sqrt() * 3.0 && (v - k).abs() < 0.05 * k,
                "gamma({k}): mean {m}, variance {v}"
            );
        }
        for mean in [3.0, 50.0] {
            let ps: Vec<f64> = (0..n).map(|_| poisson(&mut r, mean) as f64).collect();
            let m = ps.iter().sum::<f64>() / n as f64;
            assert!((m - mean).abs() < 0.05 * mean.sqrt(), "{m}");
        }
    }
}
