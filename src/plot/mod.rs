//! Drawing functions generic over plotters' `DrawingBackend`, so the same code draws on a
//! canvas in the page and to SVG (and PNG) files. HEP style (DESIGN.md): step histograms,
//! Poisson error bars, a ratio panel under the main panel, axis labels with units, legends
//! that give sample sizes.

mod hist;
mod labels;
mod loss;

pub use hist::{draw_hist_ratio, feature_series, HistSeries};
pub use labels::axis_label;
pub use loss::draw_loss;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// The error every drawing function returns, as text (backends have their own error types).
pub type PlotResult = std::result::Result<(), String>;

pub(crate) fn plot_err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// Colours of the three standard series (colour-blind safe: Okabe–Ito).
pub const GEN_COLOR: RGBColor = RGBColor(0, 114, 178);
pub const RECO_COLOR: RGBColor = RGBColor(0, 0, 0);
pub const MODEL_COLOR: RGBColor = RGBColor(213, 94, 0);
pub const VAL_COLOR: RGBColor = RGBColor(0, 158, 115);

/// The legend box every plot uses: upper right, on a translucent white ground.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
) -> PlotResult {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(plot_err)
}

/// Renders a drawing function to an SVG string of the given size.
pub fn to_svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> PlotResult,
) -> std::result::Result<String, String> {
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(&root)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// Registers the bundled DejaVu Sans as plotters' "sans-serif" (native builds lay out text,
/// SVG included, with it; the page measures text with the browser's fonts instead).
fn register_font() {
    #[cfg(not(target_arch = "wasm32"))]
    {
        static FONT: std::sync::Once = std::sync::Once::new();
        FONT.call_once(|| {
            let bytes: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
            for style in [
                FontStyle::Normal,
                FontStyle::Bold,
                FontStyle::Italic,
                FontStyle::Oblique,
            ] {
                // Registration fails only on a corrupt font, which include_bytes rules out.
                let _ = plotters::style::register_font("sans-serif", style, bytes);
            }
        });
    }
}

/// Renders a drawing function to a PNG file (native only: the page exports its canvas), with
/// text in the bundled DejaVu Sans (assets/fonts; free licence beside it), so a PNG looks the
/// same on a machine with no fonts installed.
#[cfg(not(target_arch = "wasm32"))]
pub fn to_png_file(
    path: &std::path::Path,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend, plotters::coord::Shift>) -> PlotResult,
) -> PlotResult {
    register_font();
    let root = BitMapBackend::new(path, size).into_drawing_area();
    draw(&root)?;
    root.present().map_err(plot_err)
}

#[cfg(test)]
mod snapshot_tests {
    //! SVG snapshots of each plot on fixed inputs. A deliberate change of a plot is accepted by
    //! re-running with `UPDATE_SNAPSHOTS=1` and looking at the new SVG.
    use super::*;
    use crate::train::EpochReport;
    use std::path::PathBuf;

    fn check(name: &str, svg: &str) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("src/plot/snapshots")
            .join(format!("{name}.svg"));
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, svg).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "missing snapshot {}; run with UPDATE_SNAPSHOTS=1",
                path.display()
            )
        });
        assert!(
            want == svg,
            "plot {name} changed; look at it and re-run with UPDATE_SNAPSHOTS=1 to accept"
        );
    }

    /// A deterministic, roughly Gaussian sample (sum of 4 uniforms from an LCG).
    fn sample(n: usize, mean: f32, sd: f32, mut state: u64) -> Vec<f32> {
        (0..n)
            .map(|_| {
                let s: f32 = (0..4)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        (state >> 40) as f32 / (1u64 << 24) as f32
                    })
                    .sum();
                mean + sd * (s - 2.0) * 3f32.sqrt()
            })
            .collect()
    }

    #[test]
    fn hist_ratio_snapshot() {
        let gen = sample(5000, 40.0, 10.0, 1);
        let reco = sample(5000, 40.0, 12.0, 2);
        let model = sample(5000, 40.5, 11.8, 3);
        let series = [
            HistSeries {
                label: "gen",
                values: &gen,
                color: GEN_COLOR,
            },
            HistSeries {
                label: "reco",
                values: &reco,
                color: RECO_COLOR,
            },
            HistSeries {
                label: "model",
                values: &model,
                color: MODEL_COLOR,
            },
        ];
        let svg = to_svg((480, 400), |root| {
            draw_hist_ratio(root, &axis_label("reco_jet_px"), &series, 30)
        })
        .unwrap();
        assert!(
            svg.contains("jet pₓ [GeV]")
                && svg.contains("model (N = 5,000)")
                && svg.contains("/ reco")
        );
        check("hist_ratio", &svg);
    }

    #[test]
    fn loss_snapshot() {
        let history: Vec<EpochReport> = (1..=8)
            .map(|e| EpochReport {
                epoch: e,
                train_loss: 6.0 / (e as f64).sqrt(),
                val_loss: 5.8 / (e as f64).sqrt() + 0.02 * (e as f64 - 6.0).max(0.0),
                lr: 1e-3 / e as f64,
                best_epoch: e.min(6),
            })
            .collect();
        let svg = to_svg((640, 300), |root| draw_loss(root, &history)).unwrap();
        assert!(svg.contains("kept: epoch 6") && svg.contains("validation"));
        check("loss", &svg);
    }
}
