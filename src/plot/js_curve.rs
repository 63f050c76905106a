//! Quantile-JS versus n_quant on log–log axes (seed 003, figs. 6, 7, 9, 10): one line per kind
//! of sample with its ±1σ band; the part of a line beyond N/10 quantiles (fewer than ten events
//! per cell) is dashed, as the paper marks it not meaningful.

use super::{plot_err, PlotResult};
use crate::metrics::JsCurve;
use crate::numfmt::thousands;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One curve and its colour.
pub struct CurveStyle<'a> {
    pub curve: &'a JsCurve,
    pub color: RGBColor,
}

/// Width of the legend column at the right, in pixels.
const LEGEND_W: u32 = 230;

/// Draws the curves under `title` (the observable), with `note` (e.g. the amplification)
/// written in the plot's lower right and a dotted vertical line at n_quant `mark`.
pub fn draw_js_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    curves: &[CurveStyle],
    note: &str,
    mark: Option<usize>,
) -> PlotResult {
    root.fill(&WHITE).map_err(plot_err)?;
    let (w, _) = root.dim_in_pixel();
    let (plot_area, legend_area) = root.split_horizontally(w.saturating_sub(LEGEND_W));
    let pts = curves.iter().flat_map(|c| c.curve.points.iter());
    let x_max = pts.clone().map(|p| p.n_quant).max().unwrap_or(4).max(4) as f64;
    let positive = |v: f64| v.is_finite() && v > 0.0;
    let y_lo = pts
        .clone()
        .map(|p| p.mean)
        .filter(|&v| positive(v))
        .fold(f64::MAX, f64::min);
    let y_hi = pts
        .map(|p| p.mean + p.sd)
        .filter(|&v| positive(v))
        .fold(f64::MIN_POSITIVE, f64::max);
    let (y_lo, y_hi) = if y_lo <= y_hi {
        (y_lo / 3.0, (y_hi * 3.0).min(1.0))
    } else {
        (1e-6, 1.0)
    };
    let font = ("sans-serif", 13);
    let mut chart = ChartBuilder::on(&plot_area)
        .caption(title, ("sans-serif", 15))
        .margin(10)
        .margin_right(16)
        .x_label_area_size(38)
        .y_label_area_size(64)
        .build_cartesian_2d((1.5f64..x_max * 1.4).log_scale(), (y_lo..y_hi).log_scale())
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_max_light_lines(0)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .x_desc("n_quant (quantiles of the reference)")
        .y_desc("quantile JS divergence")
        .label_style(font)
        .axis_desc_style(font)
        .draw()
        .map_err(plot_err)?;
    if let Some(q) = mark {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(q as f64, y_lo), (q as f64, y_hi)],
                2,
                4,
                BLACK.mix(0.6).stroke_width(1),
            ))
            .map_err(plot_err)?;
    }
    for c in curves {
        let color = c.color;
        let p = &c.curve.points;
        if p.iter().any(|p| p.sd > 0.0) {
            let mut band: Vec<(f64, f64)> = p
                .iter()
                .map(|p| (p.n_quant as f64, (p.mean + p.sd).clamp(y_lo, y_hi)))
                .collect();
            band.extend(
                p.iter()
                    .rev()
                    .map(|p| (p.n_quant as f64, (p.mean - p.sd).clamp(y_lo, y_hi))),
            );
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    color.mix(0.12).filled(),
                )))
                .map_err(plot_err)?;
        }
        let xy = |p: &crate::metrics::CurvePoint| (p.n_quant as f64, p.mean.clamp(y_lo, y_hi));
        let solid: Vec<_> = p.iter().filter(|p| p.meaningful).map(xy).collect();
        // The dashed tail starts at the last meaningful point so the line stays joined.
        let first_dashed = p.iter().position(|p| !p.meaningful).unwrap_or(p.len());
        let dashed: Vec<_> = p[first_dashed.saturating_sub(1)..].iter().map(xy).collect();
        chart
            .draw_series(LineSeries::new(solid, color.stroke_width(2)))
            .map_err(plot_err)?;
        if dashed.len() > 1 {
            chart
                .draw_series(DashedLineSeries::new(dashed, 5, 4, color.stroke_width(1)))
                .map_err(plot_err)?;
        }
        chart
            .draw_series(
                p.iter()
                    .filter(|p| p.meaningful)
                    .map(|p| Circle::new(xy(p), 2, color.filled())),
            )
            .map_err(plot_err)?;
    }
    draw_legend(&legend_area, curves)?;
    if !note.is_empty() {
        let (w, h) = plot_area.dim_in_pixel();
        plot_area
            .draw(&Text::new(
                note.to_string(),
                (w as i32 - 20, h as i32 - 52),
                ("sans-serif", 13).into_font().color(&BLACK).pos(
                    plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Right,
                        plotters::style::text_anchor::VPos::Bottom,
                    ),
                ),
            ))
            .map_err(plot_err)?;
    }
    Ok(())
}

/// The legend in its own column: a line and the label, N and band of each curve, then what
/// the line styles mean.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[CurveStyle],
) -> PlotResult {
    let font = ("sans-serif", 12).into_font().color(&BLACK);
    let mut y = 40;
    for c in curves {
        area.draw(&PathElement::new(
            vec![(4, y), (26, y)],
            c.color.stroke_width(2),
        ))
        .map_err(plot_err)?;
        let band = if c.curve.repeats > 1 {
            format!(", ±1σ of {}", c.curve.repeats)
        } else if c.curve.points.iter().any(|p| p.sd > 0.0) {
            ", ±1σ".to_string()
        } else {
            String::new()
        };
        let text = format!("{} N = {}{band}", c.curve.label, thousands(c.curve.size));
        area.draw(&Text::new(text, (32, y - 7), font.clone()))
            .map_err(plot_err)?;
        y += 19;
    }
    y += 8;
    area.draw(&PathElement::new(
        vec![(4, y), (26, y)],
        BLACK.stroke_width(2),
    ))
    .map_err(plot_err)?;
    area.draw(&Text::new(
        "≥ 10 events per quantile",
        (32, y - 7),
        font.clone(),
    ))
    .map_err(plot_err)?;
    y += 19;
    for x in [4, 13, 22] {
        area.draw(&PathElement::new(
            vec![(x, y), (x + 5, y)],
            BLACK.stroke_width(1),
        ))
        .map_err(plot_err)?;
    }
    area.draw(&Text::new("fewer: not meaningful", (32, y - 7), font))
        .map_err(plot_err)?;
    Ok(())
}
