//! The dense LeakyReLU network of [`crate::model::Mlp`], forward and backward written out on
//! row-major buffers that are allocated once per batch size: the fast CPU path for the
//! networks the page trains most. The parameters are the flat vector of `Mlp::to_flat`
//! (per layer the weight d_in × d_out row-major, then the bias), so a model file does not
//! know which path trained it.

use super::activation::{leaky, leaky_back};
use super::gemm::matmul;
use crate::model::MlpConfig;

/// Shapes and slope of a dense network; the weights live outside, in a flat slice.
#[derive(Debug, Clone)]
pub struct FusedMlp {
    shapes: Vec<(usize, usize)>,
    /// Offset of each layer's weight in the flat parameters (its bias follows it).
    offsets: Vec<usize>,
    slope: f32,
    n_params: usize,
}

/// Buffers of one network's pass over a batch: the input and hidden activations (kept for
/// the backward pass), the output, and two gradient buffers used in turn.
#[derive(Debug, Default, Clone)]
pub struct Workspace {
    rows: usize,
    acts: Vec<Vec<f32>>,
    out: Vec<f32>,
    grad: Vec<f32>,
    spare: Vec<f32>,
    /// The input-gradient chain of [`FusedMlp::input_grad`]: e_l = ∂φ/∂z_l per layer, and
    /// ∇ₓφ last.
    chain: Vec<Vec<f32>>,
    input_grad: Vec<f32>,
}

impl FusedMlp {
    pub fn new(cfg: &MlpConfig) -> Self {
        let shapes = cfg.shapes();
        let mut offsets = Vec::with_capacity(shapes.len());
        let mut at = 0;
        for &(i, o) in &shapes {
            offsets.push(at);
            at += i * o + o;
        }
        Self {
            shapes,
            offsets,
            slope: cfg.negative_slope as f32,
            n_params: at,
        }
    }

    pub fn n_params(&self) -> usize {
        self.n_params
    }

    pub fn d_out(&self) -> usize {
        self.shapes.last().map_or(0, |s| s.1)
    }

    fn weight<'p>(&self, p: &'p [f32], l: usize) -> (&'p [f32], &'p [f32]) {
        let (i, o) = self.shapes[l];
        let at = self.offsets[l];
        (&p[at..at + i * o], &p[at + i * o..at + i * o + o])
    }

    /// The output (rows × d_out) for `x` (rows × d_in, row-major), keeping what the backward
    /// pass needs in `ws`. z = a·W + b per layer, LeakyReLU between layers, linear output.
    pub fn forward<'w>(
        &self,
        p: &[f32],
        x: &[f32],
        rows: usize,
        ws: &'w mut Workspace,
    ) -> &'w [f32] {
        let n_layers = self.shapes.len();
        ws.rows = rows;
        ws.acts.resize_with(n_layers, Vec::new);
        ws.acts[0].clear();
        ws.acts[0].extend_from_slice(&x[..rows * self.shapes[0].0]);
        for l in 0..n_layers {
            let (i, o) = self.shapes[l];
            let (w, b) = self.weight(p, l);
            let (done, rest) = ws.acts.split_at_mut(l + 1);
            let z = if l + 1 < n_layers {
                &mut rest[0]
            } else {
                &mut ws.out
            };
            z.clear();
            for _ in 0..rows {
                z.extend_from_slice(b);
            }
            matmul(z, &done[l], w, (rows, i, o), false, false, true);
            if l + 1 < n_layers {
                leaky(z, self.slope);
            }
        }
        &ws.out
    }

    /// The output gradient buffer (rows × d_out) of the last forward pass, for the loss to fill.
    pub fn out_and_grad<'w>(&self, ws: &'w mut Workspace) -> (&'w [f32], &'w mut [f32]) {
        // The gradient buffers are only needed for training: sized here, not in `forward`.
        let widest = self.shapes.iter().map(|s| s.0.max(s.1)).max().unwrap_or(0);
        ws.grad.resize(ws.rows * widest, 0.0);
        ws.spare.resize(ws.rows * widest, 0.0);
        let n = ws.rows * self.d_out();
        (&ws.out[..n], &mut ws.grad[..n])
    }

    /// Gradients of the loss with respect to every parameter, into `grads` (flat layout),
    /// from dL/d(output) placed by [`FusedMlp::out_and_grad`]. Backpropagation per layer:
    /// ∂W = aᵀ·δ, ∂b = Σ_rows δ, δ ← (δ·Wᵀ) ⊙ σ′, with σ′ = 1 where the activation is
    /// positive and the slope elsewhere.
    pub fn backward(&self, p: &[f32], ws: &mut Workspace, grads: &mut [f32]) {
        self.backprop(p, ws, Some(grads), false);
    }

    /// dL/d(input) (rows × d_in) from dL/d(output) placed by [`FusedMlp::out_and_grad`],
    /// without the weights' gradients: a generator's loss through a discriminator.
    pub fn backward_to_input<'w>(&self, p: &[f32], ws: &'w mut Workspace) -> &'w [f32] {
        self.backprop(p, ws, None, true);
        &ws.grad[..ws.rows * self.shapes[0].0]
    }

    fn backprop(&self, p: &[f32], ws: &mut Workspace, mut grads: Option<&mut [f32]>, input: bool) {
        let rows = ws.rows;
        for l in (0..self.shapes.len()).rev() {
            let (i, o) = self.shapes[l];
            let at = self.offsets[l];
            let delta = &ws.grad[..rows * o];
            let a = &ws.acts[l];
            if let Some(grads) = grads.as_deref_mut() {
                let (gw, gb) = grads[at..at + i * o + o].split_at_mut(i * o);
                matmul(gw, a, delta, (i, rows, o), true, false, false);
                gb.fill(0.0);
                for row in delta.chunks_exact(o) {
                    gb.iter_mut().zip(row).for_each(|(g, d)| *g += d);
                }
            }
            if l > 0 || input {
                let (w, _) = self.weight(p, l);
                let prev = &mut ws.spare[..rows * i];
                matmul(prev, delta, w, (rows, o, i), false, true, false);
                if l > 0 {
                    leaky_back(prev, a, self.slope);
                }
                std::mem::swap(&mut ws.grad, &mut ws.spare);
            }
        }
    }

    /// ∇ₓφ (rows × d_in) of a one-output network after [`FusedMlp::forward`], keeping the
    /// chain e_l = ∂φ/∂z_l for [`FusedMlp::input_grad_backward`]: e_last = 1, and
    /// h_l = e_l·W_lᵀ, e_(l−1) = h_l ⊙ σ′(z_(l−1)), ∇ₓφ = h_0 — the chain rule of
    /// [`crate::model::Mlp::forward_with_input_grad`], which the regulariser of seed 002,
    /// eq. (3), squares.
    pub fn input_grad<'w>(&self, p: &[f32], ws: &'w mut Workspace) -> &'w [f32] {
        assert_eq!(
            self.d_out(),
            1,
            "an input gradient needs a one-output network"
        );
        let rows = ws.rows;
        let n_layers = self.shapes.len();
        ws.chain.resize_with(n_layers, Vec::new);
        ws.chain[n_layers - 1].clear();
        ws.chain[n_layers - 1].resize(rows, 1.0);
        for l in (0..n_layers).rev() {
            let (i, o) = self.shapes[l];
            let (w, _) = self.weight(p, l);
            let (below, here) = ws.chain.split_at_mut(l);
            let h = if l > 0 {
                &mut below[l - 1]
            } else {
                &mut ws.input_grad
            };
            h.resize(rows * i, 0.0);
            matmul(h, &here[0], w, (rows, o, i), false, true, false);
            if l > 0 {
                leaky_back(h, &ws.acts[l], self.slope);
            }
        }
        &ws.input_grad[..rows * self.shapes[0].0]
    }

    /// Adds to `grads` the weights' gradient of a loss on ∇ₓφ, given ḡ = dL/d(∇ₓφ)
    /// (rows × d_in), after [`FusedMlp::input_grad`]. The chain is linear in each weight
    /// (σ′ is piecewise constant), so in reverse: ∂W_l += h̄_lᵀ·e_l, ē_l = h̄_l·W_l,
    /// h̄_(l+1) = ē_l ⊙ σ′(z_l), from h̄_0 = ḡ. Biases get nothing.
    pub fn input_grad_backward(
        &self,
        p: &[f32],
        ws: &mut Workspace,
        gbar: &[f32],
        grads: &mut [f32],
    ) {
        let rows = ws.rows;
        let n_layers = self.shapes.len();
        let widest = self.shapes.iter().map(|s| s.0.max(s.1)).max().unwrap_or(0);
        ws.spare.resize(rows * widest, 0.0);
        ws.grad.resize(rows * widest, 0.0);
        ws.grad[..gbar.len()].copy_from_slice(gbar);
        for l in 0..n_layers {
            let (i, o) = self.shapes[l];
            let at = self.offsets[l];
            let hbar = &ws.grad[..rows * i];
            matmul(
                &mut grads[at..at + i * o],
                hbar,
                &ws.chain[l],
                (i, rows, o),
                true,
                false,
                true,
            );
            if l + 1 < n_layers {
                let (w, _) = self.weight(p, l);
                let ebar = &mut ws.spare[..rows * o];
                matmul(ebar, hbar, w, (rows, i, o), false, false, false);
                leaky_back(ebar, &ws.acts[l + 1], self.slope);
                std::mem::swap(&mut ws.grad, &mut ws.spare);
            }
        }
    }
}
