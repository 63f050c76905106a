//! Drawing the core's plots on a `<canvas>` through plotters-canvas.

use crate::error::Error;
use crate::plot::{plot_err, PlotResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// Draws on the canvas with this element id; a missing canvas is an error message.
pub fn draw_on(
    id: &str,
    draw: impl FnOnce(&DrawingArea<CanvasBackend, Shift>) -> PlotResult,
) -> PlotResult {
    let backend = CanvasBackend::new(id)
        .ok_or_else(|| Error::Plot(format!("canvas '{id}' is not on the page")))?;
    let root = backend.into_drawing_area();
    draw(&root)?;
    root.present().map_err(plot_err)
}
