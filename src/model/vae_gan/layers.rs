//! The layers the VAE-GAN needs beyond Burn's: a locally connected layer (LAGAN's, de Oliveira,
//! Paganini, Nachman, arXiv:1701.05927: a convolution whose weights differ at every output
//! position), spectral normalisation (Miyato et al., arXiv:1802.05957) of the discriminator's
//! weights, and minibatch discrimination (Salimans et al., arXiv:1606.03498, sec. 3.2).

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::module::{conv2d, unfold4d};
use burn::tensor::ops::{ConvOptions, UnfoldOptions};

/// Power iterations per spectral-norm estimate. Each forward pass starts from the same
/// fixed vector, so the estimate needs no state between steps; three iterations bring it
/// within a per cent of σ_max for these small matrices (checked in the tests).
const POWER_ITERATIONS: usize = 3;

/// Each matrix of `w` [count, rows, cols] divided by its largest singular value, estimated by
/// power iteration with the singular vectors held constant in the gradient, as Miyato et
/// al.'s algorithm 1 does (σ_max of a matrix and of its transpose are the same).
pub fn spectral_normalise(w: Tensor<3>) -> Tensor<3> {
    let [count, _, cols] = w.dims();
    let device = w.device();
    let wd = w.clone().detach();
    // A fixed start with no zero component: 1, 1.1, 1.2, … normalised.
    let start: Vec<f32> = (0..count * cols)
        .map(|i| 1.0 + 0.1 * ((i % cols) % 7) as f32)
        .collect();
    let mut v = Tensor::<3>::from_data(TensorData::new(start, [count, cols, 1]), &device);
    let unit = |t: Tensor<3>| {
        let n = t.clone().powi_scalar(2).sum_dim(1).sqrt().add_scalar(1e-12);
        t.div(n)
    };
    v = unit(v);
    let mut u = unit(wd.clone().matmul(v.clone()));
    for _ in 1..POWER_ITERATIONS {
        v = unit(wd.clone().swap_dims(1, 2).matmul(u.clone()));
        u = unit(wd.clone().matmul(v.clone()));
    }
    // uᵀ W v, [count, 1, 1], differentiable in w.
    let sigma = u.swap_dims(1, 2).matmul(w.clone()).matmul(v);
    w.div(sigma.add_scalar(1e-12))
}

/// [`spectral_normalise`] of one matrix.
pub fn spectral_normalise_2d(w: Tensor<2>) -> Tensor<2> {
    let [r, c] = w.dims();
    spectral_normalise(w.reshape([1, r, c])).reshape([r, c])
}

/// A 3 × 3 "same" convolution whose kernel may be spectrally normalised.
#[derive(Module, Debug)]
pub struct Conv3 {
    /// [out, in, 3, 3].
    pub weight: Param<Tensor<4>>,
    pub bias: Param<Tensor<1>>,
}

impl Conv3 {
    pub fn new(c_in: usize, c_out: usize, device: &Device) -> Self {
        Self {
            weight: Param::from_tensor(Tensor::zeros([c_out, c_in, 3, 3], device)),
            bias: Param::from_tensor(Tensor::zeros([c_out], device)),
        }
    }

    pub fn forward(&self, x: Tensor<4>, spectral: bool) -> Tensor<4> {
        let w = self.weight.val();
        let w = if spectral {
            let [o, i, kh, kw] = w.dims();
            spectral_normalise_2d(w.reshape([o, i * kh * kw])).reshape([o, i, kh, kw])
        } else {
            w
        };
        conv2d(
            x,
            w,
            Some(self.bias.val()),
            ConvOptions::new([1, 1], [1, 1], [1, 1], 1),
        )
    }
}

/// A locally connected 3 × 3 layer on a `side × side` image: the LAGAN's layer. Weights are
/// stored [in·9, positions·out] so the seeded initialisation's fan-in (dim 0) is in·9.
#[derive(Module, Debug)]
pub struct LocallyConnected {
    pub weight: Param<Tensor<2>>,
    /// [out·positions]: a bias per output channel and position.
    pub bias: Param<Tensor<1>>,
    /// (in channels, out channels, side).
    #[module(skip)]
    pub(crate) dims: [usize; 3],
}

impl LocallyConnected {
    pub fn new(c_in: usize, c_out: usize, side: usize, device: &Device) -> Self {
        let positions = side * side;
        Self {
            weight: Param::from_tensor(Tensor::zeros([c_in * 9, positions * c_out], device)),
            bias: Param::from_tensor(Tensor::zeros([c_out * positions], device)),
            dims: [c_in, c_out, side],
        }
    }

    /// `x` [batch, in, side, side] → [batch, out, side, side].
    pub fn forward(&self, x: Tensor<4>, spectral: bool) -> Tensor<4> {
        let [c_in, c_out, side] = self.dims;
        let positions = side * side;
        let batch = x.dims()[0];
        let k = c_in * 9;
        let w = self.weight.val();
        let w = w.reshape([k, positions, c_out]).swap_dims(0, 1); // [positions, k, out]
                                                                  // Each position's [in·9, out] map normalised on its own.
        let w = if spectral { spectral_normalise(w) } else { w };
        let patches = unfold4d(x, [3, 3], UnfoldOptions::new([1, 1], [1, 1], [1, 1])); // [b, k, positions]
        let patches = patches.permute([2, 0, 1]); // [positions, b, k]
        let out = patches.matmul(w); // [positions, b, out]
        let out = out.permute([1, 2, 0]); // [b, out, positions]
        let bias = self.bias.val().reshape([1, c_out, positions]);
        (out + bias).reshape([batch, c_out, side, side])
    }
}

/// A dense layer whose weight may be spectrally normalised; weight [in, out] as Burn's.
#[derive(Module, Debug)]
pub struct Dense {
    pub weight: Param<Tensor<2>>,
    pub bias: Param<Tensor<1>>,
}

impl Dense {
    pub fn new(d_in: usize, d_out: usize, device: &Device) -> Self {
        Self {
            weight: Param::from_tensor(Tensor::zeros([d_in, d_out], device)),
            bias: Param::from_tensor(Tensor::zeros([d_out], device)),
        }
    }

    pub fn forward(&self, x: Tensor<2>, spectral: bool) -> Tensor<2> {
        let w = self.weight.val();
        let w = if spectral {
            spectral_normalise_2d(w)
        } else {
            w
        };
        let d_out = w.dims()[1];
        x.matmul(w) + self.bias.val().reshape([1, d_out])
    }
}

/// Minibatch discrimination: features f [batch, in] → M = f T, [batch, kernels, dims]; for
/// each event and kernel, o_b(i) = Σ_{j≠i} exp(−‖M_i,b − M_j,b‖₁). The discriminator sees
/// how close an event lies to the rest of its batch, which penalises a generator that
/// collapses onto a few showers.
#[derive(Module, Debug)]
pub struct MinibatchDiscrimination {
    /// [in, kernels·dims].
    pub t: Param<Tensor<2>>,
    #[module(skip)]
    kernels: usize,
    #[module(skip)]
    dims: usize,
}

impl MinibatchDiscrimination {
    pub fn new(d_in: usize, kernels: usize, dims: usize, device: &Device) -> Self {
        Self {
            t: Param::from_tensor(Tensor::zeros([d_in, kernels * dims], device)),
            kernels,
            dims,
        }
    }

    /// `f` [batch, in] → [batch, kernels].
    pub fn forward(&self, f: Tensor<2>) -> Tensor<2> {
        let batch = f.dims()[0];
        let m = f
            .matmul(self.t.val())
            .reshape([batch, self.kernels, self.dims]);
        let a: Tensor<4> = m.clone().unsqueeze_dim(1); // [b, 1, k, d]
        let b: Tensor<4> = m.unsqueeze_dim(0); // [1, b, k, d]
        let l1 = (a - b).abs().sum_dim(3); // [b, b, k, 1]
        let c = l1.neg().exp().sum_dim(1); // [b, 1, k, 1]
                                           // Minus the event's own term, exp(0) = 1; divided by the other events' number, so the
                                           // feature is a mean closeness in [0, 1] whatever the batch size (the sum grew with
                                           // the batch and swamped the spectrally normalised last layer's other inputs).
        c.reshape([batch, self.kernels])
            .sub_scalar(1.0)
            .div_scalar((batch.max(2) - 1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spectral_norm_has_unit_top_singular_value() {
        let device = Device::flex();
        // diag(3, 1) rotated: σ_max = 3.
        let w = Tensor::<2>::from_data(
            TensorData::new(vec![3.0f32, 0.0, 0.0, 0.0, 1.0, 0.0], [2, 3]),
            &device,
        );
        let n = spectral_normalise_2d(w);
        let v = n.into_data().try_to_vec::<f32>().unwrap();
        assert!(
            (v[0] - 1.0).abs() < 0.01 && (v[4] - 1.0 / 3.0).abs() < 0.01,
            "{v:?}"
        );
    }

    #[test]
    fn locally_connected_differs_by_position_and_matches_a_convolution_when_shared() {
        let device = Device::flex();
        let lc = LocallyConnected::new(1, 1, 4, &device);
        // Every position's kernel: only the centre tap, weight = the position's index.
        let mut w = vec![0f32; 9 * 16];
        for p in 0..16 {
            w[4 * 16 + p] = p as f32;
        }
        let lc = LocallyConnected {
            weight: Param::from_tensor(Tensor::from_data(TensorData::new(w, [9, 16]), &device)),
            ..lc
        };
        let x = Tensor::<4>::ones([2, 1, 4, 4], &device);
        let y = lc
            .forward(x, false)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert_eq!(&y[..16], &(0..16).map(|p| p as f32).collect::<Vec<_>>()[..]);
    }

    #[test]
    fn minibatch_features_see_the_other_events() {
        let device = Device::flex();
        let mut mb = MinibatchDiscrimination::new(1, 1, 1, &device);
        mb.t = Param::from_tensor(Tensor::ones([1, 1], &device));
        let f = Tensor::<2>::from_data(TensorData::new(vec![0.0f32, 0.0, 5.0], [3, 1]), &device);
        let o = mb.forward(f).into_data().try_to_vec::<f32>().unwrap();
        // Two equal events see each other fully (1) and the far one barely (e^−5); each
        // feature is the mean over the two other events.
        let far = (-5f32).exp();
        assert!(
            (o[0] - (1.0 + far) / 2.0).abs() < 1e-5 && (o[2] - far).abs() < 1e-5,
            "{o:?}"
        );
    }
}
