//! The dense LeakyReLU network of [`crate::model::Mlp`], forward and backward written out on
//! row-major buffers that are allocated once per batch size: the fast CPU path for the
//! networks the page trains most. The parameters are the flat vector of `Mlp::to_flat`
//! (per layer the weight d_in × d_out row-major, then the bias), so a model file does not
//! know which path trained it.

use super::activation::{leaky, leaky_back};
use super::dense::Dense;
use super::gemm::matmul;
use crate::model::MlpConfig;

/// The layers and slope of a dense network; the weights live outside, in a flat slice.
#[derive(Debug, Clone)]
pub struct FusedMlp {
    layers: Vec<Dense>,
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
        let mut at = 0;
        let layers = cfg
            .shapes()
            .into_iter()
            .map(|(i, o)| {
                let d = Dense { i, o, at };
                at += d.n_params();
                d
            })
            .collect();
        Self {
            layers,
            slope: cfg.negative_slope as f32,
            n_params: at,
        }
    }

    pub fn n_params(&self) -> usize {
        self.n_params
    }

    pub fn d_out(&self) -> usize {
        self.layers.last().map_or(0, |d| d.o)
    }

    fn d_in(&self) -> usize {
        self.layers.first().map_or(0, |d| d.i)
    }

    /// The widest layer's width, inputs and outputs alike.
    fn widest(&self) -> usize {
        self.layers.iter().map(|d| d.i.max(d.o)).max().unwrap_or(0)
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
        let n_layers = self.layers.len();
        ws.rows = rows;
        ws.acts.resize_with(n_layers, Vec::new);
        ws.acts[0].clear();
        ws.acts[0].extend_from_slice(&x[..rows * self.d_in()]);
        for (l, layer) in self.layers.iter().enumerate() {
            let (done, rest) = ws.acts.split_at_mut(l + 1);
            let z = if l + 1 < n_layers {
                &mut rest[0]
            } else {
                &mut ws.out
            };
            layer.forward(p, &done[l], rows, z);
            if l + 1 < n_layers {
                leaky(z, self.slope);
            }
        }
        &ws.out
    }

    /// The output gradient buffer (rows × d_out) of the last forward pass, for the loss to fill.
    pub fn out_and_grad<'w>(&self, ws: &'w mut Workspace) -> (&'w [f32], &'w mut [f32]) {
        // The gradient buffers are only needed for training: sized here, not in `forward`.
        ws.grad.resize(ws.rows * self.widest(), 0.0);
        ws.spare.resize(ws.rows * self.widest(), 0.0);
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
        &ws.grad[..ws.rows * self.d_in()]
    }

    fn backprop(&self, p: &[f32], ws: &mut Workspace, mut grads: Option<&mut [f32]>, input: bool) {
        let rows = ws.rows;
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let delta = &ws.grad[..rows * layer.o];
            let a = &ws.acts[l];
            if let Some(grads) = grads.as_deref_mut() {
                layer.weight_grads(a, delta, rows, grads);
            }
            if l > 0 || input {
                let prev = &mut ws.spare[..rows * layer.i];
                layer.input_grad(p, delta, rows, prev, false);
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
        let n_layers = self.layers.len();
        ws.chain.resize_with(n_layers, Vec::new);
        ws.chain[n_layers - 1].clear();
        ws.chain[n_layers - 1].resize(rows, 1.0);
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let (below, here) = ws.chain.split_at_mut(l);
            let h = if l > 0 {
                &mut below[l - 1]
            } else {
                &mut ws.input_grad
            };
            h.resize(rows * layer.i, 0.0);
            layer.input_grad(p, &here[0], rows, h, false);
            if l > 0 {
                leaky_back(h, &ws.acts[l], self.slope);
            }
        }
        &ws.input_grad[..rows * self.d_in()]
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
        let n_layers = self.layers.len();
        ws.spare.resize(rows * self.widest(), 0.0);
        ws.grad.resize(rows * self.widest(), 0.0);
        ws.grad[..gbar.len()].copy_from_slice(gbar);
        for (l, layer) in self.layers.iter().enumerate() {
            let (i, o, at) = (layer.i, layer.o, layer.at);
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
                let ebar = &mut ws.spare[..rows * o];
                matmul(
                    ebar,
                    hbar,
                    layer.split(p).0,
                    (rows, i, o),
                    false,
                    false,
                    false,
                );
                leaky_back(ebar, &ws.acts[l + 1], self.slope);
                std::mem::swap(&mut ws.grad, &mut ws.spare);
            }
        }
    }
}
