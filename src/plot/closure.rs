//! The figures of an unfolding closure test (seed 002): parton truth, detector level and
//! unfolded distributions with ratio panels (figs. 3–8, 10), the normalised deviation of
//! eq. (15) (fig. 12), migration matrices (fig. 13) and the 2-D relative deviation map
//! (fig. 9).

use super::{axis_label, Figure, SeriesData, GEN_COLOR, MODEL_COLOR, RECO_COLOR, VAL_COLOR};
use crate::data::Table;
use crate::error::Result;
use crate::metrics::{normalised_deviation, pick, CLOSURE_OBSERVABLES};
use plotters::style::RGBColor;

/// Okabe–Ito colours, one per unfolded sample (four: the `--paper` pair and the lab's in
/// `fastsim reproduce 002`).
const UNFOLDED_COLORS: [RGBColor; 4] = [
    VAL_COLOR,
    MODEL_COLOR,
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
];

/// Named figures for `rows` of `test` (truth `gen_…`, detector `reco_…`) and the unfolded
/// tables `unfolded` (label, table). `title` (the cut) heads each distribution's axis.
pub fn closure_figures(
    test: &Table,
    unfolded: &[(&str, &Table)],
    rows: &[usize],
    title: &str,
    bins: usize,
) -> Result<Vec<(String, Figure)>> {
    let mut out = Vec::new();
    let color = |i: usize| UNFOLDED_COLORS[i % UNFOLDED_COLORS.len()];
    for o in CLOSURE_OBSERVABLES {
        let truth = pick(test, &format!("gen_{o}"), rows)?;
        let detector = pick(test, &format!("reco_{o}"), rows)?;
        let mut series = vec![
            SeriesData::new("detector level", detector.clone(), RECO_COLOR),
            SeriesData::new("parton truth", truth.clone(), GEN_COLOR),
        ];
        let mut dev = vec![SeriesData::new(
            "detector level",
            normalised_deviation(&detector, &truth),
            RECO_COLOR,
        )];
        for (i, (label, t)) in unfolded.iter().enumerate() {
            let u = pick(t, &format!("gen_{o}"), rows)?;
            // As fig. 12: the detector level and the last model (the FCGAN of a pair), so
            // the ratio panel reads model / detector.
            if i + 1 == unfolded.len() {
                dev.push(SeriesData::new(
                    label,
                    normalised_deviation(&u, &truth),
                    color(i),
                ));
            }
            series.push(SeriesData::new(label, u, color(i)));
        }
        let label = axis_label(o);
        out.push((
            format!("dist_{o}"),
            Figure::Hist {
                x_label: format!("{label} — {title}"),
                series,
                bins,
            },
        ));
        let name = label.split(" [").next().unwrap_or(&label).to_string();
        out.push((
            format!("deviation_{o}"),
            Figure::Hist {
                x_label: format!("(x − truth) / truth of {name}, eq. (15)"),
                series: dev,
                bins,
            },
        ));
        if let Some((model, t)) = unfolded.last() {
            out.push((
                format!("migration_{o}"),
                Figure::Map {
                    x_label: format!("parton truth: {label}"),
                    y_label: format!("{model}: {label}"),
                    x: truth,
                    y: pick(t, &format!("gen_{o}"), rows)?,
                    bins: 40,
                },
            ));
        }
    }
    if let Some((model, t)) = unfolded.last() {
        let (x, y) = ("gen_j1_pt", "gen_mwz");
        out.push((
            "deviation2d".into(),
            Figure::Deviation {
                x_label: format!("{} — {model} vs parton truth", axis_label(x)),
                y_label: axis_label(y),
                truth: (pick(test, x, rows)?, pick(test, y, rows)?),
                test: (pick(t, x, rows)?, pick(t, y, rows)?),
                bins: 20,
            },
        ));
    }
    Ok(out)
}
