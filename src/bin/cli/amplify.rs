//! `fastsim amplify`: seed 003's JS-vs-n_quant study of a generated sample against truth
//! subsamples, the effective sample size and the amplification factor, with the KDE and
//! histogram baselines.

use super::common::{bar, drive, write_figure, HistogramCvArg, ImageFormat, InputArgs};
use clap::Args;
use fastsim_lab::data::Table;
use fastsim_lab::metrics::{Study, StudyOptions};
use fastsim_lab::numfmt::thousands;
use fastsim_lab::plot::{axis_label, Figure};
use fastsim_lab::workflow::evaluate::add_model;
use fastsim_lab::{Error, Result};
use std::path::PathBuf;

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
    /// The n_quant of the amplification line (default: the finest binning with at least 10
    /// events per quantile in each part of the generated sample and in the largest truth
    /// subsample: seed 003 reads it at high resolution, on the plateau).
    #[arg(long)]
    n_quant: Option<usize>,
    #[arg(long, default_value_t = 1 << 20)]
    max_quantiles: usize,
    /// Disjoint truth subsamples per size.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// How the histogram baseline chooses its bins (`paper`: per dimension, 500 CV sets).
    #[arg(long, value_enum, default_value = "common")]
    histogram_cv: HistogramCvArg,
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

pub fn run(a: AmplifyArgs) -> Result<()> {
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
        let pb = bar(study.sizes.len() as u64, "truth");
        drive(&mut study, 1, &pb)?;
        let gen_data: Vec<Vec<f32>> = gens
            .iter()
            .map(|g| g.row_major(cols))
            .collect::<Result<_>>()?;
        let g_size = gen_data[0].len() / dims;
        add_model(&mut study, &gen_data)?;
        let mut baselines = Vec::new();
        if let Some(t) = &train {
            let x = t.row_major(cols)?;
            let (kde, hist) = study.add_baselines(&x, g_size, a.seed, a.histogram_cv.into())?;
            baselines.push(format!(
                "KDE bandwidth {:.3} σ ({}), histogram {} bins per dimension (5-fold CV on the training sample)",
                kde.bandwidth,
                kde.bandwidth_in_units()
                    .iter()
                    .map(|h| format!("{h:.3}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                hist.bins_text()
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
                let b = study.amplification(other, Some(amp.n_quant))?;
                println!(
                    "amplification of the {other} baseline (n_quant = {}): {}",
                    b.n_quant,
                    b.factor_text()
                );
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
pub(super) fn print_study(name: &str, s: &Study, train_size: usize, notes: &[String]) {
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
