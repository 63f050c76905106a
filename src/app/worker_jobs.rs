//! The worker's side of [`super::worker`]: it opens the device the page asks for, takes one
//! job, runs the library's workflow on it in slices (answering Cancel between them), posts
//! progress and each epoch's report, and answers with the result: a model file, model jets,
//! a table or a measurement.

use super::browser::{smearing_speed, Slices};
use super::worker::{
    decode, encode, jets_from, table_from, table_parts, Outcome, Part, Parts, Reply, Request,
};
use crate::backend::{self, BackendKind};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::store::{
    load_jet_vae, load_smearing, load_unfold, load_vae_gan, save_jet_vae, save_smearing,
    save_unfold, save_vae_gan,
};
use crate::train::{GanJob, SmearingJob, Stop, Training, VaeGanJob};
use crate::workflow::bench::BenchData;
use crate::workflow::{run_steps, Epochs, Stepped};
use burn::prelude::Device;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// How long the worker computes between looks at its messages (ms): nothing paints here,
/// so a slice only bounds how late a Cancel is seen.
const SLICE_MS: f64 = 100.0;

thread_local! {
    static CANCEL: Cell<bool> = const { Cell::new(false) };
    /// The device the page asked for (`Request::Init`).
    static DEVICE: RefCell<Option<Device>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(reply: &Reply, parts: Vec<Part>) {
    if let Ok((msg, transfer)) = encode(reply, parts) {
        let _ = scope().post_message_with_transfer(&msg, &transfer);
    }
}

/// Takes the page's messages: a job, then perhaps a Cancel.
pub fn serve() {
    // A panic traps the binary and no reply would come: say it to the page first.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let e = Error::Remote(format!("the page's worker stopped: {info}"));
        post(&Reply::failed(&e), Vec::new());
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let (request, parts) = match decode::<Request>(&ev.data()) {
            Ok((Request::Cancel, _)) => return CANCEL.with(|c| c.set(true)),
            Ok(message) => message,
            Err(e) => return post(&Reply::failed(&e), Vec::new()),
        };
        wasm_bindgen_futures::spawn_local(async move {
            let reply = match request {
                Request::Init { backend } => open(backend).await.map(|()| (Reply::Ready, vec![])),
                job => run(job, parts)
                    .await
                    .map(|(o, parts)| (Reply::Done(o), parts)),
            };
            match reply {
                Ok((reply, parts)) => post(&reply, parts),
                Err(e) => post(&Reply::failed(&e), Vec::new()),
            }
        });
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Reply::Ready, Vec::new());
}

/// Opens the device the page asked for.
async fn open(kind: BackendKind) -> Result<()> {
    let device = match kind {
        BackendKind::Cpu => backend::cpu(),
        BackendKind::Wgpu => backend::wgpu_async().await?,
    };
    DEVICE.with(|slot| *slot.borrow_mut() = Some(device));
    Ok(())
}

fn cancelled() -> bool {
    CANCEL.with(Cell::get)
}

/// Drives stepped work in slices of [`SLICE_MS`], posting progress between them.
async fn steps(work: &mut impl Stepped, n: usize) -> Result<()> {
    let mut slices = Slices::new(SLICE_MS);
    run_steps(work, n, async |p| {
        if !slices.due() {
            return true;
        }
        post(&Reply::Progress(p), Vec::new());
        slices.pause().await;
        !cancelled()
    })
    .await
}

/// A training run, one optimiser step a unit, each epoch's report posted.
async fn train<T: Training>(job: &mut T) -> Result<()>
where
    T::Report: Serialize,
{
    let mut work = Epochs::new(job, |report: &T::Report| {
        if let Ok(value) = serde_json::to_value(report) {
            post(&Reply::Epoch(value), Vec::new());
        }
    });
    steps(&mut work, 1).await
}

/// What a job answers: [`Reply::Done`]'s outcome and the result's parts.
type Done = (Outcome, Vec<Part>);

/// A model file as the answer of a training run.
fn model(stop: Option<&Stop>, file: Vec<u8>) -> Done {
    let outcome = Outcome {
        stop: stop.map(|s| s.to_string()),
        ..Outcome::default()
    };
    (outcome, vec![Part::Bytes(file)])
}

/// A table as an answer.
fn table(t: &Table) -> Done {
    let (head, parts) = table_parts(t);
    let outcome = Outcome {
        table: Some(head),
        ..Outcome::default()
    };
    (outcome, parts)
}

/// Runs one job on the device the page asked for.
async fn run(request: Request, mut parts: Parts) -> Result<Done> {
    let device = DEVICE
        .with(|d| d.borrow().clone())
        .ok_or_else(|| Error::Backend("the page's worker has no device".into()))?;
    match request {
        Request::TrainJets { file, run } => {
            let jets = jets_from(&mut parts, &file)?;
            let mut job = run.job(&jets, &file, &device)?;
            train(&mut job.trainer).await?;
            let file = save_jet_vae(&job.finish()?).await?;
            Ok(model(job.trainer.stop_reason(), file))
        }
        Request::SampleJets { seed, chunk } => {
            let bytes = parts.bytes("model file")?;
            let gen = parts.floats("gen jets")?;
            let model = load_jet_vae(&bytes, "the page's jet VAE", &device)?;
            let mut sampler = model.sampler(&gen, seed, chunk)?;
            steps(&mut sampler, 1).await?;
            Ok((Outcome::default(), vec![Part::Floats(sampler.finish()?)]))
        }
        Request::TrainSmearing {
            table: head,
            cols,
            cfg,
        } => {
            let rows = table_from(head, &mut parts)?;
            let mut job = SmearingJob::new(&rows, &cols, cfg, &device)?;
            train(&mut job.trainer).await?;
            let file = save_smearing(&job.finish()?).await?;
            Ok(model(job.trainer.stop_reason(), file))
        }
        Request::TrainGan {
            table: head,
            gen_cols,
            reco_cols,
            net,
            cfg,
        } => {
            let events = table_from(head, &mut parts)?;
            let mut job = GanJob::new(&events, &gen_cols, &reco_cols, net, cfg, &device)?;
            train(&mut job).await?;
            let file = save_unfold(&job.finish()?).await?;
            Ok(model(job.stop_reason(), file))
        }
        Request::TrainShowers { pixel_mm, net, cfg } => {
            let images = parts.floats("training showers")?;
            let mut job = VaeGanJob::new(&images, pixel_mm, net, cfg, &device)?;
            drop(images);
            train(&mut job).await?;
            let stop = job.stop_reason().cloned();
            let file = save_vae_gan(&job.into_model()?).await?;
            Ok(model(stop.as_ref(), file))
        }
        Request::SampleShowers { n, seed } => {
            let bytes = parts.bytes("model file")?;
            let gan = load_vae_gan(&bytes, "the page's VAE-GAN", &device)?;
            let mut sampler = gan.sampler(n, seed);
            steps(&mut sampler, 1).await?;
            Ok((
                Outcome::default(),
                vec![Part::Floats(sampler.into_images())],
            ))
        }
        Request::SampleSmearing {
            table: head,
            seed,
            chunk,
        } => {
            let bytes = parts.bytes("model file")?;
            let net = load_smearing(&bytes, "the page's smearing model", &device)?;
            let input = table_from(head, &mut parts)?;
            let mut sampler = net.sampler(&input, seed, chunk)?;
            steps(&mut sampler, 1).await?;
            Ok(table(&sampler.finish()?))
        }
        Request::Unfold { table: head, seed } => {
            let bytes = parts.bytes("model file")?;
            let gan = load_unfold(&bytes, "the page's GAN", &device)?;
            let events = table_from(head, &mut parts)?;
            Ok(table(&gan.unfold(&events, seed).await?))
        }
        Request::Bench {
            train_events,
            sample_events,
            runs,
        } => {
            let data = BenchData::new(train_events, sample_events)?;
            let speed = smearing_speed(&data, &device, runs, SLICE_MS, cancelled).await?;
            let outcome = Outcome {
                numbers: vec![speed.epoch_s, speed.events_per_s],
                ..Outcome::default()
            };
            Ok((outcome, Vec::new()))
        }
        Request::Init { .. } | Request::Cancel => Ok((Outcome::default(), Vec::new())),
    }
}
