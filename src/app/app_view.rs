//! The page's root: it makes the app-wide state and the smearing lab's, provides them through
//! context, starts the backend, and lays out the header, the sections and the activity bar.
//! Sections never import this file, so the page's modules form no cycle.

use super::detector_view::DetectorSection;
use super::evaluate_view::EvaluateSection;
use super::jets_view::JetsSection;
use super::share_view::{open_link_on_start, ModelsSection, ShareButton, ShareLink, ShareRow};
use super::smear_view::{run_all, GenerateSection, Smear, SmearSection};
use super::state::AppState;
use super::unfold_view::UnfoldSection;
use super::upload::UploadSection;
use crate::backend::{self, BackendKind};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Finds the backend: WebGPU when the browser has an adapter (unless the link says
/// `?backend=cpu`), else the CPU; then opens the link in the address bar, if any.
async fn init_backend(app: AppState, sm: Smear) {
    let force_cpu = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| q.contains("backend=cpu"));
    let (kind, device, note) = if force_cpu {
        (
            BackendKind::Cpu,
            backend::cpu(),
            "CPU chosen by the link (?backend=cpu)".to_string(),
        )
    } else {
        match backend::wgpu_async().await {
            Ok(d) => (BackendKind::Wgpu, d, "WebGPU adapter found".to_string()),
            Err(e) => (
                BackendKind::Cpu,
                backend::cpu(),
                format!("running on the CPU: {e}"),
            ),
        }
    };
    app.set_device(kind, device, note);
    open_link_on_start(app, sm);
}

#[component]
pub fn App() -> impl IntoView {
    let app = AppState::new();
    let sm = Smear::new();
    provide_context(app);
    provide_context(sm);
    provide_context(ShareLink(RwSignal::new(String::new())));
    spawn_local(init_backend(app, sm));
    let badge = move || match app.backend.get() {
        Some(BackendKind::Wgpu) => "WebGPU",
        Some(BackendKind::Cpu) => "CPU",
        None => "starting…",
    };
    view! {
        <header>
            <h1>"fastsim-lab"</h1>
            <p class="tagline">"Learn a detector's response with a neural network, in your browser."</p>
            <button id="run-all" disabled=move || !app.idle() on:click=move |_| app.run("running", move || run_all(app, sm))>"Run the whole demo"</button>
            <span id="backend-badge" class="badge" title=move || app.backend_note.get()>{badge}</span>
        </header>
        <main>
            <GenerateSection/>
            <UploadSection/>
            <SmearSection><ShareButton/></SmearSection>
            <ShareRow/>
            <EvaluateSection/>
            <JetsSection/>
            <UnfoldSection/>
            <ModelsSection/>
            <DetectorSection/>
        </main>
        <footer id="activity">
            <progress id="progress" max="1" value=move || app.progress.get()></progress>
            <span id="busy">{move || app.busy.get().unwrap_or("ready")}</span>
            <button id="cancel" disabled=move || app.busy.get().is_none() on:click=move |_| app.cancel.set(true)>"Cancel"</button>
            <span id="status">{move || app.status.get()}</span>
            <span id="error" class="error">{move || app.error.get().unwrap_or_default()}</span>
        </footer>
    }
}
