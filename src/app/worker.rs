//! Training and sampling in a Web Worker, so the page's thread only draws (issue 19).
//!
//! The worker runs this same binary: `www/job_worker.mjs` imports the page's JS glue with the
//! page's compiled `WebAssembly.Module` (no second download, no second compile), and
//! [`super::start`] there, finding no window, serves jobs (`worker_jobs.rs`) instead of
//! mounting the page. One worker a job, terminated when the job answers, fails or is dropped;
//! it computes on the CPU, or on WebGPU through its own adapter (WebGPU works in workers), as
//! the page chose for the job. The page's Cancel asks the worker to stop at its next slice: a
//! training run then returns its best epoch, as it does on the page's thread.
//!
//! Messages are `{json, parts}`: the request or reply as JSON, and its arrays as typed arrays
//! whose buffers are transferred, not copied.

use super::state::AppState;
use crate::backend::BackendKind;
use crate::data::{JetArrays, Table};
use crate::error::{Error, Result};
use crate::model::{GanConfig, JetVaeConfig, TrainConfig, VaeGanConfig};
use crate::train::{JetVaeJob, TrainData};
use burn::prelude::Device;
use js_sys::{Array, Float32Array, Function, Object, Promise, Reflect, Uint8Array};
use leptos::prelude::{GetUntracked, Set};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// A jet VAE's training settings: the network, the schedule, and of the paper's settings the
/// jet terms' unit (GeV) and the KLD's model selection (the lab's when absent).
#[derive(Serialize, Deserialize)]
pub struct JetsRun {
    pub net: JetVaeConfig,
    pub cfg: TrainConfig,
    pub jet_term_unit: Option<f32>,
    #[serde(default)]
    pub select_kld_every: Option<usize>,
}

impl JetsRun {
    /// The training job these settings describe, in the page or in its worker.
    pub fn job(self, jets: &JetArrays, file: &str, device: &Device) -> Result<JetVaeJob> {
        let mut job = JetVaeJob::with_jet_term_unit(
            jets,
            file,
            self.net,
            self.cfg,
            device,
            self.jet_term_unit,
        )?;
        if let Some(every) = self.select_kld_every {
            job.select_by_kld(jets, every)?;
        }
        Ok(job)
    }
}

/// What the page asks of its worker. Arrays travel as [`Part`]s, in the order each variant
/// names.
#[derive(Serialize, Deserialize)]
pub enum Request {
    /// Train a jet VAE; parts: the jets' `gen`, then `reco` arrays. `file` names them in
    /// messages.
    TrainJets { file: String, run: JetsRun },
    /// Sample a jet VAE; parts: its model file, then the gen jets.
    SampleJets { seed: u64, chunk: usize },
    /// Train a smearing network; parts: the table's columns, named by `table`.
    TrainSmearing {
        table: TableHead,
        cols: TrainData,
        cfg: TrainConfig,
    },
    /// Train an unfolding GAN; parts: the table's columns.
    TrainGan {
        table: TableHead,
        gen_cols: Vec<String>,
        reco_cols: Vec<String>,
        net: GanConfig,
        cfg: TrainConfig,
    },
    /// Train a shower VAE-GAN; parts: the training images (N × 100 pixel energies, MeV).
    TrainShowers {
        pixel_mm: f32,
        net: VaeGanConfig,
        cfg: TrainConfig,
    },
    /// Generate showers with a VAE-GAN (cut at half a MIP); parts: its model file.
    SampleShowers { n: usize, seed: u64 },
    /// Sample a smearing network; parts: its model file, then the input table's columns.
    SampleSmearing {
        table: TableHead,
        seed: u64,
        chunk: usize,
    },
    /// Unfold detector-level events with a GAN's generator; parts: its model file, then the
    /// events' columns.
    Unfold { table: TableHead, seed: u64 },
    /// Measure the smearing network's speed on the CPU (`workflow::bench`); answers the
    /// seconds per epoch and events per second as numbers.
    Bench {
        train_events: usize,
        sample_events: usize,
        runs: usize,
    },
    /// Open the device the next job computes on (sent first; answered by `Ready` or
    /// `Failed`).
    Init { backend: BackendKind },
    /// Stop the running job at its next slice.
    Cancel,
}

/// What the worker answers.
#[derive(Serialize, Deserialize)]
pub enum Reply {
    /// The binary is up (then: its device is open) and takes jobs.
    Ready,
    /// Fraction of the job done.
    Progress(f64),
    /// A training epoch's report (the job's own report type, as JSON).
    Epoch(serde_json::Value),
    /// The job ended. Parts: its result (a model file, model jets, or a table's columns).
    Done(Outcome),
    /// The job failed with this one-line message, or was cancelled.
    Failed { cancelled: bool, message: String },
}

impl Reply {
    pub fn failed(e: &Error) -> Self {
        Reply::Failed {
            cancelled: matches!(e, Error::Cancelled),
            message: e.to_string(),
        }
    }
}

/// What an ended job says besides its parts.
#[derive(Serialize, Deserialize, Default)]
pub struct Outcome {
    /// Why a training run stopped before its last epoch, if it did.
    pub stop: Option<String>,
    /// The head of a table result, whose columns are the parts.
    pub table: Option<TableHead>,
    /// A measurement's figures.
    pub numbers: Vec<f64>,
}

/// A table's column names and where it came from; its columns travel as parts.
#[derive(Serialize, Deserialize)]
pub struct TableHead {
    names: Vec<String>,
    source: String,
}

/// One array of a message.
pub enum Part {
    Bytes(Vec<u8>),
    Floats(Vec<f32>),
}

impl Part {
    fn into_bytes(self, what: &str) -> Result<Vec<u8>> {
        match self {
            Part::Bytes(b) => Ok(b),
            Part::Floats(_) => Err(protocol(format!("{what}: bytes expected"))),
        }
    }
    fn into_floats(self, what: &str) -> Result<Vec<f32>> {
        match self {
            Part::Floats(f) => Ok(f),
            Part::Bytes(_) => Err(protocol(format!("{what}: numbers expected"))),
        }
    }
}

/// A received message's arrays, taken in the order its request or reply names them; `what`
/// names the one taken in a message if it is missing or of the wrong kind.
#[derive(Default)]
pub struct Parts(VecDeque<Part>);

impl Parts {
    fn next(&mut self, what: &str) -> Result<Part> {
        self.0
            .pop_front()
            .ok_or_else(|| protocol(format!("{what} missing")))
    }
    pub fn bytes(&mut self, what: &str) -> Result<Vec<u8>> {
        self.next(what)?.into_bytes(what)
    }
    pub fn floats(&mut self, what: &str) -> Result<Vec<f32>> {
        self.next(what)?.into_floats(what)
    }
}

/// A job's result.
pub struct Answer {
    pub outcome: Outcome,
    pub parts: Parts,
}

impl Answer {
    /// The table result.
    pub fn into_table(mut self) -> Result<Table> {
        let head = self
            .outcome
            .table
            .take()
            .ok_or_else(|| protocol("a table expected".into()))?;
        table_from(head, &mut self.parts)
    }
}

fn protocol(message: String) -> Error {
    Error::Backend(format!("the page's worker: {message}"))
}

/// A table's head and columns as parts.
pub fn table_parts(table: &Table) -> (TableHead, Vec<Part>) {
    let head = TableHead {
        names: table.names().to_vec(),
        source: table.source().to_string(),
    };
    let parts = (0..table.names().len())
        .map(|j| Part::Floats(table.column_at(j).to_vec()))
        .collect();
    (head, parts)
}

/// The table back from its head and parts.
pub fn table_from(head: TableHead, parts: &mut Parts) -> Result<Table> {
    let columns = head
        .names
        .iter()
        .map(|n| parts.floats(n))
        .collect::<Result<Vec<_>>>()?;
    Table::from_columns(head.names, columns, &head.source)
}

/// The jets' gen and reco arrays as parts (moved, not copied).
pub fn jet_parts(mut jets: JetArrays, file: &str) -> Result<Vec<Part>> {
    ["gen", "reco"]
        .iter()
        .map(|level| {
            jets.require(level, file)?;
            Ok(Part::Floats(jets.remove(level).expect("required above")))
        })
        .collect()
}

/// The jets back from their gen and reco parts.
pub fn jets_from(parts: &mut Parts, file: &str) -> Result<JetArrays> {
    let gen = parts.floats("gen jets")?;
    let reco = parts.floats("reco jets")?;
    let n = gen.len() / crate::data::JET_VALUES;
    let mut jets = JetArrays::new(n);
    jets.insert("gen", gen)
        .and_then(|_| jets.insert("reco", reco))
        .map_err(|e| protocol(format!("{file}: {e}")))?;
    Ok(jets)
}

/// A message as the JS object `{json, parts}` and the buffers to transfer with it.
pub fn encode(msg: &impl Serialize, parts: Vec<Part>) -> Result<(JsValue, Array)> {
    let json = serde_json::to_string(msg).map_err(|e| protocol(e.to_string()))?;
    let (arrays, transfer) = (Array::new(), Array::new());
    for part in parts {
        let array: JsValue = match part {
            Part::Bytes(b) => Uint8Array::from(&b[..]).into(),
            Part::Floats(f) => Float32Array::from(&f[..]).into(),
        };
        transfer.push(&Reflect::get(&array, &"buffer".into()).unwrap_or(JsValue::UNDEFINED));
        arrays.push(&array);
    }
    let obj = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&obj, &k.into(), v).map(|_| ());
    set("json", &json.into())
        .and_then(|_| set("parts", &arrays))
        .map_err(|_| protocol("could not build a message".into()))?;
    Ok((obj.into(), transfer))
}

/// A message back from `{json, parts}`.
pub fn decode<T: DeserializeOwned>(data: &JsValue) -> Result<(T, Parts)> {
    let json = Reflect::get(data, &"json".into())
        .ok()
        .and_then(|j| j.as_string())
        .ok_or_else(|| protocol("a message without JSON".into()))?;
    let msg = serde_json::from_str(&json).map_err(|e| protocol(e.to_string()))?;
    let arrays: Array = Reflect::get(data, &"parts".into())
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .unwrap_or_default();
    let parts = arrays
        .iter()
        .map(|a| {
            if let Some(f) = a.dyn_ref::<Float32Array>() {
                Ok(Part::Floats(f.to_vec()))
            } else if let Some(b) = a.dyn_ref::<Uint8Array>() {
                Ok(Part::Bytes(b.to_vec()))
            } else {
                Err(protocol("a part that is not a typed array".into()))
            }
        })
        .collect::<Result<_>>()?;
    Ok((msg, Parts(parts)))
}

/// Messages received and not yet read, and the waiting reader's wake-up.
#[derive(Default)]
struct Inbox {
    queue: VecDeque<std::result::Result<JsValue, String>>,
    wake: Option<Function>,
}

impl Inbox {
    fn push(&mut self, m: std::result::Result<JsValue, String>) {
        self.queue.push_back(m);
        if let Some(wake) = self.wake.take() {
            let _ = wake.call0(&JsValue::UNDEFINED);
        }
    }
}

/// The page's side of one worker.
pub struct Remote {
    worker: Worker,
    inbox: Rc<RefCell<Inbox>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The URL of the page's JS glue: Trunk preloads it as the first module.
fn glue_url(doc: &web_sys::Document, base: &str) -> Option<String> {
    let links = doc.query_selector_all("link[rel=modulepreload]").ok()?;
    (0..links.length())
        .filter_map(|i| links.item(i)?.dyn_into::<web_sys::Element>().ok())
        .filter_map(|l| l.get_attribute("href"))
        .find(|h| h.ends_with(".js") && h.contains("fastsim-web"))
        .and_then(|h| web_sys::Url::new_with_base(&h, base).ok())
        .map(|u| u.href())
}

impl Remote {
    /// Starts a worker on this page's binary computing on `backend`; fails with a one-line
    /// reason (no glue found, no module workers, the binary or its device did not start within
    /// 20 s, no WebGPU adapter in a worker).
    pub async fn start(backend: BackendKind) -> Result<Self> {
        let fail = |why: &str| Error::Backend(format!("the page's worker could not start: {why}"));
        let doc = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| fail("no document"))?;
        let base = doc.base_uri().ok().flatten().unwrap_or_default();
        let glue =
            glue_url(&doc, &base).ok_or_else(|| fail("the page's JS glue is not preloaded"))?;
        let script = web_sys::Url::new_with_base("job_worker.mjs", &base)
            .map_err(|_| fail("no URL for job_worker.mjs"))?
            .href();
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let worker =
            Worker::new_with_options(&script, &opts).map_err(|e| fail(&format!("{e:?}")))?;
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let on_message = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                inbox.borrow_mut().push(Ok(ev.data()))
            })
        };
        let on_error = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
                ev.prevent_default();
                let what = ev.message();
                inbox.borrow_mut().push(Err(if what.is_empty() {
                    "the page's worker stopped".into()
                } else {
                    format!("the page's worker stopped: {what}")
                }))
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let remote = Self {
            worker,
            inbox,
            _on_message: on_message,
            _on_error: on_error,
        };
        let init = Object::new();
        let _ = Reflect::set(&init, &"glue".into(), &glue.into());
        let _ = Reflect::set(&init, &"module".into(), &wasm_bindgen::module());
        remote
            .worker
            .post_message(&init)
            .map_err(|e| fail(&format!("{e:?}")))?;
        // Twice Ready: the binary is up, then its device is open.
        for message in [None, Some(Request::Init { backend })] {
            if let Some(m) = message {
                remote.post(&m, Vec::new())?;
            }
            match remote.recv(20_000).await {
                Some(Ok((Reply::Ready, _))) => {}
                Some(Ok((Reply::Failed { message, .. }, _))) => return Err(fail(&message)),
                Some(Err(e)) => return Err(fail(&e.to_string())),
                _ => return Err(fail("no answer within 20 s")),
            }
        }
        Ok(remote)
    }

    fn post(&self, request: &Request, parts: Vec<Part>) -> Result<()> {
        let (msg, transfer) = encode(request, parts)?;
        self.worker
            .post_message_with_transfer(&msg, &transfer)
            .map_err(|e| protocol(format!("could not post a job: {e:?}")))
    }

    /// The next message, or `None` after `timeout_ms` without one.
    async fn recv(&self, timeout_ms: i32) -> Option<Result<(Reply, Parts)>> {
        if self.inbox.borrow().queue.is_empty() {
            let inbox = self.inbox.clone();
            let wait = Promise::new(&mut |resolve, _| {
                if let Some(w) = web_sys::window() {
                    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        &resolve, timeout_ms,
                    );
                }
                inbox.borrow_mut().wake = Some(resolve);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
        }
        let next = self.inbox.borrow_mut().queue.pop_front()?;
        Some(next.map_err(protocol).and_then(|data| decode(&data)))
    }

    /// Runs `request` to its end: progress from `p0` to `p1` on the page's bar, each epoch's
    /// report to `on_epoch`, Cancel passed on.
    pub async fn run<R: DeserializeOwned>(
        self,
        ui: AppState,
        request: Request,
        parts: Vec<Part>,
        (p0, p1): (f64, f64),
        mut on_epoch: impl FnMut(R),
    ) -> Result<Answer> {
        self.post(&request, parts)?;
        let mut cancel_sent = false;
        loop {
            if !cancel_sent && ui.cancel.get_untracked() {
                self.post(&Request::Cancel, Vec::new())?;
                cancel_sent = true;
            }
            let Some(message) = self.recv(100).await else {
                continue;
            };
            match message? {
                (Reply::Progress(p), _) => ui.progress.set(p0 + (p1 - p0) * p),
                (Reply::Epoch(report), _) => {
                    on_epoch(serde_json::from_value(report).map_err(|e| protocol(e.to_string()))?)
                }
                (Reply::Done(outcome), parts) => {
                    ui.progress.set(p1);
                    return Ok(Answer { outcome, parts });
                }
                (
                    Reply::Failed {
                        cancelled: true, ..
                    },
                    _,
                ) => return Err(Error::Cancelled),
                (Reply::Failed { message, .. }, _) => return Err(Error::Remote(message)),
                (Reply::Ready, _) => {}
            }
        }
    }
}

/// A worker for a job on `device` (the CPU, or WebGPU through the worker's own adapter), or
/// `None` where it did not start (said on the console): the job then runs on the page's thread.
pub async fn for_device(device: &burn::prelude::Device) -> Option<Remote> {
    let backend = BackendKind::of(device);
    match Remote::start(backend).await {
        Ok(r) => {
            web_sys::console::debug_1(
                &format!("the page's worker runs a job on {}", backend.label()).into(),
            );
            Some(r)
        }
        Err(e) => {
            web_sys::console::warn_1(&format!("{e}; the job runs on the page's thread").into());
            None
        }
    }
}
