//! Sharing (issue: a link that reproduces the page) and the pre-trained models of `models/`.
//! "Share" puts the state in the URL fragment (never sent to a server); opening such a link
//! regenerates the same events, loads the same weights (hash checked), samples with the same
//! seed and so redraws the same plots and numbers. A link that cannot be read is refused with
//! its reason, and the page stays as it was.

use super::files::fetch_bytes;
use super::smear_view::{data_origin, generate, sample, Smear};
use super::state::AppState;
use crate::numfmt::thousands;
use crate::recipe::DataOrigin;
use crate::share::{decode, encode, ModelRef, ShareState, MAX_INLINE_CHARS};
use crate::store::{load_smearing, save_smearing, sha256_hex, Manifest, ManifestEntry};
use crate::{Error, Result};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Events the page generates to show a pre-trained model at work (its recipe may hold more).
const SHOW_EVENTS: usize = 20_000;

/// The page's URL without its fragment.
fn page_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// Builds the link of the current state and puts it in the address bar and the share field.
async fn share(sm: Smear, link: RwSignal<String>) -> Result<String> {
    let (has_data, seed, pinned) = sm
        .data
        .with(|d| (d.table.is_some(), d.seed(), d.pretrained.clone()));
    if !has_data {
        return Err(Error::invalid("share", "generate or load events first"));
    }
    let model = sm
        .data
        .with(|d| d.model.take())
        .ok_or_else(|| Error::invalid("share", "train or load a model first"))?;
    let bytes = save_smearing(&model).await;
    let train = model.meta.train.clone();
    sm.data.with(|d| d.model = Some(model));
    let bytes = bytes?;
    let data = data_origin(sm)?;
    let state = |model| ShareState {
        data: data.clone(),
        train: train.clone(),
        model,
        sample_seed: seed,
    };
    let inline = encode(
        &state(ModelRef::Inline {
            sha256: sha256_hex(&bytes),
        }),
        Some(&bytes),
    )?;
    let (fragment, how) = if inline.len() <= MAX_INLINE_CHARS {
        (inline, "the weights inline".to_string())
    } else if let Some((name, sha256)) = pinned {
        let how = format!("the pre-trained model '{name}' pinned by its SHA-256");
        (
            encode(&state(ModelRef::Pinned { name, sha256 }), None)?,
            how,
        )
    } else {
        return Err(Error::invalid(
            "share",
            format!(
                "with this model the link would be {} characters, over the {} that links keep intact; train the 2 × 16 network (it fits) or share a pre-trained model",
                thousands(inline.len()),
                thousands(MAX_INLINE_CHARS)
            ),
        ));
    };
    let url = format!("{}#{fragment}", page_url());
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&fragment);
    }
    link.set(url.clone());
    let upload_note = match data {
        DataOrigin::Upload { name, .. } => {
            format!("; whoever opens it must load {name} (checked by its SHA-256)")
        }
        DataOrigin::Recipe { .. } => String::new(),
    };
    Ok(format!(
        "link ready: {} characters, with {how}{upload_note}",
        thousands(url.len())
    ))
}

/// Opens the link in the address bar, if there is one, once the backend is ready.
pub fn open_link_on_start(app: AppState, sm: Smear) {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if hash.len() > 1 {
        app.run("opening the link", move || restore(app, sm, hash));
    }
}

/// Restores the state a link carries: events, model, samples and plots.
async fn restore(app: AppState, sm: Smear, fragment: String) -> Result<String> {
    let (state, inline) = decode(&fragment)?;
    let device = app.device()?;
    // The model first: a link whose model cannot be had changes nothing on the page.
    let (model, pinned) = match &state.model {
        ModelRef::None => (None, None),
        ModelRef::Inline { .. } => {
            let bytes = inline.ok_or_else(|| Error::invalid("link", "its model is missing"))?;
            (
                Some(load_smearing(&bytes, "the link's model", &device)?),
                None,
            )
        }
        ModelRef::Pinned { name, sha256 } => {
            let (entry, bytes) = pretrained_bytes(name).await?;
            if entry.sha256 != *sha256 {
                return Err(Error::invalid(
                    "link",
                    format!("it pins '{name}' with SHA-256 {sha256}, but the served models/ has {}: the model was replaced since the link was made", entry.sha256),
                ));
            }
            (
                Some(load_smearing(&bytes, &entry.file, &device)?),
                Some((name.clone(), sha256.clone())),
            )
        }
    };
    sm.epochs.set(state.train.epochs.to_string());
    sm.batch.set(state.train.batch_size.to_string());
    sm.lr.set(state.train.lr.to_string());
    if let Some(m) = &model {
        sm.hidden.set(format!(
            "{}x{}",
            m.meta.config.hidden_layers, m.meta.config.hidden_width
        ));
    }
    let recipe = match &state.data {
        DataOrigin::Recipe { recipe } => recipe.clone(),
        DataOrigin::Upload { name, rows, sha256 } => {
            sm.data
                .with(|d| d.expected_upload = Some((name.clone(), sha256.clone())));
            if let Some(m) = model {
                sm.install(app, m, pinned);
            }
            return Ok(format!(
                "opened the link's model; its data was the file {name} ({} rows, SHA-256 {}…): load that file to sample with it",
                thousands(*rows),
                &sha256[..12.min(sha256.len())]
            ));
        }
    };
    if state.sample_seed != recipe.seed {
        return Err(Error::invalid(
            "link",
            "its sampling seed differs from its recipe's, which this page version cannot reproduce",
        ));
    }
    sm.events.set(recipe.events.to_string());
    sm.seed.set(recipe.seed.to_string());
    sm.data.with(|d| d.detector = recipe.detector.clone());
    app.status.set(generate(app, sm).await?);
    let Some(model) = model else {
        return Ok("opened the link: events regenerated (it holds no model)".into());
    };
    sm.install(app, model, pinned);
    sample(app, sm).await?;
    Ok(format!(
        "opened the link: {} events regenerated (seed {}), the model loaded (hash checked), samples redrawn",
        thousands(recipe.events),
        recipe.seed
    ))
}

/// The manifest of the served `models/`.
async fn manifest() -> Result<Manifest> {
    let bytes = fetch_bytes("models/manifest.json").await?;
    Manifest::from_json(&String::from_utf8_lossy(&bytes), "models/manifest.json")
}

/// A pre-trained model's manifest entry and file, its hash checked.
async fn pretrained_bytes(name: &str) -> Result<(ManifestEntry, Vec<u8>)> {
    let m = manifest().await?;
    let entry = m.find(name)?.clone();
    let bytes = fetch_bytes(&format!("models/{}", entry.file)).await?;
    Manifest::verify(&entry, &bytes)?;
    Ok((entry, bytes))
}

/// Loads a pre-trained model, generates events from its recipe (at most [`SHOW_EVENTS`]),
/// samples and plots at once.
async fn load_pretrained(app: AppState, sm: Smear, name: String) -> Result<String> {
    let device = app.device()?;
    let (entry, bytes) = pretrained_bytes(&name).await?;
    let model = load_smearing(&bytes, &entry.file, &device)?;
    let events = entry.recipe.events.min(SHOW_EVENTS);
    sm.events.set(events.to_string());
    sm.seed.set(entry.recipe.seed.to_string());
    sm.data.with(|d| d.detector = entry.recipe.detector.clone());
    app.status.set(generate(app, sm).await?);
    sm.install(app, model, Some((entry.name.clone(), entry.sha256.clone())));
    sample(app, sm).await?;
    Ok(format!(
        "loaded the pre-trained model '{}' (SHA-256 checked) and sampled {} events of its recipe",
        entry.name,
        thousands(events)
    ))
}

/// The list of pre-trained models, fetched from the served `models/manifest.json`.
#[component]
pub fn ModelsSection() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sm = expect_context::<Smear>();
    let entries = RwSignal::new(Vec::<ManifestEntry>::new());
    let note = RwSignal::new("loading models/manifest.json…".to_string());
    spawn_local(async move {
        match manifest().await {
            Ok(m) => {
                note.set(format!(
                    "{} pre-trained models, each checked against its SHA-256 when loaded:",
                    m.models.len()
                ));
                entries.set(m.models);
            }
            Err(e) => note.set(format!("no pre-trained models: {e}")),
        }
    });
    let idle = move || app.idle();
    view! {
        <section id="pretrained">
            <h2>"Pre-trained models"</h2>
            <p id="models-note">{move || note.get()}</p>
            <ul id="models-list">
                {move || entries.get().into_iter().map(|e| {
                    let name = e.name.clone();
                    let js = e.quantile_js.iter().map(|(c, j)| format!("{} {j:.1e}", c.trim_start_matches("reco_"))).collect::<Vec<_>>().join(", ");
                    view! {
                        <li class="model-entry" data-name=e.name.clone()>
                            <button class="load-model" disabled=move || !idle() on:click=move |_| { let n = name.clone(); app.run("loading a model", move || load_pretrained(app, sm, n)); }>{format!("Load {}", e.name)}</button>
                            " " {e.description.clone()}
                            <br/><small>{format!("quantile-JS (16 quantiles): {js}")}</small>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The last link made by Share, shown below the lab.
#[derive(Clone, Copy)]
pub struct ShareLink(pub RwSignal<String>);

/// The Share button: puts the lab's state in a link.
#[component]
pub fn ShareButton() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sm = expect_context::<Smear>();
    let link = expect_context::<ShareLink>().0;
    view! {
        <button id="share" disabled=move || !sm.have_sample.get() || app.busy.get().is_some() on:click=move |_| app.run("sharing", move || share(sm, link))>"Share"</button>
    }
}

/// The link field, once there is a link.
#[component]
pub fn ShareRow() -> impl IntoView {
    let link = expect_context::<ShareLink>().0;
    view! {
        <p id="share-row" style:display=move || if link.get().is_empty() { "none" } else { "block" }>
            "Link: " <input id="share-link" type="text" readonly size="80" prop:value=move || link.get()/>
        </p>
    }
}
