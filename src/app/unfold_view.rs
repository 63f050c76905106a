//! The Unfold section: detector-level events back to partons with the naive GAN and the
//! fully conditional GAN of Bellagente et al. (2020), trained with both losses shown live,
//! and the paper's closure tests one click each (no cut, cuts I–IV, 10 % W′ injected): the
//! JS table of each observable against the parton truth and the figures. A user's own
//! detector-level file can be unfolded and downloaded. Every computation is the core's.

use super::canvas::draw_on;
use super::files::{download, file_bytes};
use super::jobs;
use super::plots::{show_figure, PlotLinks, BINS};
use super::pretrained::{entry_bytes, Pretrained};
use super::state::{parse, AppState, Store};
use super::teach::Explain;
use crate::backend::Job;
use crate::data::derive_wz_masses;
use crate::data::{read_bytes, write_bytes, ReadOptions, Table};
use crate::metrics::{ClosureRow, Cut};
use crate::model::{GanEpoch, GanKind, MmdKernel, TrainedUnfold};
use crate::physics::wz_object_columns;
use crate::plot::{axis_label, draw_gan_loss};
use crate::recipe::WzRecipe;
use crate::store::{load_unfold, ManifestEntry, ModelKind};
use crate::workflow::unfold::{self as workflow, closure, ClosureTest};
use crate::workflow::Preset;
use crate::{Error, Result};
use leptos::prelude::*;

/// The figures of a closure test shown on the page (figure name → canvas).
const PLOTS: [&str; 9] = [
    "dist_j1_pt",
    "dist_j2_pt",
    "dist_l1_pt",
    "dist_mjj",
    "dist_mll",
    "dist_mwz",
    "deviation_mjj",
    "migration_mjj",
    "deviation2d",
];

/// A closure test's button id and label.
fn button(c: ClosureTest) -> (String, String) {
    match c {
        ClosureTest::Cut(Cut::None) => ("closure-none".into(), "no cut".into()),
        ClosureTest::Cut(c) => (
            format!("closure-{}", c.name().to_lowercase()),
            format!("cut {}", c.name()),
        ),
        ClosureTest::Wprime => (
            "closure-wprime".into(),
            format!("{:.0} % W′", 100.0 * workflow::WPRIME_FRACTION),
        ),
    }
}

/// The section's heavy state: paired WZ events (file name when uploaded), the trained naive
/// GAN and FCGAN (the latest of each kind), and the test events of the closure tests.
#[derive(Default)]
struct UnfoldData {
    wz: Option<(Table, WzOrigin)>,
    models: Vec<TrainedUnfold>,
    /// The training recipe of the loaded pre-trained models, whose independent test events
    /// their closure tests use instead of the section's.
    model_test: Option<WzRecipe>,
    test: Option<Table>,
    wprime_test: Option<Table>,
}

/// Where the section's events came from.
enum WzOrigin {
    /// Built-in events of this seed.
    Generated(u64),
    /// A user's file, by name.
    File(String),
}

impl UnfoldData {
    fn wz(&self) -> Result<&(Table, WzOrigin)> {
        self.wz
            .as_ref()
            .ok_or_else(|| Error::invalid("events", "generate or load events first"))
    }
}

#[derive(Clone, Copy)]
struct UnfoldUi {
    data: Store<UnfoldData>,
    events: RwSignal<String>,
    seed: RwSignal<String>,
    kind: RwSignal<String>,
    preset: RwSignal<String>,
    kernel: RwSignal<String>,
    epochs: RwSignal<String>,
    lr: RwSignal<String>,
    features: RwSignal<bool>,
    /// Seed 002's own settings (`train --paper`): the naive GAN's parton and detector batches
    /// drawn independently; checking it also sets the network, kernel, features, rate and
    /// epochs to the paper's.
    paper: RwSignal<bool>,
    have_data: RwSignal<bool>,
    have_model: RwSignal<bool>,
    have_plots: RwSignal<bool>,
    history: RwSignal<Vec<GanEpoch>>,
    labels: RwSignal<Vec<String>>,
    js: RwSignal<Vec<ClosureRow>>,
    title: RwSignal<String>,
    summary: RwSignal<String>,
}

#[component]
pub fn UnfoldSection() -> impl IntoView {
    let ui = expect_context::<AppState>();
    let u = UnfoldUi {
        data: Store::new(UnfoldData::default()),
        events: RwSignal::new(workflow::PAGE_EVENTS.to_string()),
        seed: RwSignal::new("1".into()),
        kind: RwSignal::new("fcgan".into()),
        preset: RwSignal::new("small".into()),
        kernel: RwSignal::new("multiple".into()),
        epochs: RwSignal::new(workflow::PAGE_EPOCHS.to_string()),
        lr: RwSignal::new(format!("{:e}", workflow::PAGE_LR)),
        features: RwSignal::new(true),
        paper: RwSignal::new(false),
        have_data: RwSignal::new(false),
        have_model: RwSignal::new(false),
        have_plots: RwSignal::new(false),
        history: RwSignal::new(Vec::new()),
        labels: RwSignal::new(Vec::new()),
        js: RwSignal::new(Vec::new()),
        title: RwSignal::new(String::new()),
        summary: RwSignal::new(String::new()),
    };
    let idle = move || ui.idle();
    let closures: Vec<ClosureTest> = Cut::ALL
        .into_iter()
        .map(ClosureTest::Cut)
        .chain([ClosureTest::Wprime])
        .collect();
    view! {
        <p class="lead">"Bellagente et al. (2020): pp → ZW → (e⁻e⁺)(jj) at parton level and after a detector (R = 0.6 jets with the CMS-like jet resolution, electrons measured by tracker and ECAL, exactly two jets with pT > 25 GeV). A GAN learns the inverse: the naive GAN maps each detector event to a parton event; the fully conditional GAN (FCGAN) draws parton events from random numbers conditioned on the detector event, and its discriminator sees the detector event too. Losses: the regularised Jensen–Shannon GAN loss (eqs. 3, 10; λ_D = 10⁻³) and MMD on m_jj (eq. 5; λ_G = 1). The kept epoch is the one whose unfolded m_jj is closest to the truth on validation events (quantile-JS). Closure tests: train on the full phase space, then unfold test events under detector-level cuts (eqs. 7, 8, 12, 13) or with 10 % W′ (1.3 TeV) events the training never saw."</p>
        <section id="unfold">
            <h3>"1 · Events"</h3>
            <Explain>"Each event is a W and a Z boson: the Z decays to an electron pair, the W to two quarks seen as two jets. Parton level is what happened; detector level is what was measured. Unfolding goes backwards: from detector level to parton level, event by event."</Explain>
            <div class="row">
            <label>"events " <input id="unfold-events" type="number" min="500" max="1000000" bind:value=u.events/></label>
            <label>"seed " <input id="unfold-seed" type="number" min="0" bind:value=u.seed/></label>
            <button id="unfold-generate" disabled=move || !idle() on:click=move |_| ui.run("generating WZ events", move || generate(ui, u))>"Generate WZ events"</button>
            </div>
            <p><label for="unfold-file">"… or load paired events (CSV, NPZ or NumPy) with the columns gen_j1_pt, gen_j1_eta, gen_j1_phi … reco_l2_phi (objects j1 j2 l1 l2; GeV, rad). The first 80 % train, the last 20 % are the closure tests' events: "</label>
                <input id="unfold-file" type="file" accept=".csv,.npz,.npy" disabled=move || !idle()
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(f) = input.files().and_then(|f| f.get(0)) {
                            ui.run("loading events", move || upload(u, f));
                        }
                        input.set_value("");
                    }/></p>
            <p id="unfold-summary" class="result">{move || u.summary.get()}</p>
        </section>
        <section id="unfold-train-step">
            <h3>"2 · Train the GAN"</h3>
            <Explain>"Two networks compete. The generator proposes parton events for a detector event; the discriminator tries to tell them from true parton events (Bellagente et al., eqs. 3–4; the fully conditional version, eqs. 10–11, also shows it the detector event). An extra term, MMD (eq. 5), pulls the generated m_jj distribution onto the true one, where the W peak is. Watch the last column: the validation JS of m_jj should fall; the page keeps the epoch where it is lowest."</Explain>
            <div class="row">
            <label>"model " <select id="unfold-kind" on:change=move |e| u.kind.set(event_target_value(&e)) prop:value=move || u.kind.get()>
                <option value="fcgan">"FCGAN (section 3)"</option>
                <option value="naive">"naive GAN (section 2)"</option>
            </select></label>
            <label title="Bellagente et al.'s own settings: table 1's 12 × 512 networks, the multi-width MMD on m_jj, no detector features, Adam 10⁻⁴ with batches of 512, and the naive GAN's parton and detector batches drawn independently (its paired batches are the lab's default). The paper's 1,200 epochs are out of reach in a browser."><input id="unfold-paper" type="checkbox" prop:checked=move || u.paper.get() on:change=move |e| {
                let on = event_target_checked(&e);
                u.paper.set(on);
                if on {
                    u.preset.set("paper".into());
                    u.kernel.set("multiple".into());
                    u.features.set(false);
                    u.lr.set(format!("{:e}", workflow::PAPER.lr));
                    u.epochs.set(workflow::PAPER.epochs.to_string());
                }
            }/>" the paper's settings"</label>
            <label>"network " <select id="unfold-preset" on:change=move |e| u.preset.set(event_target_value(&e)) prop:value=move || u.preset.get()>
                <option value="small">"small: 4 layers × 128 (fast)"</option>
                <option value="paper">"the paper's: 12 layers × 512 (table 1; ≈ 60× slower)"</option>
            </select></label>
            <label>"MMD kernel " <select id="unfold-kernel" on:change=move |e| u.kernel.set(event_target_value(&e)) prop:value=move || u.kernel.get()>
                <option value="multiple">"multiple widths (the paper's)"</option>
                <option value="single">"single (Γ_W)"</option>
                <option value="cooling">"cooling width"</option>
                <option value="augmented">"augmented with detector m_jj"</option>
                <option value="conditional">"conditional on detector m_jj, pT (not in the paper)"</option>
            </select></label>
            <label title="not in the paper: the networks also get the detector-level m_jj, pT,j1 and pT,j2; the W peak is learned ≈ 3× faster"><input id="unfold-features" type="checkbox" bind:checked=u.features/>" condition on detector m_jj, pT (ours)"</label>
            <label>"epochs " <input id="unfold-epochs" type="number" min="1" bind:value=u.epochs/></label>
            <label title="batches of 512 (table 1); the paper does not state its rate">"learning rate " <input id="unfold-lr" type="text" size="6" bind:value=u.lr/></label>
            <button id="unfold-train" disabled=move || !idle() || !u.have_data.get() on:click=move |_| ui.run("training the GAN", move || train(ui, u))>"Train"</button>
            </div>
            <Pretrained kinds=&[ModelKind::NaiveGan, ModelKind::Fcgan] id="unfold-pretrained" on_load=move |entries| ui.run("loading GANs", move || load_pretrained(ui, u, entries))/>
            <p class="note">"Train both the naive GAN and the FCGAN to see them side by side, as the paper does, or load the pre-trained pair (trained longer on the command line). The defaults (10,000 events, 30 epochs, the small network) take about half a minute on a CPU and already unfold the jet momenta; the narrow W peak in m_jj needs far longer training (the paper: 1200 epochs of 500 batches): on the command line, 60 epochs on 48,000 events bring its JS from 0.23 (detector level) to 0.12 (the paper's FCGAN), 0.07 (FCGAN with detector features) and 0.03 (naive GAN, which however sculpts under cuts)."</p>
            <div class="result-pair" hidden=move || u.history.get().is_empty()>
            <figure><canvas id="unfold-loss" width="720" height="420" role="img" aria-label="the GAN's losses per epoch; the numbers are in the table beside it"></canvas></figure>
            <div class="scroll tall">
            <table id="unfold-loss-table" class="numbers">
                <tr><th>"epoch"</th><th>"L_D"</th><th>"regulariser"</th><th>"L_G + λ_G·MMD"</th><th>"MMD"</th><th>"val. JS(m_jj)"</th></tr>
                {move || u.history.get().into_iter().map(|r| view! {
                    <tr class="unfold-epoch">
                        <td>{r.epoch}</td>
                        <td>{format!("{:.4}", r.d_loss)}</td>
                        <td>{format!("{:.3}", r.d_reg)}</td>
                        <td class="unfold-g">{format!("{:.4}", r.g_loss)}</td>
                        <td>{format!("{:.3}", r.mmd)}</td>
                        <td class="unfold-val">{format!("{:.4}", r.val_js_mjj)}</td>
                    </tr>
                }).collect_view()}
            </table>
            </div>
            </div>
        </section>
        <section id="unfold-results">
            <h3>"3 · Closure tests"</h3>
            <Explain>"A closure test unfolds test events whose parton-level truth is known and compares (quantile-JS, 0 is identical). Cuts select a part of phase space the network was not trained on alone (eqs. 7, 8, 12, 13): a good unfolding follows the truth there too, where the naive GAN sculpts. The W′ test mixes in 10 % events of a heavy resonance the training never saw: can the unfolding find a peak it was not taught?"</Explain>
            <p class="row">"Closure test: "
                {closures.into_iter().map(|c| {
                    let (id, label) = button(c);
                    view! {
                        <button id=id disabled=move || !idle() || !u.have_model.get()
                            on:click=move |_| ui.run("unfolding", move || closure_test(ui, u, c))>{label}</button>
                    }
                }).collect_view()}
            </p>
            <p id="closure-title" class="result">{move || u.title.get()}</p>
            <table id="unfold-js" class="numbers" hidden=move || u.js.get().is_empty()>
                <tr><th>"quantile-JS vs parton truth"</th><th>"detector level"</th>
                    {move || u.labels.get().into_iter().map(|l| view! { <th>{l}</th> }).collect_view()}</tr>
                {move || u.js.get().into_iter().map(|r| view! {
                    <tr class="unfold-js-row" data-observable=r.observable>
                        <td>{axis_label(r.observable)}</td>
                        <td class="js-detector">{format!("{:.5}", r.detector)}</td>
                        {r.unfolded.iter().map(|v| view! { <td class="js-unfolded">{format!("{v:.5}")}</td> }).collect_view()}
                    </tr>
                }).collect_view()}
            </table>
            <div class="plots" style:display=move || if u.have_plots.get() { "grid" } else { "none" }>
                {PLOTS.iter().map(|name| {
                    let id = format!("unfold-{name}");
                    view! { <figure><canvas id=id.clone() width="560" height="460" role="img" aria-label="unfolded against parton truth; the quantile-JS table above gives the numbers"></canvas><PlotLinks id=id/></figure> }
                }).collect_view()}
            </div>
            <p><button id="unfold-onnx" disabled=move || !idle() || !u.have_model.get() on:click=move |_| ui.run("exporting", move || unfold_onnx(u))>"Download ONNX"</button>
                " of the last trained model's generator: inputs reco and noise, output gen (README, \"Use a trained model at scale\")"</p>
            <p><label for="unfold-own">"Unfold your own detector-level events (CSV, NPZ or NumPy with reco_j1_pt … reco_l2_phi) with the last trained model; the result downloads as a CSV with the parton-level columns: "</label>
                <input id="unfold-own" type="file" accept=".csv,.npz,.npy" disabled=move || !idle() || !u.have_model.get()
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(f) = input.files().and_then(|f| f.get(0)) {
                            ui.run("unfolding", move || unfold_own(ui, u, f));
                        }
                        input.set_value("");
                    }/></p>
        </section>
    }
}

fn set_data(u: UnfoldUi, table: Table, origin: WzOrigin, msg: String) {
    u.data.with(|d| {
        d.wz = Some((table, origin));
        d.test = None;
        d.wprime_test = None;
    });
    u.have_data.set(true);
    u.summary.set(msg);
}

async fn generate(ui: AppState, u: UnfoldUi) -> Result<String> {
    let n: usize = parse("events", &u.events.get_untracked())?;
    let seed: u64 = parse("seed", &u.seed.get_untracked())?;
    let mut stream = WzRecipe::new(n, seed, 0.0).stream()?;
    ui.steps(&mut stream, 500, 0.0, 1.0).await?;
    let eff = stream.efficiency();
    let msg = format!(
        "{n} built-in WZ events, seed {seed} (selection efficiency {:.1} %)",
        100.0 * eff
    );
    set_data(
        u,
        stream.into_table(),
        WzOrigin::Generated(seed),
        msg.clone(),
    );
    Ok(msg)
}

/// A user's paired events; on error nothing changes.
async fn upload(u: UnfoldUi, file: web_sys::File) -> Result<String> {
    let (name, bytes) = file_bytes(&file).await?;
    let loaded = read_bytes(&bytes, &name, &ReadOptions::default())?;
    let mut table = loaded.table;
    for level in ["gen", "reco"] {
        // Also refuses a missing column, naming it.
        let cols = wz_object_columns(level);
        table.ensure_finite(&cols)?;
        derive_wz_masses(&mut table, level)?;
    }
    if table.n_rows() < 500 {
        return Err(Error::invalid(
            "events",
            format!(
                "{name} holds {} events: too few to train and test a GAN",
                table.n_rows()
            ),
        ));
    }
    let msg = format!("{name}: {} paired events", table.n_rows());
    set_data(u, table, WzOrigin::File(name), msg.clone());
    Ok(msg)
}

async fn train(ui: AppState, u: UnfoldUi) -> Result<String> {
    let device = ui.device_for(Job::FastPath)?;
    let kind = if u.kind.get_untracked() == "naive" {
        GanKind::Naive
    } else {
        GanKind::Fcgan
    };
    let mut net = workflow::net_config(
        kind,
        Preset::parse(&u.preset.get_untracked())?,
        workflow::WZ_OBJECTS,
        MmdKernel::parse(&u.kernel.get_untracked())?,
        1.0,
        u.features.get_untracked(),
    );
    // The one paper setting with no field of its own in the tab.
    net.independent_batches = u.paper.get_untracked() && kind == GanKind::Naive;
    let cfg = workflow::PAPER.overridden(
        Some(parse("epochs", &u.epochs.get_untracked())?),
        None,
        Some(parse("learning rate", &u.lr.get_untracked())?),
        parse("seed", &u.seed.get_untracked())?,
    );
    // The events the run trains on (a copy: the section's are only borrowed). An uploaded
    // file's last fifth is held out for the closure tests.
    let train = u.data.with(|d| -> Result<_> {
        let (table, origin) = d.wz()?;
        Ok(match origin {
            WzOrigin::File(_) => workflow::training_part(table),
            WzOrigin::Generated(_) => table.clone(),
        })
    })?;
    let (gen, reco) = (wz_object_columns("gen"), wz_object_columns("reco"));
    let n_train = train.n_rows();
    let describe = net.describe();
    u.history.set(Vec::new());
    let on_epoch = |report: &GanEpoch| {
        u.history.update(|h| h.push(report.clone()));
        let history = u.history.get_untracked();
        if let Err(e) = draw_history(&history) {
            ui.fail(e);
        }
    };
    let (stop, model) =
        jobs::train_gan(ui, train, (gen, reco), net, cfg, &device, on_epoch).await?;
    let best = model.meta.best_epoch;
    u.data.with(|d| {
        // Pre-trained models are tested on their own test events: they go when one is trained.
        if d.model_test.take().is_some() {
            d.models.clear();
            d.test = None;
            d.wprime_test = None;
        }
        d.models.retain(|m| m.meta.config.kind != kind);
        d.models.push(model);
        d.models
            .sort_by_key(|m| m.meta.config.kind == GanKind::Fcgan);
    });
    u.have_model.set(true);
    Ok(match stop {
        Some(why) => format!("{}: {why} (epoch {best})", kind.label()),
        None => format!(
            "{} trained {} epochs on {} events; kept epoch {best}",
            describe,
            u.history.get_untracked().len(),
            n_train
        ),
    })
}

/// The test events of a closure test (the workflow's policy): independent built-in events,
/// or the uploaded file's held-out last fifth; generated once and kept.
async fn test_events(ui: AppState, u: UnfoldUi, c: ClosureTest) -> Result<Table> {
    let wprime = c == ClosureTest::Wprime;
    enum Test {
        Ready(Table),
        Generate(WzRecipe),
    }
    let plan = u.data.with(|d| -> Result<_> {
        let cached = if wprime { &d.wprime_test } else { &d.test };
        if let Some(t) = cached {
            return Ok(Test::Ready(t.clone()));
        }
        if let Some(r) = &d.model_test {
            return Ok(Test::Generate(c.test_recipe(r.events, r.seed)));
        }
        let (table, origin) = d.wz()?;
        match origin {
            WzOrigin::File(name) if wprime => Err(Error::invalid(
                "W′ test",
                format!(
                    "the built-in W′ events need the built-in detector; {name} was made with another"
                ),
            )),
            WzOrigin::File(_) => Ok(Test::Ready(workflow::held_out_part(table))),
            WzOrigin::Generated(seed) => Ok(Test::Generate(c.test_recipe(table.n_rows(), *seed))),
        }
    })?;
    let test = match plan {
        Test::Ready(t) => t,
        Test::Generate(recipe) => {
            let mut s = recipe.stream()?;
            ui.steps(&mut s, 500, 0.0, 0.4).await?;
            s.into_table()
        }
    };
    u.data.with(|d| {
        if wprime {
            d.wprime_test = Some(test.clone());
        } else {
            d.test = Some(test.clone());
        }
    });
    Ok(test)
}

async fn closure_test(ui: AppState, u: UnfoldUi, c: ClosureTest) -> Result<String> {
    let test = test_events(ui, u, c).await?;
    let models = u.data.with(|d| {
        d.models
            .iter()
            .map(|m| (m.meta.config.kind.label().to_string(), m.clone()))
            .collect::<Vec<_>>()
    });
    if models.is_empty() {
        return Err(Error::invalid("model", "train a GAN first"));
    }
    ui.ran_on_device(models[0].1.device());
    let mut unfolded = Vec::new();
    for (i, (label, m)) in models.iter().enumerate() {
        ui.progress.set(0.4 + 0.4 * i as f64 / models.len() as f64);
        super::browser::yield_now().await;
        let span = (
            0.4 + 0.4 * i as f64 / models.len() as f64,
            0.4 + 0.4 * (i + 1) as f64 / models.len() as f64,
        );
        unfolded.push((label.clone(), jobs::unfold(ui, m, &test, 1, span).await?));
    }
    let tables: Vec<&Table> = unfolded.iter().map(|(_, t)| t).collect();
    let result = closure(&test, &tables, c)?;
    u.labels
        .set(unfolded.iter().map(|(l, _)| l.clone()).collect());
    u.js.set(result.js.clone());
    u.title.set(format!(
        "{}: {} of {} test events",
        result.title,
        result.rows.len(),
        result.n_test
    ));
    u.have_plots.set(true);
    super::browser::yield_now().await;
    let pairs: Vec<(&str, &Table)> = unfolded.iter().map(|(l, t)| (l.as_str(), t)).collect();
    for (name, figure) in result.figures(&test, &pairs, BINS)? {
        if PLOTS.contains(&name.as_str()) {
            show_figure(ui, format!("unfold-{name}"), figure)?;
        }
    }
    Ok(format!(
        "closure test ({}): {} events unfolded by {}",
        result.title,
        result.rows.len(),
        unfolded
            .iter()
            .map(|(l, _)| l.as_str())
            .collect::<Vec<_>>()
            .join(" and ")
    ))
}

/// Loads pre-trained GANs (each file's SHA-256 checked) in place of the section's, with the
/// last one's loss history, and runs the closure test without cuts on their test events.
async fn load_pretrained(ui: AppState, u: UnfoldUi, entries: Vec<ManifestEntry>) -> Result<String> {
    let device = ui.device_for(Job::FastPath)?;
    let mut models = Vec::new();
    let mut recipe = None;
    for e in &entries {
        let r = e.wz_recipe()?;
        if recipe.get_or_insert_with(|| r.clone()) != r {
            return Err(Error::invalid(
                "model",
                format!("'{}' trained on other events than the others", e.name),
            ));
        }
        models.push(load_unfold(&entry_bytes(e).await?, &e.file, &device)?);
    }
    let recipe = recipe.ok_or_else(|| Error::invalid("model", "choose a pre-trained model"))?;
    models.sort_by_key(|m| m.meta.config.kind == GanKind::Fcgan);
    let history = models
        .last()
        .map(|m| m.meta.history.clone())
        .unwrap_or_default();
    u.data.with(|d| {
        d.models = models;
        d.model_test = Some(recipe);
        d.test = None;
        d.wprime_test = None;
    });
    u.history.set(history.clone());
    u.have_model.set(true);
    super::browser::yield_now().await;
    draw_history(&history)?;
    let done = closure_test(ui, u, ClosureTest::Cut(Cut::None)).await?;
    Ok(format!(
        "loaded {} (SHA-256 checked); {done}",
        entries
            .iter()
            .map(|e| format!("'{}'", e.name))
            .collect::<Vec<_>>()
            .join(" and ")
    ))
}

/// The last trained model's generator as ONNX, downloaded.
async fn unfold_onnx(u: UnfoldUi) -> Result<String> {
    let model = u
        .data
        .with(|d| d.models.last().cloned())
        .ok_or_else(|| Error::invalid("model", "train a GAN first"))?;
    let bytes = crate::store::unfold_onnx(&model).await?;
    let name = match model.meta.config.kind {
        GanKind::Naive => "unfold-naive-gan.onnx",
        GanKind::Fcgan => "unfold-fcgan.onnx",
    };
    download(name, &bytes, "application/octet-stream")?;
    Ok(format!("downloaded {name} ({} bytes)", bytes.len()))
}

/// Unfolds a user's detector-level file with the last trained model and downloads it.
async fn unfold_own(ui: AppState, u: UnfoldUi, file: web_sys::File) -> Result<String> {
    let (name, bytes) = file_bytes(&file).await?;
    let model = u
        .data
        .with(|d| d.models.last().cloned())
        .ok_or_else(|| Error::invalid("model", "train a GAN first"))?;
    let table = read_bytes(&bytes, &name, &ReadOptions::default())?.table;
    ui.ran_on_device(model.device());
    let unfolded = jobs::unfold(ui, &model, &table, 1, (0.1, 0.9)).await?;
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
    let out = format!("{stem}_unfolded.csv");
    download(&out, &write_bytes(&unfolded, &out)?, "text/csv")?;
    Ok(format!(
        "{name}: {} events unfolded by the {}; downloaded {out}",
        unfolded.n_rows(),
        model.meta.config.kind.label()
    ))
}

/// The GANs' losses and validation JS per epoch, on the section's loss canvas.
fn draw_history(history: &[GanEpoch]) -> crate::plot::PlotResult {
    draw_on("unfold-loss", |root| draw_gan_loss(root, history))
}
