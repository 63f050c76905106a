//! The page's training, sampling and benchmark jobs, each in one place for every tab that runs
//! it: in the page's worker ([`super::worker`], on the CPU or WebGPU), or on the page's thread
//! in slices where a worker did not start. Either way the same library job runs, and the same
//! model comes back: the worker's arrives as a model file, the format every model is saved in.

use super::browser;
use super::state::{AppState, SLICE_MS};
use super::worker::{self, JetsRun, Part, Remote, Request};
use crate::data::{JetArrays, Table};
use crate::model::{
    EpochReport, GanConfig, GanEpoch, ShowerEpoch, TrainConfig, TrainedJetVae, TrainedSmearing,
    TrainedUnfold, TrainedVaeGan, VaeGanConfig,
};
use crate::store::{
    load_jet_vae, load_smearing, load_unfold, load_vae_gan, save_jet_vae, save_smearing,
    save_unfold, save_vae_gan,
};
use crate::train::{GanJob, SmearingJob, Stop, TrainData, Training, VaeGanJob};
use crate::workflow::bench::{BenchData, SmearingSpeed};
use crate::workflow::Epochs;
use crate::{Error, Result};
use burn::prelude::Device;
use leptos::prelude::GetUntracked;
use serde::de::DeserializeOwned;

/// Why a training run stopped before its last epoch, if it did, and the model it kept.
pub type Trained<M> = (Option<String>, M);

/// Progress from `.0` to `.1` on the page's bar.
pub type Span = (f64, f64);

/// A job that is the whole task.
const SPAN: Span = (0.0, 1.0);

/// A training request run by `remote`; the model file it answers with is read by `load`.
async fn train_remote<R: DeserializeOwned, M>(
    remote: Remote,
    ui: AppState,
    (request, parts): (Request, Vec<Part>),
    span: Span,
    on_epoch: impl Fn(&R),
    load: impl FnOnce(&[u8], &str, &Device) -> Result<M>,
    device: &Device,
) -> Result<Trained<M>> {
    let mut out = remote
        .run(ui, request, parts, span, |r: R| on_epoch(&r))
        .await?;
    let model = load(
        &out.parts.bytes("model file")?,
        "the worker's model",
        device,
    )?;
    Ok((out.outcome.stop, model))
}

/// A training run on the page's thread, in slices.
async fn train_here<T: Training>(
    ui: AppState,
    job: &mut T,
    span: Span,
    on_epoch: impl FnMut(&T::Report),
) -> Result<()> {
    ui.steps(&mut Epochs::new(job, on_epoch), 1, span.0, span.1)
        .await
}

fn stop_text(stop: Option<&Stop>) -> Option<String> {
    stop.map(|s| s.to_string())
}

/// Trains a smearing network on `rows`' `cols`.
pub async fn train_smearing(
    ui: AppState,
    rows: Table,
    cols: TrainData,
    cfg: TrainConfig,
    device: &Device,
    span: Span,
    on_epoch: impl Fn(&EpochReport),
) -> Result<Trained<TrainedSmearing>> {
    if let Some(remote) = worker::for_device(device).await {
        let (table, parts) = worker::table_parts(&rows);
        drop(rows);
        let request = Request::TrainSmearing { table, cols, cfg };
        let load = load_smearing;
        return train_remote(remote, ui, (request, parts), span, on_epoch, load, device).await;
    }
    let mut job = SmearingJob::new(&rows, &cols, cfg, device)?;
    drop(rows);
    train_here(ui, &mut job.trainer, span, on_epoch).await?;
    Ok((stop_text(job.trainer.stop_reason()), job.finish()?))
}

/// Trains a jet VAE on `jets` (`file` names them in messages).
pub async fn train_jets(
    ui: AppState,
    jets: JetArrays,
    file: String,
    run: JetsRun,
    device: &Device,
    on_epoch: impl Fn(&EpochReport),
) -> Result<Trained<TrainedJetVae>> {
    if let Some(remote) = worker::for_device(device).await {
        let parts = worker::jet_parts(jets, &file)?;
        let request = Request::TrainJets { file, run };
        let load = load_jet_vae;
        return train_remote(remote, ui, (request, parts), SPAN, on_epoch, load, device).await;
    }
    let mut job = run.job(&jets, &file, device)?;
    drop(jets);
    train_here(ui, &mut job.trainer, SPAN, on_epoch).await?;
    Ok((stop_text(job.trainer.stop_reason()), job.finish()?))
}

/// Model jets for `gen` jets, drawn from `seed`'s stream in chunks of `chunk` jets.
pub async fn sample_jets(
    ui: AppState,
    model: &TrainedJetVae,
    gen: Vec<f32>,
    (seed, chunk): (u64, usize),
    span: Span,
) -> Result<Vec<f32>> {
    if let Some(remote) = worker::for_device(model.device()).await {
        let parts = vec![Part::Bytes(save_jet_vae(model).await?), Part::Floats(gen)];
        let request = Request::SampleJets { seed, chunk };
        let mut out = remote
            .run(ui, request, parts, span, |_: EpochReport| {})
            .await?;
        return out.parts.floats("model jets");
    }
    let mut sampler = model.sampler(&gen, seed, chunk)?;
    ui.steps(&mut sampler, 1, span.0, span.1).await?;
    sampler.finish()
}

/// Trains a shower VAE-GAN on `images` (N × 100 pixel energies in MeV, uncut) whose pixels
/// are `pixel_mm` wide.
pub async fn train_showers(
    ui: AppState,
    images: Vec<f32>,
    pixel_mm: f32,
    (net, cfg): (VaeGanConfig, TrainConfig),
    device: &Device,
    on_epoch: impl Fn(&ShowerEpoch),
) -> Result<Trained<TrainedVaeGan>> {
    if let Some(remote) = worker::for_device(device).await {
        let parts = vec![Part::Floats(images)];
        let request = Request::TrainShowers { pixel_mm, net, cfg };
        let load = load_vae_gan;
        return train_remote(remote, ui, (request, parts), SPAN, on_epoch, load, device).await;
    }
    let mut job = VaeGanJob::new(&images, pixel_mm, net, cfg, device)?;
    drop(images);
    train_here(ui, &mut job, SPAN, on_epoch).await?;
    Ok((stop_text(job.stop_reason()), job.into_model()?))
}

/// `n` showers of a VAE-GAN (MeV, cut at half a MIP), drawn from `seed`'s stream.
pub async fn sample_showers(
    ui: AppState,
    model: &TrainedVaeGan,
    (n, seed): (usize, u64),
    span: Span,
) -> Result<Vec<f32>> {
    if let Some(remote) = worker::for_device(model.device()).await {
        let parts = vec![Part::Bytes(save_vae_gan(model).await?)];
        let request = Request::SampleShowers { n, seed };
        let mut out = remote
            .run(ui, request, parts, span, |_: EpochReport| {})
            .await?;
        return out.parts.floats("generated showers");
    }
    let mut sampler = model.sampler(n, seed);
    ui.steps(&mut sampler, 1, span.0, span.1).await?;
    Ok(sampler.into_images())
}

/// Trains an unfolding GAN on `table`'s `gen` and `reco` columns.
pub async fn train_gan(
    ui: AppState,
    table: Table,
    (gen, reco): (Vec<String>, Vec<String>),
    net: GanConfig,
    cfg: TrainConfig,
    device: &Device,
    on_epoch: impl Fn(&GanEpoch),
) -> Result<Trained<TrainedUnfold>> {
    if let Some(remote) = worker::for_device(device).await {
        let (head, parts) = worker::table_parts(&table);
        drop(table);
        let request = Request::TrainGan {
            table: head,
            gen_cols: gen,
            reco_cols: reco,
            net,
            cfg,
        };
        let load = load_unfold;
        return train_remote(remote, ui, (request, parts), SPAN, on_epoch, load, device).await;
    }
    let mut job = GanJob::new(&table, &gen, &reco, net, cfg, device)?;
    drop(table);
    train_here(ui, &mut job, SPAN, on_epoch).await?;
    Ok((stop_text(job.stop_reason()), job.finish()?))
}

/// The smearing model's reco-level events for `input`'s gen columns, drawn from `seed`'s
/// stream in chunks of `chunk` rows.
pub async fn sample_smearing(
    ui: AppState,
    model: &TrainedSmearing,
    input: &Table,
    (seed, chunk): (u64, usize),
    span: Span,
) -> Result<Table> {
    if let Some(remote) = worker::for_device(model.device()).await {
        let (table, columns) = worker::table_parts(input);
        let mut parts = vec![Part::Bytes(save_smearing(model).await?)];
        parts.extend(columns);
        let request = Request::SampleSmearing { table, seed, chunk };
        let out = remote
            .run(ui, request, parts, span, |_: EpochReport| {})
            .await?;
        return out.into_table();
    }
    let mut sampler = model.sampler(input, seed, chunk)?;
    ui.steps(&mut sampler, 1, span.0, span.1).await?;
    sampler.finish()
}

/// Detector-level `events` unfolded by a GAN's generator, drawn from `seed`'s stream.
pub async fn unfold(
    ui: AppState,
    model: &TrainedUnfold,
    events: &Table,
    seed: u64,
    span: Span,
) -> Result<Table> {
    if let Some(remote) = worker::for_device(model.device()).await {
        let (table, columns) = worker::table_parts(events);
        let mut parts = vec![Part::Bytes(save_unfold(model).await?)];
        parts.extend(columns);
        let out = remote
            .run(
                ui,
                Request::Unfold { table, seed },
                parts,
                span,
                |_: EpochReport| {},
            )
            .await?;
        return out.into_table();
    }
    model.unfold(events, seed).await
}

/// The smearing network's speed on `device` (`workflow::bench`): `train_events` to train on
/// and `sample_events` to smear, `runs` counted runs after a warm-up.
pub async fn smearing_speed(
    ui: AppState,
    device: &Device,
    (train_events, sample_events): (usize, usize),
    runs: usize,
) -> Result<SmearingSpeed> {
    if let Some(remote) = worker::for_device(device).await {
        let request = Request::Bench {
            train_events,
            sample_events,
            runs,
        };
        let out = remote
            .run(ui, request, Vec::new(), SPAN, |_: EpochReport| {})
            .await?;
        let [epoch_s, events_per_s] = out.outcome.numbers[..] else {
            return Err(Error::Backend(
                "the worker's benchmark answered no figures".into(),
            ));
        };
        return Ok(SmearingSpeed {
            epoch_s,
            events_per_s,
        });
    }
    let data = BenchData::new(train_events, sample_events)?;
    let cancelled = || ui.cancel.get_untracked();
    browser::smearing_speed(&data, device, runs, SLICE_MS, cancelled).await
}
