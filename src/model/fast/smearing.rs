//! The smearing pair of seed 000 on the fast path: training steps (loss, backward and Adam
//! for both networks, which train in parallel since the loss is a sum of a term of μ and a
//! term of q) and blocked, multi-threaded sampling with the same noise as the Burn path.

use super::{parallel, Adam, FusedMlp, Workspace};
use crate::model::SmearingConfig;
use crate::random::{normal, rng, stream};

/// One network of the pair with its optimiser state and buffers.
#[derive(Debug, Clone)]
struct Member {
    params: Vec<f32>,
    adam: Adam,
    ws: Workspace,
    grads: Vec<f32>,
}

/// Both networks of a smearing model, training on the CPU without autodiff.
#[derive(Debug, Clone)]
pub struct FusedSmearing {
    mlp: FusedMlp,
    gamma: f32,
    mean: Member,
    quantile: Member,
}

/// Which term of seed 000's loss, eq. (2)–(3), a network's output enters.
#[derive(Clone, Copy)]
enum Term {
    /// |μ − x_R|: the mean (median) regressor.
    Absolute,
    /// Pinball loss at γ: the quantile regressor.
    Pinball(f32),
}

impl Term {
    /// Sum over the batch of the loss alone.
    fn loss(self, out: &[f32], y: &[f32]) -> f64 {
        out.iter()
            .zip(y)
            .map(|(o, t)| {
                let r = t - o;
                match self {
                    Term::Absolute => r.abs() as f64,
                    Term::Pinball(gamma) if r > 0.0 => (gamma * r) as f64,
                    Term::Pinball(gamma) => ((1.0 - gamma) * -r) as f64,
                }
            })
            .sum()
    }

    /// Sum over the batch of the loss, with dL/d(output) of the batch mean written to `grad`.
    /// The subgradients at a kink are 0, as Burn's `abs` and `relu` take them.
    fn loss_and_grad(self, out: &[f32], y: &[f32], grad: &mut [f32], rows: usize) -> f64 {
        let inv_n = 1.0 / rows as f32;
        let mut sum = 0.0f64;
        for ((o, t), g) in out.iter().zip(y).zip(grad.iter_mut()) {
            let r = t - o;
            match self {
                Term::Absolute => {
                    sum += r.abs() as f64;
                    *g = if r > 0.0 {
                        -inv_n
                    } else if r < 0.0 {
                        inv_n
                    } else {
                        0.0
                    };
                }
                Term::Pinball(gamma) => {
                    if r > 0.0 {
                        sum += (gamma * r) as f64;
                        *g = -gamma * inv_n;
                    } else if r < 0.0 {
                        sum += ((1.0 - gamma) * -r) as f64;
                        *g = (1.0 - gamma) * inv_n;
                    } else {
                        *g = 0.0;
                    }
                }
            }
        }
        sum
    }
}

impl Member {
    fn new(params: &[f32]) -> Self {
        Self {
            params: params.to_vec(),
            adam: Adam::new(params.len()),
            ws: Workspace::default(),
            grads: vec![0.0; params.len()],
        }
    }

    /// Forward, loss and backward into `self.grads`; the batch's summed loss.
    fn gradients(&mut self, mlp: &FusedMlp, term: Term, x: &[f32], y: &[f32], rows: usize) -> f64 {
        mlp.forward(&self.params, x, rows, &mut self.ws);
        let (out, grad) = mlp.out_and_grad(&mut self.ws);
        let loss = term.loss_and_grad(out, y, grad, rows);
        mlp.backward(&self.params, &mut self.ws, &mut self.grads);
        loss
    }

    /// [`Member::gradients`] and one Adam step.
    fn step(
        &mut self,
        mlp: &FusedMlp,
        term: Term,
        x: &[f32],
        y: &[f32],
        rows: usize,
        lr: f64,
    ) -> f64 {
        let loss = self.gradients(mlp, term, x, y, rows);
        self.adam.step(&mut self.params, &self.grads, lr);
        loss
    }
}

/// Rows per sampling block. Each block draws its noise at its own place in the seeded stream,
/// so blocks run on any thread in any order and the sample is the sequential one.
/// 1024 rows keep a block's activations (1024 × 100 floats, 400 kB) in a core's L2 cache.
pub const SAMPLE_BLOCK: usize = 1024;

/// ChaCha words one standard normal consumes: two f64 uniforms of two words each.
const WORDS_PER_NORMAL: u128 = 4;

impl FusedSmearing {
    /// The pair with the weights `flat` (mean network first, as `SmearingNet::to_flat`).
    pub fn new(cfg: &SmearingConfig, flat: &[f32]) -> Self {
        let mlp = FusedMlp::new(&cfg.mlp());
        assert_eq!(flat.len(), 2 * mlp.n_params(), "smearing parameter count");
        let (m, q) = flat.split_at(mlp.n_params());
        Self {
            gamma: cfg.gamma as f32,
            mean: Member::new(m),
            quantile: Member::new(q),
            mlp,
        }
    }

    /// One Adam step of both networks on a batch (`x` rows × k_in, `y` rows × k_out,
    /// standardised); the batch's mean loss, seed 000 eq. (2)–(3).
    pub fn step(&mut self, x: &[f32], y: &[f32], rows: usize, lr: f64) -> f64 {
        let mlp = &self.mlp;
        let gamma = self.gamma;
        let (mean, quantile) = (&mut self.mean, &mut self.quantile);
        let (a, b) = parallel::join(
            || mean.step(mlp, Term::Absolute, x, y, rows, lr),
            || quantile.step(mlp, Term::Pinball(gamma), x, y, rows, lr),
        );
        (a + b) / rows as f64
    }

    /// The batch's mean loss and the gradient of every weight (flat, mean network first),
    /// without a step: what tests compare with autodiff.
    pub fn loss_and_gradients(&mut self, x: &[f32], y: &[f32], rows: usize) -> (f64, Vec<f32>) {
        let a = self.mean.gradients(&self.mlp, Term::Absolute, x, y, rows);
        let b = self
            .quantile
            .gradients(&self.mlp, Term::Pinball(self.gamma), x, y, rows);
        let grads = [self.mean.grads.as_slice(), &self.quantile.grads].concat();
        ((a + b) / rows as f64, grads)
    }

    /// The mean loss of `rows` rows with the current weights (validation), in blocks.
    pub fn loss(&mut self, x: &[f32], y: &[f32], rows: usize) -> f64 {
        let (k_in, k_out) = (x.len() / rows.max(1), y.len() / rows.max(1));
        let mlp = &self.mlp;
        let gamma = self.gamma;
        let run = |m: &mut Member, term: Term| {
            let mut sum = 0.0;
            for start in (0..rows).step_by(SAMPLE_BLOCK) {
                let n = SAMPLE_BLOCK.min(rows - start);
                let out = mlp.forward(
                    &m.params,
                    &x[start * k_in..(start + n) * k_in],
                    n,
                    &mut m.ws,
                );
                sum += term.loss(out, &y[start * k_out..(start + n) * k_out]);
            }
            sum
        };
        let (mean, quantile) = (&mut self.mean, &mut self.quantile);
        let (a, b) = parallel::join(
            || run(mean, Term::Absolute),
            || run(quantile, Term::Pinball(gamma)),
        );
        (a + b) / rows as f64
    }

    /// The weights, mean network first.
    pub fn flat(&self) -> Vec<f32> {
        [self.mean.params.as_slice(), &self.quantile.params].concat()
    }
}

/// Seed 000, eq. (1): x = μ + |q − μ|·ε for the standardised rows `x` (rows × k_in) with the
/// weights `flat`, ε drawn from stream `seed` as if the sample started at row `first_row`.
/// Blocks of [`SAMPLE_BLOCK`] rows are spread over the machine's cores.
pub fn sample(
    cfg: &SmearingConfig,
    flat: &[f32],
    x: &[f32],
    first_row: usize,
    seed: u64,
) -> Vec<f32> {
    let mlp = FusedMlp::new(&cfg.mlp());
    let (k_in, k_out) = (cfg.n_inputs, cfg.n_outputs);
    let rows = x.len() / k_in;
    let (pm, pq) = flat.split_at(mlp.n_params());
    let mut blocks: Vec<Vec<f32>> = vec![Vec::new(); rows.div_ceil(SAMPLE_BLOCK)];
    let buffers = || (Workspace::default(), Workspace::default());
    parallel::for_each(&mut blocks, buffers, |(wm, wq), b, out| {
        let start = b * SAMPLE_BLOCK;
        let n = SAMPLE_BLOCK.min(rows - start);
        let xb = &x[start * k_in..(start + n) * k_in];
        let mu = mlp.forward(pm, xb, n, wm);
        let q = mlp.forward(pq, xb, n, wq);
        let mut noise = rng(seed, stream::SMEAR_NOISE);
        noise.set_word_pos(WORDS_PER_NORMAL * ((first_row + start) * k_out) as u128);
        *out = mu
            .iter()
            .zip(q)
            .map(|(&m, &q)| m + (q - m).abs() * normal(&mut noise) as f32)
            .collect();
    });
    blocks.concat()
}
