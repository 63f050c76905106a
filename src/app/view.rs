//! The page's components: a header with the backend badge, then the three steps of the
//! teaching demo — generate, train, sample & compare — each with its progress and result.

use super::browser::{now_ms, tab_hidden, yield_now};
use super::canvas::draw_on;
use super::detector_view::{default_json, DetectorSection};
use super::evaluate_view::EvaluateSection;
use super::files::download;
use super::jets_view::JetsSection;
use super::plots::{export, hist, show};
use super::session::{self, PlotSpec};
use super::share_view::{open_link_on_start, share, ModelsSection};
use super::unfold_view::UnfoldSection;
use super::upload::{train_data, MapRow, Preview, UploadSection};
use crate::backend::{self, BackendKind};
use crate::data::{write_bytes, Table};
use crate::metrics::quantile_js;
use crate::plot::{axis_label, draw_loss, GEN_COLOR, MODEL_COLOR, RECO_COLOR};
use crate::recipe::{derive_wjet_aux, DataOrigin, Recipe, MAX_EVENTS};
use crate::steps::Steps;
use crate::store::save_smearing;
use crate::train::{EpochReport, Hidden, SmearingJob, TrainConfig, TrainData, Training};
use crate::{Error, Result};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Each step runs this long (ms) before yielding to the browser.
pub(super) const SLICE_MS: f64 = 40.0;
/// Quantiles for the per-feature JS shown on the page (the foundation issue's n_quant).
const N_QUANT: usize = 16;

#[derive(Clone, Debug, PartialEq)]
pub(super) struct JsRow {
    feature: String,
    model: f64,
    gen: f64,
}

/// Reactive display state shared by the components.
#[derive(Clone, Copy)]
pub(super) struct Ui {
    pub(super) backend: RwSignal<Option<BackendKind>>,
    pub(super) backend_note: RwSignal<String>,
    pub(super) busy: RwSignal<Option<&'static str>>,
    pub(super) cancel: RwSignal<bool>,
    pub(super) progress: RwSignal<f64>,
    pub(super) status: RwSignal<String>,
    pub(super) error: RwSignal<Option<String>>,
    pub(super) events: RwSignal<String>,
    pub(super) seed: RwSignal<String>,
    pub(super) epochs: RwSignal<String>,
    pub(super) batch: RwSignal<String>,
    pub(super) lr: RwSignal<String>,
    /// Hidden layers × width of the network ("4x100", "2x16").
    pub(super) hidden: RwSignal<String>,
    pub(super) have_data: RwSignal<bool>,
    pub(super) have_model: RwSignal<bool>,
    pub(super) history: RwSignal<Vec<EpochReport>>,
    pub(super) js: RwSignal<Vec<JsRow>>,
    pub(super) npy_names: RwSignal<String>,
    pub(super) drop_nonfinite: RwSignal<bool>,
    pub(super) preview: RwSignal<Option<Preview>>,
    pub(super) mapping: RwSignal<Vec<MapRow>>,
    pub(super) det_b: RwSignal<serde_json::Value>,
    pub(super) compared: RwSignal<bool>,
    /// Canvas ids and titles of the sample step's plots.
    pub(super) sample_plots: RwSignal<Vec<String>>,
    pub(super) have_sample: RwSignal<bool>,
    /// The last link made by Share.
    pub(super) share_link: RwSignal<String>,
}

impl Ui {
    fn new() -> Self {
        Self {
            backend: RwSignal::new(None),
            backend_note: RwSignal::new("starting…".into()),
            busy: RwSignal::new(None),
            cancel: RwSignal::new(false),
            progress: RwSignal::new(0.0),
            status: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            events: RwSignal::new("20000".into()),
            seed: RwSignal::new("1".into()),
            epochs: RwSignal::new("10".into()),
            batch: RwSignal::new("128".into()),
            lr: RwSignal::new("0.001".into()),
            hidden: RwSignal::new("4x100".into()),
            have_data: RwSignal::new(false),
            have_model: RwSignal::new(false),
            history: RwSignal::new(Vec::new()),
            js: RwSignal::new(Vec::new()),
            npy_names: RwSignal::new(String::new()),
            drop_nonfinite: RwSignal::new(false),
            preview: RwSignal::new(None),
            mapping: RwSignal::new(Vec::new()),
            det_b: RwSignal::new(default_json()),
            compared: RwSignal::new(false),
            sample_plots: RwSignal::new(Vec::new()),
            have_sample: RwSignal::new(false),
            share_link: RwSignal::new(String::new()),
        }
    }

    /// Starts a long task unless one runs; its error, if any, is shown and nothing is lost.
    pub(super) fn run<F>(self, name: &'static str, task: impl FnOnce() -> F + 'static)
    where
        F: std::future::Future<Output = Result<String>> + 'static,
    {
        if self.busy.get_untracked().is_some() {
            return;
        }
        self.busy.set(Some(name));
        self.cancel.set(false);
        self.error.set(None);
        self.progress.set(0.0);
        spawn_local(async move {
            match task().await {
                Ok(msg) => self.status.set(msg),
                Err(Error::Cancelled) => self.status.set(format!("{name}: cancelled")),
                Err(e) => self.error.set(Some(e.to_string())),
            }
            self.busy.set(None);
        });
    }
}

pub(super) fn parse<T: std::str::FromStr>(what: &str, text: &str) -> Result<T> {
    text.trim()
        .parse()
        .map_err(|_| Error::invalid(what, format!("'{text}' is not a valid number")))
}

async fn init_backend(ui: Ui) {
    let force_cpu = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| q.contains("backend=cpu"));
    let (kind, device, note) = if force_cpu {
        (
            BackendKind::Cpu,
            backend::cpu(),
            "CPU chosen by the link (?backend=cpu)".to_string(),
        )
    } else {
        match backend::wgpu_async().await {
            Ok(d) => (BackendKind::Wgpu, d, "WebGPU adapter found".to_string()),
            Err(e) => (
                BackendKind::Cpu,
                backend::cpu(),
                format!("running on the CPU: {e}"),
            ),
        }
    };
    session::with(|s| s.device = Some((kind, device)));
    ui.backend_note.set(note);
    ui.backend.set(Some(kind));
    open_link_on_start(ui);
}

/// Runs `work` in slices of [`SLICE_MS`] (`n` units a step), yielding to the browser between
/// them, with progress from `p0` to `p1`; Cancel stops it.
pub(super) async fn drive(ui: Ui, work: &mut impl Steps, n: usize, p0: f64, p1: f64) -> Result<()> {
    loop {
        let t0 = now_ms();
        let mut done = false;
        while !done && now_ms() - t0 < SLICE_MS {
            done = work.step(n)?;
        }
        ui.progress.set(p0 + (p1 - p0) * work.progress());
        if done {
            return Ok(());
        }
        yield_now().await;
        if ui.cancel.get_untracked() {
            return Err(Error::Cancelled);
        }
    }
}

/// Generates a recipe's events with progress from `p0` to `p1`; returns them and the
/// selection efficiency.
pub(super) async fn stream_events(
    ui: Ui,
    recipe: &Recipe,
    p0: f64,
    p1: f64,
) -> Result<(Table, f64)> {
    let mut stream = recipe.stream()?;
    drive(ui, &mut stream, 500, p0, p1).await?;
    let eff = stream.efficiency();
    Ok((stream.into_table(), eff))
}

pub(super) async fn generate(ui: Ui) -> Result<String> {
    let events: usize = parse("event count", &ui.events.get_untracked())?;
    let seed: u64 = parse("seed", &ui.seed.get_untracked())?;
    let mut recipe = Recipe::wjets(events, seed);
    recipe.detector = session::with(|s| s.detector.clone());
    let (table, eff) = stream_events(ui, &recipe, 0.0, 1.0).await?;
    let n = table.n_rows();
    session::with(|s| {
        s.table = Some(table);
        s.recipe_seed = seed;
        s.upload = None;
        s.expected_upload = None;
        s.sampled = None;
    });
    ui.preview.set(None);
    ui.have_data.set(true);
    Ok(format!(
        "generated {n} W(→μν)+jet events, seed {seed}; {:.0} % passed the selection",
        100.0 * eff
    ))
}

async fn train(ui: Ui) -> Result<String> {
    let cfg = train_config(ui, session::with(|s| s.recipe_seed))?;
    let uploaded = session::with(|s| s.upload.is_some());
    let hidden = Hidden::parse(&ui.hidden.get_untracked())?;
    let cols = if uploaded {
        train_data(&ui.mapping.get_untracked(), hidden)
    } else {
        TrainData {
            hidden,
            ..TrainData::wjets_main()
        }
    };
    if cols.gen_cols.is_empty() {
        return Err(Error::invalid(
            "columns",
            "pair at least one gen column with a reco column in the column mapper",
        ));
    }
    let (table, device) = session::with(|s| (s.table.clone(), s.device.clone()));
    let table = table.ok_or_else(|| Error::invalid("data", "generate events first"))?;
    let (_, device) =
        device.ok_or_else(|| Error::Backend("the backend is still starting".into()))?;
    let mut job = SmearingJob::new(&table, &cols, cfg, &device)?;
    ui.history.set(Vec::new());
    run_job(ui, &mut job.trainer, 0.0, 1.0, |report| {
        ui.history.update(|h| h.push(report));
        let history = ui.history.get_untracked();
        if let Err(e) = draw_on("loss-canvas", |root| {
            draw_loss(root, &history, crate::plot::SMEARING_LOSS)
        }) {
            ui.error.set(Some(e));
        }
    })
    .await?;
    let stop = job.trainer.stop_reason().map(|s| s.to_string());
    let mut model = job.finish()?;
    model.meta.origin = Some(data_origin(&table));
    let best = model.meta.best_epoch;
    session::with(|s| {
        s.model = Some(model);
        s.pretrained = None;
    });
    ui.have_model.set(true);
    Ok(match stop {
        Some(why) => format!("training stopped: {why} (epoch {best})"),
        None => format!(
            "trained {} epochs; kept epoch {best} (lowest validation loss)",
            ui.history.get_untracked().len()
        ),
    })
}

/// Where the session's events came from: the built-in recipe, or the uploaded file's name,
/// rows and hash.
pub(super) fn data_origin(table: &Table) -> DataOrigin {
    session::with(|s| match &s.upload {
        Some(name) => DataOrigin::Upload {
            name: name.clone(),
            rows: table.n_rows(),
            sha256: s.upload_sha256.clone(),
        },
        None => DataOrigin::Recipe {
            recipe: Box::new(Recipe {
                detector: s.detector.clone(),
                ..Recipe::wjets(table.n_rows(), s.recipe_seed)
            }),
        },
    })
}

/// Runs a training job in slices of [`SLICE_MS`], yielding to the browser between them, with
/// progress from `p0` to `p1`; Cancel stops it after the current batch (the best epoch so far
/// is kept).
pub(super) async fn run_job<T: Training>(
    ui: Ui,
    trainer: &mut T,
    p0: f64,
    p1: f64,
    mut on_epoch: impl FnMut(T::Report),
) -> Result<()> {
    while !trainer.finished() {
        let t0 = now_ms();
        let mut epoch_done = false;
        while !epoch_done && now_ms() - t0 < SLICE_MS {
            epoch_done = trainer.train_batches(1);
        }
        if epoch_done {
            on_epoch(trainer.end_epoch().await?);
        }
        ui.progress.set(p0 + (p1 - p0) * trainer.progress());
        if tab_hidden() {
            ui.status.set("this tab is in the background: the browser slows training down until it is visible again".into());
        }
        yield_now().await;
        if ui.cancel.get_untracked() {
            trainer.cancel();
        }
    }
    Ok(())
}

/// The training settings the page's fields hold, with `seed`.
pub(super) fn train_config(ui: Ui, seed: u64) -> Result<TrainConfig> {
    Ok(TrainConfig {
        epochs: parse("epochs", &ui.epochs.get_untracked())?,
        batch_size: parse("batch size", &ui.batch.get_untracked())?,
        lr: parse("learning rate", &ui.lr.get_untracked())?,
        seed,
        ..TrainConfig::default()
    })
}

/// Test events for the model: for built-in data an independent sample (the same recipe with
/// the next seed); for an uploaded file the file itself.
async fn test_events(ui: Ui) -> Result<(Table, u64, String)> {
    let (table, seed, upload, detector) = session::with(|s| {
        (
            s.table.clone(),
            s.recipe_seed,
            s.upload.clone(),
            s.detector.clone(),
        )
    });
    let table = table.ok_or_else(|| Error::invalid("data", "generate or load events first"))?;
    if let Some(name) = upload {
        let what = format!("the {} events of {name}", table.n_rows());
        return Ok((table, seed, what));
    }
    let n = table.n_rows();
    let mut recipe = Recipe::wjets(n, seed.wrapping_add(1));
    recipe.detector = detector;
    let (events, _) = stream_events(ui, &recipe, 0.0, 0.3).await?;
    Ok((
        events,
        seed,
        format!(
            "{n} independent test events (seed {})",
            seed.wrapping_add(1)
        ),
    ))
}

pub(super) async fn sample(ui: Ui) -> Result<String> {
    let (test, seed, what) = test_events(ui).await?;
    let model = session::with(|s| s.model.take())
        .ok_or_else(|| Error::invalid("model", "train a model first"))?;
    let pairs: Vec<(String, String)> = model
        .meta
        .gen_cols
        .iter()
        .cloned()
        .zip(model.meta.reco_cols.iter().cloned())
        .collect();
    let result = model
        .sample_chunked(&test, seed, 2048, |p| {
            ui.progress.set(0.3 + 0.6 * p);
            async move {
                yield_now().await;
                !ui.cancel.get_untracked()
            }
        })
        .await;
    session::with(|s| s.model = Some(model));
    let mut sampled = result?;
    derive_wjet_aux(&mut sampled, "reco")?;
    // Plots and JS per pair: gen and reco of the test events, and the model's reco.
    let ids: Vec<String> = pairs
        .iter()
        .map(|(g, _)| format!("hist-{}", g.trim_start_matches("gen_")))
        .collect();
    ui.sample_plots.set(ids.clone());
    yield_now().await; // let the canvases appear
    let mut rows = Vec::new();
    for ((g, r), id) in pairs.iter().zip(&ids) {
        let (gen, reco, pred) = (test.column(g)?, test.column(r)?, sampled.column(r)?);
        rows.push(JsRow {
            feature: r.trim_start_matches("reco_").to_string(),
            model: quantile_js(reco, pred, N_QUANT)?,
            gen: quantile_js(reco, gen, N_QUANT)?,
        });
        show(PlotSpec {
            id: id.clone(),
            figure: hist(
                axis_label(r),
                vec![
                    ("gen", gen.to_vec(), GEN_COLOR),
                    ("reco", reco.to_vec(), RECO_COLOR),
                    ("model", pred.to_vec(), MODEL_COLOR),
                ],
            ),
        })?;
        yield_now().await;
    }
    let n = sampled.n_rows();
    let quality: Vec<(String, f64)> = rows
        .iter()
        .map(|r| (format!("reco_{}", r.feature), r.model))
        .collect();
    session::with(|s| {
        s.sampled = Some(sampled);
        if let Some(m) = s.model.as_mut() {
            m.meta.quality = quality;
        }
    });
    ui.js.set(rows);
    ui.have_sample.set(true);
    ui.progress.set(1.0);
    Ok(format!(
        "sampled {what} ({n} rows) and compared them with the detector"
    ))
}

/// Downloads the sampled events in a format, or the model file.
async fn save(what: &'static str) -> Result<String> {
    if what == "model" {
        let model = session::with(|s| s.model.take())
            .ok_or_else(|| Error::invalid("model", "train a model first"))?;
        let bytes = save_smearing(&model).await;
        session::with(|s| s.model = Some(model));
        download("model.fastsim", &bytes?, "application/octet-stream")?;
        return Ok("downloaded model.fastsim".into());
    }
    let name = format!("sampled.{what}");
    let bytes = session::with(|s| s.sampled.as_ref().map(|t| write_bytes(t, &name)))
        .ok_or_else(|| Error::invalid("download", "sample events first"))??;
    download(&name, &bytes, "application/octet-stream")?;
    Ok(format!("downloaded {name} ({} bytes)", bytes.len()))
}

/// PNG and SVG download buttons under a plot.
#[component]
pub(super) fn PlotLinks(id: String) -> impl IntoView {
    let (a, b) = (id.clone(), id.clone());
    view! {
        <span class="plot-links">
            <button class="dl-png" data-plot=id.clone() on:click=move |_| { let _ = export(&a, false); }>"PNG"</button>
            <button class="dl-svg" data-plot=id.clone() on:click=move |_| { let _ = export(&b, true); }>"SVG"</button>
        </span>
    }
}

/// The whole demo in one click: generate, train, sample and compare.
async fn run_all(ui: Ui) -> Result<String> {
    next_step(ui, "generating")?;
    ui.status.set(generate(ui).await?);
    next_step(ui, "training")?;
    ui.status.set(train(ui).await?);
    next_step(ui, "sampling")?;
    sample(ui).await
}

/// Between the steps of [`run_all`]: stop if cancelled, else name the next step.
fn next_step(ui: Ui, label: &'static str) -> Result<()> {
    if ui.cancel.get_untracked() {
        return Err(Error::Cancelled);
    }
    ui.busy.set(Some(label));
    ui.progress.set(0.0);
    Ok(())
}

#[component]
pub fn App() -> impl IntoView {
    let ui = Ui::new();
    spawn_local(init_backend(ui));
    let idle = move || ui.busy.get().is_none() && ui.backend.get().is_some();
    let badge = move || match ui.backend.get() {
        Some(BackendKind::Wgpu) => "WebGPU",
        Some(BackendKind::Cpu) => "CPU",
        None => "starting…",
    };
    let max_events = format!("1 to {MAX_EVENTS}");
    view! {
        <header>
            <h1>"fastsim-lab"</h1>
            <p class="tagline">"Learn a detector's response with a neural network, in your browser."</p>
            <button id="run-all" disabled=move || !idle() on:click=move |_| ui.run("running", move || run_all(ui))>"Run the whole demo"</button>
            <span id="backend-badge" class="badge" title=move || ui.backend_note.get()>{badge}</span>
        </header>
        <main>
            <section>
                <h2>"1 · Generate events"</h2>
                <p>"W(→μν)+jet at 13 TeV, passed through a CMS-like detector (Delphes CMS card resolutions). Each event has generator-level (gen) and detector-level (reco) features."</p>
                <label>"events " <input id="events" type="number" min="100" title=max_events bind:value=ui.events/></label>
                <label>"seed " <input id="seed" type="number" min="0" bind:value=ui.seed/></label>
                <button id="generate" disabled=move || !idle() on:click=move |_| ui.run("generating", move || generate(ui))>"Generate"</button>
            </section>
            <UploadSection ui=ui/>
            <section>
                <h2>"2 · Train the smearing network"</h2>
                <p>"Chen et al. (2020): two networks (9 → 4×100 → 9 in the paper; 2×16 makes a model small enough to share inline) learn the mean and the +1σ quantile of each reco feature from the gen features; 70 % of the events train, 30 % validate."</p>
                <label>"epochs " <input id="epochs" type="number" min="1" bind:value=ui.epochs/></label>
                <label>"batch " <input id="batch" type="number" min="1" bind:value=ui.batch/></label>
                <label>"learning rate " <input id="lr" type="text" bind:value=ui.lr/></label>
                <label>"network " <select id="hidden" on:change=move |e| ui.hidden.set(event_target_value(&e)) prop:value=move || ui.hidden.get()>
                    <option value="4x100">"4 × 100 (the paper's)"</option>
                    <option value="2x16">"2 × 16 (small: fits in a share link)"</option>
                </select></label>
                <button id="train" disabled=move || !idle() || !ui.have_data.get() on:click=move |_| ui.run("training", move || train(ui))>"Train"</button>
                <canvas id="loss-canvas" width="720" height="320"></canvas>
                <table id="loss-table" class="numbers">
                    <tr><th>"epoch"</th><th>"train loss"</th><th>"validation loss"</th></tr>
                    {move || ui.history.get().into_iter().map(|r| view! {
                        <tr class="epoch-row">
                            <td>{r.epoch}</td>
                            <td class="train-loss">{format!("{:.4}", r.train_loss)}</td>
                            <td class="val-loss">{format!("{:.4}", r.val_loss)}</td>
                        </tr>
                    }).collect_view()}
                </table>
            </section>
            <section>
                <h2>"3 · Sample and compare"</h2>
                <p>"The model smears independent test events; its reco distributions are compared with the detector's. Quantile-JS (Bieringer et al., eq. 3.3, 16 quantiles): 0 means identical, ln 2 ≈ 0.693 disjoint."</p>
                <button id="sample" disabled=move || !idle() || !ui.have_model.get() on:click=move |_| ui.run("sampling", move || sample(ui))>"Sample"</button>
                <table id="js-table" class="numbers">
                    <tr><th>"feature"</th><th>"JS(model, reco)"</th><th>"JS(gen, reco)"</th></tr>
                    {move || ui.js.get().into_iter().map(|r| view! {
                        <tr class="js-row" data-feature=r.feature.clone()>
                            <td>{axis_label(&r.feature)}</td>
                            <td class="js-model">{format!("{:.5}", r.model)}</td>
                            <td class="js-gen">{format!("{:.5}", r.gen)}</td>
                        </tr>
                    }).collect_view()}
                </table>
                <div class="plots">
                    {move || ui.sample_plots.get().into_iter().map(|id| view! {
                        <figure><canvas id=id.clone() width="560" height="440"></canvas><PlotLinks id=id/></figure>
                    }).collect_view()}
                </div>
                <div id="downloads">
                    "Download: "
                    {["csv", "npy", "npz"].into_iter().map(|f| view! {
                        <button id=format!("dl-{f}") disabled=move || !ui.have_sample.get() on:click=move |_| ui.run("saving", move || save(f))>{format!("samples .{f}")}</button>
                    }).collect_view()}
                    <button id="dl-model" disabled=move || !ui.have_model.get() || ui.busy.get().is_some() on:click=move |_| ui.run("saving", move || save("model"))>"model file"</button>
                    <button id="share" disabled=move || !ui.have_sample.get() || ui.busy.get().is_some() on:click=move |_| ui.run("sharing", move || share(ui))>"Share"</button>
                    <button id="dl-loss" disabled=move || ui.history.get().is_empty() on:click=move |_| {
                        if let Err(e) = super::files::canvas_png("loss-canvas").and_then(|u| super::files::download_url("loss.png", &u)) { ui.error.set(Some(e.to_string())); }
                    }>"loss curve PNG"</button>
                </div>
            </section>
            <p id="share-row" style:display=move || if ui.share_link.get().is_empty() { "none" } else { "block" }>
                "Link: " <input id="share-link" type="text" readonly size="80" prop:value=move || ui.share_link.get()/>
            </p>
            <EvaluateSection ui=ui/>
            <JetsSection ui=ui/>
            <UnfoldSection ui=ui/>
            <ModelsSection ui=ui/>
            <DetectorSection ui=ui/>
        </main>
        <footer id="activity">
            <progress id="progress" max="1" value=move || ui.progress.get()></progress>
            <span id="busy">{move || ui.busy.get().unwrap_or("ready")}</span>
            <button id="cancel" disabled=move || ui.busy.get().is_none() on:click=move |_| ui.cancel.set(true)>"Cancel"</button>
            <span id="status">{move || ui.status.get()}</span>
            <span id="error" class="error">{move || ui.error.get().unwrap_or_default()}</span>
        </footer>
    }
}
