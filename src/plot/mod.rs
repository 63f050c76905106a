//! Drawing functions generic over plotters' `DrawingBackend`, so the same code draws on a
//! canvas in the page and to SVG (and PNG) files. HEP style (DESIGN.md): step histograms,
//! Poisson error bars, a ratio panel under the main panel, axis labels with units, legends
//! that give sample sizes.

mod closure;
mod event_display;
mod figure;
mod hist;
mod js_curve;
mod labels;
mod loss;
mod map2d;
mod shower_image;
mod tails;

pub use closure::closure_figures;
pub use event_display::{draw_event_display, JetPanel};
pub use figure::{Figure, SeriesData};
pub use hist::{draw_hist_ratio, feature_series, HistSeries};
pub use js_curve::{draw_js_curves, CurveStyle};
pub use labels::{axis_label, residual_label};
pub use loss::{draw_gan_loss, draw_loss, draw_shower_loss};

/// Loss-curve axis titles.
pub const SMEARING_LOSS: &str = "loss (L1 + pinball, standardised)";
/// The flow's loss: the negative log-likelihood of the standardised targets.
pub const FLOW_LOSS: &str = "−ln p per event (standardised)";
pub const JET_VAE_LOSS: &str = "loss, eq. (1) of Touranakou et al.";
pub use map2d::{draw_deviation2d, draw_map2d};
pub use shower_image::draw_shower_images;
pub use tails::draw_residual_tails;

use crate::error::Error;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// What every drawing function returns: the core's one error type ([`Error::Plot`] wraps a
/// drawing backend's own error).
pub type PlotResult = crate::Result<()>;

/// A drawing backend's error as the core's.
pub fn plot_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Plot(format!("drawing failed: {e:?}"))
}

/// Colours of the three standard series (colour-blind safe: Okabe–Ito).
pub const GEN_COLOR: RGBColor = RGBColor(0, 114, 178);
pub const RECO_COLOR: RGBColor = RGBColor(0, 0, 0);
pub const MODEL_COLOR: RGBColor = RGBColor(213, 94, 0);
pub const VAL_COLOR: RGBColor = RGBColor(0, 158, 115);
/// The density-estimator baselines (seed 003, figs. 8–10).
pub const KDE_COLOR: RGBColor = RGBColor(86, 180, 233);
pub const HIST_EST_COLOR: RGBColor = RGBColor(204, 121, 167);

/// Truth subsample `i` of `n` (by increasing size): greys from light to black.
pub fn truth_color(i: usize, n: usize) -> RGBColor {
    let t = if n > 1 {
        i as f64 / (n - 1) as f64
    } else {
        1.0
    };
    let v = (190.0 * (1.0 - t)).round() as u8;
    RGBColor(v, v, v)
}

/// The legend box every plot uses: upper right, on a translucent white ground.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
) -> PlotResult {
    legend_at(chart, SeriesLabelPosition::UpperRight)
}

/// The same legend box at another place, on any coordinates.
pub(crate) fn legend_at<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> PlotResult {
    chart
        .configure_series_labels()
        .position(position)
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
) -> crate::Result<String> {
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
mod error_tests {
    use super::*;

    /// Issue 17: drawing errors were bare strings, which the page's export buttons dropped.
    /// They are the core's one error type now, with a one-line message.
    #[test]
    fn a_failed_drawing_is_a_core_error() {
        let fig = Figure::Hist {
            x_label: "x".into(),
            series: Vec::new(),
            bins: 10,
        };
        let e = to_svg(fig.size(), |root| fig.draw(root)).unwrap_err();
        assert!(matches!(e, Error::Plot(_)), "{e:?}");
        assert!(e.to_string().starts_with("plot: ") && !e.to_string().contains('\n'));
    }
}

#[cfg(test)]
mod snapshot_tests {
    //! SVG snapshots of each plot on fixed inputs. A deliberate change of a plot is accepted by
    //! re-running with `UPDATE_SNAPSHOTS=1` and looking at the new SVG.
    use super::*;
    use crate::model::EpochReport;
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
            HistSeries::new("gen", &gen, GEN_COLOR),
            HistSeries::new("reco", &reco, RECO_COLOR),
            HistSeries::new("model", &model, MODEL_COLOR),
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

    /// Relative residuals of reco and of a K = 3 model ensemble: the band and its legend.
    #[test]
    fn residual_band_snapshot() {
        let reco = sample(4000, 0.0, 0.10, 4);
        let m: Vec<Vec<f32>> = (0..3).map(|k| sample(4000, 0.005, 0.11, 5 + k)).collect();
        let mut model = HistSeries::new("model", &m[0], MODEL_COLOR);
        model.band = vec![&m[1], &m[2]];
        let series = [HistSeries::new("reco", &reco, RECO_COLOR), model];
        let svg = to_svg((560, 440), |root| {
            draw_hist_ratio(root, "(reco − gen) / gen of jet p_T", &series, 30)
        })
        .unwrap();
        assert!(svg.contains("model ensemble ±1σ (K = 3)") && svg.contains("/ reco"));
        check("residual_band", &svg);
    }

    /// JS curves of truth subsamples (band over five), a model, and dashed tails past N/10.
    #[test]
    fn js_curves_snapshot() {
        use crate::metrics::{Study, StudyOptions};
        let truth = sample(120_000, 0.0, 1.0, 8);
        let mut study = Study::new(&truth, 1, 1000, &StudyOptions::default()).unwrap();
        while !study.next_truth().unwrap() {}
        let model = sample(8000, 0.01, 1.0, 9);
        study.add_split("model", &model, 5).unwrap();
        let amp = study.amplification("model", None).unwrap();
        let n = study.truth.len();
        let mut curves: Vec<(crate::metrics::JsCurve, RGBColor)> = study
            .truth
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), truth_color(i, n)))
            .collect();
        curves.push((study.curve("model").unwrap().clone(), MODEL_COLOR));
        let fig = Figure::Js {
            title: "jet p_T [GeV]".into(),
            curves,
            note: format!(
                "amplification (n_quant = {}): {}",
                amp.n_quant,
                amp.factor_text()
            ),
            mark: Some(amp.n_quant),
        };
        let svg = to_svg(fig.size(), |root| fig.draw(root)).unwrap();
        assert!(svg.contains("truth N = 1,000, ±1σ of 5") && svg.contains("amplification"));
        assert!(svg.contains("stroke-dasharray") || svg.matches("<polyline").count() > 6);
        check("js_curves", &svg);
    }

    /// The unfolding closure figures on built-in WZ events and a stand-in "unfolded" sample
    /// (the truth scaled by 1.03 in every parton-level column): migration matrix, eq. (15)
    /// deviation and the 2-D relative deviation map.
    #[test]
    fn closure_snapshots() {
        let test = crate::recipe::WzRecipe::new(3000, 4, 0.0).build().unwrap();
        let mut fake = test.clone();
        for name in test.names().iter().filter(|n| n.starts_with("gen_")) {
            let v = test
                .column(name)
                .unwrap()
                .iter()
                .map(|x| x * 1.03)
                .collect();
            fake.set_column(name, v).unwrap();
        }
        let rows: Vec<usize> = (0..test.n_rows()).collect();
        let figs =
            closure_figures(&test, &[("FCGAN", &fake)], &rows, "full phase space", 30).unwrap();
        for name in ["migration_mjj", "deviation_mjj", "deviation2d"] {
            let fig = &figs.iter().find(|(n, _)| n == name).unwrap().1;
            let svg = to_svg(fig.size(), |root| fig.draw(root)).unwrap();
            check(&format!("closure_{name}"), &svg);
        }
    }

    #[test]
    fn map2d_snapshot() {
        let x = sample(3000, 50.0, 10.0, 10);
        let y: Vec<f32> = x
            .iter()
            .zip(sample(3000, 0.0, 3.0, 11))
            .map(|(a, b)| a + b)
            .collect();
        let fig = Figure::Map {
            x_label: format!("detector: {}", axis_label("reco_jet_pt")),
            y_label: format!("model: {}", axis_label("reco_jet_pt")),
            x,
            y,
            bins: 30,
        };
        let svg = to_svg(fig.size(), |root| fig.draw(root)).unwrap();
        assert!(svg.contains("model: jet p_T [GeV]") && svg.contains("events / cell"));
        check("map2d", &svg);
    }

    #[test]
    fn event_display_snapshot() {
        let gen = vec![
            [120.0, 0.5, 1.0],
            [40.0, 0.6, 1.15],
            [5.0, 0.2, 0.8],
            [1.0, 0.9, 1.3],
        ];
        let reco = vec![[110.0, 0.5, 1.0], [45.0, 0.62, 1.14], [0.8, 1.1, 0.6]];
        let model = vec![[118.0, 0.52, 1.01], [38.0, 0.58, 1.17]];
        let panels: Vec<JetPanel> = [
            ("gen", GEN_COLOR, gen),
            ("reco", RECO_COLOR, reco),
            ("model", MODEL_COLOR, model),
        ]
        .into_iter()
        .map(|(t, c, p)| JetPanel {
            title: t.into(),
            color: c,
            particles: p,
        })
        .collect();
        let fig = Figure::Jets {
            panels,
            center: (0.5, 1.0),
            r: 0.5,
        };
        let svg = to_svg(fig.size(), |root| fig.draw(root)).unwrap();
        assert!(svg.contains("gen (4 particles, Σ pT 166 GeV)"), "{svg}");
        assert!(svg.contains("φ − φ_jet [rad]"));
        check("event_display", &svg);
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
                train_parts: Vec::new(),
                val_parts: Vec::new(),
                selection: None,
            })
            .collect();
        let svg = to_svg((640, 300), |root| draw_loss(root, &history, SMEARING_LOSS)).unwrap();
        assert!(svg.contains("kept: epoch 6") && svg.contains("validation"));
        check("loss", &svg);
    }

    #[test]
    fn shower_loss_snapshot() {
        let history: Vec<crate::model::ShowerEpoch> = (1..=8)
            .map(|e| {
                let x = e as f64;
                crate::model::ShowerEpoch {
                    epoch: e,
                    d_loss: 0.6 + 0.3 / x,
                    g_loss: 1.0 + 2.0 / x,
                    kl: 3.0 * (-(x - 3.0).powi(2) / 4.0).exp(),
                    selection: 0.55 / x + 0.01 * (x - 6.0).max(0.0),
                    best_epoch: e.min(6),
                }
            })
            .collect();
        let svg = to_svg((720, 420), |root| draw_shower_loss(root, &history)).unwrap();
        assert!(svg.contains("kept: epoch 6") && svg.contains("KL prior"));
        assert!(svg.contains("selection: mean JS of 5 observables"));
        check("shower_loss", &svg);
    }

    #[test]
    fn shower_images_snapshot() {
        // A core of 500 MeV falling off by 4 per pixel, and a single shower with one hot pixel
        // beside an empty one: the log scale spans 0.1 MeV to the core.
        let core = |i: usize| {
            let (x, y) = ((i % 10) as f64 - 4.0, (i / 10) as f64 - 4.0);
            (500.0 * 0.25f64.powf((x * x + y * y).sqrt())) as f32
        };
        let mean: Vec<f32> = (0..100).map(core).collect();
        let mut single = mean.clone();
        single[45] = 0.0;
        single[46] = 300.0;
        let fig = Figure::Showers {
            panels: vec![("mean of 2".into(), mean), ("shower 1".into(), single)],
            pixel_mm: 15.0,
        };
        let svg = to_svg(fig.size(), |root| fig.draw(root)).unwrap();
        assert!(svg.contains("mean of 2") && svg.contains("x [mm]"));
        check("shower_images", &svg);
    }
}
