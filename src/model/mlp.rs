//! A dense network d_in → hidden … → d_out with LeakyReLU between layers and a linear output.

use crate::random::{uniform, Rng};
use burn::module::Param;
use burn::nn::{LeakyRelu, LeakyReluConfig, Linear};
use burn::prelude::*;

#[derive(Config, Debug)]
pub struct MlpConfig {
    pub d_input: usize,
    pub d_output: usize,
    /// Widths of the hidden layers.
    pub hidden: Vec<usize>,
    /// LeakyReLU slope for negative inputs.
    pub negative_slope: f64,
}

#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
    activation: LeakyRelu,
}

impl MlpConfig {
    /// Layer shapes (d_in, d_out), input to output.
    pub fn shapes(&self) -> Vec<(usize, usize)> {
        let mut dims = vec![self.d_input];
        dims.extend(&self.hidden);
        dims.push(self.d_output);
        dims.windows(2).map(|w| (w[0], w[1])).collect()
    }

    /// Number of f32 parameters (weights then bias per layer).
    pub fn n_params(&self) -> usize {
        self.shapes().iter().map(|(i, o)| i * o + o).sum()
    }

    /// Glorot-uniform weights and zero biases — Keras's defaults, which seed 000's model used —
    /// drawn from our seeded stream, so initial weights are the same on every backend.
    pub fn init(&self, rng: &mut Rng, device: &Device) -> Mlp {
        self.from_flat(&self.init_flat(rng), device)
    }

    /// The initial weights of [`MlpConfig::init`] as a flat vector (the fast path starts
    /// from them).
    pub fn init_flat(&self, rng: &mut Rng) -> Vec<f32> {
        let mut flat = Vec::with_capacity(self.n_params());
        for (i, o) in self.shapes() {
            let limit = (6.0 / (i + o) as f64).sqrt();
            flat.extend((0..i * o).map(|_| ((2.0 * uniform(rng) - 1.0) * limit) as f32));
            flat.extend(std::iter::repeat_n(0f32, o));
        }
        flat
    }

    /// Rebuilds the network from `n_params()` values in the order of [`Mlp::to_flat`].
    pub fn from_flat(&self, flat: &[f32], device: &Device) -> Mlp {
        assert_eq!(flat.len(), self.n_params(), "parameter count");
        let mut at = 0;
        let layers = self
            .shapes()
            .into_iter()
            .map(|(i, o)| {
                let w = Tensor::<2>::from_data(
                    TensorData::new(flat[at..at + i * o].to_vec(), [i, o]),
                    device,
                );
                at += i * o;
                let b =
                    Tensor::<1>::from_data(TensorData::new(flat[at..at + o].to_vec(), [o]), device);
                at += o;
                Linear {
                    weight: Param::from_tensor(w),
                    bias: Some(Param::from_tensor(b)),
                }
            })
            .collect();
        Mlp {
            layers,
            activation: LeakyReluConfig::new()
                .with_negative_slope(self.negative_slope)
                .init(),
        }
    }
}

impl Mlp {
    pub fn forward(&self, mut x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i < last {
                x = self.activation.forward(x);
            }
        }
        x
    }

    /// The scalar output φ [n, 1] of a one-output network and its gradient ∇ₓφ [n, d_in]
    /// with respect to the input, by the chain rule written out as tensor operations:
    /// g ← (g ⊙ σ′(z)) Wᵀ from the output layer down. LeakyReLU's σ′ is piecewise constant,
    /// so the gradient stays differentiable in the weights: a loss on |∇ₓφ|² (the
    /// regulariser of seed 002, eq. 3) trains through it without second-order autodiff.
    pub fn forward_with_input_grad(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let slope = self.negative_slope();
        let mut pre = Vec::with_capacity(self.layers.len());
        let mut a = x;
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            let z = layer.forward(a);
            if i < last {
                a = self.activation.forward(z.clone());
                pre.push(z);
            } else {
                a = z;
            }
        }
        let n = a.dims()[0];
        let w_out = self.layers[last].weight.val(); // [h, 1]
        let h = w_out.dims()[0];
        let mut g = w_out.reshape([1, h]).expand([n, h]);
        for (layer, z) in self.layers[..last].iter().zip(pre).rev() {
            let d = z
                .greater_elem(0.0)
                .float()
                .mul_scalar(1.0 - slope)
                .add_scalar(slope);
            g = (g * d).matmul(layer.weight.val().transpose());
        }
        (a, g)
    }

    /// The first layer's weight matrix (tests of gradients reach it).
    #[cfg(test)]
    pub(crate) fn first_weight(&self) -> Tensor<2> {
        self.layers[0].weight.val()
    }

    /// Every parameter's gradient in the layout of [`Mlp::to_flat`] (tests compare the fast
    /// path's backward pass with autodiff through it).
    #[cfg(test)]
    pub(crate) fn grad_flat(&self, grads: &burn::tensor::Gradients) -> Vec<f32> {
        let read = |t: Tensor<2>| pollster::block_on(super::read_f32(t)).expect("read");
        let mut out = Vec::new();
        for l in &self.layers {
            let b = l.bias.as_ref().expect("layers carry a bias").val();
            out.extend(read(l.weight.val().grad(grads).expect("weight grad")));
            out.extend(read(b.grad(grads).expect("bias grad").unsqueeze::<2>()));
        }
        out
    }

    fn negative_slope(&self) -> f64 {
        self.activation.negative_slope
    }

    /// All weights and biases, layer by layer, as one flat tensor (read it with `read_f32`).
    pub fn to_flat(&self) -> Tensor<1> {
        let parts: Vec<Tensor<1>> = self
            .layers
            .iter()
            .flat_map(|l| {
                let w = l.weight.val().flatten::<1>(0, 1);
                let b = l.bias.as_ref().expect("layers carry a bias").val();
                [w, b]
            })
            .collect();
        Tensor::cat(parts, 0)
    }
}
