//! The Jets section: jets with constituents (built in, or a user's `.npz` / long `.csv`), the
//! jet VAE of Touranakou et al. (2022) trained with live loss components, model jets for test
//! jets, the quantile-JS table, distributions with ratio panels and an event display.
//! Every computation is the core's; this file orders the steps and yields between them.

use super::browser::{now_ms, yield_now};
use super::canvas::draw_on;
use super::files::file_bytes;
use super::plots::{show, BINS};
use super::session::{self, PlotSpec};
use super::view::{drive, parse, run_job, PlotLinks, Ui};
use crate::data::JetArrays;
use crate::jet_recipe::JetRecipe;
use crate::metrics::{jet_js, Acceptance, JetColumns, JS_FEATURES};
use crate::model::{JetVaeConfig, LOSS_PARTS};
use crate::physics::JetFeatures;
use crate::plot::{
    axis_label, draw_loss, Figure, JetPanel, SeriesData, GEN_COLOR, MODEL_COLOR, RECO_COLOR,
};
use crate::train::{paper_train_config, EpochReport, JetVaeJob};
use crate::{Error, Result};
use leptos::prelude::*;

/// Plots of the section: (canvas id, jet feature or constituent coordinate).
const PLOTS: [(&str, &str); 6] = [
    ("jets-pt", "pt"),
    ("jets-m", "m"),
    ("jets-eta", "eta"),
    ("jets-flow1", "flow1"),
    ("jets-flow3", "flow3"),
    ("jets-n", "n"),
];

#[derive(Clone, Debug, PartialEq)]
struct JsLine {
    feature: &'static str,
    model: f64,
    gen: f64,
}

#[derive(Clone, Copy)]
struct JetsUi {
    jets: RwSignal<String>,
    seed: RwSignal<String>,
    pileup: RwSignal<String>,
    preset: RwSignal<String>,
    masked: RwSignal<bool>,
    epochs: RwSignal<String>,
    lr: RwSignal<String>,
    display: RwSignal<String>,
    have_jets: RwSignal<bool>,
    have_model: RwSignal<bool>,
    have_test: RwSignal<bool>,
    history: RwSignal<Vec<EpochReport>>,
    js: RwSignal<Vec<JsLine>>,
    summary: RwSignal<String>,
}

/// A JS value, or a dash where no jet passed the acceptance.
fn js_text(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.5}")
    } else {
        "— (no jets pass)".into()
    }
}

/// The page's presets: the paper's network (slow on a CPU) and a small one.
fn net_config(preset: &str, masked: bool) -> JetVaeConfig {
    let cfg = JetVaeConfig::new().with_masked(masked);
    match preset {
        "paper" => cfg,
        _ => cfg
            .with_channels(vec![8, 16, 32])
            .with_dense1(128)
            .with_dense2(64),
    }
}

#[component]
pub(super) fn JetsSection(ui: Ui) -> impl IntoView {
    let j = JetsUi {
        jets: RwSignal::new("8000".into()),
        seed: RwSignal::new("1".into()),
        pileup: RwSignal::new("50".into()),
        preset: RwSignal::new("small".into()),
        masked: RwSignal::new(true),
        epochs: RwSignal::new("24".into()),
        lr: RwSignal::new("1e-3".into()),
        display: RwSignal::new("0".into()),
        have_jets: RwSignal::new(false),
        have_model: RwSignal::new(false),
        have_test: RwSignal::new(false),
        history: RwSignal::new(Vec::new()),
        js: RwSignal::new(Vec::new()),
        summary: RwSignal::new(String::new()),
    };
    let idle = move || ui.busy.get().is_none() && ui.backend.get().is_some();
    let take = move |file: Option<web_sys::File>| {
        if let Some(f) = file {
            ui.run("loading jets", move || upload_jets(j, f));
        }
    };
    let part = |r: &EpochReport, i: usize, val: bool| {
        let v = if val { &r.val_parts } else { &r.train_parts };
        v.get(i).map(|x| format!("{x:.3}")).unwrap_or_default()
    };
    view! {
        <section id="jets">
            <h2>"5 · Jets: the particle-based VAE"</h2>
            <p>"Touranakou et al. (2022): a generator-level jet, its 50 hardest constituents as (pₓ, p_y, p_z), goes through a convolutional variational autoencoder that returns the reconstructed jet's constituents. Loss (eq. 1): β·KL + (1 − β)·(Chamfer + α_m (m − m̂)² + α_pT (pT − p̂T)²), β = 1/9, Adam (the paper: 10⁻⁴ for 300 epochs; the page starts at 10⁻³, which learns in a few). Built-in jets: boosted W → qq and QCD jets, a particle-level CMS-like detector (tracker, ECAL, HCAL resolutions of the Delphes card), pile-up, anti-kT R = 0.5. The masked variant (not in the paper) predicts which of the 50 slots hold a particle and keeps the zero-padding out of the loss."</p>
            <label>"jets " <input id="jets-count" type="number" min="100" max="1000000" bind:value=j.jets/></label>
            <label>"seed " <input id="jets-seed" type="number" min="0" bind:value=j.seed/></label>
            <label>"pile-up μ " <input id="jets-pileup" type="number" min="0" max="300" bind:value=j.pileup/></label>
            <button id="jets-generate" disabled=move || !idle() on:click=move |_| ui.run("generating jets", move || generate_jets(ui, j))>"Generate jets"</button>
            <p>"… or load your jets: an .npz with gen and reco arrays of shape (N, 50, 3), or a CSV with columns jet, level, px, py, pz (GeV), one row per constituent. "
                <input id="jets-file" type="file" accept=".npz,.csv" disabled=move || !idle()
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        take(input.files().and_then(|f| f.get(0)));
                        input.set_value("");
                    }/></p>
            <p id="jets-summary" class="result">{move || j.summary.get()}</p>
            <label>"network " <select id="jets-preset" on:change=move |e| j.preset.set(event_target_value(&e)) prop:value=move || j.preset.get()>
                <option value="small">"small: conv 8/16/32, dense 128/64 (fast)"</option>
                <option value="paper">"the paper's: conv 32/64/128, dense 640/150 (≈ 8× slower)"</option>
            </select></label>
            <label><input id="jets-masked" type="checkbox" bind:checked=j.masked/>" masked variant"</label>
            <label>"epochs " <input id="jets-epochs" type="number" min="1" bind:value=j.epochs/></label>
            <label title="the paper: 10⁻⁴ for 300 epochs; 10⁻³ learns in a few">"learning rate " <input id="jets-lr" type="text" size="6" bind:value=j.lr/></label>
            <button id="jets-train" disabled=move || !idle() || !j.have_jets.get() on:click=move |_| ui.run("training the jet VAE", move || train_jets(ui, j))>"Train"</button>
            <canvas id="jets-loss" width="720" height="320"></canvas>
            <table id="jets-loss-table" class="numbers">
                <tr><th>"epoch"</th><th>"train"</th><th>"validation"</th>
                    {LOSS_PARTS[..4].iter().map(|p| view! { <th>{format!("{p} (val.)")}</th> }).collect_view()}</tr>
                {move || j.history.get().into_iter().map(|r| view! {
                    <tr class="jets-epoch">
                        <td>{r.epoch}</td>
                        <td>{format!("{:.3}", r.train_loss)}</td>
                        <td class="jets-val">{format!("{:.3}", r.val_loss)}</td>
                        {(0..4).map(|i| view! { <td>{part(&r, i, true)}</td> }).collect_view()}
                    </tr>
                }).collect_view()}
            </table>
            <button id="jets-sample" disabled=move || !idle() || !j.have_model.get() on:click=move |_| ui.run("sampling jets", move || sample_jets(ui, j))>"Sample test jets"</button>
            <table id="jets-js" class="numbers">
                <tr><th>"jet feature (pT > 200 GeV, |η| < 2.5)"</th><th>"JS(model, reco)"</th><th>"JS(gen, reco)"</th></tr>
                {move || j.js.get().into_iter().map(|r| view! {
                    <tr class="jets-js-row" data-feature=r.feature>
                        <td>{axis_label(&format!("jet_{}", r.feature))}</td>
                        <td class="js-model">{js_text(r.model)}</td>
                        <td class="js-gen">{js_text(r.gen)}</td>
                    </tr>
                }).collect_view()}
            </table>
            <div class="plots" style:display=move || if j.have_test.get() { "grid" } else { "none" }>
                {PLOTS.iter().map(|(id, _)| view! {
                    <figure><canvas id=*id width="560" height="440"></canvas><PlotLinks id=id.to_string()/></figure>
                }).collect_view()}
            </div>
            <div style:display=move || if j.have_test.get() { "block" } else { "none" }>
                <label>"event display: test jet " <input id="jets-display-n" type="number" min="0" bind:value=j.display/></label>
                <button id="jets-display" disabled=move || !idle() on:click=move |_| ui.run("drawing", move || async move { display(j) })>"Show"</button>
                <figure><canvas id="jets-event" width="960" height="360"></canvas><PlotLinks id="jets-event".to_string()/></figure>
            </div>
        </section>
    }
}

async fn generate_jets(ui: Ui, j: JetsUi) -> Result<String> {
    let n: usize = parse("jets", &j.jets.get_untracked())?;
    let seed: u64 = parse("seed", &j.seed.get_untracked())?;
    let mut recipe = JetRecipe::new(n, seed);
    recipe.detector.pileup_mu = parse("pile-up μ", &j.pileup.get_untracked())?;
    let jets = stream_jets(ui, &recipe, 0.0, 1.0).await?;
    session::with(|s| {
        s.jets = Some((jets, None));
        s.jet_test = None;
    });
    j.have_jets.set(true);
    j.have_test.set(false);
    let msg = format!(
        "{n} built-in jet pairs, seed {seed}, pile-up μ = {}",
        recipe.detector.pileup_mu
    );
    j.summary.set(msg.clone());
    Ok(msg)
}

/// Generates a recipe's jets, yielding to the browser, with progress p0 → p1.
async fn stream_jets(ui: Ui, recipe: &JetRecipe, p0: f64, p1: f64) -> Result<JetArrays> {
    let mut stream = recipe.stream()?;
    drive(ui, &mut stream, 50, p0, p1).await?;
    stream.into_arrays()
}

/// A user's jets; on error nothing changes.
async fn upload_jets(j: JetsUi, file: web_sys::File) -> Result<String> {
    let (name, bytes) = file_bytes(&file).await?;
    let jets = JetArrays::read_bytes(&bytes, &name)?;
    jets.require("gen", &name)?;
    jets.require("reco", &name)?;
    if jets.len() < 10 {
        return Err(Error::invalid(
            "jets",
            format!(
                "{name} holds {} jets: too few to train and test",
                jets.len()
            ),
        ));
    }
    let mut msg = format!("{name}: {} jet pairs", jets.len());
    for n in &jets.notes {
        msg.push_str(&format!("; {n}"));
    }
    session::with(|s| {
        s.jets = Some((jets, Some(name)));
        s.jet_test = None;
    });
    j.have_jets.set(true);
    j.have_test.set(false);
    j.summary.set(msg.clone());
    Ok(msg)
}

async fn train_jets(ui: Ui, j: JetsUi) -> Result<String> {
    let (jets, device) = session::with(|s| (s.jets.clone(), s.device.clone()));
    let (jets, file) = jets.ok_or_else(|| Error::invalid("jets", "generate or load jets first"))?;
    let (_, device) =
        device.ok_or_else(|| Error::Backend("the backend is still starting".into()))?;
    let preset = j.preset.get_untracked();
    let masked = j.masked.get_untracked();
    let mut cfg = paper_train_config();
    cfg.epochs = parse("epochs", &j.epochs.get_untracked())?;
    cfg.lr = parse("learning rate", &j.lr.get_untracked())?;
    cfg.seed = parse("seed", &j.seed.get_untracked())?;
    // An uploaded file is split into training (80 %) and test (20 %) jets by position.
    let train = match &file {
        Some(_) => jets.slice(0, jets.len() * 4 / 5)?,
        None => jets.clone(),
    };
    let name = file.clone().unwrap_or_else(|| "built-in jets".into());
    let mut job = JetVaeJob::new(&train, &name, net_config(&preset, masked), cfg, &device)?;
    j.history.set(Vec::new());
    run_job(ui, &mut job.trainer, 0.0, 1.0, |report| {
        j.history.update(|h| h.push(report));
        let history = j.history.get_untracked();
        if let Err(e) = draw_on("jets-loss", |root| {
            draw_loss(root, &history, crate::plot::JET_VAE_LOSS)
        }) {
            ui.error.set(Some(e));
        }
    })
    .await?;
    let stop = job.trainer.stop_reason().map(|s| s.to_string());
    let model = job.finish()?;
    let best = model.meta.best_epoch;
    session::with(|s| s.jet_model = Some(model));
    j.have_model.set(true);
    Ok(match stop {
        Some(why) => format!("jet VAE: {why} (epoch {best})"),
        None => format!(
            "jet VAE ({preset}{}) trained {} epochs on {} jets; kept epoch {best}",
            if masked { ", masked" } else { "" },
            j.history.get_untracked().len(),
            train.len()
        ),
    })
}

async fn sample_jets(ui: Ui, j: JetsUi) -> Result<String> {
    let (jets, model) = session::with(|s| {
        (
            s.jets.clone(),
            s.jet_model.as_ref().map(|m| m.to_device(m.device())),
        )
    });
    let (jets, file) = jets.ok_or_else(|| Error::invalid("jets", "generate or load jets first"))?;
    let model = model.ok_or_else(|| Error::invalid("model", "train the jet VAE first"))?;
    // Test jets: independent built-in ones (seed + 1000), or the uploaded file's last 20 %.
    let mut test = match file {
        Some(_) => jets.slice(jets.len() * 4 / 5, jets.len())?,
        None => {
            let seed: u64 = parse("seed", &j.seed.get_untracked())?;
            let mut recipe = JetRecipe::new(jets.len().clamp(500, 20_000), seed + 1000);
            recipe.detector.pileup_mu = parse("pile-up μ", &j.pileup.get_untracked())?;
            stream_jets(ui, &recipe, 0.0, 0.3).await?
        }
    };
    let gen = test.require("gen", "test jets")?.to_vec();
    let t0 = now_ms();
    let sampled = model
        .sample_chunked(&gen, 1, 256, |p| {
            ui.progress.set(0.3 + 0.6 * p);
            async move {
                yield_now().await;
                !ui.cancel.get_untracked()
            }
        })
        .await?;
    let ms_per_jet = (now_ms() - t0) / test.len().max(1) as f64;
    test.insert("model", sampled)?;
    let acc = Acceptance::default();
    let gen_c = JetColumns::of(&test, "gen", &acc);
    let reco_c = JetColumns::of(&test, "reco", &acc);
    let model_c = JetColumns::of(&test, "model", &acc);
    let js_model = jet_js(&reco_c, &model_c, 16)?;
    let js_gen = jet_js(&reco_c, &gen_c, 16)?;
    j.js.set(
        JS_FEATURES
            .iter()
            .zip(js_model.iter().zip(&js_gen))
            .map(|(f, (m, g))| JsLine {
                feature: f,
                model: *m,
                gen: *g,
            })
            .collect(),
    );
    j.have_test.set(true);
    yield_now().await;
    for (id, feature) in PLOTS {
        let pick = |c: &JetColumns| c.feature(feature).unwrap_or_default().to_vec();
        let figure = Figure::Hist {
            x_label: axis_label(&format!("jet_{feature}")),
            series: vec![
                SeriesData::new("gen", pick(&gen_c), GEN_COLOR),
                SeriesData::new("reco", pick(&reco_c), RECO_COLOR),
                SeriesData::new("model", pick(&model_c), MODEL_COLOR),
            ],
            bins: BINS,
        };
        show(PlotSpec {
            id: id.to_string(),
            figure,
        })?;
    }
    let n = test.len();
    session::with(|s| s.jet_test = Some(test));
    display(j)?;
    Ok(format!(
        "{n} test jets through the VAE ({ms_per_jet:.2} ms per jet here); {} of the model's and {} of the detector's pass pT > 200 GeV, |η| < 2.5",
        model_c.accepted, reco_c.accepted
    ))
}

/// The event display of test jet `display`.
fn display(j: JetsUi) -> Result<String> {
    let i: usize = parse("test jet", &j.display.get_untracked())?;
    let figure = session::with(|s| {
        let test = s.jet_test.as_ref()?;
        if i >= test.len() {
            return None;
        }
        let level = |name: &str| {
            test.particles(name, i)
                .unwrap_or_default()
                .iter()
                .map(|p| [p.pt() as f32, p.eta() as f32, p.phi() as f32])
                .collect::<Vec<_>>()
        };
        let axis = JetFeatures::of(&test.particles("gen", i).unwrap_or_default(), 0.5);
        Some(Figure::Jets {
            panels: vec![
                JetPanel {
                    title: "gen".into(),
                    color: GEN_COLOR,
                    particles: level("gen"),
                },
                JetPanel {
                    title: "reco".into(),
                    color: RECO_COLOR,
                    particles: level("reco"),
                },
                JetPanel {
                    title: "model".into(),
                    color: MODEL_COLOR,
                    particles: level("model"),
                },
            ],
            center: (axis.eta as f32, axis.phi as f32),
            r: 0.5,
        })
    })
    .ok_or_else(|| Error::invalid("test jet", format!("{i} is not one of the test jets")))?;
    show(PlotSpec {
        id: "jets-event".into(),
        figure,
    })?;
    Ok(format!("event display of test jet {i}"))
}
