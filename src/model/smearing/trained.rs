//! A trained smearing network with everything needed to apply it: configuration, column names,
//! standardisation, training summary — and sampling reco-level events from gen-level ones.

use super::{ResponseNet, SmearingConfig};
use crate::data::{Standardizer, Table, Transform};
use crate::error::{Error, Result};
use crate::model::{fast, read_f32, upload};
use crate::model::{EpochReport, TrainConfig};
use crate::random::{normal, rng, stream, Rng};
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
    net: ResponseNet,
    device: Device,
    /// The weights, flat, when a Gaussian model lives on the CPU device: sampling then takes
    /// the fast path (`model::fast`).
    flat: Option<Vec<f32>>,
}

impl TrainedSmearing {
    /// A model sampled through Burn on `device`.
    pub fn new(meta: SmearingMeta, net: ResponseNet, device: Device) -> Self {
        Self {
            meta,
            net,
            device,
            flat: None,
        }
    }

    /// The model with the weights `flat` (the Gaussian's mean network first, or the flow's
    /// conditioners) on `device`; a Gaussian model on the CPU device samples on the fast path.
    pub fn from_flat(meta: SmearingMeta, flat: Vec<f32>, device: &Device) -> Self {
        let net = meta.config.response(&flat, device);
        let flat = (crate::backend::is_cpu(device) && meta.config.flow.is_none()).then_some(flat);
        Self {
            meta,
            net,
            device: device.clone(),
            flat,
        }
    }

    /// True when sampling takes the fast CPU path.
    pub fn is_fast(&self) -> bool {
        self.flat.is_some()
    }

    pub fn net(&self) -> &ResponseNet {
        &self.net
    }

    /// True for a conditional flow, false for seed 000's Gaussian network.
    pub fn is_flow(&self) -> bool {
        self.meta.config.flow.is_some()
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The weights, flat (the Gaussian's mean network first; per layer W, d_in × d_out
    /// row-major, then b): what the model file and the ONNX export write.
    pub async fn weights(&self) -> Result<Vec<f32>> {
        match &self.flat {
            Some(flat) => Ok(flat.clone()),
            None => read_f32(self.net.to_flat()).await,
        }
    }

    /// The standard normals ε that [`TrainedSmearing::sample`] draws for `rows` rows from
    /// `seed`, row-major (rows × reco columns): both paths take them from this stream in this
    /// order. `sample --save-noise` writes them; the ONNX graph takes them as its `noise`.
    pub fn noise(&self, rows: usize, seed: u64) -> Vec<f32> {
        let mut r = rng(seed, stream::SMEAR_NOISE);
        (0..rows * self.meta.reco_cols.len())
            .map(|_| normal(&mut r) as f32)
            .collect()
    }

    /// After sampling W+jet events: the auxiliary reco columns (pT, η, φ, masses, MET, …)
    /// recomputed from the sampled nine main ones, so the sample agrees with itself — only
    /// when the model predicted all nine, and never over a column the model predicted itself.
    /// Otherwise nothing changes: derived from the input's detector-level components, the
    /// auxiliary columns would overwrite the model's own (a model of reco_jet_pt did).
    pub fn derive_aux(&self, table: &mut Table) -> Result<()> {
        let reco = &self.meta.reco_cols;
        if !crate::physics::main_columns("reco")
            .iter()
            .all(|c| reco.contains(c))
        {
            return Ok(());
        }
        let kept: Vec<(String, Vec<f32>)> = reco
            .iter()
            .map(|c| Ok((c.clone(), table.column(c)?.to_vec())))
            .collect::<Result<_>>()?;
        crate::data::derive_wjet_aux(table, "reco")?;
        for (c, v) in kept {
            table.set_column(&c, v)?;
        }
        Ok(())
    }

    /// The same weights on another device.
    pub fn to_device(&self, device: &Device) -> Self {
        Self {
            meta: self.meta.clone(),
            net: self.net.clone().to_device(device),
            device: device.clone(),
            flat: self.flat.clone().filter(|_| crate::backend::is_cpu(device)),
        }
    }

    /// Reco-level events for the gen-level columns of `input` (seed 000, eq. 1), with noise
    /// from the seeded stream `seed` so the same seed gives the same sample on every backend
    /// up to float rounding. The result holds the input's other columns untouched and the
    /// predictions under the model's reco column names (replacing any of that name).
    pub async fn sample(&self, input: &Table, seed: u64) -> Result<Table> {
        let mut s = self.sampler(input, seed, SAMPLE_CHUNK)?;
        while !s.next(1).await? {}
        s.finish()
    }

    /// The same sampling in chunks of `chunk` rows, one or more a step (the page yields
    /// between steps). The noise stream runs on across chunks, so the result does not depend
    /// on `chunk`.
    pub fn sampler<'a>(
        &'a self,
        input: &'a Table,
        seed: u64,
        chunk: usize,
    ) -> Result<SmearingSampler<'a>> {
        let m = &self.meta;
        input.ensure_finite(&m.gen_cols)?;
        let mut t = input.select(&m.gen_cols)?;
        crate::data::apply_transforms(&mut t, &m.gen_cols, &m.transforms)?;
        let gen = t.row_major(&m.gen_cols)?;
        let mut x = gen.clone();
        m.x_norm.apply(&mut x);
        Ok(SmearingSampler {
            model: self,
            input,
            gen,
            x,
            noise: None,
            seed,
            y: Vec::with_capacity(input.n_rows() * m.reco_cols.len()),
            chunk: chunk.max(1),
            rows_done: 0,
        })
    }
}

/// A smearing model's sampling under way (see [`TrainedSmearing::sampler`]).
pub struct SmearingSampler<'a> {
    model: &'a TrainedSmearing,
    input: &'a Table,
    gen: Vec<f32>,
    x: Vec<f32>,
    /// The Burn path's noise stream, drawn in row order (the fast path places each block's
    /// draws in the same stream itself).
    noise: Option<Rng>,
    seed: u64,
    y: Vec<f32>,
    chunk: usize,
    rows_done: usize,
}

impl SmearingSampler<'_> {
    /// Samples up to `chunks` chunks; `true` once every row is done.
    pub async fn next(&mut self, chunks: usize) -> Result<bool> {
        let m = &self.model.meta;
        let (k_in, k_out) = (m.gen_cols.len(), m.reco_cols.len());
        let n = self.input.n_rows();
        for _ in 0..chunks.max(1) {
            if self.rows_done >= n {
                break;
            }
            let rows = self.chunk.min(n - self.rows_done);
            let part = &self.x[self.rows_done * k_in..(self.rows_done + rows) * k_in];
            if let Some(flat) = &self.model.flat {
                // The fast path draws each block's noise at its place in the same stream.
                let y = fast::sample_smearing(&m.config, flat, part, self.rows_done, self.seed);
                self.y.extend(y);
                self.rows_done += rows;
                continue;
            }
            let noise = self
                .noise
                .get_or_insert_with(|| rng(self.seed, stream::SMEAR_NOISE));
            let eps: Vec<f32> = (0..rows * k_out).map(|_| normal(noise) as f32).collect();
            let device = &self.model.device;
            let xt = upload(part.to_vec(), rows, k_in, device);
            let et = upload(eps, rows, k_out, device);
            self.y
                .extend(read_f32(self.model.net.sample(xt, et)).await?);
            self.rows_done += rows;
        }
        Ok(self.rows_done >= n)
    }

    /// Fraction of the rows sampled.
    pub fn progress(&self) -> f64 {
        self.rows_done as f64 / self.input.n_rows().max(1) as f64
    }

    /// The input with the predictions under the model's reco column names; an error if not
    /// every row was sampled.
    pub fn finish(self) -> Result<Table> {
        let m = &self.model.meta;
        if self.rows_done < self.input.n_rows() {
            return Err(Error::Cancelled);
        }
        let k_out = m.reco_cols.len();
        let mut y = self.y;
        m.y_norm.invert(&mut y);
        if m.target == Target::Residual {
            y.iter_mut().zip(&self.gen).for_each(|(y, g)| *y += g);
        }
        let mut out = self.input.clone();
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
