//! The smearing lab (seed 000): generate W+jet events (or use a loaded file), train the
//! smearing network with its loss live, sample test events and compare with the detector.
//! Its state — fields, results and the heavy data — lives in [`Smear`], shared through
//! context with the sections that build on it (upload, evaluate, detector, share). What is
//! trained on and tested against is the library's workflow.

use super::canvas::draw_on;
use super::files::{canvas_png, download, download_url};
use super::jobs;
use super::plots::{hist, show_figure, PlotLinks};
use super::state::{parse, AppState, Store};
use super::teach::Explain;
use crate::data::{write_bytes, Table};
use crate::detector::WjetsDetector;
use crate::model::{EpochReport, FlowSpec, TrainedSmearing};
use crate::plot::{
    axis_label, draw_loss, FLOW_LOSS, GEN_COLOR, MODEL_COLOR, RECO_COLOR, SMEARING_LOSS,
};
use crate::recipe::{DataOrigin, WjetsRecipe, MAX_EVENTS};
use crate::store::save_smearing;
use crate::train::{Hidden, TrainData};
use crate::workflow::smearing::{
    self, compare, pairs_data, quality, wjets_data, ColumnPair, JsRow, Source, TestEvents,
};
use crate::{Error, Result};
use leptos::prelude::*;

/// What the upload preview shows of a loaded table.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    pub file: String,
    pub rows: usize,
    pub names: Vec<String>,
    /// The file's text columns: shown as "text, not used", never mapped.
    pub text: Vec<String>,
    pub head: Vec<Vec<f32>>,
    /// Per column: min, mean, max.
    pub stats: Vec<(f32, f64, f32)>,
    pub remarks: Vec<String>,
}

/// The lab's heavy, non-reactive state.
#[derive(Default)]
pub struct SmearData {
    pub table: Option<Table>,
    /// The recipe the built-in events came from (None for an uploaded file).
    pub recipe: Option<WjetsRecipe>,
    /// The uploaded file's name and SHA-256 when the data came from one.
    pub upload: Option<(String, String)>,
    /// The file (name, SHA-256) an opened link says its data came from: an upload must match.
    pub expected_upload: Option<(String, String)>,
    /// The detector the next built-in events are generated with.
    pub detector: WjetsDetector,
    pub model: Option<TrainedSmearing>,
    /// The manifest name and SHA-256 of the model, when it is an unchanged pre-trained one.
    pub pretrained: Option<(String, String)>,
    pub sampled: Option<Table>,
}

impl SmearData {
    /// Where the events came from, borrowed: the built-in recipe, or the uploaded file.
    pub fn source(&self) -> Result<Source<'_>> {
        let missing = || Error::invalid("data", "generate or load events first");
        let table = self.table.as_ref().ok_or_else(missing)?;
        match (&self.upload, &self.recipe) {
            (Some((name, sha256)), _) => Ok(Source::File {
                table,
                name,
                sha256,
            }),
            (None, Some(recipe)) => Ok(Source::Recipe { recipe, table }),
            (None, None) => Err(missing()),
        }
    }

    /// The seed of training and sampling: the recipe's, 1 for a file.
    pub fn seed(&self) -> u64 {
        self.recipe.as_ref().map_or(1, |r| r.seed)
    }

    /// Replaces the events (a new generation, or an upload with its name and hash): what was
    /// sampled from the old ones goes.
    pub fn set_events(
        &mut self,
        table: Table,
        recipe: Option<WjetsRecipe>,
        upload: Option<(String, String)>,
    ) {
        self.table = Some(table);
        self.recipe = recipe;
        self.upload = upload;
        self.expected_upload = None;
        self.sampled = None;
    }
}

/// The smearing lab's fields and results.
#[derive(Clone, Copy)]
pub struct Smear {
    pub events: RwSignal<String>,
    pub seed: RwSignal<String>,
    pub epochs: RwSignal<String>,
    pub batch: RwSignal<String>,
    pub lr: RwSignal<String>,
    /// Hidden layers × width of the network ("4x100", "2x16").
    pub hidden: RwSignal<String>,
    /// The response model: "gaussian" (seed 000's network) or "flow" (issue 22).
    pub model: RwSignal<String>,
    /// Seed 000's own settings (`train --paper`): reco regressed directly, and built-in events
    /// at the HL-LHC's ⟨μ⟩ = 200; checking it also sets the network and schedule to the
    /// paper's.
    pub paper: RwSignal<bool>,
    pub have_data: RwSignal<bool>,
    pub have_model: RwSignal<bool>,
    pub history: RwSignal<Vec<EpochReport>>,
    pub js: RwSignal<Vec<JsRow>>,
    pub npy_names: RwSignal<String>,
    pub drop_nonfinite: RwSignal<bool>,
    pub preview: RwSignal<Option<Preview>>,
    pub mapping: RwSignal<Vec<ColumnPair>>,
    /// Canvas ids of the sample step's plots.
    pub sample_plots: RwSignal<Vec<String>>,
    pub have_sample: RwSignal<bool>,
    /// What the test events were (shown under the JS table).
    pub tested_on: RwSignal<String>,
    /// An opened link that waits for the model file it pins.
    pub pending_link: RwSignal<Option<crate::share::ShareState>>,
    pub data: Store<SmearData>,
}

impl Smear {
    pub fn new() -> Self {
        Self {
            events: RwSignal::new(smearing::PAGE_EVENTS.to_string()),
            seed: RwSignal::new("1".into()),
            epochs: RwSignal::new(smearing::PAGE_EPOCHS.to_string()),
            batch: RwSignal::new("128".into()),
            lr: RwSignal::new("0.001".into()),
            hidden: RwSignal::new("4x100".into()),
            model: RwSignal::new("gaussian".into()),
            paper: RwSignal::new(false),
            have_data: RwSignal::new(false),
            have_model: RwSignal::new(false),
            history: RwSignal::new(Vec::new()),
            js: RwSignal::new(Vec::new()),
            npy_names: RwSignal::new(String::new()),
            drop_nonfinite: RwSignal::new(false),
            preview: RwSignal::new(None),
            mapping: RwSignal::new(Vec::new()),
            sample_plots: RwSignal::new(Vec::new()),
            have_sample: RwSignal::new(false),
            tested_on: RwSignal::new(String::new()),
            pending_link: RwSignal::new(None),
            data: Store::new(SmearData::default()),
        }
    }

    /// Draws the training history on the loss canvas.
    pub fn draw_history(self, app: AppState) {
        let history = self.history.get_untracked();
        let label = if self.model.get_untracked() == "flow" {
            FLOW_LOSS
        } else {
            SMEARING_LOSS
        };
        if let Err(e) = draw_on("loss-canvas", |root| draw_loss(root, &history, label)) {
            app.fail(e);
        }
    }

    /// Makes `model` the lab's model (trained, from a link or pre-trained), with its history.
    pub fn install(self, app: AppState, model: TrainedSmearing, pinned: Option<(String, String)>) {
        self.model
            .set(if model.is_flow() { "flow" } else { "gaussian" }.into());
        self.history.set(model.meta.history.clone());
        self.draw_history(app);
        self.data.with(|d| {
            d.model = Some(model);
            d.pretrained = pinned;
        });
        self.have_model.set(true);
    }
}

/// A W+jet recipe's events, generated in steps with progress from `p0` to `p1`, and the
/// selection efficiency.
pub async fn stream_events(
    app: AppState,
    recipe: &WjetsRecipe,
    p0: f64,
    p1: f64,
) -> Result<(Table, f64)> {
    let mut stream = recipe.stream()?;
    app.steps(&mut stream, 500, p0, p1).await?;
    let eff = stream.efficiency();
    Ok((stream.into_table(), eff))
}

/// Generates the built-in events with the fields' count and seed and the lab's detector.
pub async fn generate(app: AppState, sm: Smear) -> Result<String> {
    let events: usize = parse("event count", &sm.events.get_untracked())?;
    let seed: u64 = parse("seed", &sm.seed.get_untracked())?;
    let mut recipe = WjetsRecipe {
        detector: sm.data.with(|d| d.detector.clone()),
        ..WjetsRecipe::new(events, seed)
    };
    if sm.paper.get_untracked() {
        recipe.generator.mean_pileup = smearing::paper_preset().mean_pileup;
    }
    let (table, eff) = stream_events(app, &recipe, 0.0, 1.0).await?;
    let n = table.n_rows();
    let pileup = recipe.generator.mean_pileup;
    sm.data.with(|d| d.set_events(table, Some(recipe), None));
    sm.preview.set(None);
    sm.have_data.set(true);
    Ok(format!(
        "generated {n} W(→μν)+jet events, seed {seed}, ⟨μ⟩ = {} pile-up; {:.0} % passed the selection",
        pileup,
        100.0 * eff
    ))
}

async fn train(app: AppState, sm: Smear) -> Result<String> {
    let (epochs, batch, lr) = (
        parse("epochs", &sm.epochs.get_untracked())?,
        parse("batch size", &sm.batch.get_untracked())?,
        parse("learning rate", &sm.lr.get_untracked())?,
    );
    let hidden = Hidden::parse(&sm.hidden.get_untracked())?;
    let flow = (sm.model.get_untracked() == "flow").then(FlowSpec::default);
    let mapping = sm.mapping.get_untracked();
    let device = app.device_for(smearing::device_job(flow.is_some()))?;
    // The rows the run trains on (a copy: the section's events are only borrowed).
    let (rows, cols, cfg, origin) = sm.data.with(|d| -> Result<_> {
        let source = d.source()?;
        let cols = match source {
            // A file: the mapped columns, on its rows less the held-out ones.
            Source::File { .. } => pairs_data(&mapping, hidden)?,
            // Built-in events: all of them (the test events are another seed's).
            Source::Recipe { .. } => wjets_data(hidden),
        };
        let cols = TrainData { flow, ..cols };
        // The paper regresses reco itself (section 3); the lab, the residual.
        let cols = if sm.paper.get_untracked() {
            TrainData {
                target: smearing::paper_preset().data.target,
                ..cols
            }
        } else {
            cols
        };
        let cfg = smearing::paper().overridden(Some(epochs), Some(batch), Some(lr), d.seed());
        Ok((
            source.train_rows()?.into_owned(),
            cols,
            cfg,
            source.origin(),
        ))
    })?;
    let n = rows.n_rows();
    sm.history.set(Vec::new());
    let on_epoch = |report: &EpochReport| {
        sm.history.update(|h| h.push(report.clone()));
        sm.draw_history(app);
    };
    let (stop, mut model) =
        jobs::train_smearing(app, rows, cols, cfg, &device, (0.0, 1.0), on_epoch).await?;
    model.meta.origin = Some(origin);
    let best = model.meta.best_epoch;
    sm.data.with(|d| {
        d.model = Some(model);
        d.pretrained = None;
    });
    sm.have_model.set(true);
    Ok(match stop {
        Some(why) => format!("training stopped: {why} (epoch {best})"),
        None => format!(
            "trained {} epochs on {} events; kept epoch {best} (lowest validation loss)",
            sm.history.get_untracked().len(),
            n
        ),
    })
}

/// The model's test events (the workflow's policy: the next seed's built-in events, or the
/// file's held-out rows), with what they are.
async fn test_events(app: AppState, sm: Smear) -> Result<(Table, String)> {
    let test = sm.data.with(|d| d.source()?.test_events())?;
    let what = test.describe();
    let table = match test {
        TestEvents::Recipe(recipe) => stream_events(app, &recipe, 0.0, 0.3).await?.0,
        TestEvents::HeldOut { table, .. } => table,
    };
    Ok((table, what))
}

/// Samples the test events with the model, compares with the detector (JS table, plots) and
/// stores the comparison in the model as its quality figure.
pub async fn sample(app: AppState, sm: Smear) -> Result<String> {
    let (test, what) = test_events(app, sm).await?;
    let seed = sm.data.with(|d| d.seed());
    let model = sm
        .data
        .with(|d| d.model.take())
        .ok_or_else(|| Error::invalid("model", "train a model first"))?;
    app.ran_on_device(model.device());
    let result = jobs::sample_smearing(app, &model, &test, (seed, 2048), (0.3, 0.9)).await;
    let rows = result.and_then(|mut sampled| {
        model.derive_aux(&mut sampled)?;
        Ok((compare(&model, &test, &sampled)?, sampled))
    });
    let pairs: Vec<(String, String)> = model
        .meta
        .gen_cols
        .iter()
        .cloned()
        .zip(model.meta.reco_cols.iter().cloned())
        .collect();
    sm.data.with(|d| d.model = Some(model));
    let (rows, sampled) = rows?;
    // Plots per pair: gen and reco of the test events, and the model's reco.
    let ids: Vec<String> = pairs
        .iter()
        .map(|(g, _)| format!("hist-{}", g.trim_start_matches("gen_")))
        .collect();
    sm.sample_plots.set(ids.clone());
    super::browser::yield_now().await; // let the canvases appear
    for ((g, r), id) in pairs.iter().zip(&ids) {
        let (gen, reco, pred) = (test.column(g)?, test.column(r)?, sampled.column(r)?);
        show_figure(
            app,
            id.clone(),
            hist(
                axis_label(r),
                vec![
                    ("gen", gen.to_vec(), GEN_COLOR),
                    ("reco", reco.to_vec(), RECO_COLOR),
                    ("model", pred.to_vec(), MODEL_COLOR),
                ],
            ),
        )?;
        super::browser::yield_now().await;
    }
    let n = sampled.n_rows();
    let q = quality(&rows);
    sm.data.with(|d| {
        d.sampled = Some(sampled);
        if let Some(m) = d.model.as_mut() {
            m.meta.quality = q;
        }
    });
    sm.js.set(rows);
    sm.tested_on.set(what.clone());
    sm.have_sample.set(true);
    app.progress.set(1.0);
    Ok(format!(
        "sampled {what} ({n} rows) and compared them with the detector"
    ))
}

/// Downloads the sampled events in a format, or the model file.
async fn save(sm: Smear, what: &'static str) -> Result<String> {
    if what == "onnx" {
        let model = sm
            .data
            .with(|d| d.model.take())
            .ok_or_else(|| Error::invalid("model", "train a model first"))?;
        let bytes = crate::store::smearing_onnx(&model).await;
        sm.data.with(|d| d.model = Some(model));
        let bytes = bytes?;
        download("model.onnx", &bytes, "application/octet-stream")?;
        return Ok(format!(
            "downloaded model.onnx ({} bytes): inputs gen and noise, output reco (README, \"Use a trained model at scale\")",
            bytes.len()
        ));
    }
    if what == "model" {
        let model = sm
            .data
            .with(|d| d.model.take())
            .ok_or_else(|| Error::invalid("model", "train a model first"))?;
        let bytes = save_smearing(&model).await;
        sm.data.with(|d| d.model = Some(model));
        download("model.fastsim", &bytes?, "application/octet-stream")?;
        return Ok("downloaded model.fastsim".into());
    }
    let name = format!("sampled.{what}");
    let bytes = sm
        .data
        .with(|d| d.sampled.as_ref().map(|t| write_bytes(t, &name)))
        .ok_or_else(|| Error::invalid("download", "sample events first"))??;
    download(&name, &bytes, "application/octet-stream")?;
    Ok(format!("downloaded {name} ({} bytes)", bytes.len()))
}

/// The whole demo in one click: generate, train, sample and compare.
pub async fn run_all(app: AppState, sm: Smear) -> Result<String> {
    app.next_step("generating")?;
    app.status.set(generate(app, sm).await?);
    app.next_step("training")?;
    app.status.set(train(app, sm).await?);
    app.next_step("sampling")?;
    sample(app, sm).await
}

/// Where the lab's model's events came from (what a model file and a link record).
pub fn data_origin(sm: Smear) -> Result<DataOrigin> {
    sm.data.with(|d| Ok(d.source()?.origin()))
}

/// Built-in events.
#[component]
pub fn GenerateBlock() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sm = expect_context::<Smear>();
    let max_events = format!("1 to {MAX_EVENTS}");
    view! {
        <div class="col">
            <h4>"Built-in events"</h4>
            <p>"W(→μν)+jet at 13 TeV through a CMS-like detector. Each event has 9 gen and 9 reco features."</p>
            <div class="row">
                <label>"events " <input id="events" type="number" min="100" title=max_events bind:value=sm.events/></label>
                <label>"seed " <input id="seed" type="number" min="0" bind:value=sm.seed/></label>
                <button id="generate" disabled=move || !app.idle() on:click=move |_| app.run("generating", move || generate(app, sm))>"Generate"</button>
            </div>
        </div>
    }
}

/// Steps 2 and 3: train, then sample and compare; `children` go beside the download buttons
/// (the root puts the Share button there).
#[component]
pub fn SmearSection(children: Children) -> impl IntoView {
    let app = expect_context::<AppState>();
    let sm = expect_context::<Smear>();
    let trained = move || !sm.history.get().is_empty();
    view! {
        <section id="smear-train">
            <h3>"2 · Train the smearing network"</h3>
            <p hidden=move || sm.model.get() != "flow">"The flow (beyond the paper): a chain of eight invertible spline maps turns each event's reco features into standard normal numbers, conditioned on its gen features; it learns their joint distribution by maximum likelihood (the loss is −ln p per event, which may go below zero), so correlations and non-Gaussian tails are learned too. Sampling runs the chain backwards on fresh normal numbers."</p>
            <p>"Two networks (9 → 4×100 → 9 in the paper; 2×16 is small enough to share inline) learn the centre and the +1σ quantile of each reco feature from the gen features; 70 % of the events train, 30 % validate. A loaded file's last 20 % are held out as its test events."</p>
            <Explain>"One network predicts the centre μ of each reco feature (absolute-error loss, Chen et al. eq. 2), the other its +1σ quantile q (pinball loss with γ = 0.841, eq. 3); a reco event is then drawn as μ + |q − μ|·ε with ε a standard normal number (eq. 1). Watch the two curves: the validation loss should fall with the training loss. If it rises while the training loss still falls, the network is learning its training events by heart (overfitting): the page keeps the epoch with the lowest validation loss."</Explain>
            <div class="row">
            <label title="Chen et al.'s own settings: reco regressed directly (the lab learns the residual reco − gen, which keeps per-cent resolutions), the 4 × 100 networks, 100 epochs at 10⁻³/(1 + epoch), batches of 128, and built-in events at the HL-LHC's ⟨μ⟩ = 200 pile-up (generate them again after checking)."><input id="smear-paper" type="checkbox" prop:checked=move || sm.paper.get() on:change=move |e| {
                let on = event_target_checked(&e);
                sm.paper.set(on);
                if on {
                    let p = smearing::paper_preset().train;
                    sm.model.set("gaussian".into());
                    sm.hidden.set("4x100".into());
                    sm.epochs.set(p.epochs.to_string());
                    sm.batch.set(p.batch_size.to_string());
                    sm.lr.set(format!("{}", p.lr));
                }
            }/>" the paper's settings"</label>
            <label>"epochs " <input id="epochs" type="number" min="1" bind:value=sm.epochs/></label>
            <label>"batch " <input id="batch" type="number" min="1" bind:value=sm.batch/></label>
            <label>"learning rate " <input id="lr" type="text" bind:value=sm.lr/></label>
            <label title="the paper's network draws each reco feature from a Gaussian; the flow learns the joint, non-Gaussian response">"model " <select id="smear-model" on:change=move |e| {
                let v = event_target_value(&e);
                sm.hidden.set(if v == "flow" { "2x64".into() } else { "4x100".into() });
                sm.model.set(v);
            } prop:value=move || sm.model.get()>
                <option value="gaussian">"Gaussian (Chen et al.)"</option>
                <option value="flow">"Flow (spline couplings)"</option>
            </select></label>
            <label>"network " <select id="hidden" on:change=move |e| sm.hidden.set(event_target_value(&e)) prop:value=move || sm.hidden.get()>
                <option value="4x100">"4 × 100 (the paper's)"</option>
                <option value="2x64">"2 × 64 (the flow's conditioners)"</option>
                <option value="2x32">"2 × 32 (shares inline in float16)"</option>
                <option value="2x16">"2 × 16 (small: shares inline exactly)"</option>
            </select></label>
            <button id="train" disabled=move || !app.idle() || !sm.have_data.get() on:click=move |_| app.run("training", move || train(app, sm))>"Train"</button>
            </div>
            <div class="result-pair" hidden=move || !trained()>
            <canvas id="loss-canvas" width="720" height="320" role="img" aria-label="training and validation loss per epoch; the same numbers are in the table beside it"></canvas>
            <div class="scroll tall">
            <table id="loss-table" class="numbers">
                <caption>"Loss per epoch"</caption>
                <tr><th>"epoch"</th><th>"train loss"</th><th>"validation loss"</th></tr>
                {move || sm.history.get().into_iter().map(|r| view! {
                    <tr class="epoch-row">
                        <td>{r.epoch}</td>
                        <td class="train-loss">{format!("{:.4}", r.train_loss)}</td>
                        <td class="val-loss">{format!("{:.4}", r.val_loss)}</td>
                    </tr>
                }).collect_view()}
            </table>
            </div>
            </div>
        </section>
        <section id="smear-results">
            <h3>"3 · Sample and compare"</h3>
            <p>"The model smears test events it never saw; its reco distributions are compared with the detector's. Quantile-JS (Bieringer et al., eq. 3.3, 16 quantiles): 0 means identical, ln 2 ≈ 0.693 disjoint."</p>
            <Explain>"In each plot, blue is gen, black the detector's reco and orange the network's: orange should lie on black, not on blue. The table says the same in numbers: JS(model, reco) should be far below JS(gen, reco), which measures how much the detector changes that feature. The missing transverse momentum (MET) is the hardest: it is built from everything else in the event."</Explain>
            <div class="row">
            <button id="sample" disabled=move || !app.idle() || !sm.have_model.get() on:click=move |_| app.run("sampling", move || sample(app, sm))>"Sample"</button>
            </div>
            <div hidden=move || !sm.have_sample.get()>
            <table id="js-table" class="numbers">
                <caption>"Quantile-JS of each reco feature (the plots' text alternative)"</caption>
                <tr><th>"feature"</th><th>"JS(model, reco)"</th><th>"JS(gen, reco)"</th></tr>
                {move || sm.js.get().into_iter().map(|r| view! {
                    <tr class="js-row" data-feature=r.feature.clone()>
                        <td>{axis_label(&r.feature)}</td>
                        <td class="js-model">{format!("{:.5}", r.model)}</td>
                        <td class="js-gen">{format!("{:.5}", r.gen)}</td>
                    </tr>
                }).collect_view()}
            </table>
            </div>
            <p id="tested-on" class="note">{move || sm.tested_on.get()}</p>
            <div class="plots">
                {move || sm.sample_plots.get().into_iter().map(|id| view! {
                    <figure><canvas id=id.clone() width="560" height="440" role="img" aria-label="histograms of gen, reco and the model's reco; the table above gives their quantile-JS"></canvas><PlotLinks id=id/></figure>
                }).collect_view()}
            </div>
            <div id="downloads" class="row" hidden=move || !sm.have_model.get()>
                "Download: "
                {["csv", "npy", "npz"].into_iter().map(|f| view! {
                    <button id=format!("dl-{f}") disabled=move || !sm.have_sample.get() on:click=move |_| app.run("saving", move || save(sm, f))>{format!("samples .{f}")}</button>
                }).collect_view()}
                <button id="dl-model" disabled=move || !sm.have_model.get() || app.busy.get().is_some() on:click=move |_| app.run("saving", move || save(sm, "model"))>"model file"</button>
                <button id="dl-onnx" disabled=move || !sm.have_model.get() || app.busy.get().is_some() on:click=move |_| app.run("exporting", move || save(sm, "onnx"))>"ONNX"</button>
                {children()}
                <button id="dl-loss" disabled=move || sm.history.get().is_empty() on:click=move |_| {
                    if let Err(e) = canvas_png("loss-canvas").and_then(|u| download_url("loss.png", &u)) { app.fail(e); }
                }>"loss curve PNG"</button>
            </div>
        </section>
    }
}
