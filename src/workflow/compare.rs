//! Side by side: response models (seed 000's Gaussian network, the conditional flow of issue
//! 22) against the detector on the same test events, by the same metrics — 1-D quantile-JS
//! per reco feature, joint quantile-JS of feature pairs, the per-event residuals and their
//! tails beyond 3σ, and the jet-pT spectrum around the selection cut.

use crate::data::Table;
use crate::error::{Error, Result};
use crate::metrics::{js_divergence, quantile_js, QuantileTree};

/// Quantiles of the 1-D figures (the smearing workflow's, so the numbers match its table).
pub const N_QUANT_1D: usize = super::smearing::N_QUANT;
/// Cells of the joint figures: 64 in two dimensions (8 × 8 at equal detector counts).
pub const N_QUANT_2D: usize = 64;
/// Quantiles of the residual distributions: 256, fine enough to see a tail of 1 %.
pub const N_QUANT_RESIDUAL: usize = 256;
/// The reco jet-pT bins (GeV) around the 30 GeV selection on the gen jet.
pub const PT_BINS: [f64; 6] = [15.0, 20.0, 25.0, 30.0, 35.0, 40.0];

/// One response model's figures, each list in the order of [`Comparison::features`] (or
/// [`Comparison::pairs`], [`PT_BINS`]).
#[derive(Debug, Clone)]
pub struct ModelFigures {
    pub label: String,
    /// Quantile-JS against the detector per reco feature.
    pub js_1d: Vec<f64>,
    /// Joint quantile-JS per feature pair.
    pub js_2d: Vec<f64>,
    /// Quantile-JS of the residual (reco − gen) distribution per feature.
    pub js_residual: Vec<f64>,
    /// Fraction of events whose residual is beyond 3σ of the detector's core.
    pub tail: Vec<f64>,
    /// Model events per detector event in each reco jet-pT bin.
    pub low_pt_ratio: Vec<f64>,
}

/// The comparison of several models' samples of the same test events.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Reco features without their `reco_` prefix.
    pub features: Vec<String>,
    pub pairs: Vec<(usize, usize)>,
    /// The detector's own fraction of residuals beyond 3σ of its core, per feature.
    pub detector_tail: Vec<f64>,
    /// The detector's residual median and core width per feature (the units of the tails).
    pub cores: Vec<(f64, f64)>,
    /// Detector events per reco jet-pT bin.
    pub detector_pt: Vec<u64>,
    pub models: Vec<ModelFigures>,
}

/// The core width of a residual distribution: half the 15.9–84.1 % interquantile range (σ
/// for a Gaussian, blind to the tails), and the median: (median, width).
pub fn core_sigma(r: &[f32]) -> (f64, f64) {
    let mut v: Vec<f32> = r.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f32::total_cmp);
    if v.is_empty() {
        return (0.0, 1.0);
    }
    let q = |p: f64| v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)] as f64;
    (q(0.5), (0.5 * (q(0.841) - q(0.159))).max(1e-12))
}

fn residuals(table: &Table, reco: &str, gen: &str) -> Result<Vec<f32>> {
    Ok(table
        .column(reco)?
        .iter()
        .zip(table.column(gen)?)
        .map(|(r, g)| r - g)
        .collect())
}

fn pt_counts(pt: &[f32]) -> Vec<u64> {
    PT_BINS
        .windows(2)
        .map(|w| {
            pt.iter()
                .filter(|&&p| (p as f64) >= w[0] && (p as f64) < w[1])
                .count() as u64
        })
        .collect()
}

impl Comparison {
    /// `samples`: (label, the model's sample of `test`) with the predictions under the reco
    /// column names, as [`crate::model::TrainedSmearing::sample`] returns them (and
    /// `reco_jet_pt` derived where the model predicted the jet's components).
    pub fn new(
        test: &Table,
        gen_cols: &[String],
        reco_cols: &[String],
        samples: &[(&str, &Table)],
    ) -> Result<Self> {
        if gen_cols.len() != reco_cols.len() || reco_cols.is_empty() {
            return Err(Error::invalid(
                "compare-models",
                "the models must pair their gen and reco columns one to one",
            ));
        }
        let k = reco_cols.len();
        let pairs: Vec<(usize, usize)> = (0..k)
            .flat_map(|a| (a + 1..k).map(move |b| (a, b)))
            .collect();
        // The detector's side, once: residuals, their cores and tails, and each pair's cells
        // and counts.
        let detector_res: Vec<Vec<f32>> = gen_cols
            .iter()
            .zip(reco_cols)
            .map(|(g, r)| residuals(test, r, g))
            .collect::<Result<_>>()?;
        let cores: Vec<(f64, f64)> = detector_res.iter().map(|r| core_sigma(r)).collect();
        let detector_tail: Vec<f64> = detector_res
            .iter()
            .zip(&cores)
            .map(|(r, &(median, sigma))| tail_fraction(r, median, sigma))
            .collect();
        let jet_pt = "reco_jet_pt";
        let detector_pt = test.column(jet_pt).map(pt_counts).unwrap_or_default();
        let pair_cols = |&(a, b): &(usize, usize)| [reco_cols[a].clone(), reco_cols[b].clone()];
        let cells: Vec<(QuantileTree, Vec<u64>)> = pairs
            .iter()
            .map(|p| {
                let truth = test.row_major(&pair_cols(p))?;
                let tree = QuantileTree::fit(&truth, 2, N_QUANT_2D)?;
                let counts = tree.counts(&truth);
                Ok((tree, counts))
            })
            .collect::<Result<_>>()?;
        let mut models = Vec::new();
        for (label, sample) in samples {
            if sample.n_rows() != test.n_rows() {
                return Err(Error::invalid(
                    "compare-models",
                    format!(
                        "{label}: {} rows for {} test events",
                        sample.n_rows(),
                        test.n_rows()
                    ),
                ));
            }
            let mut m = ModelFigures {
                label: label.to_string(),
                js_1d: Vec::new(),
                js_2d: Vec::new(),
                js_residual: Vec::new(),
                tail: Vec::new(),
                low_pt_ratio: Vec::new(),
            };
            for (j, (g, r)) in gen_cols.iter().zip(reco_cols).enumerate() {
                m.js_1d
                    .push(quantile_js(test.column(r)?, sample.column(r)?, N_QUANT_1D)?);
                let rm = residuals(sample, r, g)?;
                m.js_residual
                    .push(quantile_js(&detector_res[j], &rm, N_QUANT_RESIDUAL)?);
                m.tail.push(tail_fraction(&rm, cores[j].0, cores[j].1));
            }
            for ((tree, truth), p) in cells.iter().zip(&pairs) {
                let model = sample.row_major(&pair_cols(p))?;
                m.js_2d.push(js_divergence(&tree.counts(&model), truth));
            }
            if let Ok(pt) = sample.column(jet_pt) {
                m.low_pt_ratio = pt_counts(pt)
                    .iter()
                    .zip(&detector_pt)
                    .map(|(&m, &d)| m as f64 / d.max(1) as f64)
                    .collect();
            }
            models.push(m);
        }
        Ok(Self {
            features: reco_cols
                .iter()
                .map(|c| c.trim_start_matches("reco_").to_string())
                .collect(),
            pairs,
            detector_tail,
            cores,
            detector_pt,
            models,
        })
    }

    /// Feature `j`'s residuals reco − gen of `table` in units of the detector's core width,
    /// about its median (what [`crate::plot::draw_residual_tails`] draws).
    pub fn core_residuals(
        &self,
        table: &Table,
        gen: &str,
        reco: &str,
        j: usize,
    ) -> Result<Vec<f32>> {
        let (median, sigma) = self.cores[j];
        Ok(residuals(table, reco, gen)?
            .iter()
            .map(|r| ((*r as f64 - median) / sigma) as f32)
            .collect())
    }

    /// The feature pairs' names, "a × b".
    pub fn pair_names(&self) -> Vec<String> {
        self.pairs
            .iter()
            .map(|&(a, b)| format!("{} × {}", self.features[a], self.features[b]))
            .collect()
    }

    /// The report as Markdown tables: per feature, per pair (their mean, the worst, then every
    /// pair), and the jet-pT bins.
    pub fn markdown(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let labels: Vec<&str> = self.models.iter().map(|m| m.label.as_str()).collect();
        // A table's model columns: their header and rule, and one row's cells.
        let header: String = labels.iter().map(|l| format!(" {l} |")).collect();
        let rule = " --- |".repeat(labels.len());
        let cols = |f: &dyn Fn(&ModelFigures) -> String| -> String {
            self.models.iter().map(|m| format!(" {} |", f(m))).collect()
        };
        let pair_names = self.pair_names();
        let _ = writeln!(
            s,
            "### 1-D quantile-JS against the detector ({N_QUANT_1D} quantiles)\n\n| feature |{header}\n| --- |{rule}"
        );
        for (j, f) in self.features.iter().enumerate() {
            let _ = writeln!(s, "| {f} |{}", cols(&|m| format!("{:.2e}", m.js_1d[j])));
        }
        let _ = writeln!(
            s,
            "\n### Joint quantile-JS of feature pairs ({N_QUANT_2D} cells)\n\n| pair |{header}\n| --- |{rule}"
        );
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let _ = writeln!(
            s,
            "| mean of {} pairs |{}",
            self.pairs.len(),
            cols(&|m| format!("{:.2e}", mean(&m.js_2d)))
        );
        let _ = writeln!(
            s,
            "| worst pair |{}",
            cols(&|m| {
                let (i, v) =
                    m.js_2d
                        .iter()
                        .enumerate()
                        .fold((0, 0.0), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
                format!("{v:.2e} ({})", pair_names[i])
            })
        );
        for (i, name) in pair_names.iter().enumerate() {
            let _ = writeln!(s, "| {name} |{}", cols(&|m| format!("{:.2e}", m.js_2d[i])));
        }
        let _ = writeln!(
            s,
            "\n### Residuals reco − gen: quantile-JS ({N_QUANT_RESIDUAL} quantiles) and the fraction beyond 3σ of the detector's core\n\n| feature | detector beyond 3σ |{}\n| --- | --- |{}",
            labels
                .iter()
                .map(|l| format!(" {l}: JS | {l}: beyond 3σ |"))
                .collect::<String>(),
            " --- | --- |".repeat(labels.len())
        );
        for (j, f) in self.features.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {f} | {:.4} |{}",
                self.detector_tail[j],
                cols(&|m| format!("{:.2e} | {:.4}", m.js_residual[j], m.tail[j]))
            );
        }
        if !self.detector_pt.is_empty() {
            let _ = writeln!(
                s,
                "\n### Reco jet pT around the 30 GeV selection (on the gen jet): model / detector events\n\n| reco jet pT [GeV] | detector events |{header}\n| --- | --- |{rule}"
            );
            for (b, w) in PT_BINS.windows(2).enumerate() {
                let _ = writeln!(
                    s,
                    "| {:.0}–{:.0} | {} |{}",
                    w[0],
                    w[1],
                    self.detector_pt[b],
                    cols(&|m| m
                        .low_pt_ratio
                        .get(b)
                        .map_or("–".into(), |r| format!("{r:.3}")))
                );
            }
        }
        s
    }
}

/// The fraction of `r` farther than 3σ from `median`.
fn tail_fraction(r: &[f32], median: f64, sigma: f64) -> f64 {
    r.iter()
        .filter(|&&x| ((x as f64) - median).abs() > 3.0 * sigma)
        .count() as f64
        / r.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{normal, rng};

    /// A "model" that is the detector itself scores at the floor everywhere and reproduces
    /// its tails; one that drops the correlation between two features is caught by the
    /// joint figure only.
    #[test]
    fn correlations_are_seen_only_jointly() {
        let n = 40_000;
        let mut r = rng(9, 0);
        let mut table = |seed: u64| {
            let mut r2 = rng(seed, 1);
            let gen: Vec<f32> = (0..n).map(|_| normal(&mut r) as f32).collect();
            let shift: Vec<f32> = (0..n).map(|_| normal(&mut r2) as f32).collect();
            let a: Vec<f32> = gen.iter().zip(&shift).map(|(g, s)| g + s).collect();
            (gen, shift, a)
        };
        let (gen, shift, a) = table(1);
        let mut test = Table::default();
        test.set_column("gen_a", gen.clone()).unwrap();
        test.set_column("gen_b", gen.clone()).unwrap();
        test.set_column("reco_a", a.clone()).unwrap();
        // b moves with a: fully correlated smearing.
        test.set_column(
            "reco_b",
            gen.iter().zip(&shift).map(|(g, s)| g - s).collect(),
        )
        .unwrap();
        let same = test.clone();
        let mut independent = test.clone();
        let mut r3 = rng(4, 0);
        independent
            .set_column(
                "reco_b",
                gen.iter().map(|g| g + normal(&mut r3) as f32).collect(),
            )
            .unwrap();
        let cols = |p: &str| vec![format!("{p}_a"), format!("{p}_b")];
        let c = Comparison::new(
            &test,
            &cols("gen"),
            &cols("reco"),
            &[("same", &same), ("independent", &independent)],
        )
        .unwrap();
        assert_eq!(c.pairs, [(0, 1)]);
        let (same, ind) = (&c.models[0], &c.models[1]);
        assert!(same.js_2d[0] < 1e-9 && same.js_1d.iter().all(|&j| j < 1e-9));
        assert_eq!(same.tail, c.detector_tail);
        assert!(
            ind.js_1d[1] < 2e-3,
            "the marginal is right: {}",
            ind.js_1d[1]
        );
        assert!(ind.js_2d[0] > 0.01, "the joint is not: {}", ind.js_2d[0]);
        assert!(c.markdown().contains("| a × b |"));
    }
}
