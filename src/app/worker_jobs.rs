//! The worker's side of [`super::worker`]: it opens the device the page asks for, takes one
//! job, runs the library's workflow on it in slices (answering Cancel between them), posts progress and each epoch's report, and
//! answers with the result: a model file, model jets, or a table.

use super::browser::{now_ms, yield_now};
use super::worker::{
    decode, encode, jets_from, next_part, table_from, table_parts, Part, Reply, Request, TableHead,
};
use crate::backend::{self, BackendKind};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::store::{
    load_jet_vae, load_smearing, load_unfold, save_jet_vae, save_smearing, save_unfold,
};
use crate::train::Engine;
use crate::train::{GanJob, JetVaeJob, SmearingJob, Stop, Training};
use crate::workflow::bench::{smearing_speed, BenchData};
use crate::workflow::{run_steps, Epochs, Stepped};
use burn::prelude::Device;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
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
        post(
            &Reply::Failed {
                cancelled: false,
                message: format!("the page's worker stopped: {info}"),
            },
            Vec::new(),
        );
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        match decode::<Request>(&ev.data()) {
            Ok((Request::Cancel, _)) => CANCEL.with(|c| c.set(true)),
            Ok((Request::Init { backend }, _)) => wasm_bindgen_futures::spawn_local(async move {
                let device = match backend {
                    BackendKind::Cpu => Ok(backend::cpu()),
                    BackendKind::Wgpu => backend::wgpu_async().await,
                };
                match device {
                    Ok(d) => {
                        DEVICE.with(|slot| *slot.borrow_mut() = Some(d));
                        post(&Reply::Ready, Vec::new())
                    }
                    Err(e) => post(
                        &Reply::Failed {
                            cancelled: false,
                            message: e.to_string(),
                        },
                        Vec::new(),
                    ),
                }
            }),
            Ok((request, parts)) => wasm_bindgen_futures::spawn_local(async move {
                match run(request, parts).await {
                    Ok(done) => post(
                        &Reply::Done {
                            stop: done.stop,
                            table: done.table,
                            numbers: done.numbers,
                        },
                        done.parts,
                    ),
                    Err(e) => post(
                        &Reply::Failed {
                            cancelled: matches!(e, Error::Cancelled),
                            message: e.to_string(),
                        },
                        Vec::new(),
                    ),
                }
            }),
            Err(e) => post(
                &Reply::Failed {
                    cancelled: false,
                    message: e.to_string(),
                },
                Vec::new(),
            ),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Reply::Ready, Vec::new());
}

/// Drives stepped work in slices of [`SLICE_MS`], posting progress between them.
async fn steps(work: &mut impl Stepped, n: usize) -> Result<()> {
    let mut t0 = now_ms();
    run_steps(work, n, async |p| {
        if now_ms() - t0 < SLICE_MS {
            return true;
        }
        post(&Reply::Progress(p), Vec::new());
        yield_now().await;
        t0 = now_ms();
        !CANCEL.with(Cell::get)
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

/// What a job answers (see [`Reply::Done`]).
#[derive(Default)]
struct Done {
    stop: Option<String>,
    table: Option<TableHead>,
    numbers: Vec<f64>,
    parts: Vec<Part>,
}

/// A model file as the answer of a training run.
fn model(stop: Option<&Stop>, file: Vec<u8>) -> Done {
    Done {
        stop: stop.map(|s| s.to_string()),
        parts: vec![Part::Bytes(file)],
        ..Done::default()
    }
}

/// A table as an answer.
fn table(t: &Table) -> Done {
    let (head, parts) = table_parts(t);
    Done {
        table: Some(head),
        parts,
        ..Done::default()
    }
}

/// Runs one job on the device the page asked for.
async fn run(request: Request, mut parts: VecDeque<Part>) -> Result<Done> {
    let device = DEVICE
        .with(|d| d.borrow().clone())
        .ok_or_else(|| Error::Backend("the page's worker has no device".into()))?;
    match request {
        Request::TrainJets { file, net, cfg } => {
            let jets = jets_from(&mut parts, &file)?;
            let mut job = JetVaeJob::new(&jets, &file, net, cfg, &device)?;
            train(&mut job.trainer).await?;
            let file = save_jet_vae(&job.finish()?).await?;
            Ok(model(job.trainer.stop_reason(), file))
        }
        Request::SampleJets { seed, chunk } => {
            let bytes = next_part(&mut parts, "model file")?.into_bytes("model file")?;
            let gen = next_part(&mut parts, "gen jets")?.into_floats("gen jets")?;
            let model = load_jet_vae(&bytes, "the page's jet VAE", &device)?;
            let mut sampler = model.sampler(&gen, seed, chunk)?;
            steps(&mut sampler, 1).await?;
            Ok(Done {
                parts: vec![Part::Floats(sampler.finish()?)],
                ..Done::default()
            })
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
        Request::SampleSmearing {
            table: head,
            seed,
            chunk,
        } => {
            let bytes = next_part(&mut parts, "model file")?.into_bytes("model file")?;
            let net = load_smearing(&bytes, "the page's smearing model", &device)?;
            let input = table_from(head, &mut parts)?;
            let mut sampler = net.sampler(&input, seed, chunk)?;
            steps(&mut sampler, 1).await?;
            Ok(table(&sampler.finish()?))
        }
        Request::Unfold { table: head, seed } => {
            let bytes = next_part(&mut parts, "model file")?.into_bytes("model file")?;
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
            let mut t0 = now_ms();
            let speed = smearing_speed(
                &data,
                &device,
                Engine::Auto,
                runs,
                || now_ms() / 1e3,
                async || {
                    if now_ms() - t0 >= SLICE_MS {
                        yield_now().await;
                        t0 = now_ms();
                    }
                    !CANCEL.with(Cell::get)
                },
            )
            .await?;
            Ok(Done {
                numbers: vec![speed.epoch_s, speed.events_per_s],
                ..Done::default()
            })
        }
        Request::Init { .. } | Request::Cancel => Ok(Done::default()),
    }
}
