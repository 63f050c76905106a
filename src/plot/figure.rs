//! Every plot kind as one owned value, so the page can draw it on a canvas, keep it, and
//! export the same drawing as SVG, and the command line can write it as SVG or PNG.

use super::{
    draw_deviation2d, draw_event_display, draw_hist_ratio, draw_js_curves, draw_map2d,
    draw_residual_tails, draw_shower_images, CurveStyle, HistSeries, JetPanel, PlotResult,
};
use super::{truth_color, HIST_EST_COLOR, KDE_COLOR, MODEL_COLOR, VAL_COLOR};
use crate::metrics::{Amplification, JsCurve, Study};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One histogram sample with its ensemble members (if any), owned.
#[derive(Clone, Debug)]
pub struct SeriesData {
    pub label: String,
    pub values: Vec<f32>,
    pub color: RGBColor,
    pub band: Vec<Vec<f32>>,
}

impl SeriesData {
    pub fn new(label: &str, values: Vec<f32>, color: RGBColor) -> Self {
        Self {
            label: label.into(),
            values,
            color,
            band: Vec::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Figure {
    /// Step histograms with a ratio panel (distributions and relative residuals).
    Hist {
        x_label: String,
        series: Vec<SeriesData>,
        bins: usize,
    },
    /// JS versus n_quant with bands, and a note such as the amplification factor.
    Js {
        title: String,
        curves: Vec<(JsCurve, RGBColor)>,
        note: String,
        /// The n_quant the note refers to, marked by a dotted line.
        mark: Option<usize>,
    },
    /// One jet's constituents in the η–φ plane per level (gen, reco, model), area ∝ pT.
    Jets {
        panels: Vec<JetPanel>,
        /// (η, φ) of the window centre: the gen jet's axis.
        center: (f32, f32),
        r: f32,
    },
    /// The bin-wise relative deviation of two 2-D distributions (test against truth).
    Deviation {
        x_label: String,
        y_label: String,
        truth: (Vec<f32>, Vec<f32>),
        test: (Vec<f32>, Vec<f32>),
        bins: usize,
    },
    /// Calorimeter images on a shared log colour scale (seed 003, fig. 1): a mean image and
    /// single showers.
    Showers {
        panels: Vec<(String, Vec<f32>)>,
        pixel_mm: f32,
    },
    /// Residual distributions on a log scale in units of a core width, the tails beyond 3σ
    /// marked (the response models' comparison).
    Tails {
        x_label: String,
        series: Vec<SeriesData>,
        bins: usize,
    },
    /// One quantity against another, event by event (model versus detector, unfolded
    /// versus truth).
    Map {
        x_label: String,
        y_label: String,
        x: Vec<f32>,
        y: Vec<f32>,
        bins: usize,
    },
}

impl Figure {
    /// The JS-vs-n_quant figure of a study: truth subsamples (light to dark by size), then the
    /// training sample, the KDE and histogram baselines and the model, with the amplification
    /// of `amp` written on it and its n_quant marked.
    pub fn js_study(study: &Study, title: String, amp: &Amplification) -> Figure {
        let n = study.truth.len();
        let mut curves: Vec<(JsCurve, RGBColor)> = study
            .truth
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), truth_color(i, n)))
            .collect();
        for (label, color) in [
            ("training sample", VAL_COLOR),
            ("KDE", KDE_COLOR),
            ("histogram", HIST_EST_COLOR),
            ("model", MODEL_COLOR),
        ] {
            if let Some(c) = study.curve(label) {
                curves.push((c.clone(), color));
            }
        }
        Figure::Js {
            title,
            curves,
            note: format!(
                "model amplification (n_quant = {}): {}",
                amp.n_quant,
                amp.factor_text()
            ),
            mark: Some(amp.n_quant),
        }
    }

    /// The size it is drawn at, in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Figure::Hist { .. } => (560, 440),
            Figure::Tails { .. } => (720, 480),
            Figure::Js { .. } => (860, 500),
            Figure::Map { .. } | Figure::Deviation { .. } => (540, 460),
            Figure::Jets { panels, .. } => (320 * panels.len().max(1) as u32, 360),
            Figure::Showers { panels, .. } => (230 * panels.len().max(1) as u32 + 90, 250),
        }
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> PlotResult {
        match self {
            Figure::Hist {
                x_label,
                series,
                bins,
            } => draw_hist_ratio(root, x_label, &borrowed(series), *bins),
            Figure::Tails {
                x_label,
                series,
                bins,
            } => draw_residual_tails(root, x_label, &borrowed(series), *bins),
            Figure::Js {
                title,
                curves,
                note,
                mark,
            } => {
                let c: Vec<CurveStyle> = curves
                    .iter()
                    .map(|(curve, color)| CurveStyle {
                        curve,
                        color: *color,
                    })
                    .collect();
                draw_js_curves(root, title, &c, note, *mark)
            }
            Figure::Showers { panels, pixel_mm } => draw_shower_images(root, panels, *pixel_mm),
            Figure::Map {
                x_label,
                y_label,
                x,
                y,
                bins,
            } => draw_map2d(root, x_label, y_label, x, y, *bins),
            Figure::Jets { panels, center, r } => draw_event_display(root, panels, *center, *r),
            Figure::Deviation {
                x_label,
                y_label,
                truth,
                test,
                bins,
            } => draw_deviation2d(
                root,
                x_label,
                y_label,
                (&truth.0, &truth.1),
                (&test.0, &test.1),
                *bins,
            ),
        }
    }
}

/// Owned series as the drawing functions take them.
fn borrowed(series: &[SeriesData]) -> Vec<HistSeries<'_>> {
    series
        .iter()
        .map(|d| HistSeries {
            label: &d.label,
            values: &d.values,
            color: d.color,
            band: d.band.iter().map(Vec::as_slice).collect(),
        })
        .collect()
}
