//! The element-wise functions of the fast path's networks, written once: LeakyReLU and its
//! derivative, the logistic sigmoid and its logarithm.

/// LeakyReLU in place.
pub fn leaky(z: &mut [f32], slope: f32) {
    // A select, not a branch: the signs are random, and this vectorises.
    z.iter_mut()
        .for_each(|v| *v *= if *v < 0.0 { slope } else { 1.0 });
}

/// δ ⊙ σ′ in place, σ′ read from the activation's output `a` (same sign as its input): 1
/// where it is positive, the slope elsewhere.
pub fn leaky_back(delta: &mut [f32], a: &[f32], slope: f32) {
    delta
        .iter_mut()
        .zip(a)
        .for_each(|(d, a)| *d *= if *a <= 0.0 { slope } else { 1.0 });
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// ln σ(x) = −log(1 + e^(−x)), computed without overflow.
pub fn log_sigmoid(x: f32) -> f32 {
    x.min(0.0) - (-x.abs()).exp().ln_1p()
}
