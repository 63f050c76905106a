//! The smearing network of Chen et al. (seed 000, section 3): two regressors of the generator-
//! level features x_G, one for the mean μ and one for the +1σ quantile q of each reco-level
//! feature; reco-level events are drawn as x = μ + |q − μ|·ε, ε ~ N(0, 1) (seed 000, eq. 1 and
//! fig. 2).

use crate::model::{FlowNet, FlowSpec, Mlp, MlpConfig};
use crate::random::Rng;
use burn::prelude::*;
use burn::tensor::activation::relu;
use serde::{Deserialize, Serialize};

/// Seed 000, section 3: six-layer dense networks, k → 100 → 100 → 100 → 100 → k,
/// LeakyReLU with α = 0.05, linear output; pinball quantile γ = 0.841.
///
/// Plain serde rather than Burn's `Config` derive: a model file's header holds this, and Burn's
/// derive writes every field, so an absent flow would add `"flow": null` to every Gaussian
/// model's file and change its bytes (and the SHA-256 `scripts/retrain-models` checks).
/// Fields in the order Burn's derive wrote them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmearingConfig {
    /// Number of generator-level inputs.
    pub n_inputs: usize,
    /// Number of reco-level outputs.
    pub n_outputs: usize,
    pub hidden_width: usize,
    pub hidden_layers: usize,
    pub leaky_slope: f64,
    /// The quantile the second network learns: 0.841 = Φ(1), the +1σ point of a Gaussian.
    pub gamma: f64,
    /// A conditional flow instead of the paper's Gaussian (issue 22); its conditioners have
    /// the hidden layers above. `None` (and absent from every file before it): the paper's
    /// network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<FlowSpec>,
}

/// The response model a smearing file holds: seed 000's Gaussian pair, or a conditional flow.
/// Both map standardised gen features and standard normals to standardised targets, so
/// sampling, evaluation, links and the page treat them alike.
#[derive(Module, Debug)]
pub enum ResponseNet {
    Gaussian(SmearingNet),
    Flow(FlowNet),
}

impl ResponseNet {
    /// The training loss per event: eq. (2)–(3) of seed 000 for the Gaussian, −ln p for the
    /// flow.
    pub fn loss(&self, x_gen: Tensor<2>, y: Tensor<2>, gamma: f64) -> Tensor<1> {
        match self {
            Self::Gaussian(n) => n.loss(x_gen, y, gamma),
            Self::Flow(f) => f.loss(x_gen, y),
        }
    }

    /// Standardised targets for standard-normal noise `eps`.
    pub fn sample(&self, x_gen: Tensor<2>, eps: Tensor<2>) -> Tensor<2> {
        match self {
            Self::Gaussian(n) => n.sample(x_gen, eps),
            Self::Flow(f) => f.sample(x_gen, eps),
        }
    }

    /// The weights, flat, in the model file's order.
    pub fn to_flat(&self) -> Tensor<1> {
        match self {
            Self::Gaussian(n) => n.to_flat(),
            Self::Flow(f) => f.to_flat(),
        }
    }
}

/// The pinball (quantile) loss per element, seed 000 eq. (3): γ·(x − q) above the quantile,
/// (1 − γ)·(q − x) below it; its expectation over x is smallest at q = the γ-quantile of x.
pub fn pinball<const D: usize>(q: Tensor<D>, x: Tensor<D>, gamma: f64) -> Tensor<D> {
    let r = x - q;
    relu(r.clone()).mul_scalar(gamma) + relu(r.neg()).mul_scalar(1.0 - gamma)
}

#[derive(Module, Debug)]
pub struct SmearingNet {
    pub mean: Mlp,
    pub quantile: Mlp,
}

impl SmearingConfig {
    /// Seed 000's network for `n_inputs` gen and `n_outputs` reco features: 4 × 100,
    /// LeakyReLU 0.05, γ = 0.841.
    pub fn new(n_inputs: usize, n_outputs: usize) -> Self {
        Self {
            n_inputs,
            n_outputs,
            hidden_width: 100,
            hidden_layers: 4,
            leaky_slope: 0.05,
            gamma: 0.841,
            flow: None,
        }
    }

    pub fn with_hidden_width(self, hidden_width: usize) -> Self {
        Self {
            hidden_width,
            ..self
        }
    }

    pub fn with_hidden_layers(self, hidden_layers: usize) -> Self {
        Self {
            hidden_layers,
            ..self
        }
    }

    pub fn with_flow(self, flow: Option<FlowSpec>) -> Self {
        Self { flow, ..self }
    }

    pub fn mlp(&self) -> MlpConfig {
        MlpConfig::new(
            self.n_inputs,
            self.n_outputs,
            vec![self.hidden_width; self.hidden_layers],
            self.leaky_slope,
        )
    }

    /// The flow's conditioner network (flow models only).
    pub fn conditioner(&self, spec: &FlowSpec) -> MlpConfig {
        spec.conditioner(
            self.n_outputs,
            self.n_inputs,
            &vec![self.hidden_width; self.hidden_layers],
            self.leaky_slope,
        )
    }

    /// Parameters of the response model [`SmearingConfig::response`] builds.
    pub fn n_response_params(&self) -> usize {
        match &self.flow {
            Some(spec) => spec.layers * self.conditioner(spec).n_params(),
            None => self.n_params(),
        }
    }

    /// Seeded initial weights of the response model, flat.
    pub fn init_response_flat(&self, rng: &mut Rng) -> Vec<f32> {
        match &self.flow {
            Some(spec) => spec.init_flat(&self.conditioner(spec), rng),
            None => self.init_flat(rng),
        }
    }

    /// The response model (Gaussian pair or flow) with the weights `flat`.
    pub fn response(&self, flat: &[f32], device: &Device) -> ResponseNet {
        match &self.flow {
            Some(spec) => ResponseNet::Flow(FlowNet::from_flat(
                spec,
                &self.conditioner(spec),
                self.n_outputs,
                flat,
                device,
            )),
            None => ResponseNet::Gaussian(self.from_flat(flat, device)),
        }
    }

    pub fn init(&self, rng: &mut Rng, device: &Device) -> SmearingNet {
        let mlp = self.mlp();
        SmearingNet {
            mean: mlp.init(rng, device),
            quantile: mlp.init(rng, device),
        }
    }

    /// The initial weights of [`SmearingConfig::init`], flat (mean network first).
    pub fn init_flat(&self, rng: &mut Rng) -> Vec<f32> {
        let mlp = self.mlp();
        let mut flat = mlp.init_flat(rng);
        flat.extend(mlp.init_flat(rng));
        flat
    }

    /// Parameters of both networks (mean first), as [`SmearingNet::to_flat`] lays them out.
    pub fn n_params(&self) -> usize {
        2 * self.mlp().n_params()
    }

    pub fn from_flat(&self, flat: &[f32], device: &Device) -> SmearingNet {
        let half = self.mlp().n_params();
        SmearingNet {
            mean: self.mlp().from_flat(&flat[..half], device),
            quantile: self.mlp().from_flat(&flat[half..], device),
        }
    }
}

impl SmearingNet {
    /// (μ, q) for a batch of standardised generator-level rows.
    pub fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        (self.mean.forward(x.clone()), self.quantile.forward(x))
    }

    /// Seed 000, eq. (2)–(3): per event, Σ_features |μ − x_R| + Θ(q, x_R)|q − x_R| with
    /// Θ(q, x) = (1 − γ)θ(q − x) + γθ(x − q), averaged over the batch. Written as
    /// γ·relu(x − q) + (1 − γ)·relu(q − x), its minimiser in q is the γ-quantile.
    pub fn loss(&self, x_gen: Tensor<2>, x_reco: Tensor<2>, gamma: f64) -> Tensor<1> {
        let (mu, q) = self.forward(x_gen);
        let n = x_reco.dims()[0] as f64;
        let l1 = (mu - x_reco.clone()).abs();
        (l1 + pinball(q, x_reco, gamma)).sum().div_scalar(n)
    }

    /// Seed 000, eq. (1): x = μ + |q − μ|·ε for standard-normal noise `eps` of the same shape.
    pub fn sample(&self, x_gen: Tensor<2>, eps: Tensor<2>) -> Tensor<2> {
        let (mu, q) = self.forward(x_gen);
        let sigma = (q - mu.clone()).abs();
        mu + sigma * eps
    }

    /// Both networks' parameters, mean first, as one flat tensor.
    pub fn to_flat(&self) -> Tensor<1> {
        Tensor::cat(vec![self.mean.to_flat(), self.quantile.to_flat()], 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{read_f32, upload};
    use crate::random::rng;

    #[test]
    fn pinball_minimiser_is_the_841_quantile() {
        // A skewed known sample: x_i = i² for i = 1..=1000.
        let device = Device::flex();
        let xs: Vec<f32> = (1..=1000).map(|i| (i * i) as f32).collect();
        let x = Tensor::<2>::from_data(TensorData::new(xs.clone(), [1, 1000]), &device);
        let mut best = (f64::MAX, 0f32);
        for &q in &xs {
            let qt = Tensor::<2>::full([1, 1000], q, &device);
            let loss = pollster::block_on(read_f32(pinball(qt, x.clone(), 0.841).sum())).unwrap()[0]
                as f64;
            if loss < best.0 {
                best = (loss, q);
            }
        }
        // The empirical 84.1 % quantile: the ⌈0.841·1000⌉-th smallest value, 841² (or its neighbour).
        let k = (best.1.sqrt().round()) as i64;
        assert!((k - 841).abs() <= 1, "minimiser at i = {k}");
    }

    #[test]
    fn shapes_and_flat_round_trip() {
        let device = Device::flex();
        let cfg = SmearingConfig::new(9, 9);
        let net = cfg.init(&mut rng(1, 0), &device);
        // 9·100 + 100 + 3·(100·100 + 100) + 100·9 + 9 per network.
        assert_eq!(cfg.n_params(), 2 * (900 + 100 + 3 * 10_100 + 909));
        let x = upload(vec![0.5; 7 * 9], 7, 9, &device);
        let (mu, q) = net.forward(x.clone());
        assert_eq!(mu.dims(), [7, 9]);
        assert_eq!(q.dims(), [7, 9]);
        let flat = pollster::block_on(read_f32(net.to_flat())).unwrap();
        assert_eq!(flat.len(), cfg.n_params());
        let again = cfg.from_flat(&flat, &device);
        let a = pollster::block_on(read_f32(net.forward(x.clone()).0)).unwrap();
        let b = pollster::block_on(read_f32(again.forward(x).0)).unwrap();
        assert_eq!(a, b);
    }
}
