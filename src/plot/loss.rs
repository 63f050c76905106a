//! Training and validation loss per epoch, with the kept (best) epoch marked.

use super::{legend, plot_err, PlotResult, MODEL_COLOR, VAL_COLOR};
use crate::train::EpochReport;
use plotters::coord::Shift;
use plotters::prelude::*;

pub fn draw_loss<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    history: &[EpochReport],
    y_label: &str,
) -> PlotResult {
    root.fill(&WHITE).map_err(plot_err)?;
    let finite = |v: f64| if v.is_finite() { Some(v) } else { None };
    let vals: Vec<f64> = history
        .iter()
        .flat_map(|r| [finite(r.train_loss), finite(r.val_loss)])
        .flatten()
        .collect();
    let (mut lo, mut hi) = vals
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    if vals.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = 0.08 * (hi - lo).max(1e-3);
    let n = history.len().max(2) as f64;
    let font = ("sans-serif", 13);
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0.5f64..n + 0.5, (lo - pad)..(hi + pad))
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .x_labels(history.len().clamp(2, 12))
        .x_label_formatter(&|v| {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                String::new()
            }
        })
        .x_desc("epoch")
        .y_desc(y_label)
        .label_style(font)
        .axis_desc_style(font)
        .draw()
        .map_err(plot_err)?;
    for (label, color, get) in [
        (
            "training",
            MODEL_COLOR,
            (|r: &EpochReport| r.train_loss) as fn(&EpochReport) -> f64,
        ),
        ("validation", VAL_COLOR, |r: &EpochReport| r.val_loss),
    ] {
        let pts: Vec<(f64, f64)> = history
            .iter()
            .filter_map(|r| finite(get(r)).map(|v| (r.epoch as f64, v)))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(plot_err)?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(plot_err)?;
    }
    if let Some(best) = history.last().map(|r| r.best_epoch).filter(|&b| b > 0) {
        if let Some(r) = history.iter().find(|r| r.epoch == best) {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (best as f64, r.val_loss),
                    7,
                    VAL_COLOR.stroke_width(2),
                )))
                .map_err(plot_err)?
                .label(format!("kept: epoch {best}"))
                .legend(move |(x, y)| Circle::new((x + 9, y), 5, VAL_COLOR.stroke_width(2)));
        }
    }
    legend(&mut chart)?;
    Ok(())
}
