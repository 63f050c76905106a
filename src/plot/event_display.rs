//! One jet in the η–φ plane, side by side for several levels (gen, reco, model): each
//! constituent a disc of area ∝ pT, the jet axis and its radius-R circle marked.

use super::{plot_err, PlotResult};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One panel: a title, its colour and the constituents as (pT GeV, η, φ).
#[derive(Debug, Clone, PartialEq)]
pub struct JetPanel {
    pub title: String,
    pub color: RGBColor,
    pub particles: Vec<[f32; 3]>,
}

/// Draws the panels in a row, all on the same window of ±`half` around (`eta0`, `phi0`) (φ
/// wrapped relative to phi0) so positions compare across panels; disc area ∝ pT, scaled by
/// the largest pT over all panels. The dashed circle has radius `r` around the window centre.
pub fn draw_event_display<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panels: &[JetPanel],
    center: (f32, f32),
    r: f32,
) -> PlotResult {
    root.fill(&WHITE).map_err(plot_err)?;
    let half = 1.5 * r;
    let (eta0, phi0) = center;
    let pt_max = panels
        .iter()
        .flat_map(|p| p.particles.iter().map(|q| q[0]))
        .fold(0f32, f32::max)
        .max(1e-3);
    let areas = root.split_evenly((1, panels.len().max(1)));
    let font = ("sans-serif", 13);
    for (area, panel) in areas.iter().zip(panels) {
        let total: f32 = panel.particles.iter().map(|p| p[0]).sum();
        let outside = panel
            .particles
            .iter()
            .filter(|p| (p[1] - eta0).abs() > half || wrap(p[2] - phi0).abs() > half)
            .count();
        // Say so when particles fall outside the frame, rather than show an empty panel.
        let title = format!(
            "{} ({} particles, Σ pT {:.0} GeV{})",
            panel.title,
            panel.particles.len(),
            total,
            if outside > 0 {
                format!("; {outside} outside")
            } else {
                String::new()
            }
        );
        let mut chart = ChartBuilder::on(area)
            .margin(8)
            .caption(title, ("sans-serif", 14))
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(
                (eta0 - half) as f64..(eta0 + half) as f64,
                (-half) as f64..half as f64,
            )
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc("η")
            .y_desc("φ − φ_jet [rad]")
            .x_labels(5)
            .y_labels(5)
            .label_style(font)
            .axis_desc_style(font)
            .light_line_style(WHITE)
            .draw()
            .map_err(plot_err)?;
        let circle: Vec<(f64, f64)> = (0..=96)
            .map(|k| {
                let a = k as f64 / 96.0 * std::f64::consts::TAU;
                (eta0 as f64 + r as f64 * a.cos(), r as f64 * a.sin())
            })
            .collect();
        chart
            .draw_series(DashedLineSeries::new(
                circle,
                4,
                3,
                RGBColor(150, 150, 150).stroke_width(1),
            ))
            .map_err(plot_err)?;
        let mut sorted = panel.particles.clone();
        // Soft particles last, so they stay visible on top of hard ones.
        sorted.sort_by(|a, b| b[0].total_cmp(&a[0]));
        chart
            .draw_series(sorted.iter().filter_map(|p| {
                let dphi = wrap(p[2] - phi0);
                let inside = (p[1] - eta0).abs() <= half && dphi.abs() <= half;
                // Area ∝ pT: radius ∝ √pT, 22 px for the hardest particle.
                let radius = (22.0 * (p[0] / pt_max).max(0.0).sqrt()).max(1.5) as i32;
                inside.then(|| {
                    Circle::new(
                        (p[1] as f64, dphi as f64),
                        radius,
                        panel.color.mix(0.45).filled(),
                    )
                })
            }))
            .map_err(plot_err)?;
        chart
            .draw_series(std::iter::once(Cross::new(
                (eta0 as f64, 0.0),
                5,
                BLACK.stroke_width(2),
            )))
            .map_err(plot_err)?;
    }
    root.present().map_err(plot_err)
}

/// φ difference in (−π, π].
fn wrap(d: f32) -> f32 {
    let tau = std::f32::consts::TAU;
    let mut d = d % tau;
    if d > std::f32::consts::PI {
        d -= tau;
    } else if d <= -std::f32::consts::PI {
        d += tau;
    }
    d
}
