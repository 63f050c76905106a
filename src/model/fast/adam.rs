//! Adam in one pass over each parameter vector, the same arithmetic as burn-optim 0.22's
//! `AdaptiveMomentum` (Kingma & Ba, arXiv:1412.6980, algorithm 1, with burn's ordering):
//! m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², and
//! θ ← θ − lr · (m·√(1 − β₂ᵗ)/(1 − β₁ᵗ)) / (√v + ε·√(1 − β₂ᵗ)).
//! Burn's defaults: β₁ = 0.9, β₂ = 0.999, ε = 1e-5.

#[derive(Debug, Clone)]
pub struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
    time: i32,
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
}

impl Adam {
    /// Burn's `AdamConfig::new()` for `n` parameters.
    pub fn new(n: usize) -> Self {
        Self {
            m: vec![0.0; n],
            v: vec![0.0; n],
            time: 0,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-5,
        }
    }

    /// With β₁ = `beta_1` (the GANs of seed 002 train at 0.5).
    pub fn with_beta_1(mut self, beta_1: f32) -> Self {
        self.beta_1 = beta_1;
        self
    }

    /// One step on `params` with gradients `grads` at learning rate `lr`.
    pub fn step(&mut self, params: &mut [f32], grads: &[f32], lr: f64) {
        assert_eq!(params.len(), self.m.len(), "Adam: parameter count");
        assert_eq!(grads.len(), self.m.len(), "Adam: gradient count");
        self.time += 1;
        let (b1, b2) = (self.beta_1, self.beta_2);
        let (f1, f2) = (1.0 - b1, 1.0 - b2);
        let bc2_sqrt = (1.0 - b2.powi(self.time)).sqrt();
        let combined = bc2_sqrt / (1.0 - b1.powi(self.time));
        let eps = self.epsilon * bc2_sqrt;
        let lr = lr as f32;
        let first = self.time == 1;
        for (((p, &g), m), v) in params
            .iter_mut()
            .zip(grads)
            .zip(&mut self.m)
            .zip(&mut self.v)
        {
            // Burn's first step starts the moments at (1 − β)·g rather than adding to zero.
            *m = if first { g * f1 } else { *m * b1 + g * f1 };
            *v = if first {
                g * g * f2
            } else {
                *v * b2 + g * g * f2
            };
            let update = (*m * combined) / (v.sqrt() + eps);
            *p -= update * lr;
        }
    }
}
