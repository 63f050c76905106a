//! A trained smearing network with everything needed to apply it: configuration, column names,
//! standardisation, training summary — and sampling reco-level events from gen-level ones.

use super::{read_f32, upload, SmearingConfig, SmearingNet};
use crate::data::{Standardizer, Table, Transform};
use crate::error::{Error, Result};
use crate::random::{normal, rng};
use crate::train::{EpochReport, TrainConfig};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// What the network's outputs stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The detector's shift, x_R − x_G, per paired column (standardised). The same conditional
    /// Gaussian as the paper's, reparametrised: the network learns the offset from identity,
    /// so per-cent resolutions are not lost in the precision of a regression of x_R itself.
    /// Needs the gen and reco columns paired one to one.
    #[default]
    Residual,
    /// x_R itself, as in seed 000.
    Direct,
}

/// What a smearing model file says about its network besides the weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmearingMeta {
    pub config: SmearingConfig,
    pub gen_cols: Vec<String>,
    pub reco_cols: Vec<String>,
    #[serde(default)]
    pub target: Target,
    /// Per gen/reco pair, applied before standardisation and undone after sampling.
    #[serde(default)]
    pub transforms: Vec<Transform>,
    pub x_norm: Standardizer,
    pub y_norm: Standardizer,
    pub train: TrainConfig,
    pub history: Vec<EpochReport>,
    pub best_epoch: usize,
    /// Events in the training table (train + validation).
    pub events: usize,
    /// Where those events came from (a recipe, or a file's name and hash).
    #[serde(default)]
    pub origin: Option<crate::recipe::DataOrigin>,
    /// Quantile-JS (16 quantiles) of the model against the detector per reco column, on
    /// independent test events, measured when the file was written.
    #[serde(default)]
    pub quality: Vec<(String, f64)>,
}

/// Rows per forward pass when sampling: large batches amortise per-call overhead.
const SAMPLE_CHUNK: usize = 65_536;

pub struct TrainedSmearing {
    pub meta: SmearingMeta,
    net: SmearingNet,
    device: Device,
}

impl TrainedSmearing {
    pub fn new(meta: SmearingMeta, net: SmearingNet, device: Device) -> Self {
        Self { meta, net, device }
    }

    pub fn net(&self) -> &SmearingNet {
        &self.net
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The same weights on another device.
    pub fn to_device(&self, device: &Device) -> Self {
        Self {
            meta: self.meta.clone(),
            net: self.net.clone().to_device(device),
            device: device.clone(),
        }
    }

    /// Reco-level events for the gen-level columns of `input` (seed 000, eq. 1), with noise
    /// from the seeded stream `seed` so the same seed gives the same sample on every backend
    /// up to float rounding. The result holds the input's other columns untouched and the
    /// predictions under the model's reco column names (replacing any of that name).
    pub async fn sample(&self, input: &Table, seed: u64) -> Result<Table> {
        self.sample_chunked(input, seed, SAMPLE_CHUNK, |_| std::future::ready(true))
            .await
    }

    /// As [`TrainedSmearing::sample`], `chunk` rows per forward pass, awaiting `between(progress)`
    /// after each (the page yields to the browser there); it returns `false` to cancel. The
    /// noise stream runs on across chunks, so the result does not depend on `chunk`.
    pub async fn sample_chunked<F, Fut>(
        &self,
        input: &Table,
        seed: u64,
        chunk: usize,
        mut between: F,
    ) -> Result<Table>
    where
        F: FnMut(f64) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let m = &self.meta;
        input.ensure_finite(&m.gen_cols)?;
        let mut t = input.select(&m.gen_cols)?;
        crate::train::apply_transforms(&mut t, &m.gen_cols, &m.transforms)?;
        let gen = t.row_major(&m.gen_cols)?;
        let mut x = gen.clone();
        m.x_norm.apply(&mut x);
        let (k_in, k_out) = (m.gen_cols.len(), m.reco_cols.len());
        let n = input.n_rows();
        let mut noise = rng(seed, 11);
        let mut y = Vec::with_capacity(n * k_out);
        for part in x.chunks(chunk.max(1) * k_in) {
            let rows = part.len() / k_in;
            let eps: Vec<f32> = (0..rows * k_out)
                .map(|_| normal(&mut noise) as f32)
                .collect();
            let xt = upload(part.to_vec(), rows, k_in, &self.device);
            let et = upload(eps, rows, k_out, &self.device);
            y.extend(read_f32(self.net.sample(xt, et)).await?);
            if !between(y.len() as f64 / (n * k_out).max(1) as f64).await {
                return Err(Error::Cancelled);
            }
        }
        m.y_norm.invert(&mut y);
        if m.target == Target::Residual {
            y.iter_mut().zip(&gen).for_each(|(y, g)| *y += g);
        }
        let mut out = input.clone();
        for (j, name) in m.reco_cols.iter().enumerate() {
            let mut col: Vec<f32> = y.iter().skip(j).step_by(k_out).copied().collect();
            if let Some(tr) = m.transforms.get(j) {
                tr.invert(&mut col);
            }
            out.set_column(name, col)?;
        }
        Ok(out)
    }
}
