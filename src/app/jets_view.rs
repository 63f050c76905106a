//! The Jets section: jets with constituents (built in, or a user's `.npz` / long `.csv`), the
//! jet VAE of Touranakou et al. (2022) trained with live loss components, model jets for test
//! jets, the quantile-JS table, distributions with ratio panels and an event display.
//! Every computation is the core's; this file orders the steps and yields between them.

use super::browser::{now_ms, yield_now};
use super::canvas::draw_on;
use super::files::{download, file_bytes};
use super::jobs;
use super::plots::{show_figure, PlotLinks, BINS};
use super::pretrained::{entry_bytes, Pretrained};
use super::state::{parse, AppState, Store};
use super::teach::Explain;
use super::worker::JetsRun;
use crate::data::JetArrays;
use crate::metrics::JS_FEATURES;
use crate::model::{EpochReport, TrainedJetVae, LOSS_PARTS};
use crate::plot::{axis_label, draw_loss};
use crate::recipe::JetRecipe;
use crate::store::{load_jet_vae, ManifestEntry, ModelKind};
use crate::workflow::jets::{self as workflow, event_display, Comparison, JetNetRow, N_QUANT};
use crate::workflow::Preset;
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

/// Where the section's jets came from.
enum JetsOrigin {
    Recipe(Box<JetRecipe>),
    /// A user's file, by name.
    File(String),
}

/// The section's heavy state: the jets to train on and their origin, the jet VAE, and the
/// test jets with the model's as the array `model`.
#[derive(Default)]
struct JetsData {
    jets: Option<(JetArrays, JetsOrigin)>,
    model: Option<TrainedJetVae>,
    /// A pre-trained model's test jets (independent of its training jets), which its samples
    /// use instead of the section's.
    model_test: Option<JetRecipe>,
    test: Option<JetArrays>,
}

impl JetsData {
    fn jets(&self) -> Result<&(JetArrays, JetsOrigin)> {
        self.jets
            .as_ref()
            .ok_or_else(|| Error::invalid("jets", "generate or load jets first"))
    }
}

#[derive(Clone, Copy)]
struct JetsUi {
    data: Store<JetsData>,
    jets: RwSignal<String>,
    seed: RwSignal<String>,
    pileup: RwSignal<String>,
    preset: RwSignal<String>,
    masked: RwSignal<bool>,
    epochs: RwSignal<String>,
    lr: RwSignal<String>,
    /// Seed 001's own settings (`train --paper`): GeV² jet terms, a quarter of the training
    /// jets validating (60/20/20 of a file), the epoch kept by the KLD; checking it also sets
    /// the network, rate and epochs to the paper's.
    paper: RwSignal<bool>,
    /// Built-in jets: W → qq only, the paper's sample (otherwise half QCD jets).
    w_only: RwSignal<bool>,
    display: RwSignal<String>,
    have_jets: RwSignal<bool>,
    have_model: RwSignal<bool>,
    have_test: RwSignal<bool>,
    history: RwSignal<Vec<EpochReport>>,
    js: RwSignal<Vec<JsLine>>,
    /// JetNet's W1m and W1p of the gen and the model jets against the detector's.
    jetnet: RwSignal<Vec<JetNetRow>>,
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

#[component]
pub fn JetsSection() -> impl IntoView {
    let ui = expect_context::<AppState>();
    let j = JetsUi {
        data: Store::new(JetsData::default()),
        jets: RwSignal::new(workflow::PAGE_JETS.to_string()),
        seed: RwSignal::new("1".into()),
        pileup: RwSignal::new("50".into()),
        preset: RwSignal::new("small".into()),
        masked: RwSignal::new(true),
        epochs: RwSignal::new(workflow::PAGE_EPOCHS.to_string()),
        lr: RwSignal::new("1e-3".into()),
        paper: RwSignal::new(false),
        w_only: RwSignal::new(false),
        display: RwSignal::new("0".into()),
        have_jets: RwSignal::new(false),
        have_model: RwSignal::new(false),
        have_test: RwSignal::new(false),
        history: RwSignal::new(Vec::new()),
        js: RwSignal::new(Vec::new()),
        jetnet: RwSignal::new(Vec::new()),
        summary: RwSignal::new(String::new()),
    };
    let idle = move || ui.idle();
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
        <p class="lead">"Touranakou et al. (2022): a generator-level jet, its 50 hardest constituents as (pₓ, p_y, p_z), goes through a convolutional variational autoencoder that returns the reconstructed jet's constituents. Loss (eq. 1): β·KL + (1 − β)·(Chamfer + α_m (m − m̂)² + α_pT (pT − p̂T)²), β = 1/9, Adam (the paper: 10⁻⁴ for 300 epochs; the page starts at 10⁻³, which learns in a few). Built-in jets: boosted W → qq and QCD jets, a particle-level CMS-like detector (tracker, ECAL, HCAL resolutions of the Delphes card), pile-up, anti-kT R = 0.5. The masked variant (not in the paper) predicts which of the 50 slots hold a particle and keeps the zero-padding out of the loss."</p>
        <section id="jets">
            <h3>"1 · Jets"</h3>
            <Explain>"A jet is a spray of particles from one quark or gluon. Here each jet is a list of up to 50 particles, each with its momentum (pₓ, p_y, p_z) in GeV, once as generated and once as the detector reconstructs it: tracks, calorimeter clusters and particles from other collisions (pile-up, μ per crossing) change the list. The VAE learns to turn the first list into the second."</Explain>
            <div class="row">
            <label>"jets " <input id="jets-count" type="number" min="100" max="1000000" bind:value=j.jets/></label>
            <label>"seed " <input id="jets-seed" type="number" min="0" bind:value=j.seed/></label>
            <label>"pile-up μ " <input id="jets-pileup" type="number" min="0" max="300" bind:value=j.pileup/></label>
            <label title="the paper's sample: jets from pp → WW, W → qq; otherwise half are quark and gluon (QCD) jets"><input id="jets-w-only" type="checkbox" bind:checked=j.w_only/>" W → qq only (the paper's)"</label>
            <button id="jets-generate" disabled=move || !idle() on:click=move |_| ui.run("generating jets", move || generate_jets(ui, j))>"Generate jets"</button>
            </div>
            <p><label for="jets-file">"… or load your jets: an .npz with gen and reco arrays of shape (N, 50, 3), or a CSV with columns jet, level, px, py, pz (GeV), one row per constituent: "</label>
                <input id="jets-file" type="file" accept=".npz,.csv" disabled=move || !idle()
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        take(input.files().and_then(|f| f.get(0)));
                        input.set_value("");
                    }/></p>
            <p id="jets-summary" class="result">{move || j.summary.get()}</p>
        </section>
        <section id="jets-train-step">
            <h3>"2 · Train the VAE"</h3>
            <Explain>"The encoder squeezes a gen jet into a few numbers (the latent space); the decoder returns a reco jet from them. The loss (Touranakou et al., eq. 1) adds the Chamfer distance between the two particle lists — each particle's distance to its nearest partner — to the errors on the jet's mass and pT, and a KL term that keeps the latent space smooth. The table shows each part: the Chamfer term should fall most."</Explain>
            <div class="row">
            <label>"network " <select id="jets-preset" on:change=move |e| j.preset.set(event_target_value(&e)) prop:value=move || j.preset.get()>
                <option value="small">"small: conv 8/16/32, dense 128/64 (fast)"</option>
                <option value="paper">"the paper's: conv 32/64/128, dense 640/150 (≈ 8× slower)"</option>
            </select></label>
            <label title="Touranakou et al.'s own settings: the paper's network, unmasked, the jet terms of eq. 1 in GeV², a quarter of the training jets validating, the epoch kept by the jet features' summed KLD every 10 epochs, Adam 10⁻⁴ for 300 epochs (hours in a browser: lower the epochs for a look). The lab's defaults differ where the README's table says why."><input id="jets-paper" type="checkbox" prop:checked=move || j.paper.get() on:change=move |e| {
                let on = event_target_checked(&e);
                j.paper.set(on);
                if on {
                    j.preset.set("paper".into());
                    j.masked.set(false);
                    j.lr.set("1e-4".into());
                    j.epochs.set(workflow::PAPER.epochs.to_string());
                }
            }/>" the paper's settings"</label>
            <label><input id="jets-masked" type="checkbox" bind:checked=j.masked/>" masked variant"</label>
            <label>"epochs " <input id="jets-epochs" type="number" min="1" bind:value=j.epochs/></label>
            <label title="the paper: 10⁻⁴ for 300 epochs; 10⁻³ learns in a few">"learning rate " <input id="jets-lr" type="text" size="6" bind:value=j.lr/></label>
            <button id="jets-train" disabled=move || !idle() || !j.have_jets.get() on:click=move |_| ui.run("training the jet VAE", move || train_jets(ui, j))>"Train"</button>
            </div>
            <Pretrained kinds=&[ModelKind::JetVae] id="jets-pretrained" on_load=move |entries| ui.run("loading a jet VAE", move || load_pretrained(ui, j, entries))/>
            <div class="result-pair" hidden=move || j.history.get().is_empty()>
            <canvas id="jets-loss" width="720" height="320" role="img" aria-label="the VAE's loss per epoch; the numbers are in the table beside it"></canvas>
            <div class="scroll tall">
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
            </div>
            </div>
        </section>
        <section id="jets-results">
            <h3>"3 · Results on test jets"</h3>
            <Explain>"The trained VAE reconstructs jets it never saw, and their jet mass, pT, η, φ and constituent count are compared with the detector's (quantile-JS: 0 is identical). The event display shows one jet's particles in η–φ at gen, detector and VAE level: the VAE's should scatter like the detector's."</Explain>
            <div class="row">
            <button id="jets-sample" disabled=move || !idle() || !j.have_model.get() on:click=move |_| ui.run("sampling jets", move || sample_jets(ui, j))>"Sample test jets"</button>
            <button id="jets-onnx" disabled=move || !idle() || !j.have_model.get() title="gen jet and latent normals in, reco jet out (GeV), for onnxruntime" on:click=move |_| ui.run("exporting", move || jets_onnx(j))>"Download ONNX"</button>
            </div>
            <table id="jets-js" class="numbers" hidden=move || j.js.get().is_empty()>
                <tr><th>"jet feature (pT > 200 GeV, |η| < 2.5)"</th><th>"JS(model, reco)"</th><th>"JS(gen, reco)"</th></tr>
                {move || j.js.get().into_iter().map(|r| view! {
                    <tr class="jets-js-row" data-feature=r.feature>
                        <td>{axis_label(&format!("jet_{}", r.feature))}</td>
                        <td class="js-model">{js_text(r.model)}</td>
                        <td class="js-gen">{js_text(r.gen)}</td>
                    </tr>
                }).collect_view()}
            </table>
            <table id="jets-jetnet" class="numbers" hidden=move || j.jetnet.get().is_empty()>
                <caption>"JetNet's scores against the detector's jets (Kansal et al.): 1-Wasserstein distances, mean ± sd over 5 batches; Fréchet (FPD) and kernel (KPD) distances on 36 energy-flow polynomials. 0 is identical"</caption>
                <tr><th>"sample"</th><th>"W1m [GeV]"</th><th>"W1p η_rel"</th><th>"W1p φ_rel"</th><th>"W1p pT_rel"</th><th>"FPD"</th><th>"KPD"</th></tr>
                {move || j.jetnet.get().into_iter().map(|r| view! {
                    <tr class="jets-jetnet-row">
                        <td>{r.label.clone()}</td>
                        <td class="w1m">{format!("{:.3} ± {:.3}", r.w1m.mean, r.w1m.sd)}</td>
                        {r.w1p.iter().map(|s| view! { <td>{format!("{:.2e} ± {:.1e}", s.mean, s.sd)}</td> }).collect_view()}
                        <td class="fpd">{format!("{:.2e} ± {:.1e}", r.fpd.mean, r.fpd.sd)}</td>
                        <td class="kpd">{format!("{:.2e} ± {:.1e}", r.kpd.mean, r.kpd.sd)}</td>
                    </tr>
                }).collect_view()}
            </table>
            <div class="plots" style:display=move || if j.have_test.get() { "grid" } else { "none" }>
                {PLOTS.iter().map(|(id, _)| view! {
                    <figure><canvas id=*id width="560" height="440" role="img" aria-label="a jet feature at gen, detector and VAE level; the quantile-JS table above gives the numbers"></canvas><PlotLinks id=id.to_string()/></figure>
                }).collect_view()}
            </div>
            <div style:display=move || if j.have_test.get() { "block" } else { "none" }>
                <label>"event display: test jet " <input id="jets-display-n" type="number" min="0" bind:value=j.display/></label>
                <button id="jets-display" disabled=move || !idle() on:click=move |_| ui.run("drawing", move || async move { display(ui, j) })>"Show"</button>
                <figure><canvas id="jets-event" width="960" height="360" role="img" aria-label="one test jet's particles in η and φ at gen, detector and VAE level"></canvas><PlotLinks id="jets-event".to_string()/></figure>
            </div>
        </section>
    }
}

/// The model's generation path as ONNX, downloaded.
async fn jets_onnx(j: JetsUi) -> Result<String> {
    let model = j
        .data
        .with(|d| d.model.as_ref().map(|m| m.to_device(m.device())))
        .ok_or_else(|| Error::invalid("model", "train the jet VAE first"))?;
    let bytes = crate::store::jet_vae_onnx(&model).await?;
    let name = "jet-vae.onnx";
    download(name, &bytes, "application/octet-stream")?;
    Ok(format!("downloaded {name} ({} bytes)", bytes.len()))
}

async fn generate_jets(ui: AppState, j: JetsUi) -> Result<String> {
    let n: usize = parse("jets", &j.jets.get_untracked())?;
    let seed: u64 = parse("seed", &j.seed.get_untracked())?;
    let mut recipe = JetRecipe::new(n, seed);
    recipe.detector.pileup_mu = parse("pile-up μ", &j.pileup.get_untracked())?;
    if j.w_only.get_untracked() {
        recipe.generator.w_fraction = 1.0;
    }
    let jets = stream_jets(ui, &recipe, 0.0, 1.0).await?;
    let msg = format!(
        "{n} built-in jet pairs ({}), seed {seed}, pile-up μ = {}",
        if j.w_only.get_untracked() {
            "W → qq only"
        } else {
            "half W → qq, half QCD"
        },
        recipe.detector.pileup_mu
    );
    j.data.with(|d| {
        d.jets = Some((jets, JetsOrigin::Recipe(Box::new(recipe))));
        d.test = None;
    });
    j.have_jets.set(true);
    j.have_test.set(false);
    j.summary.set(msg.clone());
    Ok(msg)
}

/// Generates a recipe's jets, yielding to the browser, with progress p0 → p1.
async fn stream_jets(ui: AppState, recipe: &JetRecipe, p0: f64, p1: f64) -> Result<JetArrays> {
    let mut stream = recipe.stream()?;
    ui.steps(&mut stream, 50, p0, p1).await?;
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
    j.data.with(|d| {
        d.jets = Some((jets, JetsOrigin::File(name)));
        d.test = None;
    });
    j.have_jets.set(true);
    j.have_test.set(false);
    j.summary.set(msg.clone());
    Ok(msg)
}

async fn train_jets(ui: AppState, j: JetsUi) -> Result<String> {
    let preset = Preset::parse(&j.preset.get_untracked())?;
    let masked = j.masked.get_untracked();
    let paper = j.paper.get_untracked().then(workflow::paper_preset);
    let base = paper.as_ref().map_or(workflow::PAPER, |p| p.train.clone());
    let cfg = base.overridden(
        Some(parse("epochs", &j.epochs.get_untracked())?),
        None,
        Some(parse("learning rate", &j.lr.get_untracked())?),
        parse("seed", &j.seed.get_untracked())?,
    );
    let net = workflow::net_config(preset, masked);
    let device = ui.device_for(workflow::device_job(&net))?;
    // The jets the run trains on: an uploaded file's last fifth is held out as its test jets.
    // Copied for the job, so the section's are only borrowed.
    let (jets, file) = j.data.with(|d| -> Result<_> {
        let (jets, origin) = d.jets()?;
        Ok(match origin {
            JetsOrigin::File(name) => (workflow::training_part(jets)?, name.clone()),
            JetsOrigin::Recipe(_) => (jets.clone(), "built-in jets".to_string()),
        })
    })?;
    let n_train = jets.len();
    j.history.set(Vec::new());
    let on_epoch = |report: &EpochReport| {
        j.history.update(|h| h.push(report.clone()));
        let history = j.history.get_untracked();
        if let Err(e) = draw_history(&history) {
            ui.fail(e);
        }
    };
    let run = JetsRun {
        net,
        cfg,
        jet_term_unit: paper.as_ref().map(|p| p.jet_term_unit),
        select_kld_every: paper.as_ref().and_then(|p| p.select_kld_every),
    };
    let (stop, model) = jobs::train_jets(ui, jets, file, run, &device, on_epoch).await?;
    let best = model.meta.best_epoch;
    j.data.with(|d| {
        d.model = Some(model);
        d.model_test = None;
    });
    j.have_model.set(true);
    Ok(match stop {
        Some(why) => format!("jet VAE: {why} (epoch {best})"),
        None => format!(
            "jet VAE ({}{}{}) trained {} epochs on {} jets; kept epoch {best}",
            preset.name(),
            if masked { ", masked" } else { "" },
            if paper.is_some() {
                ", the paper's settings; kept by the KLD"
            } else {
                ""
            },
            j.history.get_untracked().len(),
            n_train
        ),
    })
}

async fn sample_jets(ui: AppState, j: JetsUi) -> Result<String> {
    // Test jets (the workflow's policy): the file's held-out last fifth, or independent
    // built-in ones, generated below.
    enum TestJets {
        HeldOut(JetArrays),
        Generate(JetRecipe),
    }
    let (test, model) = j.data.with(|d| -> Result<_> {
        let model = d
            .model
            .as_ref()
            .map(|m| m.to_device(m.device()))
            .ok_or_else(|| Error::invalid("model", "train the jet VAE first"))?;
        if let Some(r) = &d.model_test {
            return Ok((TestJets::Generate(r.clone()), model));
        }
        let (jets, origin) = d.jets()?;
        let test = match origin {
            JetsOrigin::File(_) => TestJets::HeldOut(workflow::held_out_part(jets)?),
            JetsOrigin::Recipe(r) => TestJets::Generate(workflow::test_recipe(r, jets.len())),
        };
        Ok((test, model))
    })?;
    ui.ran_on_device(model.device());
    let mut test = match test {
        TestJets::HeldOut(jets) => jets,
        TestJets::Generate(recipe) => stream_jets(ui, &recipe, 0.0, 0.3).await?,
    };
    let gen = test.require("gen", "test jets")?.to_vec();
    let t0 = now_ms();
    let sampled = jobs::sample_jets(ui, &model, gen, (1, 256), (0.3, 0.9)).await?;
    let ms_per_jet = (now_ms() - t0) / test.len().max(1) as f64;
    test.insert("model", sampled)?;
    let cmp = Comparison::new(&test, &[("model", &test, "model")]);
    let js = cmp.js(N_QUANT)?;
    j.js.set(
        JS_FEATURES
            .iter()
            .zip(js[1].2.iter().zip(&js[0].2))
            .map(|(f, (m, g))| JsLine {
                feature: f,
                model: *m,
                gen: *g,
            })
            .collect(),
    );
    j.jetnet
        .set(workflow::jetnet_scores(&test, &[("model", &test, "model")]));
    j.have_test.set(true);
    yield_now().await;
    for (id, feature) in PLOTS {
        show_figure(ui, id, cmp.feature_figure(feature, BINS))?;
    }
    let n = test.len();
    j.data.with(|d| d.test = Some(test));
    display(ui, j)?;
    Ok(format!(
        "{n} test jets through the VAE ({ms_per_jet:.2} ms per jet here); {} of the model's and {} of the detector's pass pT > 200 GeV, |η| < 2.5",
        cmp.models[0].1.accepted, cmp.reco.accepted
    ))
}

/// Loads a pre-trained jet VAE (its file's SHA-256 checked) with its loss history, and
/// samples its test jets at once.
async fn load_pretrained(ui: AppState, j: JetsUi, entries: Vec<ManifestEntry>) -> Result<String> {
    let entry = entries
        .first()
        .ok_or_else(|| Error::invalid("model", "choose a pre-trained model"))?;
    let recipe = entry.jet_recipe()?;
    let bytes = entry_bytes(entry).await?;
    let model = load_jet_vae(&bytes, &entry.file, &crate::backend::cpu())?;
    let job = workflow::device_job(&model.meta.config);
    let model = model.to_device(&ui.device_for(job)?);
    let test = workflow::pretrained_test(recipe);
    j.history.set(model.meta.history.clone());
    let history = j.history.get_untracked();
    j.data.with(|d| {
        d.model = Some(model);
        d.model_test = Some(test);
    });
    j.have_model.set(true);
    yield_now().await;
    draw_history(&history)?;
    let sampled = sample_jets(ui, j).await?;
    Ok(format!(
        "loaded the pre-trained jet VAE '{}' (SHA-256 checked); {sampled}",
        entry.name
    ))
}

/// The VAE's loss per epoch, on the section's loss canvas.
fn draw_history(history: &[EpochReport]) -> crate::plot::PlotResult {
    draw_on("jets-loss", |root| {
        draw_loss(root, history, crate::plot::JET_VAE_LOSS)
    })
}

/// The event display of test jet `display`.
fn display(ui: AppState, j: JetsUi) -> Result<String> {
    let i: usize = parse("test jet", &j.display.get_untracked())?;
    let figure = j
        .data
        .with(|d| {
            let test = d.test.as_ref()?;
            (i < test.len()).then(|| event_display(test, &[("model", test, "model")], i))
        })
        .ok_or_else(|| Error::invalid("test jet", format!("{i} is not one of the test jets")))?;
    show_figure(ui, "jets-event", figure)?;
    Ok(format!("event display of test jet {i}"))
}
