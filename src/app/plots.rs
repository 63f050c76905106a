//! Plots on the page: drawn on a canvas and remembered, so each can be downloaded as PNG (the
//! canvas) or SVG (the same drawing function on plotters' SVG backend), with the buttons that
//! do it. A plot that cannot be drawn or exported says why in the page's error line.

use super::canvas::draw_on;
use super::files::{canvas_png, download, download_url};
use super::state::{AppState, PlotSpec};
use crate::error::{Error, Result};
use crate::plot::{to_svg, Figure, SeriesData};
use leptos::prelude::*;
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
pub fn show(app: AppState, spec: PlotSpec) -> Result<()> {
    draw_on(&spec.id, |root| spec.figure.draw(root))?;
    app.plots.with(|plots| {
        plots.retain(|p| p.id != spec.id);
        plots.push(spec);
    });
    Ok(())
}

/// Draws `figure` on canvas `id` and keeps it for export.
pub fn show_figure(app: AppState, id: impl Into<String>, figure: Figure) -> Result<()> {
    show(
        app,
        PlotSpec {
            id: id.into(),
            figure,
        },
    )
}

/// Downloads plot `id` as `<id>.png` (the canvas) or `<id>.svg`.
pub fn export(app: AppState, id: &str, svg: bool) -> Result<()> {
    if !svg {
        return download_url(&format!("{id}.png"), &canvas_png(id)?);
    }
    let spec = app
        .plots
        .with(|plots| plots.iter().find(|p| p.id == id).cloned())
        .ok_or_else(|| Error::invalid("plot", format!("'{id}' has not been drawn yet")))?;
    let text = to_svg(spec.figure.size(), |root| spec.figure.draw(root))?;
    download(&format!("{id}.svg"), text.as_bytes(), "image/svg+xml")
}

/// PNG and SVG download buttons under a plot; a failed export shows its message.
#[component]
pub fn PlotLinks(id: String) -> impl IntoView {
    let app = expect_context::<AppState>();
    let (a, b) = (id.clone(), id.clone());
    view! {
        <span class="plot-links">
            <button class="dl-png" data-plot=id.clone() on:click=move |_| {
                if let Err(e) = export(app, &a, false) { app.fail(e); }
            }>"PNG"</button>
            <button class="dl-svg" data-plot=id.clone() on:click=move |_| {
                if let Err(e) = export(app, &b, true) { app.fail(e); }
            }>"SVG"</button>
        </span>
    }
}
