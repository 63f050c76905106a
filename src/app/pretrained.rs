//! A tab's pre-trained models (`models/manifest.json`): a choice among the entries of the
//! tab's kinds and one button, with each entry's recorded figures beside what its paper
//! reports. The tab loads what is chosen; its own tables then show the figures it measures.

use super::files::fetch_bytes;
use super::state::AppState;
use crate::plot::axis_label;
use crate::store::{Choice, Manifest, ManifestEntry, ModelKind};
use crate::Result;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The manifest of the served `models/`.
pub async fn manifest() -> Result<Manifest> {
    let bytes = fetch_bytes("models/manifest.json").await?;
    Manifest::from_json(&String::from_utf8_lossy(&bytes), "models/manifest.json")
}

/// A manifest entry's file from the served `models/`, its hash checked.
pub async fn entry_bytes(entry: &ManifestEntry) -> Result<Vec<u8>> {
    let bytes = fetch_bytes(&format!("models/{}", entry.file)).await?;
    Manifest::verify(entry, &bytes)?;
    Ok(bytes)
}

/// The picker: `on_load` gets the chosen entries (their files are the tab's to fetch).
#[component]
pub fn Pretrained(
    kinds: &'static [ModelKind],
    id: &'static str,
    on_load: impl Fn(Vec<ManifestEntry>) + Copy + 'static,
) -> impl IntoView {
    let app = expect_context::<AppState>();
    let options = RwSignal::new(Vec::<Choice>::new());
    let chosen = RwSignal::new(0usize);
    let note = RwSignal::new(String::new());
    spawn_local(async move {
        match manifest().await {
            Ok(m) => options.set(m.choices(kinds)),
            Err(e) => note.set(format!("no pre-trained models: {e}")),
        }
    });
    let current = move || options.with(|o| o.get(chosen.get()).cloned());
    view! {
        <div class="row pretrained" id=id>
            <label>"pre-trained " <select on:change=move |e| chosen.set(event_target_value(&e).parse().unwrap_or(0))
                prop:value=move || chosen.get().to_string()>
                {move || options.get().into_iter().enumerate().map(|(i, c)| view! { <option value=i.to_string()>{c.label}</option> }).collect_view()}
            </select></label>
            <button class="load-pretrained" disabled=move || !app.idle() || options.with(|o| o.is_empty())
                on:click=move |_| if let Some(c) = current() { on_load(c.entries) }>"Load pre-trained"</button>
            <small>{move || note.get()}</small>
        </div>
        <details class="pretrained-figures" hidden=move || current().is_none()>
            <summary>"its figures (models/manifest.json) beside the paper's"</summary>
            {move || current().map(|c| c.entries.into_iter().map(|e| view! {
                <p><b>{e.name.clone()}</b>": " {e.description.clone()}</p>
                <p hidden=e.paper.is_empty()><i>"The paper: "</i>{e.paper.clone()}</p>
                <p><code>{e.command.clone()}</code></p>
                {figure_table(&e)}
            }).collect_view())}
        </details>
    }
}

/// An entry's quantile-JS figures: a row per observable, a column per test.
fn figure_table(e: &ManifestEntry) -> impl IntoView {
    let t = e.figure_table();
    // A jet VAE's rows are jet features ("pt"), labelled as the Jets tab labels them.
    let label = |name: &str| match e.kind {
        ModelKind::JetVae => axis_label(&format!("jet_{name}")),
        _ => axis_label(name),
    };
    view! {
        <div class="scroll"><table class="numbers pretrained-js">
            <tr><th>"quantile-JS"</th>{t.columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr>
            {t.rows.into_iter().map(|(name, cells)| view! {
                <tr><td>{label(&name)}</td>{cells.into_iter().map(|v| view! { <td>{v.map(|v| format!("{v:.2e}")).unwrap_or_default()}</td> }).collect_view()}</tr>
            }).collect_view()}
        </table></div>
    }
}
