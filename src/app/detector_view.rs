//! The detector, editable: its resolution formulas with every parameter as a field, JSON
//! export / import (the file `fastsim generate --detector` reads), regeneration with the
//! edited detector, and a side-by-side comparison of two detectors on the same gen events.

use super::browser::yield_now;
use super::files::{download, load_text};
use super::plots::{hist, show_figure, PlotLinks};
use super::smear_view::{generate, Smear};
use super::state::{parse, AppState};
use super::teach::Explain;
use crate::detector::WjetsDetector;
use crate::error::Result;
use crate::metrics::residuals_for;
use crate::plot::{axis_label, residual_label, GEN_COLOR, MODEL_COLOR, RECO_COLOR};
use crate::recipe::WjetsRecipe;
use leptos::prelude::*;
use serde_json::Value;

/// Features compared between the detectors: distributions and residuals.
pub const COMPARED: [&str; 4] = ["mu_pt", "jet_pt", "jet_eta", "met"];

/// Every number in the detector's JSON, as (JSON pointer, value), in document order.
pub fn leaves(v: &Value, path: &str, out: &mut Vec<(String, f64)>) {
    match v {
        Value::Number(n) => out.push((path.to_string(), n.as_f64().unwrap_or(0.0))),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, v)| leaves(v, &format!("{path}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| leaves(v, &format!("{path}/{i}"), out)),
        _ => {}
    }
}

/// What each part of the detector does, with its formula.
fn formula(pointer: &str) -> &'static str {
    match pointer.split('/').nth(1).unwrap_or("") {
        "muon" => {
            "muon σ(pT)/pT = √(a² + (b·pT)²) per |η| bin; efficiency; acceptance |η| < eta_max"
        }
        "jet" => {
            "jet σ(E)/E = √((N/E)² + S²/E + C²) per |η| bin; σ(η), σ(φ) absolute; σ(m)/m extra"
        }
        "met" => "MET = −(μ + jet + r·u + noise), noise σ = √(σ₀² + k²·N_PU)",
        _ => "selection (gen level; muon match at reco level)",
    }
}

/// The section's own state: detector B as JSON (edited in place), and whether A and B were
/// compared.
#[derive(Clone, Copy)]
struct DetectorUi {
    det_b: RwSignal<Value>,
    compared: RwSignal<bool>,
}

fn detector_b(d: DetectorUi) -> Result<WjetsDetector> {
    WjetsDetector::from_json(&d.det_b.get_untracked().to_string(), "detector B")
}

/// Regenerates the built-in events with detector B as the detector.
async fn use_b(app: AppState, sm: Smear, d: DetectorUi) -> Result<String> {
    let b = detector_b(d)?;
    sm.data.with(|data| data.detector = b);
    let msg = generate(app, sm).await?;
    Ok(format!("{msg}, with detector B"))
}

/// Generates the same gen events through A (the defaults) and B, and draws both.
async fn compare(app: AppState, sm: Smear, d: DetectorUi) -> Result<String> {
    let b = detector_b(d)?;
    let events: usize = parse("event count", &sm.events.get_untracked())?;
    let seed: u64 = parse("seed", &sm.seed.get_untracked())?;
    let mut stream = WjetsRecipe::new(events, seed).stream_pair(&b)?;
    app.steps(&mut stream, 500, 0.0, 0.9).await?;
    let (ta, tb) = stream.into_tables();
    for f in COMPARED {
        let (g, ra, rb) = (
            ta.column(&format!("gen_{f}"))?,
            ta.column(&format!("reco_{f}"))?,
            tb.column(&format!("reco_{f}"))?,
        );
        show_figure(
            app,
            format!("cmp-{f}"),
            hist(
                axis_label(f),
                vec![
                    ("gen", g.to_vec(), GEN_COLOR),
                    ("reco, detector A", ra.to_vec(), RECO_COLOR),
                    ("reco, detector B", rb.to_vec(), MODEL_COLOR),
                ],
            ),
        )?;
        // Residuals: relative for momenta, absolute for angles (η near 0 has no scale).
        let column = format!("reco_{f}");
        let res = |r: &[f32]| residuals_for(&column, r, g).0;
        show_figure(
            app,
            format!("res-{f}"),
            hist(
                residual_label(&column),
                vec![
                    ("detector A", res(ra), RECO_COLOR),
                    ("detector B", res(rb), MODEL_COLOR),
                ],
            ),
        )?;
        yield_now().await;
    }
    app.progress.set(1.0);
    d.compared.set(true);
    Ok(format!(
        "compared detectors A and B on the same {} gen events (seed {seed})",
        ta.n_rows()
    ))
}

async fn import(d: DetectorUi, file: web_sys::File) -> Result<String> {
    let name = file.name();
    let text = load_text(&file).await?;
    let det = WjetsDetector::from_json(&text, &name)?;
    d.det_b
        .set(serde_json::from_str(&det.to_json()).unwrap_or_default());
    Ok(format!("loaded detector B from {name}"))
}

pub fn default_json() -> Value {
    serde_json::from_str(&WjetsDetector::default().to_json()).unwrap_or_default()
}

#[component]
pub fn DetectorSection() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sm = expect_context::<Smear>();
    let d = DetectorUi {
        det_b: RwSignal::new(default_json()),
        compared: RwSignal::new(false),
    };
    let idle = move || app.idle();
    let rows = move || {
        let mut out = Vec::new();
        leaves(&d.det_b.get(), "", &mut out);
        let a = default_json();
        out.into_iter()
            .map(|(p, v)| {
                let default = a.pointer(&p).and_then(Value::as_f64);
                (p, v, default)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <section id="detector">
            <p>"Detector A is the CMS-like default (Delphes CMS card). Edit detector B's parameters, then compare both on the same generator-level events, or regenerate the events with B. Changed values are highlighted."</p>
            <Explain>"Each row is one number of the detector model: a resolution term, an efficiency or an acceptance, grouped by object with the formula it enters. Make the jet energy resolution twice as bad (its stochastic term S), press Compare, and watch the reco jet pT spread widen while gen stays put. A network trained on detector A's events learns A: regenerate the events with B and retrain to learn B."</Explain>
            <div class="scroll tall">
            <table id="detector-table">
                <tr><th>"parameter"</th><th>"detector A"</th><th>"detector B"</th><th>"formula"</th></tr>
                {move || {
                    let mut group = String::new();
                    rows().into_iter().map(|(p, v, a)| {
                    let pointer = p.clone();
                    let changed = a != Some(v);
                    let g = p.split('/').nth(1).unwrap_or("").to_string();
                    let header = (g != group).then(|| {
                        group = g.clone();
                        view! { <tr class="det-group"><th colspan="3">{g.clone()}</th><td class="formula">{formula(&p)}</td></tr> }
                    });
                    let name = p.trim_start_matches('/').replace('/', ".");
                    view! {
                        {header}
                        <tr class="det-row" class:changed=changed data-param=p.clone()>
                            <td><code>{name.clone()}</code></td>
                            <td>{a.map(|a| a.to_string()).unwrap_or_default()}</td>
                            <td><input class="det-input" type="text" aria-label=format!("detector B {name}") value=v.to_string() on:change=move |ev| {
                                let text = event_target_value(&ev);
                                match text.trim().parse::<f64>() {
                                    Ok(x) if x.is_finite() => d.det_b.update(|json| {
                                        if let Some(slot) = json.pointer_mut(&pointer) {
                                            *slot = serde_json::json!(x);
                                        }
                                    }),
                                    _ => app.fail(format!("detector B {}: '{text}' is not a number", pointer.trim_start_matches('/').replace('/', "."))),
                                }
                            }/></td>
                            <td></td>
                        </tr>
                    }
                }).collect_view()}}
            </table>
            </div>
            <div class="row">
            <button id="det-compare" disabled=move || !idle() on:click=move |_| app.run("comparing detectors", move || compare(app, sm, d))>"Compare A and B"</button>
            <button id="det-use" disabled=move || !idle() on:click=move |_| app.run("generating", move || use_b(app, sm, d))>"Regenerate events with B"</button>
            <button id="det-reset" disabled=move || !idle() on:click=move |_| d.det_b.set(default_json())>"Reset B"</button>
            <button id="det-export" on:click=move |_| {
                let r = detector_b(d).and_then(|det| download("detector.json", det.to_json().as_bytes(), "application/json"));
                if let Err(e) = r { app.fail(e); }
            }>"Export B as JSON"</button>
            <label>"import JSON " <input id="det-import" type="file" accept=".json" disabled=move || !idle() on:change=move |ev| {
                let input: web_sys::HtmlInputElement = event_target(&ev);
                if let Some(f) = input.files().and_then(|f| f.get(0)) {
                    app.run("loading detector", move || import(d, f));
                }
                input.set_value("");
            }/></label>
            </div>
            <div class="plots" style=move || if d.compared.get() { "" } else { "display:none" }>
                {COMPARED.iter().flat_map(|f| [format!("cmp-{f}"), format!("res-{f}")]).map(|id| view! {
                    <figure><canvas id=id.clone() width="560" height="440" role="img" aria-label="the feature under detectors A and B on the same gen events, or their resolutions"></canvas><PlotLinks id=id/></figure>
                }).collect_view()}
            </div>
        </section>
    }
}
