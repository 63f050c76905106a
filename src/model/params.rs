//! Any Burn module's float parameters as one flat f32 list, in the module's own visiting
//! order — the layout of the model file for networks built from Burn's layers — and a seeded
//! initialisation that does not depend on the backend's random generator.

use crate::error::{Error, Result};
use crate::random::{uniform, Rng};
use burn::module::{ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;

/// All float parameters of `module`, flattened and concatenated (read with `read_f32`).
pub fn to_flat<M: Module>(module: &M) -> Tensor<1> {
    struct Collect(Vec<Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.val().flatten::<1>(0, D - 1));
        }
    }
    let mut c = Collect(Vec::new());
    module.visit(&mut c);
    Tensor::cat(c.0, 0)
}

/// [`to_flat`] read at once, for a module on the CPU device (the fast path's weights).
pub fn to_flat_cpu<M: Module>(module: &M) -> Vec<f32> {
    to_flat(module)
        .into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .expect("the CPU device's tensors hold f32")
}

/// Replaces every float parameter of `module` by the next values of `flat`, in the order of
/// [`to_flat`]; refuses a list of the wrong length.
pub fn from_flat<M: Module>(module: M, flat: &[f32], device: &Device) -> Result<M> {
    struct Fill<'a> {
        flat: &'a [f32],
        at: usize,
        short: bool,
        device: Device,
    }
    impl ModuleMapper for Fill<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let shape = param.shape();
            let n = shape.num_elements();
            if self.at + n > self.flat.len() {
                self.short = true;
                return param;
            }
            let values = self.flat[self.at..self.at + n].to_vec();
            self.at += n;
            Param::from_tensor(Tensor::from_data(
                TensorData::new(values, shape),
                &self.device,
            ))
        }
    }
    let mut fill = Fill {
        flat,
        at: 0,
        short: false,
        device: device.clone(),
    };
    let module = module.map(&mut fill);
    if fill.short || fill.at != flat.len() {
        return Err(Error::invalid(
            "network weights",
            format!(
                "{} values for a network of {} parameters",
                flat.len(),
                module.num_params()
            ),
        ));
    }
    Ok(module)
}

/// PyTorch's default initialisation (the papers' models were written in PyTorch), drawn from
/// our seeded stream so the first weights are the same on every backend: weights uniform in
/// ±1/√fan_in, biases zero. fan_in is dim 0 of a Burn linear weight [d_in, d_out] and
/// dims 1·2·3 of a convolution kernel (PyTorch's rule for both Conv2d and ConvTranspose2d).
pub fn seeded_init<M: Module>(module: M, rng: &mut Rng, device: &Device) -> M {
    struct Init<'a> {
        rng: &'a mut Rng,
        device: Device,
    }
    impl ModuleMapper for Init<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let shape = param.shape();
            let dims = shape.dims::<D>();
            let n = shape.num_elements();
            let values: Vec<f32> = match D {
                1 => vec![0.0; n],
                2 => uniform_values(self.rng, n, dims[0]),
                _ => uniform_values(self.rng, n, dims[1..].iter().product()),
            };
            Param::from_tensor(Tensor::from_data(
                TensorData::new(values, shape),
                &self.device,
            ))
        }
    }
    module.map(&mut Init {
        rng,
        device: device.clone(),
    })
}

fn uniform_values(rng: &mut Rng, n: usize, fan_in: usize) -> Vec<f32> {
    let bound = 1.0 / (fan_in.max(1) as f64).sqrt();
    (0..n)
        .map(|_| ((2.0 * uniform(rng) - 1.0) * bound) as f32)
        .collect()
}
