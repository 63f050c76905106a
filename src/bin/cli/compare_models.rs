//! `fastsim compare-models`: response models (the Gaussian network, the conditional flow) side
//! by side on the same test events — 1-D and joint quantile-JS, residual tails, the jet-pT
//! spectrum around the cut, and sampling speed — as Markdown (the workflow's report).

use super::common::{write, write_figure, ImageFormat, InputArgs};
use clap::Args;
use fastsim_lab::backend;
use fastsim_lab::plot::{
    axis_label, Figure, SeriesData, GEN_COLOR, HIST_EST_COLOR, MODEL_COLOR, RECO_COLOR, VAL_COLOR,
};
use fastsim_lab::store::{load_smearing, models_dir, resolve_model};
use fastsim_lab::workflow::compare::Comparison;
use fastsim_lab::{Error, Result};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct CompareModelsArgs {
    /// Smearing-kind model files (Gaussian or flow) or pre-trained names, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    models: Vec<PathBuf>,
    /// Test events with the models' gen and reco columns (independent of their training
    /// events: e.g. `fastsim generate` with another seed and the same detector).
    #[arg(long)]
    input: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    read: InputArgs,
    /// Also write the report here (Markdown).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also draw each feature's residuals (log scale, detector core widths) into this folder,
    /// as PNG and SVG.
    #[arg(long)]
    plot_dir: Option<PathBuf>,
}

pub fn run(a: CompareModelsArgs) -> Result<()> {
    let device = backend::cpu();
    let test = a.read.load(&a.input)?;
    let mut models = Vec::new();
    for path in &a.models {
        let (bytes, name) = resolve_model(path, &models_dir())?;
        let label = path
            .file_stem()
            .map_or(name.clone(), |s| s.to_string_lossy().into_owned());
        models.push((label, load_smearing(&bytes, &name, &device)?));
    }
    let (gen, reco) = (&models[0].1.meta.gen_cols, &models[0].1.meta.reco_cols);
    if let Some((name, _)) = models
        .iter()
        .find(|(_, m)| &m.meta.gen_cols != gen || &m.meta.reco_cols != reco)
    {
        return Err(Error::invalid(
            "compare-models",
            format!("{name} has other columns than {}", models[0].0),
        ));
    }
    let mut samples = Vec::new();
    let mut speed = String::from("\n### Sampling speed (this run, this machine; `fastsim bench` measures both kinds' training and sampling)\n\n| model | kind | parameters | sampling [events/s] |\n| --- | --- | --- | --- |\n");
    for (name, m) in &models {
        let t = Instant::now();
        let mut s = pollster::block_on(m.sample(&test, a.seed))?;
        let rate = test.n_rows() as f64 / t.elapsed().as_secs_f64().max(1e-9);
        m.derive_aux(&mut s)?;
        let kind = if m.is_flow() {
            "flow"
        } else {
            "Gaussian (Chen et al.)"
        };
        speed.push_str(&format!(
            "| {name} | {kind} | {} | {rate:.0} |\n",
            m.meta.config.n_response_params()
        ));
        samples.push((name.clone(), s));
    }
    let refs: Vec<(&str, &fastsim_lab::data::Table)> =
        samples.iter().map(|(n, s)| (n.as_str(), s)).collect();
    let c = Comparison::new(&test, gen, reco, &refs)?;
    let report = format!(
        "## Response models on {} test events ({})\n\n{}{speed}",
        test.n_rows(),
        a.input.display(),
        c.markdown()
    );
    println!("{report}");
    if let Some(dir) = &a.plot_dir {
        let colors = [MODEL_COLOR, GEN_COLOR, VAL_COLOR, HIST_EST_COLOR];
        for (j, (g, r)) in gen.iter().zip(reco).enumerate() {
            let mut series = vec![SeriesData::new(
                "detector",
                c.core_residuals(&test, g, r, j)?,
                RECO_COLOR,
            )];
            for (i, (name, s)) in samples.iter().enumerate() {
                series.push(SeriesData::new(
                    name,
                    c.core_residuals(s, g, r, j)?,
                    colors[i % colors.len()],
                ));
            }
            let fig = Figure::Tails {
                x_label: format!(
                    "({} − gen) − median, in detector core widths σ",
                    axis_label(r)
                ),
                series,
                bins: 64,
            };
            let name = format!("residual-tails-{}", c.features[j]);
            write_figure(&fig, dir, &name, ImageFormat::Both)?;
        }
    }
    if let Some(out) = &a.out {
        write(out, report.as_bytes())?;
    }
    Ok(())
}
