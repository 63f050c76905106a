//! Histograms on the page: drawn on a canvas and remembered, so each can be downloaded as
//! PNG (the canvas) or SVG (the same drawing function on plotters' SVG backend).

use super::canvas::draw_on;
use super::files::{canvas_png, download, download_url};
use super::session::{self, PlotSpec};
use crate::error::{Error, Result};
use crate::plot::{to_svg, Figure, SeriesData};
use plotters::style::RGBColor;

/// Bins of the page's histograms.
pub const BINS: usize = 40;

/// A histogram figure of labelled samples (no ensemble band).
pub fn hist(x_label: String, series: Vec<(&str, Vec<f32>, RGBColor)>) -> Figure {
    Figure::Hist {
        x_label,
        series: series
            .into_iter()
            .map(|(label, values, color)| SeriesData::new(label, values, color))
            .collect(),
        bins: BINS,
    }
}

/// Draws `spec` on its canvas (which must be on the page) and keeps it for export.
pub fn show(spec: PlotSpec) -> Result<()> {
    draw_on(&spec.id, |root| spec.figure.draw(root)).map_err(|e| Error::invalid("plot", e))?;
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
    let text = to_svg(spec.figure.size(), |root| spec.figure.draw(root))
        .map_err(|e| Error::invalid("plot", e))?;
    download(&format!("{id}.svg"), text.as_bytes(), "image/svg+xml")
}
