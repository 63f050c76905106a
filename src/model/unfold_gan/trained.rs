//! A trained unfolding generator with what applying it needs: the columns it reads (detector
//! level) and writes (parton level), the standardisation of each, the training summary, and
//! unfolding a table of detector-level events.

use super::{generate, EventScales, GanConfig};
use crate::data::derive_wz_masses;
use crate::data::Table;
use crate::error::{Error, Result};
use crate::model::TrainConfig;
use crate::model::{read_f32, upload, Mlp};
use crate::physics::FourVector;
use crate::random::{normal, rng, stream};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// What one GAN epoch gave: the mean losses over its batches and the validation criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GanEpoch {
    pub epoch: usize,
    /// Discriminator loss with its regulariser (eq. 3 / 10), and the regulariser alone.
    pub d_loss: f64,
    pub d_reg: f64,
    /// Generator loss with λ_G·MMD (eq. 4 / 11 plus eq. 5), and the MMD alone.
    pub g_loss: f64,
    pub mmd: f64,
    /// The checkpoint criterion: quantile-JS (16 quantiles of the truth) of the unfolded
    /// m_jj of the validation events against their parton-level m_jj.
    pub val_js_mjj: f64,
    /// The cooling kernel's width used in this epoch (GeV).
    pub kernel_width: f64,
    pub best_epoch: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnfoldMeta {
    pub config: GanConfig,
    /// Parton-level columns the model writes and detector-level ones it reads, (pT, η, φ)
    /// per object, the two jets first.
    pub gen_cols: Vec<String>,
    pub reco_cols: Vec<String>,
    pub gen_scales: EventScales,
    pub reco_scales: EventScales,
    pub train: TrainConfig,
    pub history: Vec<GanEpoch>,
    pub best_epoch: usize,
    pub events: usize,
    #[serde(default)]
    pub origin: Option<crate::recipe::DataOrigin>,
}

/// Events per forward pass when unfolding.
const CHUNK: usize = 8192;

#[derive(Clone)]
pub struct TrainedUnfold {
    pub meta: UnfoldMeta,
    generator: Mlp,
    device: Device,
}

/// Checks that `cols` are (pT, η, φ) triples: `<name>_pt, <name>_eta, <name>_phi`, at least
/// two objects; `what` names the flag in messages.
pub fn check_object_columns(cols: &[String], what: &str) -> Result<()> {
    if cols.len() < 6 || !cols.len().is_multiple_of(3) {
        return Err(Error::invalid(
            what,
            format!(
                "{} columns given: unfolding needs (pT, η, φ) of at least two objects, 3 columns each",
                cols.len()
            ),
        ));
    }
    for triple in cols.chunks(3) {
        for (c, suffix) in triple.iter().zip(["_pt", "_eta", "_phi"]) {
            if !c.ends_with(suffix) {
                return Err(Error::invalid(
                    what,
                    format!("'{c}' should end in '{suffix}' (each object gives _pt, _eta, _phi in that order)"),
                ));
            }
        }
    }
    Ok(())
}

/// (pT, η, φ) per object to (px, py, pz), row-major.
pub fn to_cartesian(objects: &[f32]) -> Vec<f32> {
    objects
        .chunks_exact(3)
        .flat_map(|o| {
            let v = FourVector::from_pt_eta_phi_m(o[0] as f64, o[1] as f64, o[2] as f64, 0.0);
            [v.px as f32, v.py as f32, v.pz as f32]
        })
        .collect()
}

/// The condition rows of detector-level (pT, η, φ) object rows: (px, py, pz) per object and,
/// with `features`, the jet pair's m_jj, pT,j1 and pT,j2 (GeV), before standardisation.
pub fn condition_rows(objects: &[f32], k: usize, features: bool) -> Vec<f32> {
    if !features {
        return to_cartesian(objects);
    }
    objects
        .chunks_exact(k)
        .flat_map(|r| {
            let mut row = to_cartesian(r);
            row.extend([crate::physics::wz_masses_of_jets(r), r[0], r[3]]);
            row
        })
        .collect()
}

/// (px, py, pz) per object to (pT, η, φ).
pub fn to_objects(cartesian: &[f32]) -> Vec<f32> {
    cartesian
        .chunks_exact(3)
        .flat_map(|p| {
            let v = FourVector::new(p[0] as f64, p[1] as f64, p[2] as f64, 0.0);
            let pt = v.pt().max(1e-6);
            [
                pt as f32,
                (v.pz / pt).asinh() as f32,
                v.py.atan2(v.px) as f32,
            ]
        })
        .collect()
}

impl EventScales {
    /// Column means and standard deviations of row-major `rows` with `k` columns.
    pub fn fit(rows: &[f32], k: usize) -> Self {
        let n = (rows.len() / k).max(1) as f64;
        let mut mean = vec![0f64; k];
        let mut var = vec![0f64; k];
        for r in rows.chunks_exact(k) {
            for (m, v) in mean.iter_mut().zip(r) {
                *m += *v as f64 / n;
            }
        }
        for r in rows.chunks_exact(k) {
            for ((s, v), m) in var.iter_mut().zip(r).zip(&mean) {
                *s += (*v as f64 - m).powi(2) / n;
            }
        }
        Self {
            mean: mean.iter().map(|m| *m as f32).collect(),
            std: var
                .iter()
                .map(|v| if *v > 0.0 { v.sqrt() as f32 } else { 1.0 })
                .collect(),
        }
    }

    pub fn apply(&self, rows: &mut [f32]) {
        let k = self.mean.len();
        for r in rows.chunks_exact_mut(k) {
            for ((v, m), s) in r.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
    }

    pub fn invert(&self, rows: &mut [f32]) {
        let k = self.mean.len();
        for r in rows.chunks_exact_mut(k) {
            for ((v, m), s) in r.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = *v * s + m;
            }
        }
    }

    /// Finite means and positive finite widths, `k` of each.
    pub fn is_valid(&self, k: usize) -> bool {
        self.mean.len() == k
            && self.std.len() == k
            && self.mean.iter().all(|v| v.is_finite())
            && self.std.iter().all(|v| v.is_finite() && *v > 0.0)
    }
}

impl TrainedUnfold {
    pub fn new(meta: UnfoldMeta, generator: Mlp, device: Device) -> Self {
        Self {
            meta,
            generator,
            device,
        }
    }

    pub fn generator(&self) -> &Mlp {
        &self.generator
    }

    /// The device the generator runs on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The standard normals [`TrainedUnfold::unfold_rows`] draws for `rows` events from `seed`,
    /// row-major (rows × noise): what `sample --save-noise` writes and the ONNX graph's
    /// `noise` input takes.
    pub fn noise(&self, rows: usize, seed: u64) -> Vec<f32> {
        let mut r = rng(seed, stream::UNFOLD_NOISE);
        (0..rows * self.meta.config.noise)
            .map(|_| normal(&mut r) as f32)
            .collect()
    }

    /// Unfolds row-major detector-level objects ((pT, η, φ) per object, the model's reco
    /// columns) to parton-level ones, one draw per event from the seeded noise stream.
    /// On the CPU device the generator runs on the fast path (`model::fast::generate_rows`).
    pub async fn unfold_rows(&self, reco: &[f32], seed: u64) -> Result<Vec<f32>> {
        self.unfold_rows_on(reco, seed, crate::backend::is_cpu(&self.device))
            .await
    }

    /// [`TrainedUnfold::unfold_rows`] on the fast path or through Burn (the tests compare).
    pub(crate) async fn unfold_rows_on(
        &self,
        reco: &[f32],
        seed: u64,
        fast: bool,
    ) -> Result<Vec<f32>> {
        let cfg = &self.meta.config;
        let flat = if fast {
            Some(read_f32(self.generator.to_flat()).await?)
        } else {
            None
        };
        let k = cfg.d_event();
        let kc = cfg.d_cond();
        let n = reco.len() / k;
        let mut noise_rng = rng(seed, stream::UNFOLD_NOISE);
        let mut out = Vec::with_capacity(reco.len());
        for chunk in reco.chunks(CHUNK * k) {
            let rows = chunk.len() / k;
            let mut x = condition_rows(chunk, k, cfg.detector_features);
            self.meta.reco_scales.apply(&mut x);
            let noise: Vec<f32> = (0..rows * cfg.noise)
                .map(|_| normal(&mut noise_rng) as f32)
                .collect();
            let mut y = match &flat {
                Some(flat) => crate::model::fast::generate_rows(cfg, flat, &x, &noise),
                None => {
                    let y = generate(
                        &self.generator,
                        cfg.kind,
                        upload(x, rows, kc, &self.device),
                        upload(noise, rows, cfg.noise, &self.device),
                    );
                    read_f32(y).await?
                }
            };
            self.meta.gen_scales.invert(&mut y);
            out.extend(to_objects(&y));
        }
        debug_assert_eq!(out.len(), n * k);
        Ok(out)
    }

    /// Unfolds `table`'s detector-level events. The result has the model's parton-level
    /// columns (unfolded), the derived masses recomputed from them when the columns are the
    /// built-in WZ ones, and every other input column; the input's own parton-level columns,
    /// if any (the truth of a closure test), are kept as `truth_<column>`.
    pub async fn unfold(&self, table: &Table, seed: u64) -> Result<Table> {
        let reco = table.row_major(&self.meta.reco_cols)?;
        table.ensure_finite(&self.meta.reco_cols)?;
        let unfolded = self.unfold_rows(&reco, seed).await?;
        let k = self.meta.gen_cols.len();
        let mut out = table.clone();
        for (i, name) in self.meta.gen_cols.iter().enumerate() {
            let values: Vec<f32> = unfolded.iter().skip(i).step_by(k).copied().collect();
            if let Ok(truth) = table.column(name) {
                out.set_column(&format!("truth_{name}"), truth.to_vec())?;
            }
            out.set_column(name, values)?;
        }
        let level = self.meta.gen_cols[0].split('_').next().unwrap_or("gen");
        if self.meta.gen_cols == crate::physics::wz_object_columns(level) {
            for d in crate::physics::WZ_DERIVED {
                let name = format!("{level}_{d}");
                if let Ok(truth) = table.column(&name) {
                    out.set_column(&format!("truth_{name}"), truth.to_vec())?;
                }
            }
            derive_wz_masses(&mut out, level)?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cartesian_round_trip() {
        let o = [50.0f32, 1.2, -2.9, 30.0, -0.4, 0.3];
        let back = to_objects(&to_cartesian(&o));
        for (a, b) in o.iter().zip(&back) {
            assert!((a - b).abs() < 1e-4, "{o:?} {back:?}");
        }
    }

    /// With detector features each condition row gains m_jj, pT,j1 and pT,j2 (GeV).
    #[test]
    fn condition_rows_with_features() {
        // Two back-to-back 40 GeV jets at η = 0: m_jj = 80 GeV; two electrons.
        let o = [
            40.0f32,
            0.0,
            0.0,
            40.0,
            0.0,
            std::f32::consts::PI,
            30.0,
            0.5,
            1.0,
            20.0,
            -0.5,
            -1.0,
        ];
        let plain = condition_rows(&o, 12, false);
        let with = condition_rows(&o, 12, true);
        assert_eq!(plain.len(), 12);
        assert_eq!(&with[..12], &plain[..]);
        assert!(
            (with[12] - 80.0).abs() < 1e-3 && with[13] == 40.0 && with[14] == 40.0,
            "{with:?}"
        );
    }

    #[test]
    fn object_columns_are_checked() {
        let ok: Vec<String> = crate::physics::wz_object_columns("gen");
        assert!(check_object_columns(&ok, "--gen-cols").is_ok());
        let mut bad = ok.clone();
        bad.swap(0, 1);
        let e = check_object_columns(&bad, "--gen-cols")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'gen_j1_eta' should end in '_pt'"), "{e}");
        assert!(check_object_columns(&ok[..4], "--reco-cols").is_err());
    }
}
