//! The command line: one file per subcommand, each with its own `Args` and `run`, over the
//! library's workflows. Every failure prints one line, `error: …`, naming the file, row and
//! column where it applies, and exits with status 1.

mod amplify;
mod bench;
mod closure;
mod common;
mod compare_models;
mod convert;
mod eval;
mod export;
mod generate;
mod jets;
mod plot;
mod reproduce;
mod sample;
mod showers;
mod train;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "fastsim",
    version,
    about = "Learn a detector's response with small neural networks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate paired gen/reco events from a built-in process and the parametric detector.
    Generate(generate::GenerateArgs),
    /// Train a model on named gen and reco columns of a table (a file, or built-in events made
    /// on the fly with --generate, which the model file then records as its recipe).
    Train(Box<train::TrainArgs>),
    /// Apply a trained model to the gen columns of a table.
    Sample(sample::SampleArgs),
    /// Export a model as an ONNX graph (opset 17) in physical units, its noise an input.
    Export(export::ExportArgs),
    /// Convert a table between formats by extension (e.g. ROOT → NPZ for the page).
    Convert(convert::ConvertArgs),
    /// Quantile-JS of test against truth per column, for n_quant = 2, 4, 8, … ≤ N/10.
    Eval(eval::EvalArgs),
    /// JS versus n_quant of a generated sample, truth subsamples and baselines, the effective
    /// sample size and the amplification factor (seed 003).
    Amplify(amplify::AmplifyArgs),
    /// One plot per feature: distributions (gen, reco, model; ratio model / reco), relative
    /// residuals, or the model-vs-detector map; several --test files draw an ensemble band.
    Plot(plot::PlotArgs),
    /// Jets: quantile-JS of jet features (pT, m, η, φ, Flow1–4) of model jets against the
    /// detector's, distributions with ratio panels, and an event display.
    Jets(jets::ReportArgs),
    /// Unfolding closure test (seed 002): unfold test events with each model, print the
    /// quantile-JS of pT(j1, j2, l-), m_jj, m_ll, m_WZ against parton truth per cut, and plot.
    Closure(closure::ClosureArgs),
    /// Showers (seed 003): distributions, JS versus n_quant, the KDE and histogram
    /// baselines, table 1 and the amplification per observable of generated showers.
    Showers(showers::ShowersArgs),
    /// Response models side by side (the Gaussian network, the conditional flow): 1-D and
    /// joint quantile-JS, residual tails beyond 3σ, the jet-pT spectrum around the cut.
    CompareModels(compare_models::CompareModelsArgs),
    /// A paper's headline study (000: the smearing network, 001: the jet VAE, 002: unfolding
    /// GANs, 003: Calomplification) with its --paper preset, written up as
    /// docs/reproduce/<paper>/report.md beside the paper's statements.
    Reproduce(reproduce::ReproduceArgs),
    /// Benchmarks: events/s sampling and seconds per training epoch (release builds only).
    Bench(bench::BenchArgs),
}

pub fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Generate(a) => generate::run(a),
        Command::Train(a) => train::run(*a),
        Command::Sample(a) => sample::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Export(a) => export::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Amplify(a) => amplify::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Jets(a) => jets::run(a),
        Command::Closure(a) => closure::run(a),
        Command::Showers(a) => showers::run(a),
        Command::Bench(a) => bench::run(a),
        Command::CompareModels(a) => compare_models::run(a),
        Command::Reproduce(a) => reproduce::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
