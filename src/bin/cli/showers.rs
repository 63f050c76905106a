//! `fastsim showers`: seed 003's Calomplification study of generated showers — the
//! observables' distributions (fig. 4), JS versus n_quant against truth subsamples for each
//! observable and jointly (figs. 6, 7), the KDE and histogram baselines (figs. 8–10, table 1)
//! and the amplification per observable over the training sets.

use super::amplify::print_study;
use super::common::{bar, drive, read, write_figure, write_figures, HistogramCvArg, ImageFormat};
use clap::Args;
use fastsim_lab::data::read_showers;
use fastsim_lab::metrics::{Amplification, Effective, StudyOptions};
use fastsim_lab::physics::{Observable, IMAGE_PIXELS};
use fastsim_lab::plot::Figure;
use fastsim_lab::recipe::ShowerRecipe;
use fastsim_lab::workflow::showers::{self, StudySpec};
use fastsim_lab::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct ShowersArgs {
    /// A large sample of truth showers (independent of the training sets): split into the
    /// reference and the truth subsamples.
    #[arg(long)]
    truth: PathBuf,
    /// The training sets, one per VAE-GAN (comma-separated; seed 003 uses five of 1k).
    #[arg(long, value_delimiter = ',', required = true)]
    train: Vec<PathBuf>,
    /// The showers each VAE-GAN generated, in the order of --train.
    #[arg(long, value_delimiter = ',', required = true)]
    gen: Vec<PathBuf>,
    /// Trainings mixed in each generated sample (its band in the distributions).
    #[arg(long, default_value_t = showers::MEMBERS)]
    members: usize,
    /// Disjoint truth subsamples per size.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// How the histogram baseline chooses its bins (`paper`: per dimension, 500 CV sets,
    /// as table 1; slower).
    #[arg(long, value_enum, default_value = "common")]
    histogram_cv: HistogramCvArg,
    /// Seed of the truth shuffle and of the baselines' cross-validation and sampling.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Only these studies (names as printed, e.g. E_vis,CG_x+CG_y); all by default.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Where to write the figures.
    #[arg(long)]
    plot_dir: Option<PathBuf>,
    /// Writes the VAE-GAN's amplification per study (the first training set's, or the mean
    /// over the sets) as the JSON list of [label, value] pairs models/manifest.json records.
    #[arg(long)]
    figures: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "png")]
    format: ImageFormat,
}

fn load(path: &Path) -> Result<Vec<f32>> {
    read_showers(&read(path)?, &path.display().to_string()).map(|v| showers::cut(&v))
}

pub fn run(a: ShowersArgs) -> Result<()> {
    if a.train.len() != a.gen.len() {
        return Err(Error::invalid(
            "showers",
            format!(
                "{} training sets and {} generated samples: give one generated sample per training set",
                a.train.len(),
                a.gen.len()
            ),
        ));
    }
    let pixel_mm = ShowerRecipe::new(1, 1).pixel_mm();
    let truth = load(&a.truth)?;
    let trains: Vec<Vec<f32>> = a.train.iter().map(|p| load(p)).collect::<Result<_>>()?;
    let gens: Vec<Vec<f32>> = a.gen.iter().map(|p| load(p)).collect::<Result<_>>()?;
    let count = |v: &[f32]| v.len() / IMAGE_PIXELS;
    println!(
        "# {} truth showers; {} training set(s) of {} showers; generated: {}",
        count(&truth),
        trains.len(),
        count(&trains[0]),
        gens.iter()
            .map(|g| count(g).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(dir) = &a.plot_dir {
        for (name, images) in [
            ("truth", &truth),
            ("training", &trains[0]),
            ("VAE-GAN", &gens[0]),
        ] {
            let fig = showers::gallery_figure(name, images, 3, pixel_mm);
            write_figure(
                &fig,
                dir,
                &format!("images_{}", name.replace('-', "_")),
                a.format,
            )?;
        }
        for o in Observable::ALL {
            let fig =
                showers::distribution_figure(o, &trains[0], &truth, &gens[0], a.members, pixel_mm);
            write_figure(&fig, dir, &format!("dist_{}", o.name()), a.format)?;
        }
    }
    let opts = StudyOptions {
        repeats: a.repeats,
        seed: a.seed,
        ..StudyOptions::default()
    };
    let mut summary = Vec::new();
    for spec in StudySpec::paper() {
        let name = spec.name();
        if !a.only.is_empty() && !a.only.contains(&name) {
            continue;
        }
        let mut study = showers::new_study(&spec, &truth, &trains[0], pixel_mm, &opts)?;
        let pb = bar(study.sizes.len() as u64, "truth");
        drive(&mut study, 1, &pb)?;
        let mut sets = Vec::new();
        for (k, (train, gen)) in trains.iter().zip(&gens).enumerate() {
            let seed = a.seed.wrapping_add(k as u64);
            let (r, kde, hist) = showers::add_set(
                &mut study,
                &spec,
                train,
                gen,
                pixel_mm,
                seed,
                a.histogram_cv.into(),
            )?;
            if k == 0 {
                print_study(&name, &study, study.train_size, &[]);
                if let Some(dir) = &a.plot_dir {
                    let fig = Figure::js_study(&study, spec.title(), &r.model);
                    write_figure(&fig, dir, &format!("js_{name}"), a.format)?;
                    if spec == StudySpec::paper()[0] {
                        let rows = spec.rows(train, pixel_mm)?;
                        for (kind, fig) in showers::fit_figures(&spec, &rows, &kde, &hist, seed) {
                            write_figure(&fig, dir, &format!("fits_{kind}_{name}"), a.format)?;
                        }
                    }
                }
            }
            println!(
                "# set {}: amplification at n_quant = {}: VAE-GAN {}, KDE {}, histogram {}",
                k + 1,
                r.model.n_quant,
                r.model.factor_text(),
                r.kde.factor_text(),
                r.histogram.factor_text()
            );
            sets.push(r);
        }
        println!();
        summary.push((spec, sets));
    }
    println!(
        "# Table 1 and the amplification per study: mean ± sd over the training sets (a bound,"
    );
    println!(
        "# \"> x\" or \"< x\", when an effective size lies outside the truth subsample sizes)"
    );
    println!(
        "study\tKDE bandwidth [σ]\thistogram bins\tn_quant\tamplification VAE-GAN\tKDE\thistogram"
    );
    for (spec, sets) in &summary {
        let col = |f: &dyn Fn(&showers::SetResult) -> f64| {
            let (m, s) = showers::mean_sd(&sets.iter().map(f).collect::<Vec<_>>());
            format!("{m:.3} ± {s:.3}")
        };
        let amp = |f: &dyn Fn(&showers::SetResult) -> &Amplification| {
            let all: Vec<&Amplification> = sets.iter().map(f).collect();
            if sets.len() > 1
                && all
                    .iter()
                    .all(|a| matches!(a.effective, Effective::Estimate { .. }))
            {
                let (m, s) =
                    showers::mean_sd(&all.iter().map(|a| a.factor().0).collect::<Vec<_>>());
                format!("{m:.1} ± {s:.1}")
            } else {
                all.iter()
                    .map(|a| a.factor_text())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            spec.name(),
            col(&|r| r.kde_bandwidth),
            (0..spec.dims())
                .map(|d| col(&|r| r.histogram_bins[d] as f64))
                .collect::<Vec<_>>()
                .join(" × "),
            sets.iter()
                .map(|r| r.model.n_quant.to_string())
                .collect::<Vec<_>>()
                .join(","),
            amp(&|r| &r.model),
            amp(&|r| &r.kde),
            amp(&|r| &r.histogram),
        );
    }
    if let Some(path) = &a.figures {
        let pairs: Vec<(String, f64)> = summary
            .iter()
            .map(|(spec, sets)| {
                let f: Vec<f64> = sets.iter().map(|r| r.model.factor().0).collect();
                (
                    format!("amplification: {}", spec.name()),
                    showers::mean_sd(&f).0,
                )
            })
            .collect();
        write_figures(path, &pairs)?;
    }
    Ok(())
}
