//! Training and validation loss per epoch, with the kept (best) epoch marked.

use super::{legend, plot_err, PlotResult, GEN_COLOR, MODEL_COLOR, RECO_COLOR, VAL_COLOR};
use crate::model::EpochReport;
use crate::model::{GanEpoch, ShowerEpoch};
use plotters::coord::Shift;
use plotters::prelude::*;

pub fn draw_loss<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    history: &[EpochReport],
    y_label: &str,
) -> PlotResult {
    root.fill(&WHITE).map_err(plot_err)?;
    let pts = |get: fn(&EpochReport) -> f64| -> Vec<(f64, f64)> {
        history.iter().map(|r| (r.epoch as f64, get(r))).collect()
    };
    let best = history
        .last()
        .map(|r| r.best_epoch)
        .and_then(|b| history.iter().find(|r| r.epoch == b))
        .map(|r| (r.epoch as f64, r.val_loss));
    draw_curves(
        root,
        y_label,
        &[
            ("training", MODEL_COLOR, pts(|r| r.train_loss)),
            ("validation", VAL_COLOR, pts(|r| r.val_loss)),
        ],
        best,
    )
}

/// The unfolding GANs' training (seed 002): the discriminator and generator losses above,
/// the checkpoint criterion (validation quantile-JS of m_jj) below, the kept epoch marked.
pub fn draw_gan_loss<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    history: &[GanEpoch],
) -> PlotResult {
    let pts = |get: fn(&GanEpoch) -> f64| -> Vec<(f64, f64)> {
        history.iter().map(|r| (r.epoch as f64, get(r))).collect()
    };
    let best = history
        .last()
        .and_then(|l| history.iter().find(|r| r.epoch == l.best_epoch))
        .map(|r| (r.epoch as f64, r.val_js_mjj));
    draw_adversarial(
        root,
        &[
            ("discriminator, eq. (3)/(10)", RECO_COLOR, pts(|r| r.d_loss)),
            ("generator + λ_G·MMD", MODEL_COLOR, pts(|r| r.g_loss)),
        ],
        "validation JS of m_jj",
        ("unfolded vs parton truth", VAL_COLOR, pts(|r| r.val_js_mjj)),
        best,
    )
}

/// The shower VAE-GAN's training (seed 003, eq. 2.1): the discriminator loss, the
/// generator's −log D(G(z)) and the KL prior above; the model-selection figure below (the
/// quantile-JS of generated against training showers, averaged over the five observables),
/// the kept epoch marked.
pub fn draw_shower_loss<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    history: &[ShowerEpoch],
) -> PlotResult {
    let pts = |get: fn(&ShowerEpoch) -> f64| -> Vec<(f64, f64)> {
        history.iter().map(|r| (r.epoch as f64, get(r))).collect()
    };
    let best = history
        .last()
        .and_then(|l| history.iter().find(|r| r.epoch == l.best_epoch))
        .map(|r| (r.epoch as f64, r.selection));
    draw_adversarial(
        root,
        &[
            ("discriminator", RECO_COLOR, pts(|r| r.d_loss)),
            ("generator −log D(G(z))", MODEL_COLOR, pts(|r| r.g_loss)),
            ("KL prior", GEN_COLOR, pts(|r| r.kl)),
        ],
        "selection: mean JS of 5 observables",
        (
            "generated vs training showers",
            VAL_COLOR,
            pts(|r| r.selection),
        ),
        best,
    )
}

/// A GAN's training: its losses in the upper panel, its model-selection criterion in the
/// lower one with the kept epoch circled.
fn draw_adversarial<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    losses: &[Curve],
    criterion_label: &str,
    criterion: Curve,
    best: Option<(f64, f64)>,
) -> PlotResult {
    root.fill(&WHITE).map_err(plot_err)?;
    let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 * 55 / 100);
    draw_curves(&top, "loss", losses, None)?;
    draw_curves(&bottom, criterion_label, &[criterion], best)
}

/// One curve: label, colour, (epoch, value) points.
type Curve<'a> = (&'a str, RGBColor, Vec<(f64, f64)>);

/// Curves on one axis; non-finite points are skipped; `best`
/// is circled as the kept epoch.
fn draw_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    y_label: &str,
    curves: &[Curve],
    best: Option<(f64, f64)>,
) -> PlotResult {
    let finite: Vec<Vec<(f64, f64)>> = curves
        .iter()
        .map(|(_, _, p)| p.iter().copied().filter(|(_, v)| v.is_finite()).collect())
        .collect();
    let vals: Vec<f64> = finite.iter().flatten().map(|p| p.1).collect();
    let (mut lo, mut hi) = vals
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    if vals.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = 0.08 * (hi - lo).max(1e-3);
    let epochs = curves.iter().map(|c| c.2.len()).max().unwrap_or(0);
    let n = epochs.max(2) as f64;
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
        .x_labels(epochs.clamp(2, 12))
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
    for ((label, color, _), pts) in curves.iter().zip(finite) {
        let color = *color;
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(plot_err)?
            .label(*label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(plot_err)?;
    }
    if let Some((epoch, v)) = best.filter(|b| b.0 > 0.0 && b.1.is_finite()) {
        chart
            .draw_series(std::iter::once(Circle::new(
                (epoch, v),
                7,
                VAL_COLOR.stroke_width(2),
            )))
            .map_err(plot_err)?
            .label(format!("kept: epoch {epoch:.0}"))
            .legend(move |(x, y)| Circle::new((x + 9, y), 5, VAL_COLOR.stroke_width(2)));
    }
    legend(&mut chart)?;
    Ok(())
}
