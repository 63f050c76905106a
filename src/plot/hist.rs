//! Step histograms of several samples with Poisson error bars, and a ratio panel (each series
//! after the reference divided by the reference), as in seed 000's figures 3–4.

use super::{legend, plot_err, PlotResult, GEN_COLOR, MODEL_COLOR, RECO_COLOR};
use crate::data::Table;
use crate::error::Result;
use crate::numfmt::thousands;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One sample to histogram.
pub struct HistSeries<'a> {
    pub label: &'a str,
    pub values: &'a [f32],
    pub color: RGBColor,
    /// Other members of an ensemble (K trainings with different seeds, seed 000 section 5):
    /// their bin-by-bin spread (±1σ, scaled to this sample's size) is drawn as a band and
    /// added in quadrature to the Poisson error, as the paper does.
    pub band: Vec<&'a [f32]>,
}

impl<'a> HistSeries<'a> {
    pub fn new(label: &'a str, values: &'a [f32], color: RGBColor) -> Self {
        Self {
            label,
            values,
            color,
            band: Vec::new(),
        }
    }
}

/// The standard comparison of one feature (name without prefix): gen and reco of `truth`, and
/// the reco column of the first of `models` if any — so the ratio panel shows model / reco —
/// with the others as its ensemble band.
pub fn feature_series<'a>(
    feature: &str,
    truth: &'a Table,
    models: &[&'a Table],
) -> Result<Vec<HistSeries<'a>>> {
    let mut series = vec![
        HistSeries::new("gen", truth.column(&format!("gen_{feature}"))?, GEN_COLOR),
        HistSeries::new(
            "reco",
            truth.column(&format!("reco_{feature}"))?,
            RECO_COLOR,
        ),
    ];
    if let Some((first, rest)) = models.split_first() {
        let column = format!("reco_{feature}");
        let mut m = HistSeries::new("model", first.column(&column)?, MODEL_COLOR);
        m.band = rest
            .iter()
            .map(|t| t.column(&column))
            .collect::<Result<_>>()?;
        series.push(m);
    }
    Ok(series)
}

/// Equal-width bins covering the 0.5–99.5 % range of the reference (so long tails do not
/// squeeze the bulk), with under/overflow left out.
pub(super) fn binning(reference: &[f32]) -> (f64, f64) {
    let mut v: Vec<f32> = reference
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if v.is_empty() {
        return (0.0, 1.0);
    }
    v.sort_by(f32::total_cmp);
    let q = |f: f64| v[((v.len() - 1) as f64 * f).round() as usize] as f64;
    let (lo, hi) = (q(0.005), q(0.995));
    if hi > lo {
        let pad = 0.02 * (hi - lo);
        (lo - pad, hi + pad)
    } else {
        (lo - 0.5, hi + 0.5)
    }
}

/// Bin-by-bin standard deviation of the ensemble (the series and its band members), each
/// member's histogram scaled to the series' event count; zeros without a band.
fn ensemble_spread(s: &HistSeries, lo: f64, hi: f64, n_bins: usize) -> Vec<f64> {
    if s.band.is_empty() {
        return vec![0.0; n_bins];
    }
    let n = s.values.len().max(1) as f64;
    let members: Vec<Vec<f64>> = std::iter::once(s.values)
        .chain(s.band.iter().copied())
        .map(|v| {
            let scale = n / v.len().max(1) as f64;
            histogram(v, lo, hi, n_bins)
                .into_iter()
                .map(|c| c * scale)
                .collect()
        })
        .collect();
    let k = members.len() as f64;
    (0..n_bins)
        .map(|b| {
            let mean = members.iter().map(|m| m[b]).sum::<f64>() / k;
            (members.iter().map(|m| (m[b] - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt()
        })
        .collect()
}

/// Counts of `values` in `n_bins` equal bins of [lo, hi) (under- and overflow left out).
pub(super) fn histogram(values: &[f32], lo: f64, hi: f64, n_bins: usize) -> Vec<f64> {
    let mut h = vec![0f64; n_bins];
    let w = (hi - lo) / n_bins as f64;
    for &x in values {
        let b = ((x as f64 - lo) / w).floor();
        if b >= 0.0 && (b as usize) < n_bins {
            h[b as usize] += 1.0;
        }
    }
    h
}

/// Draws the histograms of `series` (the second is the reference of the ratio panel, e.g.
/// gen, reco, model → model/reco) with `x_label` under both panels.
pub fn draw_hist_ratio<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x_label: &str,
    series: &[HistSeries],
    n_bins: usize,
) -> PlotResult {
    root.fill(&WHITE).map_err(plot_err)?;
    // The reference: reco in a gen/reco/model triple (ratios model / reco), else the first.
    let ref_idx = if series.len() > 2 { 1 } else { 0 };
    let reference = series
        .get(ref_idx)
        .ok_or_else(|| crate::Error::Plot("no series to draw".into()))?;
    let n_bins = n_bins.max(1);
    let (lo, hi) = binning(reference.values);
    let width = (hi - lo) / n_bins as f64;
    // Samples of other sizes than the reference's (a 1k training sample beside a million
    // generated showers) are scaled to its event count; equal sizes are drawn as counted.
    let n_ref = reference.values.len().max(1) as f64;
    let scales: Vec<f64> = series
        .iter()
        .map(|s| n_ref / s.values.len().max(1) as f64)
        .collect();
    let raw: Vec<Vec<f64>> = series
        .iter()
        .map(|s| histogram(s.values, lo, hi, n_bins))
        .collect();
    let hists: Vec<Vec<f64>> = raw
        .iter()
        .zip(&scales)
        .map(|(h, k)| h.iter().map(|c| c * k).collect())
        .collect();
    let spreads: Vec<Vec<f64>> = series
        .iter()
        .zip(&scales)
        .map(|(s, k)| {
            ensemble_spread(s, lo, hi, n_bins)
                .into_iter()
                .map(|e| e * k)
                .collect()
        })
        .collect();
    // Error per bin: Poisson (of the counts drawn, scaled), and the ensemble spread in
    // quadrature.
    let errors: Vec<Vec<f64>> = raw
        .iter()
        .zip(&spreads)
        .zip(&scales)
        .map(|((h, sp), k)| {
            h.iter()
                .zip(sp)
                .map(|(c, s)| (c.sqrt() * k).hypot(*s))
                .collect()
        })
        .collect();
    let scaled = scales.iter().any(|k| (k - 1.0).abs() > 1e-12);
    let y_max = hists
        .iter()
        .zip(&errors)
        .flat_map(|(h, e)| h.iter().zip(e).map(|(v, e)| v + e))
        .fold(1f64, f64::max)
        * 1.25;

    let height = root.dim_in_pixel().1;
    let (upper, lower) = root.split_vertically((height as f64 * 0.72) as u32);
    let font = ("sans-serif", 13);

    let mut chart = ChartBuilder::on(&upper)
        .margin_top(8)
        .margin_right(12)
        // Room for the rotated axis title: the bitmap backend clips its left half at x = 0.
        .margin_left(10)
        .x_label_area_size(0)
        .y_label_area_size(62)
        .build_cartesian_2d(lo..hi, 0f64..y_max)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .y_desc(if scaled {
            format!(
                "events / {} (per {})",
                fmt_width(width),
                thousands(n_ref as usize)
            )
        } else {
            format!("events / {}", fmt_width(width))
        })
        // No "0" at the foot of the main panel: it would collide with the ratio panel's top label.
        .y_label_formatter(&|v| {
            if *v > 0.0 {
                format!("{v:.0}")
            } else {
                String::new()
            }
        })
        .label_style(font)
        .axis_desc_style(font)
        .x_labels(0)
        .draw()
        .map_err(plot_err)?;
    for ((s, h), sp) in series.iter().zip(&hists).zip(&spreads) {
        if !s.band.is_empty() {
            let color = s.color.mix(0.25);
            chart
                .draw_series(h.iter().zip(sp).enumerate().map(|(i, (&c, &e))| {
                    let x0 = lo + i as f64 * width;
                    Rectangle::new(
                        [(x0, (c - e).max(0.0)), (x0 + width, c + e)],
                        color.filled(),
                    )
                }))
                .map_err(plot_err)?
                .label(format!(
                    "{} ensemble ±1σ (K = {})",
                    s.label,
                    s.band.len() + 1
                ))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 18, y + 5)], color.filled())
                });
        }
    }
    for ((s, h), err) in series.iter().zip(&hists).zip(&errors) {
        let mut steps = Vec::with_capacity(2 * n_bins + 2);
        steps.push((lo, 0.0));
        for (i, &c) in h.iter().enumerate() {
            let x0 = lo + i as f64 * width;
            steps.push((x0, c));
            steps.push((x0 + width, c));
        }
        steps.push((hi, 0.0));
        let color = s.color;
        let n = s.values.len();
        chart
            .draw_series(LineSeries::new(steps, color.stroke_width(2)))
            .map_err(plot_err)?
            .label(format!("{} (N = {})", s.label, thousands(n)))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        // Error bars: ±√n per bin (and the ensemble spread, in quadrature).
        chart
            .draw_series(
                h.iter()
                    .zip(err)
                    .enumerate()
                    .filter(|(_, (&c, _))| c > 0.0)
                    .map(|(i, (&c, &e))| {
                        let x = lo + (i as f64 + 0.5) * width;
                        ErrorBar::new_vertical(
                            x,
                            (c - e).max(0.0),
                            c,
                            c + e,
                            color.stroke_width(1),
                            0,
                        )
                    }),
            )
            .map_err(plot_err)?;
    }
    legend(&mut chart)?;

    // Ratio panel: each later series over the reference, with Poisson errors of both.
    let ref_name = series[ref_idx].label;
    let mut ratio = ChartBuilder::on(&lower)
        .margin_right(12)
        .margin_left(10)
        .x_label_area_size(40)
        .y_label_area_size(62)
        .build_cartesian_2d(lo..hi, 0.4f64..1.6)
        .map_err(plot_err)?;
    ratio
        .configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .y_labels(3)
        .x_label_formatter(&|v| trim_number(*v))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .x_desc(x_label)
        .y_desc(format!("/ {ref_name}"))
        .label_style(font)
        .axis_desc_style(font)
        .draw()
        .map_err(plot_err)?;
    ratio
        .draw_series(LineSeries::new(
            vec![(lo, 1.0), (hi, 1.0)],
            BLACK.mix(0.5).stroke_width(1),
        ))
        .map_err(plot_err)?;
    for (((s, h), sp), counts) in series
        .iter()
        .zip(&hists)
        .zip(&spreads)
        .zip(&raw)
        .skip(ref_idx + 1)
    {
        let r = &hists[ref_idx];
        let points: Vec<(f64, f64, f64)> = h
            .iter()
            .zip(r)
            .zip(sp)
            .zip(counts)
            .enumerate()
            .filter(|(_, (((&m, &d), _), _))| m > 0.0 && d > 0.0)
            .map(|(i, (((&m, &d), &e), &c))| {
                let q = m / d;
                (
                    lo + (i as f64 + 0.5) * width,
                    q,
                    q * (1.0 / c + (e / m).powi(2) + 1.0 / d).sqrt(),
                )
            })
            .collect();
        let color = s.color;
        ratio
            .draw_series(points.iter().map(|&(x, q, e)| {
                ErrorBar::new_vertical(
                    x,
                    (q - e).max(0.4),
                    q.clamp(0.4, 1.6),
                    (q + e).min(1.6),
                    color.stroke_width(1),
                    4,
                )
            }))
            .map_err(plot_err)?;
        ratio
            .draw_series(
                points
                    .iter()
                    .filter(|p| (0.4..=1.6).contains(&p.1))
                    .map(|&(x, q, _)| Circle::new((x, q), 2, color.filled())),
            )
            .map_err(plot_err)?;
    }
    Ok(())
}

/// Tick labels without trailing zeros: 40.0 → "40", 0.50 → "0.5".
fn trim_number(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn fmt_width(w: f64) -> String {
    if w >= 10.0 {
        format!("{w:.0}")
    } else if w >= 1.0 {
        format!("{w:.1}")
    } else if w >= 0.01 {
        format!("{w:.2}")
    } else {
        // Two significant digits for fine bins (residuals): 0.0023, not 0.00.
        format!("{w:.1e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_in_range() {
        let h = histogram(&[0.1, 0.2, 0.9, 1.5, -0.1], 0.0, 1.0, 2);
        assert_eq!(h, vec![2.0, 1.0]);
    }
}
