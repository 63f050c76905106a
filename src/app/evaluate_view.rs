//! Step 4, "Evaluate": the trained model judged the way seed 003 judges a generative model —
//! JS versus n_quant against truth samples of several sizes, the amplification factor, the
//! KDE and histogram baselines — and the way seed 000 does: distributions and relative
//! residuals with an ensemble band, the model-vs-detector map, and the data-augmentation
//! check (the model applied to a gen sample several times the training size).
//!
//! Everything is computed by the core (`metrics`, `plot`); this file only orders the steps,
//! yields to the browser between them and shows the results.

use super::browser::yield_now;
use super::jobs;
use super::plots::{show_figure, PlotLinks, BINS};
use super::smear_view::{stream_events, Smear};
use super::state::{parse, AppState};
use super::teach::Explain;
use crate::backend::Job;
use crate::data::Table;
use crate::metrics::{HistogramCv, Study, StudyOptions};
use crate::model::TrainedSmearing;
use crate::numfmt::thousands;
use crate::plot::{axis_label, Figure};
use crate::workflow::evaluate::{
    add_model, augmentation_text, feature_figures, table_rows, EvalRow, Plan,
};
use crate::workflow::smearing::ensemble_member;
use crate::{Error, Result};
use leptos::prelude::*;

/// The canvases of the section, with their sizes (those of the figures drawn on them).
const CANVASES: [(&str, u32, u32); 4] = [
    ("eval-js", 860, 500),
    ("eval-hist", 560, 440),
    ("eval-residual", 560, 440),
    ("eval-map", 540, 460),
];

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
fn feature_options(sm: Smear) -> Vec<String> {
    sm.have_sample.get();
    sm.data.with(|d| {
        d.sampled
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
pub fn EvaluateSection() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sm = expect_context::<Smear>();
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
    let idle = move || app.idle();
    let options = move |with_none: bool| {
        let mut v: Vec<(String, String)> = feature_options(sm)
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
        <p class="lead">"How much is the model worth? Bieringer et al. (2022): the quantile-JS of the model's sample against a large truth sample, for n_quant = 2, 4, 8, … quantiles, next to truth samples of several sizes (5 each: the bands are ±1σ). The size of truth sample that matches the model is its effective size; over the training size, the amplification factor. A KDE and a histogram fitted to the training sample (bandwidth and bins by 5-fold cross-validation) are the baselines. Chen et al. (2020): the model applied to a gen sample several times the training size (data augmentation), with an ensemble of K trainings as a band."</p>
        <section id="evaluate">
            <h3>"The smearing model's sample against truth"</h3>
            <Explain>"A generated sample can hold more information than the events the network was trained on, because the network interpolates (Bieringer et al., the amplification of section 3). To measure it, the page draws large truth samples from the generator and compares each with the truth by quantile-JS at finer and finer binning (n_quant quantiles, eq. 3.3). Read the table down a column: where the model's JS sits between two truth-sample sizes, that is its effective size. Above the training size, the network amplified."</Explain>
            <p class="hint">"Amplification needs truth samples larger than the model's sample: about 100× the training size. Train on 1,000–2,000 events to see it resolved; with more, the page reports a bound."</p>
            <div class="row">
            <label>"feature " <select id="eval-feature" on:change=move |e| ev.feature.set(event_target_value(&e)) prop:value=move || ev.feature.get()>{move || options(false)}</select></label>
            <label>"jointly with " <select id="eval-joint" on:change=move |e| ev.joint.set(event_target_value(&e)) prop:value=move || ev.joint.get()>{move || options(true)}</select></label>
            <label>"gen sample × training size " <input id="eval-multiple" type="number" min="1" max="50" bind:value=ev.multiple/></label>
            <label>"ensemble K " <input id="eval-ensemble" type="number" min="1" max="10" bind:value=ev.ensemble/></label>
            <label>"truth events " <input id="eval-truth" type="number" placeholder="auto: 100 × training" bind:value=ev.truth_events/></label>
            <button id="evaluate-btn" disabled=move || !idle() || !sm.have_sample.get() on:click=move |_| app.run("evaluating", move || evaluate(app, sm, ev))>"Evaluate"</button>
            </div>
            <p class="note" hidden=move || sm.have_sample.get()>"Train and sample a model in the Smear tab first (or load a pre-trained one under Models and links)."</p>
            <p id="amp-factor" class="result">{move || ev.amplification.get()}</p>
            <p id="eval-baselines">{move || ev.baselines.get()}</p>
            <p id="eval-augmentation">{move || ev.augmentation.get()}</p>
            <table id="eval-table" class="numbers" hidden=move || ev.rows.get().is_empty()>
                <tr><th>"n_quant"</th><th>"JS training sample"</th><th>"JS model"</th><th>"JS KDE"</th><th>"JS histogram"</th><th>"model's effective size"</th></tr>
                {move || ev.rows.get().into_iter().map(|r| view! {
                    <tr class="eval-row" data-nquant=r.n_quant>
                        <td>{r.n_quant}</td><td>{r.train}</td><td class="eval-model">{r.model}</td><td>{r.kde}</td><td>{r.hist}</td><td>{r.n_eff}</td>
                    </tr>
                }).collect_view()}
            </table>
            <div class="plots" style:display=move || if ev.drawn.get() { "grid" } else { "none" }>
                {CANVASES.into_iter().map(|(id, w, h)| view! {
                    <figure class={if w > 600 { "wide" } else { "" }}><canvas id=id width=w height=h role="img" aria-label="quantile-JS against n_quant and the distributions; the table above gives the numbers"></canvas><PlotLinks id=id.to_string()/></figure>
                }).collect_view()}
            </div>
        </section>
    }
}

async fn evaluate(app: AppState, sm: Smear, ev: EvalUi) -> Result<String> {
    let (table, recipe, upload) = sm
        .data
        .with(|d| (d.table.clone(), d.recipe.clone(), d.upload.clone()));
    if let Some((name, _)) = upload {
        return Err(Error::invalid(
            "evaluation",
            format!("it draws a large truth sample from the built-in generator, which {name} did not come from; for your own files run fastsim amplify --truth BIG_FILE --gen SAMPLED_FILE --train {name}"),
        ));
    }
    let (table, recipe) = table
        .zip(recipe)
        .ok_or_else(|| Error::invalid("data", "generate events first"))?;
    // The truth and gen samples come from the detector and seed of the training events.
    let (seed, detector) = (recipe.seed, recipe.detector);
    let device = app.device_for(Job::FastPath)?;
    let truth_text = ev.truth_events.get_untracked();
    let joint = ev.joint.get_untracked();
    let plan = Plan::new(
        &ev.feature.get_untracked(),
        Some(joint.as_str()),
        parse("gen sample multiple", &ev.multiple.get_untracked())?,
        parse("ensemble K", &ev.ensemble.get_untracked())?,
        if truth_text.trim().is_empty() {
            None
        } else {
            Some(parse("truth events", &truth_text)?)
        },
        table.n_rows(),
        seed,
    )?;
    let feature = plan.cols[0].clone();
    table.column(&feature.replacen("reco_", "gen_", 1))?;
    let main = sm
        .data
        .with(|d| d.model.as_ref().map(|m| m.to_device(m.device())))
        .ok_or_else(|| Error::invalid("model", "train a model first"))?;
    ev.rows.set(Vec::new());
    ev.amplification.set(String::new());
    let k = plan.ensemble;

    // 1. The ensemble: K − 1 more trainings of the main model's network and settings, with
    //    the workflow's seeds (progress 0–0.35).
    let mut models: Vec<TrainedSmearing> = vec![main];
    for member in 1..k {
        app.status
            .set(format!("training ensemble member {} of {k}", member + 1));
        let (data, cfg) = ensemble_member(&models[0], member);
        let span = |m: usize| 0.35 * m as f64 / (k - 1) as f64;
        let span = (span(member - 1), span(member));
        let (_, model) =
            jobs::train_smearing(app, table.clone(), data, cfg, &device, span, |_| {}).await?;
        app.check_cancel()?;
        models.push(model);
    }

    // 2. The gen sample, `multiple` × the training size, and every model's reco for it.
    let recipe = plan.augmentation_recipe(&detector);
    app.status.set(format!(
        "generating {} gen events for the model",
        thousands(recipe.events)
    ));
    let (events, _) = stream_events(app, &recipe, 0.35, 0.45).await?;
    let mut samples = Vec::new();
    for (i, m) in models.iter().enumerate() {
        let span = |x: f64| 0.45 + 0.1 * (i as f64 + x) / k as f64;
        let draw = (plan.sampling_seed(i), 4096);
        let mut t = jobs::sample_smearing(app, m, &events, draw, (span(0.0), span(1.0))).await?;
        m.derive_aux(&mut t)?;
        samples.push(t);
    }

    // 3. The truth sample, in chunks, keeping only the studied columns.
    app.status.set(format!(
        "generating {} truth events",
        thousands(plan.truth_events)
    ));
    let chunks = plan.truth_recipes(&detector);
    let mut truth: Option<Table> = None;
    for (c, r) in chunks.iter().enumerate() {
        let p = |x: f64| 0.55 + 0.25 * x / chunks.len() as f64;
        let (t, _) = stream_events(app, r, p(c as f64), p(c as f64 + 1.0)).await?;
        let t = t.select(&plan.cols)?;
        match &mut truth {
            Some(all) => all.append(&t)?,
            None => truth = Some(t),
        }
    }
    let truth = truth.ok_or_else(|| Error::invalid("truth events", "none generated"))?;

    // 4. The study: truth subsamples, model, training sample, baselines.
    let dims = plan.cols.len();
    let opts = StudyOptions {
        seed,
        ..StudyOptions::default()
    };
    let mut study = Study::new(&truth.row_major(&plan.cols)?, dims, plan.n_train, &opts)?;
    app.steps(&mut study, 1, 0.8, 0.9).await?;
    let model_rows: Vec<Vec<f32>> = samples
        .iter()
        .map(|t| t.row_major(&plan.cols))
        .collect::<Result<_>>()?;
    add_model(&mut study, &model_rows)?;
    let train_rows = table.row_major(&plan.cols)?;
    app.status
        .set("fitting the KDE and histogram baselines (5-fold cross-validation)".into());
    yield_now().await;
    let g = recipe.events;
    let (kde, hist) = study.add_baselines(&train_rows, g, seed, HistogramCv::default())?;
    app.progress.set(0.95);
    yield_now().await;
    app.check_cancel()?;

    // 5. Numbers.
    let amp = study.amplification("model", None)?;
    let title = plan.title();
    ev.amplification.set(format!(
        "amplification (n_quant = {}, {title}): {} — the model's {} events are worth {} truth events; trained on {}",
        amp.n_quant,
        amp.factor_text(),
        thousands(g),
        amp.size_text(),
        thousands(plan.n_train)
    ));
    let (ka, ha) = (
        study.amplification("KDE", Some(amp.n_quant))?,
        study.amplification("histogram", Some(amp.n_quant))?,
    );
    ev.baselines.set(format!(
        "baselines at the same n_quant: KDE (bandwidth {:.3} σ) {}; histogram ({} bin{} per dimension) {}",
        kde.bandwidth,
        ka.factor_text(),
        hist.bins[0],
        if hist.bins[0] == 1 { "" } else { "s" },
        ha.factor_text()
    ));
    ev.augmentation
        .set(augmentation_text(&study, &model_rows[0], &plan)?);
    ev.rows.set(table_rows(&study));

    // 6. Plots.
    ev.drawn.set(true);
    yield_now().await; // the canvases become visible
    show_figure(app, "eval-js", Figure::js_study(&study, title, &amp))?;
    for (name, figure) in feature_figures(&feature, &events, &samples, BINS)? {
        show_figure(app, format!("eval-{name}"), figure)?;
    }
    app.progress.set(1.0);
    Ok(format!(
        "evaluated {} on {} truth events ({} subsample sizes × {}), the model's {} events{}",
        plan.cols.join(" × "),
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
