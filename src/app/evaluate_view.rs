//! Step 4, "Evaluate": the trained model judged the way seed 003 judges a generative model —
//! JS versus n_quant against truth samples of several sizes, the amplification factor, the
//! KDE and histogram baselines — and the way seed 000 does: distributions and relative
//! residuals with an ensemble band, the model-vs-detector map, and the data-augmentation
//! check (the model applied to a gen sample several times the training size).
//!
//! Everything is computed by the core (`metrics`, `plot`); this file only orders the steps,
//! yields to the browser between them and shows the results.

use super::browser::yield_now;
use super::plots::{show, BINS};
use super::session::{self, PlotSpec};
use super::view::{parse, run_job, stream_events, train_config, PlotLinks, Ui};
use crate::data::Table;
use crate::metrics::{residuals_for, Study, StudyOptions};
use crate::model::TrainedSmearing;
use crate::numfmt::thousands;
use crate::plot::{
    axis_label, residual_label, Figure, SeriesData, GEN_COLOR, MODEL_COLOR, RECO_COLOR,
};
use crate::recipe::{derive_wjet_aux, Recipe};
use crate::train::{SmearingJob, TrainData};
use crate::{Error, Result};
use leptos::prelude::*;

/// Truth events are generated in chunks of this many (only the studied columns are kept).
const TRUTH_CHUNK: usize = 50_000;
/// At most this many truth events (the page's memory and patience).
const MAX_TRUTH: usize = 1_000_000;
/// The canvases of the section, with their sizes (those of the figures drawn on them).
const CANVASES: [(&str, u32, u32); 4] = [
    ("eval-js", 860, 500),
    ("eval-hist", 560, 440),
    ("eval-res", 560, 440),
    ("eval-map", 540, 460),
];

/// One row of the JS table: n_quant, then the JS of the training sample, the model, the
/// baselines, and the model's effective size.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct EvalRow {
    n_quant: usize,
    train: String,
    model: String,
    kde: String,
    hist: String,
    n_eff: String,
}

/// The section's inputs and results.
#[derive(Clone, Copy)]
struct EvalUi {
    feature: RwSignal<String>,
    joint: RwSignal<String>,
    multiple: RwSignal<String>,
    ensemble: RwSignal<String>,
    truth_events: RwSignal<String>,
    amplification: RwSignal<String>,
    baselines: RwSignal<String>,
    augmentation: RwSignal<String>,
    rows: RwSignal<Vec<EvalRow>>,
    drawn: RwSignal<bool>,
}

/// Columns the model's samples can be judged on: its reco columns and the derived ones.
fn feature_options(ui: Ui) -> Vec<String> {
    ui.have_sample.get();
    session::with(|s| {
        s.sampled
            .as_ref()
            .map(|t| {
                t.names()
                    .iter()
                    .filter(|n| n.starts_with("reco_"))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    })
}

#[component]
pub(super) fn EvaluateSection(ui: Ui) -> impl IntoView {
    let ev = EvalUi {
        feature: RwSignal::new("reco_met".into()),
        joint: RwSignal::new(String::new()),
        multiple: RwSignal::new("5".into()),
        ensemble: RwSignal::new("1".into()),
        truth_events: RwSignal::new(String::new()),
        amplification: RwSignal::new(String::new()),
        baselines: RwSignal::new(String::new()),
        augmentation: RwSignal::new(String::new()),
        rows: RwSignal::new(Vec::new()),
        drawn: RwSignal::new(false),
    };
    let idle = move || ui.busy.get().is_none() && ui.backend.get().is_some();
    let options = move |with_none: bool| {
        let mut v: Vec<(String, String)> = feature_options(ui)
            .into_iter()
            .map(|c| (c.clone(), format!("{} ({c})", axis_label(&c))))
            .collect();
        if with_none {
            v.insert(0, (String::new(), "— none (1-D) —".into()));
        }
        v.into_iter()
            .map(|(value, text)| view! { <option value=value>{text}</option> })
            .collect_view()
    };
    view! {
        <section id="evaluate">
            <h2>"4 · Evaluate"</h2>
            <p>"How much is the model worth? Bieringer et al. (2022): the quantile-JS of the model's sample against a large truth sample, for n_quant = 2, 4, 8, … quantiles, next to truth samples of several sizes (5 each: the bands are ±1σ). The size of truth sample that matches the model is its effective size; over the training size, the amplification factor. A KDE and a histogram fitted to the training sample (bandwidth and bins by 5-fold cross-validation) are the baselines. Chen et al. (2020): the model applied to a gen sample several times the training size (data augmentation), with an ensemble of K trainings as a band."</p>
            <p class="hint">"Amplification needs truth samples larger than the model's sample: about 100× the training size. Train on 1,000–2,000 events to see it resolved; with more, the page reports a bound."</p>
            <label>"feature " <select id="eval-feature" on:change=move |e| ev.feature.set(event_target_value(&e)) prop:value=move || ev.feature.get()>{move || options(false)}</select></label>
            <label>"jointly with " <select id="eval-joint" on:change=move |e| ev.joint.set(event_target_value(&e)) prop:value=move || ev.joint.get()>{move || options(true)}</select></label>
            <label>"gen sample × training size " <input id="eval-multiple" type="number" min="1" max="50" bind:value=ev.multiple/></label>
            <label>"ensemble K " <input id="eval-ensemble" type="number" min="1" max="10" bind:value=ev.ensemble/></label>
            <label>"truth events " <input id="eval-truth" type="number" placeholder="auto: 100 × training" bind:value=ev.truth_events/></label>
            <button id="evaluate-btn" disabled=move || !idle() || !ui.have_sample.get() on:click=move |_| ui.run("evaluating", move || evaluate(ui, ev))>"Evaluate"</button>
            <p id="amp-factor" class="result">{move || ev.amplification.get()}</p>
            <p id="eval-baselines">{move || ev.baselines.get()}</p>
            <p id="eval-augmentation">{move || ev.augmentation.get()}</p>
            <table id="eval-table" class="numbers">
                <tr><th>"n_quant"</th><th>"JS training sample"</th><th>"JS model"</th><th>"JS KDE"</th><th>"JS histogram"</th><th>"model's effective size"</th></tr>
                {move || ev.rows.get().into_iter().map(|r| view! {
                    <tr class="eval-row" data-nquant=r.n_quant>
                        <td>{r.n_quant}</td><td>{r.train}</td><td class="eval-model">{r.model}</td><td>{r.kde}</td><td>{r.hist}</td><td>{r.n_eff}</td>
                    </tr>
                }).collect_view()}
            </table>
            <div class="plots" style:display=move || if ev.drawn.get() { "grid" } else { "none" }>
                {CANVASES.into_iter().map(|(id, w, h)| view! {
                    <figure class={if w > 600 { "wide" } else { "" }}><canvas id=id width=w height=h></canvas><PlotLinks id=id.to_string()/></figure>
                }).collect_view()}
            </div>
        </section>
    }
}

/// Stops with `Cancelled` if the user pressed Cancel.
fn check_cancel(ui: Ui) -> Result<()> {
    if ui.cancel.get_untracked() {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

fn bounded(what: &str, text: &str, lo: usize, hi: usize) -> Result<usize> {
    let v: usize = parse(what, text)?;
    if !(lo..=hi).contains(&v) {
        return Err(Error::invalid(what, format!("{v} (allowed: {lo} to {hi})")));
    }
    Ok(v)
}

async fn evaluate(ui: Ui, ev: EvalUi) -> Result<String> {
    let (table, seed, upload, detector, device) = session::with(|s| {
        (
            s.table.clone(),
            s.recipe_seed,
            s.upload.clone(),
            s.detector.clone(),
            s.device.clone(),
        )
    });
    if let Some(name) = upload {
        return Err(Error::invalid(
            "evaluation",
            format!("it draws a large truth sample from the built-in generator, which {name} did not come from; for your own files run fastsim amplify --truth BIG_FILE --gen SAMPLED_FILE --train {name}"),
        ));
    }
    let table = table.ok_or_else(|| Error::invalid("data", "generate events first"))?;
    let (_, device) =
        device.ok_or_else(|| Error::Backend("the backend is still starting".into()))?;
    let feature = ev.feature.get_untracked();
    let joint = ev.joint.get_untracked();
    let mut cols = vec![feature.clone()];
    if !joint.is_empty() && joint != feature {
        cols.push(joint);
    }
    let multiple = bounded("gen sample multiple", &ev.multiple.get_untracked(), 1, 50)?;
    let k = bounded("ensemble K", &ev.ensemble.get_untracked(), 1, 10)?;
    let n_train = table.n_rows();
    let truth_text = ev.truth_events.get_untracked();
    let truth_n = if truth_text.trim().is_empty() {
        (100 * n_train).clamp(20_000, MAX_TRUTH)
    } else {
        bounded("truth events", &truth_text, 1_000, MAX_TRUTH)?
    };
    table.column(&feature.replace("reco_", "gen_"))?;
    ev.rows.set(Vec::new());
    ev.amplification.set(String::new());

    // 1. The ensemble: K − 1 more trainings with seeds seed + 1 … (progress 0–0.35).
    let mut models: Vec<TrainedSmearing> = Vec::new();
    for member in 1..k {
        ui.status
            .set(format!("training ensemble member {} of {k}", member + 1));
        let cfg = train_config(ui, seed.wrapping_add(member as u64))?;
        let mut job = SmearingJob::new(&table, &TrainData::wjets_main(), cfg, &device)?;
        let (p0, p1) = (
            0.35 * (member - 1) as f64 / (k - 1) as f64,
            0.35 * member as f64 / (k - 1) as f64,
        );
        run_job(ui, &mut job.trainer, p0, p1, |_| {}).await?;
        check_cancel(ui)?;
        models.push(job.finish()?);
    }

    // 2. The gen sample, `multiple` × the training size, and every model's reco for it.
    ui.status.set(format!(
        "generating {} gen events for the model",
        thousands(multiple * n_train)
    ));
    let mut recipe = Recipe::wjets(multiple * n_train, seed.wrapping_add(1000));
    recipe.detector = detector.clone();
    let (events, _) = stream_events(ui, &recipe, 0.35, 0.45).await?;
    let main = session::with(|s| s.model.take())
        .ok_or_else(|| Error::invalid("model", "train a model first"))?;
    let mut samples = Vec::new();
    let mut failure = None;
    for (i, m) in std::iter::once(&main).chain(&models).enumerate() {
        let r = m
            .sample_chunked(
                &events,
                seed.wrapping_add(2000 + i as u64),
                4096,
                |_| async move {
                    yield_now().await;
                    !ui.cancel.get_untracked()
                },
            )
            .await;
        match r {
            Ok(mut t) => {
                derive_wjet_aux(&mut t, "reco")?;
                samples.push(t);
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        ui.progress.set(0.45 + 0.1 * (i + 1) as f64 / k as f64);
    }
    session::with(|s| s.model = Some(main));
    if let Some(e) = failure {
        return Err(e);
    }

    // 3. The truth sample, in chunks, keeping only the studied columns.
    ui.status
        .set(format!("generating {} truth events", thousands(truth_n)));
    let mut truth: Option<Table> = None;
    let chunks = truth_n.div_ceil(TRUTH_CHUNK);
    for c in 0..chunks {
        let n = TRUTH_CHUNK.min(truth_n - c * TRUTH_CHUNK);
        let mut r = Recipe::wjets(n, seed.wrapping_add(100_000 + c as u64));
        r.detector = detector.clone();
        let p = |x: f64| 0.55 + 0.25 * x;
        let (t, _) = stream_events(
            ui,
            &r,
            p(c as f64 / chunks as f64),
            p((c + 1) as f64 / chunks as f64),
        )
        .await?;
        let t = t.select(&cols)?;
        match &mut truth {
            Some(all) => all.append(&t)?,
            None => truth = Some(t),
        }
    }
    let truth = truth.ok_or_else(|| Error::invalid("truth events", "none generated"))?;

    // 4. The study: truth subsamples, model, training sample, baselines.
    let dims = cols.len();
    let opts = StudyOptions {
        seed,
        ..StudyOptions::default()
    };
    let mut study = Study::new(&truth.row_major(&cols)?, dims, n_train, &opts)?;
    while !study.next_truth()? {
        ui.progress
            .set(0.8 + 0.1 * study.truth.len() as f64 / study.sizes.len() as f64);
        yield_now().await;
        check_cancel(ui)?;
    }
    let model_rows: Vec<Vec<f32>> = samples
        .iter()
        .map(|t| t.row_major(&cols))
        .collect::<Result<_>>()?;
    if k > 1 {
        let parts: Vec<&[f32]> = model_rows.iter().map(Vec::as_slice).collect();
        study.add("model", &parts)?;
    } else {
        study.add_split("model", &model_rows[0], 5)?;
    }
    let train_rows = table.row_major(&cols)?;
    ui.status
        .set("fitting the KDE and histogram baselines (5-fold cross-validation)".into());
    yield_now().await;
    let g = multiple * n_train;
    let (kde, hist) = study.add_baselines(&train_rows, g, seed)?;
    ui.progress.set(0.95);
    yield_now().await;
    check_cancel(ui)?;

    // 5. Numbers.
    let amp = study.amplification("model", None)?;
    let title = cols
        .iter()
        .map(|c| axis_label(c))
        .collect::<Vec<_>>()
        .join(" × ");
    ev.amplification.set(format!(
        "amplification (n_quant = {}, {title}): {} — the model's {} events are worth {} truth events; trained on {}",
        amp.n_quant,
        amp.factor_text(),
        thousands(g),
        amp.size_text(),
        thousands(n_train)
    ));
    let (ka, ha) = (
        study.amplification("KDE", None)?,
        study.amplification("histogram", None)?,
    );
    ev.baselines.set(format!(
        "baselines at the same n_quant: KDE (bandwidth {:.3} σ) {}; histogram ({} bin{} per dimension) {}",
        kde.bandwidth,
        ka.factor_text(),
        hist.bins,
        if hist.bins == 1 { "" } else { "s" },
        ha.factor_text()
    ));
    ev.augmentation.set(augmentation_text(
        &study,
        &model_rows[0],
        dims,
        n_train,
        multiple,
    )?);
    ev.rows.set(table_rows(&study));

    // 6. Plots.
    ev.drawn.set(true);
    yield_now().await; // the canvases become visible
    show(PlotSpec {
        id: "eval-js".into(),
        figure: Figure::js_study(&study, title, &amp),
    })?;
    draw_feature_plots(&feature, &events, &samples)?;
    ui.progress.set(1.0);
    Ok(format!(
        "evaluated {} on {} truth events ({} subsample sizes × {}), the model's {} events{}",
        cols.join(" × "),
        thousands(truth.n_rows()),
        study.sizes.len(),
        study.repeats,
        thousands(g),
        if k > 1 {
            format!(", an ensemble of {k}")
        } else {
            String::new()
        }
    ))
}

/// Seed 000's data-augmentation check: the model's JS on `multiple` × the training size next to
/// its JS on 1× (the first n_train events), each beside truth samples of the same sizes.
fn augmentation_text(
    study: &Study,
    model: &[f32],
    dims: usize,
    n_train: usize,
    multiple: usize,
) -> Result<String> {
    let q = 16.min(*study.reference().n_quants().last().unwrap_or(&16));
    let level = study
        .reference()
        .n_quants()
        .iter()
        .position(|&n| n == q)
        .unwrap_or(0);
    let one = study
        .reference()
        .js(&model[..(n_train * dims).min(model.len())])?[level];
    let many = study
        .curve("model")
        .and_then(|c| c.at(q))
        .map_or(f64::NAN, |p| p.mean);
    let truth_at = |n: usize| {
        study
            .truth
            .iter()
            .find(|c| c.size == n)
            .and_then(|c| c.at(q))
            .map_or("—".to_string(), |p| format!("{:.2e}", p.mean))
    };
    Ok(format!(
        "data augmentation (JS at n_quant = {q}): model on {} events {:.2e}, on {} events (×{multiple}) {:.2e}; truth samples of those sizes {} and {}",
        thousands(n_train),
        one,
        thousands(multiple * n_train),
        many,
        truth_at(n_train),
        truth_at(multiple * n_train)
    ))
}

fn table_rows(study: &Study) -> Vec<EvalRow> {
    let cell = |label: &str, q: usize| {
        study
            .curve(label)
            .and_then(|c| c.at(q))
            .map_or("—".into(), |p| {
                format!("{:.2e}{}", p.mean, if p.meaningful { "" } else { " *" })
            })
    };
    study
        .reference()
        .n_quants()
        .into_iter()
        .map(|q| EvalRow {
            n_quant: q,
            train: cell("training sample", q),
            model: cell("model", q),
            kde: cell("KDE", q),
            hist: cell("histogram", q),
            n_eff: study
                .amplification("model", Some(q))
                .map_or("—".into(), |a| a.size_text()),
        })
        .collect()
}

/// Distribution, residuals (with the ensemble band) and the model-vs-detector map of one
/// feature on the gen sample's events.
fn draw_feature_plots(feature: &str, events: &Table, samples: &[Table]) -> Result<()> {
    let gen_c = feature.replacen("reco_", "gen_", 1);
    let gen = events.column(&gen_c)?;
    let reco = events.column(feature)?;
    let with_band = |label: &str, f: &dyn Fn(&Table) -> Result<Vec<f32>>| -> Result<SeriesData> {
        let mut s = SeriesData::new(label, f(&samples[0])?, MODEL_COLOR);
        s.band = samples[1..].iter().map(f).collect::<Result<_>>()?;
        Ok(s)
    };
    show(PlotSpec {
        id: "eval-hist".into(),
        figure: Figure::Hist {
            x_label: axis_label(feature),
            series: vec![
                SeriesData::new("gen", gen.to_vec(), GEN_COLOR),
                SeriesData::new("reco", reco.to_vec(), RECO_COLOR),
                with_band("model", &|t: &Table| Ok(t.column(feature)?.to_vec()))?,
            ],
            bins: BINS,
        },
    })?;
    show(PlotSpec {
        id: "eval-res".into(),
        figure: Figure::Hist {
            x_label: residual_label(feature),
            series: vec![
                SeriesData::new("reco", residuals_for(feature, reco, gen).0, RECO_COLOR),
                with_band("model", &|t: &Table| {
                    Ok(residuals_for(feature, t.column(feature)?, gen).0)
                })?,
            ],
            bins: BINS,
        },
    })?;
    show(PlotSpec {
        id: "eval-map".into(),
        figure: Figure::Map {
            x_label: format!("detector: {}", axis_label(feature)),
            y_label: format!("model: {}", axis_label(feature)),
            x: reco.to_vec(),
            y: samples[0].column(feature)?.to_vec(),
            bins: 40,
        },
    })
}
