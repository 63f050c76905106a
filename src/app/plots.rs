//! Histograms on the page: drawn on a canvas and remembered, so each can be downloaded as
//! PNG (the canvas) or SVG (the same drawing function on plotters' SVG backend).

use super::canvas::draw_on;
use super::files::{canvas_png, download, download_url};
use super::session::{self, PlotSpec};
use crate::error::{Error, Result};
use crate::plot::{draw_hist_ratio, to_svg, HistSeries};

const BINS: usize = 40;

fn draw_spec<DB: plotters::prelude::DrawingBackend>(
    root: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
    spec: &PlotSpec,
) -> crate::plot::PlotResult {
    let series: Vec<HistSeries> = spec
        .series
        .iter()
        .map(|(label, values, color)| HistSeries::new(label, values, *color))
        .collect();
    draw_hist_ratio(root, &spec.x_label, &series, BINS)
}

/// Draws `spec` on its canvas (which must be on the page) and keeps it for export.
pub fn show(spec: PlotSpec) -> Result<()> {
    draw_on(&spec.id, |root| draw_spec(root, &spec)).map_err(|e| Error::invalid("plot", e))?;
    session::with(|s| {
        s.plots.retain(|p| p.id != spec.id);
        s.plots.push(spec);
    });
    Ok(())
}

/// Downloads plot `id` as `<id>.png` (the canvas) or `<id>.svg`.
pub fn export(id: &str, svg: bool) -> Result<()> {
    if !svg {
        return download_url(&format!("{id}.png"), &canvas_png(id)?);
    }
    let spec = session::with(|s| s.plots.iter().find(|p| p.id == id).cloned())
        .ok_or_else(|| Error::invalid("plot", format!("'{id}' has not been drawn yet")))?;
    let text =
        to_svg((560, 440), |root| draw_spec(root, &spec)).map_err(|e| Error::invalid("plot", e))?;
    download(&format!("{id}.svg"), text.as_bytes(), "image/svg+xml")
}
