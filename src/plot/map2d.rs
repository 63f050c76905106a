//! The model's value against the detector's, event by event, as a 2-D histogram (seed 000,
//! figs. 9–10): a narrow band around the diagonal says the two are equivalent.

use super::{plot_err, PlotResult};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A viridis-like colour for t ∈ [0, 1] (five anchor colours, linear in between).
pub(super) fn viridis(t: f64) -> RGBColor {
    const A: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let mix = |a: f64, b: f64| (a + f * (b - a)).round() as u8;
    RGBColor(
        mix(A[i].0, A[i + 1].0),
        mix(A[i].1, A[i + 1].1),
        mix(A[i].2, A[i + 1].2),
    )
}

/// Draws `y` (e.g. model) against `x` (e.g. detector), each axis titled by its label, in `bins` × `bins` cells over the 0.5–99.5 %
/// range of `x` (the same range on both axes, so the diagonal is y = x), colour ∝ ln(events).
pub fn draw_map2d<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x_label: &str,
    y_label: &str,
    x: &[f32],
    y: &[f32],
    bins: usize,
) -> PlotResult {
    root.fill(&WHITE).map_err(plot_err)?;
    let bins = bins.clamp(2, 400);
    let (lo, hi) = super::hist::binning(x);
    let w = (hi - lo) / bins as f64;
    let mut grid = vec![0u32; bins * bins];
    let cell = |v: f32| {
        let b = ((v as f64 - lo) / w).floor();
        (b >= 0.0 && (b as usize) < bins).then_some(b as usize)
    };
    for (&a, &b) in x.iter().zip(y) {
        if let (Some(i), Some(j)) = (cell(a), cell(b)) {
            grid[j * bins + i] += 1;
        }
    }
    let max = grid.iter().copied().max().unwrap_or(0).max(1) as f64;
    let (wpx, _) = root.dim_in_pixel();
    let (main, bar) = root.split_horizontally(wpx.saturating_sub(100));
    let font = ("sans-serif", 13);
    let mut chart = ChartBuilder::on(&main)
        .margin(10)
        .margin_left(18)
        .x_label_area_size(38)
        .y_label_area_size(66)
        .build_cartesian_2d(lo..hi, lo..hi)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&|v| {
            format!("{v:.3}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        })
        .y_label_formatter(&|v| {
            format!("{v:.3}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        })
        .label_style(font)
        .axis_desc_style(font)
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(
            grid.iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(k, &c)| {
                    let (i, j) = (k % bins, k / bins);
                    let x0 = lo + i as f64 * w;
                    let y0 = lo + j as f64 * w;
                    let t = (c as f64).ln() / max.ln().max(1e-9);
                    Rectangle::new([(x0, y0), (x0 + w, y0 + w)], viridis(t).filled())
                }),
        )
        .map_err(plot_err)?;
    chart
        .draw_series(DashedLineSeries::new(
            vec![(lo, lo), (hi, hi)],
            6,
            4,
            RGBColor(200, 0, 0).stroke_width(1),
        ))
        .map_err(plot_err)?;
    // Colour bar: events per cell, log scale.
    log_colour_bar(&bar, 1.0, max.max(2.0), "events / cell", &|v| {
        format!("{v:.0}")
    })
}

/// A vertical colour bar in `area`: viridis over `lo … hi` on a log axis titled `desc`, its
/// labels written by `label`. The 2-D maps and the calorimeter images share it.
pub(super) fn log_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lo: f64,
    hi: f64,
    desc: &str,
    label: &dyn Fn(&f64) -> String,
) -> PlotResult {
    let mut scale = ChartBuilder::on(area)
        .margin_top(10)
        .margin_bottom(48)
        .margin_right(4)
        .margin_left(8)
        .y_label_area_size(0)
        .right_y_label_area_size(62)
        .build_cartesian_2d(0f64..1.0, (lo..hi).log_scale())
        .map_err(plot_err)?;
    scale
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(5)
        .y_label_formatter(label)
        .y_desc(desc)
        .label_style(("sans-serif", 11))
        .axis_desc_style(("sans-serif", 11))
        .draw()
        .map_err(plot_err)?;
    let steps = 40;
    scale
        .draw_series((0..steps).map(|s| {
            let a = lo * (hi / lo).powf(s as f64 / steps as f64);
            let b = lo * (hi / lo).powf((s + 1) as f64 / steps as f64);
            Rectangle::new(
                [(0.0, a), (1.0, b)],
                viridis(s as f64 / (steps - 1) as f64).filled(),
            )
        }))
        .map_err(plot_err)?;
    Ok(())
}

/// Blue (−) through white to red (+) for t ∈ [−1, 1].
fn diverging(t: f64) -> RGBColor {
    let t = t.clamp(-1.0, 1.0);
    let (r, g, b) = if t < 0.0 {
        let f = -t;
        (
            255.0 * (1.0 - f) + 33.0 * f,
            255.0 * (1.0 - f) + 102.0 * f,
            255.0 * (1.0 - f) + 172.0 * f,
        )
    } else {
        (
            255.0 * (1.0 - t) + 178.0 * t,
            255.0 * (1.0 - t) + 24.0 * t,
            255.0 * (1.0 - t) + 43.0 * t,
        )
    };
    RGBColor(r.round() as u8, g.round() as u8, b.round() as u8)
}

/// Largest |relative deviation| the colour scale shows; beyond it the colour saturates.
const DEVIATION_RANGE: f64 = 0.5;
/// Cells with fewer truth events than this stay blank: their deviation is noise.
const MIN_TRUTH: u32 = 10;

/// The bin-wise relative deviation (test − truth) / truth of two 2-D distributions (seed
/// 002, fig. 9, lower left), `bins` × `bins` cells over the 0.5–99.5 % ranges of the truth.
pub fn draw_deviation2d<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x_label: &str,
    y_label: &str,
    truth: (&[f32], &[f32]),
    test: (&[f32], &[f32]),
    bins: usize,
) -> PlotResult {
    root.fill(&WHITE).map_err(plot_err)?;
    let bins = bins.clamp(2, 200);
    let (x_lo, x_hi) = super::hist::binning(truth.0);
    let (y_lo, y_hi) = super::hist::binning(truth.1);
    let (wx, wy) = ((x_hi - x_lo) / bins as f64, (y_hi - y_lo) / bins as f64);
    let fill = |xs: &[f32], ys: &[f32]| {
        let mut g = vec![0u32; bins * bins];
        for (&a, &b) in xs.iter().zip(ys) {
            let i = ((a as f64 - x_lo) / wx).floor();
            let j = ((b as f64 - y_lo) / wy).floor();
            if i >= 0.0 && j >= 0.0 && (i as usize) < bins && (j as usize) < bins {
                g[j as usize * bins + i as usize] += 1;
            }
        }
        g
    };
    let (gt, gs) = (fill(truth.0, truth.1), fill(test.0, test.1));
    // Normalise the test sample to the truth's count, so the map shows shapes.
    let norm = gt.iter().sum::<u32>() as f64 / gs.iter().sum::<u32>().max(1) as f64;
    let (wpx, _) = root.dim_in_pixel();
    let (main, bar) = root.split_horizontally(wpx.saturating_sub(100));
    let font = ("sans-serif", 13);
    let mut chart = ChartBuilder::on(&main)
        .margin(10)
        .margin_left(18)
        .x_label_area_size(38)
        .y_label_area_size(66)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style(font)
        .axis_desc_style(font)
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(
            gt.iter()
                .zip(&gs)
                .enumerate()
                .filter(|(_, (t, _))| **t >= MIN_TRUTH)
                .map(|(k, (&t, &s))| {
                    let (i, j) = (k % bins, k / bins);
                    let x0 = x_lo + i as f64 * wx;
                    let y0 = y_lo + j as f64 * wy;
                    let dev = (s as f64 * norm - t as f64) / t as f64;
                    Rectangle::new(
                        [(x0, y0), (x0 + wx, y0 + wy)],
                        diverging(dev / DEVIATION_RANGE).filled(),
                    )
                }),
        )
        .map_err(plot_err)?;
    let mut scale = ChartBuilder::on(&bar)
        .margin_top(10)
        .margin_bottom(48)
        .margin_right(4)
        .margin_left(8)
        .y_label_area_size(0)
        .right_y_label_area_size(62)
        .build_cartesian_2d(0f64..1.0, -DEVIATION_RANGE..DEVIATION_RANGE)
        .map_err(plot_err)?;
    scale
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(5)
        .y_label_formatter(&|v| format!("{v:+.2}"))
        .y_desc(format!(
            "(test − truth) / truth, ≥ {MIN_TRUTH} truth events"
        ))
        .label_style(("sans-serif", 11))
        .axis_desc_style(("sans-serif", 11))
        .draw()
        .map_err(plot_err)?;
    let steps = 40;
    scale
        .draw_series((0..steps).map(|s| {
            let a = -DEVIATION_RANGE + 2.0 * DEVIATION_RANGE * s as f64 / steps as f64;
            let b = a + 2.0 * DEVIATION_RANGE / steps as f64;
            Rectangle::new(
                [(0.0, a), (1.0, b)],
                diverging((a + b) / 2.0 / DEVIATION_RANGE).filled(),
            )
        }))
        .map_err(plot_err)?;
    Ok(())
}
