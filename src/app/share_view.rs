//! Sharing (issue: a link that reproduces the page) and the pre-trained models of `models/`.
//! "Share" puts the state in the URL fragment (never sent to a server); opening such a link
//! regenerates the same events, loads the same weights (hash checked), samples with the same
//! seed and so redraws the same plots and numbers. A link that cannot be read is refused with
//! its reason, and the page stays as it was.

use super::files::{download, file_bytes};
use super::pretrained::{entry_bytes, manifest};
use super::smear_view::{data_origin, generate, sample, Smear};
use super::state::AppState;
use crate::backend::Job;
use crate::model::TrainedSmearing;
use crate::numfmt::thousands;
use crate::recipe::DataOrigin;
use crate::share::{
    decode, encode, ModelRef, ShareState, HALF_EVENT_TOLERANCE, HALF_JS_TOLERANCE, MAX_INLINE_CHARS,
};
use crate::store::{
    from_half, load_smearing, save_smearing, sha256_hex, to_half, ManifestEntry, ModelKind,
};
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
    let sha256 = sha256_hex(&bytes);
    let inline = encode(
        &state(ModelRef::Inline {
            sha256: sha256.clone(),
        }),
        Some(&bytes),
    )?;
    // Only tried when the exact inline link is too long and no pinned model fits.
    let half = || {
        let h = to_half(&bytes, "the model").ok()?;
        let link = encode(
            &state(ModelRef::Half {
                sha256: sha256_hex(&h),
            }),
            Some(&h),
        );
        link.ok().filter(|l| l.len() <= MAX_INLINE_CHARS)
    };
    let (fragment, how) = if inline.len() <= MAX_INLINE_CHARS {
        (inline, "the weights inline".to_string())
    } else if let Some((name, sha256)) = pinned {
        let how = format!("the pre-trained model '{name}' pinned by its SHA-256");
        (
            encode(&state(ModelRef::Pinned { name, sha256 }), None)?,
            how,
        )
    } else if let Some(link) = half() {
        let how = format!(
            "the weights inline in float16 (it reproduces your samples to within {:.0} % of each feature's spread, not bit for bit)",
            100.0 * HALF_EVENT_TOLERANCE
        );
        (link, how)
    } else {
        // Too large for a link: the link pins the file by its hash, and the file goes with it.
        let name = format!("model-{}.fastsim", &sha256[..12]);
        download(&name, &bytes, "application/octet-stream")?;
        let how = format!(
            "the model pinned by its SHA-256: send {name} (downloaded now, {} bytes) with the link",
            thousands(bytes.len())
        );
        (encode(&state(ModelRef::File { name, sha256 }), None)?, how)
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

/// Restores the state a link carries: events, model, samples and plots. A link whose model is
/// a file sent beside it waits for that file ([`load_link_model`]).
async fn restore(app: AppState, sm: Smear, fragment: String) -> Result<String> {
    let (state, inline) = decode(&fragment)?;
    let device = app.device_for(Job::FastPath)?;
    // The model first: a link whose model cannot be had changes nothing on the page.
    let (model, pinned, note) = match &state.model {
        ModelRef::None => (None, None, ""),
        ModelRef::Inline { .. } => {
            let bytes = inline.ok_or_else(|| Error::invalid("link", "its model is missing"))?;
            (
                Some(load_smearing(&bytes, "the link's model", &device)?),
                None,
                "",
            )
        }
        ModelRef::Half { .. } => {
            let bytes = inline.ok_or_else(|| Error::invalid("link", "its model is missing"))?;
            let file = from_half(&bytes, "the link's model")?;
            (
                Some(load_smearing(&file, "the link's model", &device)?),
                None,
                " (weights carried in float16: the numbers agree with the sender's within the stated tolerance, not bit for bit)",
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
                "",
            )
        }
        ModelRef::File { name, sha256 } => {
            let msg = format!(
                "this link's model is the file {name} (SHA-256 {}…), sent with the link: load it above to reproduce the result",
                &sha256[..12.min(sha256.len())]
            );
            sm.pending_link.set(Some(state.clone()));
            return Ok(msg);
        }
    };
    apply(app, sm, &state, model, pinned)
        .await
        .map(|m| format!("{m}{note}"))
}

/// Loads the model file a link pins (refused unless its SHA-256 is the link's), then restores
/// the rest of the link's state.
pub async fn load_link_model(app: AppState, sm: Smear, file: web_sys::File) -> Result<String> {
    let state = sm
        .pending_link
        .get_untracked()
        .ok_or_else(|| Error::invalid("link", "no opened link waits for a model file"))?;
    let ModelRef::File { name, sha256 } = &state.model else {
        return Err(Error::invalid("link", "its model is not a separate file"));
    };
    let (got_name, bytes) = file_bytes(&file).await?;
    let got = sha256_hex(&bytes);
    if got != *sha256 {
        return Err(Error::invalid(
            "model file",
            format!(
                "{got_name} has SHA-256 {}…, not the {}… of {name} that the link pins; nothing was loaded",
                &got[..12],
                &sha256[..12.min(sha256.len())]
            ),
        ));
    }
    let model = load_smearing(&bytes, &got_name, &app.device_for(Job::FastPath)?)?;
    sm.pending_link.set(None);
    apply(app, sm, &state, Some(model), None)
        .await
        .map(|m| format!("{m}; the model is {got_name}, its SHA-256 checked"))
}

/// Puts a link's settings, data and model in place; regenerates its events and samples.
async fn apply(
    app: AppState,
    sm: Smear,
    state: &ShareState,
    model: Option<TrainedSmearing>,
    pinned: Option<(String, String)>,
) -> Result<String> {
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

/// A pre-trained model's manifest entry and file, its hash checked.
async fn pretrained_bytes(name: &str) -> Result<(ManifestEntry, Vec<u8>)> {
    let m = manifest().await?;
    let entry = m.find(name)?.clone();
    let bytes = entry_bytes(&entry).await?;
    Ok((entry, bytes))
}

/// Loads a pre-trained model, generates events from its recipe (at most [`SHOW_EVENTS`]),
/// samples and plots at once.
async fn load_pretrained(app: AppState, sm: Smear, name: String) -> Result<String> {
    let device = app.device_for(Job::FastPath)?;
    let (entry, bytes) = pretrained_bytes(&name).await?;
    let recipe = entry.wjets_recipe()?;
    let model = load_smearing(&bytes, &entry.file, &device)?;
    let events = recipe.events.min(SHOW_EVENTS);
    sm.events.set(events.to_string());
    sm.seed.set(recipe.seed.to_string());
    sm.data.with(|d| d.detector = recipe.detector.clone());
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
            <h3>"Pre-trained models"</h3>
            <p>"Models trained on the command line (the exact commands are in models/manifest.json; scripts/retrain-models repeats them bit for bit). Loading a smearing network generates 20,000 events of its recipe and samples them at once: a result in seconds, for a class with no time to train. The jet VAEs and the unfolding GANs load in their own tabs, with a button beside Train."</p>
            <p id="models-note">{move || note.get()}</p>
            <ul id="models-list">
                {move || entries.get().into_iter().map(|e| {
                    let name = e.name.clone();
                    let js = e.quantile_js.iter().map(|(c, j)| format!("{} {j:.1e}", c.trim_start_matches("reco_"))).collect::<Vec<_>>().join(", ");
                    let load = match e.kind {
                        ModelKind::Smearing => view! { <button class="load-model" disabled=move || !idle() on:click=move |_| { let n = name.clone(); app.run("loading a model", move || load_pretrained(app, sm, n)); }>{format!("Load {}", e.name)}</button> }.into_any(),
                        ModelKind::JetVae => view! { <b>{format!("{} (Jets tab)", e.name)}</b> }.into_any(),
                        ModelKind::NaiveGan | ModelKind::Fcgan => view! { <b>{format!("{} (Unfold tab)", e.name)}</b> }.into_any(),
                        ModelKind::VaeGan => view! { <b>{format!("{} (command line: fastsim sample --model {})", e.name, e.name)}</b> }.into_any(),
                    };
                    view! {
                        <li class="model-entry" data-name=e.name.clone()>
                            {load}
                            " " {e.description.clone()}
                            <br/><small hidden=e.kind != ModelKind::Smearing>{format!("quantile-JS (16 quantiles): {js}")}</small>
                            <br/><small hidden=e.paper.is_empty()>{format!("the paper: {}", e.paper)}</small>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <section id="links">
            <h3>"Links"</h3>
            <p>"Share (in the Smear tab, once a model has sampled) puts the lab's state in the address: the events' recipe (or the name and SHA-256 of your file), the training settings, the model and the sampling seed. The fragment after # never reaches a server. Opening the link regenerates the events and redraws the same numbers and plots. The model travels in one of four ways, tried in this order:"</p>
            <ul>
                <li>"inline, exactly (a 2 × 16 network fits);"</li>
                <li>"pinned: a pre-trained model of this site, by name and SHA-256;"</li>
                <li>{format!("inline in float16 (up to about 2 × 40): the same numbers to within {:.0} % of each feature's spread per event and {:.0e} in quantile-JS, measured on the paper's 4 × 100 network; the page says so when it opens one;", 100.0 * HALF_EVENT_TOLERANCE, HALF_JS_TOLERANCE)}</li>
                <li>"as a file sent with the link (the paper's 4 × 100 network): Share downloads it, the link pins its SHA-256, and whoever opens the link loads it; any other file is refused."</li>
            </ul>
            <p>"A link that was changed, cut, or made by another version is refused with its reason, and the page keeps what it had."</p>
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
        <p id="share-row" hidden=move || link.get().is_empty()>
            <label for="share-link">"Link: "</label><input id="share-link" type="text" readonly prop:value=move || link.get()/>
        </p>
    }
}

/// While an opened link waits for the model file it pins: the place to load it.
#[component]
pub fn LinkModelPrompt() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sm = expect_context::<Smear>();
    let wanted = move || match sm.pending_link.get().map(|s| s.model) {
        Some(ModelRef::File { name, sha256 }) => Some((name, sha256)),
        _ => None,
    };
    view! {
        <section id="link-model" hidden=move || wanted().is_none()>
            <h3>"This link's model"</h3>
            <p>{move || wanted().map(|(name, sha)| format!("The link pins the model file {name} (SHA-256 {}…), which its sender sent with it. Load that file: any other is refused.", &sha[..12.min(sha.len())]))}</p>
            <label for="link-model-file">"model file: "</label>
            <input id="link-model-file" type="file" accept=".fastsim" disabled=move || !app.idle() on:change=move |ev| {
                let input: web_sys::HtmlInputElement = event_target(&ev);
                if let Some(f) = input.files().and_then(|f| f.get(0)) {
                    app.run("opening the link", move || load_link_model(app, sm, f));
                }
                input.set_value("");
            }/>
        </section>
    }
}
