//! `fastsim amplify` (seed 003's JS-vs-n_quant study and amplification factor) and the plot
//! kinds of `fastsim plot` (distributions, relative residuals, model-vs-detector maps).

use super::{ImageFormat, InputArgs};
use clap::{Args, ValueEnum};
use fastsim_lab::data::Table;
use fastsim_lab::metrics::{residuals_for, Study, StudyOptions};
use fastsim_lab::numfmt::thousands;
use fastsim_lab::plot::{
    axis_label, residual_label, to_png_file, to_svg, Figure, SeriesData, GEN_COLOR, MODEL_COLOR,
    RECO_COLOR,
};
use fastsim_lab::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct AmplifyArgs {
    /// A large truth sample (e.g. detector-level events from another seed): split into the
    /// reference and the truth subsamples.
    #[arg(long)]
    truth: PathBuf,
    /// The generated sample; several files (comma-separated: trainings or sampling seeds of
    /// the same size) give the model's band.
    #[arg(long, value_delimiter = ',', required = true)]
    gen: Vec<PathBuf>,
    /// Events the model was trained on (default: the rows of --train).
    #[arg(long)]
    train_size: Option<usize>,
    /// The training sample: adds its own curve and the KDE and histogram baselines fitted to it.
    #[arg(long)]
    train: Option<PathBuf>,
    #[arg(long, value_delimiter = ',', required = true)]
    cols: Vec<String>,
    /// Also the joint (n-dimensional) study of all the columns.
    #[arg(long)]
    joint: bool,
    /// The n_quant of the amplification line (default: the finest with N_train/10 events per
    /// quantile).
    #[arg(long)]
    n_quant: Option<usize>,
    #[arg(long, default_value_t = 1 << 20)]
    max_quantiles: usize,
    /// Disjoint truth subsamples per size.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Seed of the truth shuffle and of the baselines' sampling.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write one JS-vs-n_quant plot per study (js_<cols>.svg/.png).
    #[arg(long)]
    plot_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "svg")]
    format: ImageFormat,
    #[command(flatten)]
    read: InputArgs,
}

pub fn amplify(a: AmplifyArgs) -> Result<()> {
    let truth = a.read.load(&a.truth)?;
    let gens: Vec<Table> = a
        .gen
        .iter()
        .map(|p| a.read.load(p))
        .collect::<Result<_>>()?;
    let train = a.train.as_ref().map(|p| a.read.load(p)).transpose()?;
    let train_size = match (a.train_size, &train) {
        (Some(n), _) => n,
        (None, Some(t)) => t.n_rows(),
        (None, None) => {
            return Err(Error::invalid(
                "amplify",
                "give --train-size N or the training sample with --train FILE",
            ))
        }
    };
    let mut studies: Vec<Vec<String>> = a.cols.iter().map(|c| vec![c.clone()]).collect();
    if a.joint && a.cols.len() > 1 {
        studies.push(a.cols.clone());
    }
    let opts = StudyOptions {
        repeats: a.repeats,
        max_quant: a.max_quantiles,
        seed: a.seed,
        ..StudyOptions::default()
    };
    for cols in &studies {
        let name = cols.join("+");
        let dims = cols.len();
        let mut study = Study::new(&truth.row_major(cols)?, dims, train_size, &opts)?;
        let pb = super::bar(study.sizes.len() as u64, "truth");
        while !study.next_truth()? {
            pb.inc(1);
        }
        pb.finish_and_clear();
        let gen_data: Vec<Vec<f32>> = gens
            .iter()
            .map(|g| g.row_major(cols))
            .collect::<Result<_>>()?;
        let g_size = gen_data[0].len() / dims;
        if gen_data.len() > 1 {
            let parts: Vec<&[f32]> = gen_data.iter().map(Vec::as_slice).collect();
            study.add("model", &parts)?;
        } else {
            study.add_split("model", &gen_data[0], 5)?;
        }
        let mut baselines = Vec::new();
        if let Some(t) = &train {
            let x = t.row_major(cols)?;
            let (kde, hist) = study.add_baselines(&x, g_size, a.seed)?;
            baselines.push(format!(
                "KDE bandwidth {:.3} σ ({}), histogram {} bins per dimension (5-fold CV on the training sample)",
                kde.bandwidth,
                kde.bandwidth_in_units()
                    .iter()
                    .map(|h| format!("{h:.3}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                hist.bins
            ));
        }
        print_study(&name, &study, train_size, &baselines);
        let amp = study.amplification("model", a.n_quant)?;
        let (f, e) = amp.factor();
        println!(
            "effective sample size (model, n_quant = {}): {}",
            amp.n_quant,
            amp.size_text()
        );
        for other in ["KDE", "histogram"] {
            if study.curve(other).is_some() {
                let b = study.amplification(other, a.n_quant)?;
                println!("amplification of the {other} baseline: {}", b.factor_text());
            }
        }
        match amp.effective {
            fastsim_lab::metrics::Effective::Estimate { .. } => {
                println!("amplification: {f:.2} ± {e:.2}")
            }
            _ => println!(
                "amplification: {} (outside the truth subsample sizes)",
                amp.factor_text()
            ),
        }
        println!();
        if let Some(dir) = &a.plot_dir {
            let title = cols
                .iter()
                .map(|c| axis_label(c))
                .collect::<Vec<_>>()
                .join(" × ");
            let fig = Figure::js_study(&study, title, &amp);
            write_figure(&fig, dir, &format!("js_{name}"), a.format)?;
        }
    }
    Ok(())
}

/// The JS table of one study: one row per n_quant; truth subsample columns give mean±sd over
/// the repeats; a `*` marks values past N/10 quantiles (not meaningful, seed 003 section 3).
fn print_study(name: &str, s: &Study, train_size: usize, notes: &[String]) {
    println!(
        "# {name}: reference {} truth events; {} disjoint truth subsamples per size; training size {}",
        thousands(s.reference().n_ref()),
        s.repeats,
        thousands(train_size)
    );
    for n in notes {
        println!("# {n}");
    }
    let mut header = vec!["n_quant".to_string()];
    header.extend(s.truth.iter().map(|c| format!("truth_{}", c.size)));
    header.extend(s.curves.iter().map(|c| format!("{} ({})", c.label, c.size)));
    header.push("n_eff(model)".into());
    println!("{}", header.join("\t"));
    for q in s.reference().n_quants() {
        let mut row = vec![q.to_string()];
        for c in s.truth.iter().chain(&s.curves) {
            row.push(match c.at(q) {
                Some(p) if p.sd > 0.0 => {
                    format!("{:.3e}±{:.1e}{}", p.mean, p.sd, star(p.meaningful))
                }
                Some(p) => format!("{:.3e}{}", p.mean, star(p.meaningful)),
                None => "-".into(),
            });
        }
        row.push(
            s.amplification("model", Some(q))
                .map(|a| a.size_text())
                .unwrap_or_else(|_| "-".into()),
        );
        println!("{}", row.join("\t"));
    }
}

fn star(meaningful: bool) -> &'static str {
    if meaningful {
        ""
    } else {
        "*"
    }
}

/// Writes a figure as `<name>.svg` and/or `<name>.png` in `dir`.
pub fn write_figure(fig: &Figure, dir: &Path, name: &str, format: ImageFormat) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if format != ImageFormat::Png {
        let svg =
            to_svg(fig.size(), |root| fig.draw(root)).map_err(|e| Error::invalid("plot", e))?;
        let path = dir.join(format!("{name}.svg"));
        std::fs::write(&path, svg).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        eprintln!("wrote {}", path.display());
    }
    if format != ImageFormat::Svg {
        let path = dir.join(format!("{name}.png"));
        to_png_file(&path, fig.size(), |root| fig.draw(root))
            .map_err(|e| Error::invalid("plot", e))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// What `fastsim plot` draws per feature.
#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum PlotKind {
    /// gen, reco and model distributions, ratio model / reco (seed 000 figs. 3–4).
    Hist,
    /// Relative residuals (x − x_gen)/x_gen of reco and model (seed 000 figs. 5–6).
    Residual,
    /// Model against detector, event by event (seed 000 figs. 9–10); needs --test.
    Map,
}

/// The figure of one feature (name without prefix). `models` are the test files (the model's
/// samples of the truth file's gen events; several = an ensemble band).
pub fn feature_figure(
    kind: PlotKind,
    feature: &str,
    truth: &Table,
    models: &[Table],
    bins: usize,
) -> Result<Figure> {
    let gen_c = format!("gen_{feature}");
    let reco_c = format!("reco_{feature}");
    let label = axis_label(&reco_c);
    let model_series = |f: &dyn Fn(&Table) -> Result<Vec<f32>>| -> Result<Option<SeriesData>> {
        let Some((first, rest)) = models.split_first() else {
            return Ok(None);
        };
        let mut s = SeriesData::new("model", f(first)?, MODEL_COLOR);
        s.band = rest.iter().map(f).collect::<Result<_>>()?;
        Ok(Some(s))
    };
    Ok(match kind {
        PlotKind::Hist => {
            let mut series = vec![
                SeriesData::new("gen", truth.column(&gen_c)?.to_vec(), GEN_COLOR),
                SeriesData::new("reco", truth.column(&reco_c)?.to_vec(), RECO_COLOR),
            ];
            series.extend(model_series(&|t: &Table| Ok(t.column(&reco_c)?.to_vec()))?);
            Figure::Hist {
                x_label: label,
                series,
                bins,
            }
        }
        PlotKind::Residual => {
            let resid = |t: &Table| -> Result<Vec<f32>> {
                Ok(residuals_for(&reco_c, t.column(&reco_c)?, t.column(&gen_c)?).0)
            };
            let mut series = vec![SeriesData::new("reco", resid(truth)?, RECO_COLOR)];
            series.extend(model_series(&resid)?);
            Figure::Hist {
                x_label: residual_label(&reco_c),
                series,
                bins,
            }
        }
        PlotKind::Map => {
            let model = models.first().ok_or_else(|| {
                Error::invalid("plot --kind map", "needs the model's samples in --test")
            })?;
            let (x, y) = (truth.column(&reco_c)?, model.column(&reco_c)?);
            if x.len() != y.len() {
                return Err(Error::invalid(
                    "plot --kind map",
                    format!(
                        "{} truth rows but {} model rows: the map pairs events, so --test must be the model applied to --truth",
                        x.len(),
                        y.len()
                    ),
                ));
            }
            Figure::Map {
                x_label: format!("detector: {label}"),
                y_label: format!("model: {label}"),
                x: x.to_vec(),
                y: y.to_vec(),
                bins,
            }
        }
    })
}
