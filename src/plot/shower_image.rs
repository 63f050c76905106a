//! Calorimeter images (seed 003, fig. 1): panels of 10 × 10 pixels on one logarithmic colour
//! scale from the half-MIP cut to the largest pixel, with a colour bar in MeV — a mean image
//! and single showers side by side.

use super::map2d::{log_colour_bar, viridis};
use super::{plot_err, PlotResult};
use crate::physics::{IMAGE_PIXELS, IMAGE_SIDE, MIP_CUT_MEV};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draws `panels` (title, 100 pixel energies in MeV, row-major over x then y) in a row, each
/// `pixel_mm` per pixel, with a shared log colour scale; pixels below 0.1 MeV stay white.
pub fn draw_shower_images<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panels: &[(String, Vec<f32>)],
    pixel_mm: f32,
) -> PlotResult {
    root.fill(&WHITE).map_err(plot_err)?;
    let lo = MIP_CUT_MEV as f64;
    let hi = panels
        .iter()
        .flat_map(|(_, im)| im.iter().copied())
        .fold(0f32, f32::max)
        .max(1.0) as f64;
    let t = |v: f64| ((v / lo).ln() / (hi / lo).ln()).clamp(0.0, 1.0);
    let (wpx, _) = root.dim_in_pixel();
    let (main, bar) = root.split_horizontally(wpx.saturating_sub(90));
    let half = 0.5 * IMAGE_SIDE as f64 * pixel_mm as f64;
    let areas = main.split_evenly((1, panels.len().max(1)));
    for (area, (title, im)) in areas.iter().zip(panels) {
        if im.len() != IMAGE_PIXELS {
            return Err(crate::Error::Plot(format!(
                "'{title}' has {} pixels, not {IMAGE_PIXELS}",
                im.len()
            )));
        }
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 13))
            .margin(6)
            .x_label_area_size(34)
            .y_label_area_size(40)
            .build_cartesian_2d(-half..half, -half..half)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("x [mm]")
            .y_desc("y [mm]")
            .x_labels(5)
            .y_labels(5)
            .label_style(("sans-serif", 11))
            .axis_desc_style(("sans-serif", 11))
            .draw()
            .map_err(plot_err)?;
        let p = pixel_mm as f64;
        chart
            .draw_series(
                im.iter()
                    .enumerate()
                    .filter(|(_, &v)| v as f64 >= lo)
                    .map(|(k, &v)| {
                        let (ix, iy) = (k / IMAGE_SIDE, k % IMAGE_SIDE);
                        let (x0, y0) = (-half + ix as f64 * p, -half + iy as f64 * p);
                        Rectangle::new([(x0, y0), (x0 + p, y0 + p)], viridis(t(v as f64)).filled())
                    }),
            )
            .map_err(plot_err)?;
    }
    log_colour_bar(&bar, lo, hi, "pixel energy [MeV]", &|v| {
        if *v < 1.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.0}")
        }
    })
}
