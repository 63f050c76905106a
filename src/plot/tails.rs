//! Residual distributions on a logarithmic axis, in units of the detector's core width, so
//! the tails beyond 3σ show (issue 22: a Gaussian response model cannot make them, a flow
//! can). Step histograms of each sample, the ±3σ lines marked.

use super::hist::histogram;
use super::{legend_at, plot_err, HistSeries, PlotResult};
use crate::numfmt::thousands;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The range drawn: ±8 core widths.
const RANGE: f64 = 8.0;

/// `series`: the residuals in core widths, the detector first; `x_label` names the residual.
pub fn draw_residual_tails<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x_label: &str,
    series: &[HistSeries],
    n_bins: usize,
) -> PlotResult {
    root.fill(&WHITE).map_err(plot_err)?;
    let n_bins = n_bins.max(2);
    let width = 2.0 * RANGE / n_bins as f64;
    let hists: Vec<Vec<f64>> = series
        .iter()
        .map(|s| histogram(s.values, -RANGE, RANGE, n_bins))
        .collect();
    let y_max = hists.iter().flatten().fold(1f64, |a, &b| a.max(b)) * 3.0;
    let font = ("sans-serif", 13);
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(62)
        .build_cartesian_2d(-RANGE..RANGE, (0.5f64..y_max).log_scale())
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .x_desc(x_label)
        .y_desc(format!("events / {width:.2} σ"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(font)
        .axis_desc_style(font)
        .draw()
        .map_err(plot_err)?;
    for x in [-3.0, 3.0] {
        chart
            .draw_series(LineSeries::new(
                vec![(x, 0.5), (x, y_max)],
                BLACK.mix(0.3).stroke_width(1),
            ))
            .map_err(plot_err)?;
    }
    for (s, h) in series.iter().zip(&hists) {
        let (label, v) = (s.label, s.values);
        let mut steps = Vec::with_capacity(2 * n_bins);
        for (i, &c) in h.iter().enumerate() {
            let x0 = -RANGE + i as f64 * width;
            // Empty bins drawn at the axis floor (log scale).
            let c = c.max(0.5);
            steps.push((x0, c));
            steps.push((x0 + width, c));
        }
        let color = s.color;
        let beyond = v.iter().filter(|x| x.abs() > 3.0).count() as f64 / v.len().max(1) as f64;
        chart
            .draw_series(LineSeries::new(steps, color.stroke_width(2)))
            .map_err(plot_err)?
            .label(format!(
                "{label} (N = {}, {:.2} % beyond 3σ)",
                thousands(v.len()),
                100.0 * beyond
            ))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
    }
    legend_at(&mut chart, SeriesLabelPosition::UpperRight)
}
