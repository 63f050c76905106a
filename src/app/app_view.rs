//! The page's root: it makes the app-wide state and the smearing lab's, provides them through
//! context, starts the backend, and lays out the header, the tabs (one per task, the open one
//! in the URL) and the activity bar.
//! Sections never import this file, so the page's modules form no cycle.

use super::bench_view::BenchSection;
use super::browser::{gpu_adapter, has_webgpu, open_sibling};
use super::detector_view::DetectorSection;
use super::evaluate_view::EvaluateSection;
use super::jets_view::JetsSection;
use super::share_view::{
    open_link_on_start, LinkModelPrompt, ModelsSection, ShareButton, ShareLink, ShareRow,
};
use super::showers_view::ShowersSection;
use super::smear_view::{run_all, GenerateBlock, Smear, SmearSection};
use super::state::AppState;
use super::tabs::{
    follow_history, open_tab, query_param, set_teach_in_url, tab_in_url, Tab, TabBar, TabPanel,
};
use super::teach::Explain;
use super::unfold_view::UnfoldSection;
use super::upload::UploadSection;
use crate::backend::{self, BackendKind};
use crate::numfmt::thousands;
use crate::workflow::smearing;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Finds the backend: on the WebGPU page (gpu.html), WebGPU when the browser has an adapter
/// (unless the link says `?backend=cpu`), else the CPU; the first-load page has the CPU only.
/// With WebGPU each job still runs where it is faster (`backend::choose`) unless the link says
/// `?backend=webgpu`. Then opens the link in the address bar, if any.
async fn init_backend(app: AppState, sm: Smear) {
    let force_cpu = query_param("backend").is_some_and(|b| b == "cpu");
    let (kind, device, note) = if !backend::HAS_WGPU {
        (
            BackendKind::Cpu,
            backend::cpu(),
            "CPU: this page leaves WebGPU out to load fast; \"Use WebGPU\" opens the page that has it".to_string(),
        )
    } else if force_cpu {
        (
            BackendKind::Cpu,
            backend::cpu(),
            "CPU chosen by the link (?backend=cpu)".to_string(),
        )
    } else {
        match backend::wgpu_async().await {
            Ok(d) => {
                // Unknown adapter details count as hardware: WebGPU for what pays there.
                let adapter = gpu_adapter()
                    .await
                    .unwrap_or_else(|| backend::GpuAdapter::new("", "", "", false));
                let forced = query_param("backend")
                    .is_some_and(|b| b == "webgpu")
                    .then_some(BackendKind::Wgpu);
                let note = format!(
                    "WebGPU adapter found ({}{}); {}",
                    adapter.description,
                    if adapter.software { ", software" } else { "" },
                    if forced.is_some() {
                        "every job runs on it (?backend=webgpu)"
                    } else {
                        "each job runs where it is faster and says where"
                    }
                );
                app.set_adapter(adapter, forced);
                (BackendKind::Wgpu, d, note)
            }
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

/// The Smear tab: data (built-in or a file), then training, then samples and their comparison.
#[component]
pub fn SmearTab(children: Children) -> impl IntoView {
    view! {
        <p class="lead">"Chen et al. (2020), seed 000: a network learns a detector's response from paired events — each event's generator-level (gen) features in, its detector-level (reco) features out — and then smears new events in place of the detector."</p>
        <LinkModelPrompt/>
        <section id="smear-data">
            <h3>"1 · Data"</h3>
            <Explain>"Each built-in event is a W boson decaying to a muon and a neutrino, with a jet. " <b>"gen"</b> " is what the generator made; " <b>"reco"</b> " is what the detector measured, smeared by the resolutions of the Delphes CMS card (see the Detector tab). The network will learn reco from gen. Try a few thousand events first: more events train a better network, but take longer."</Explain>
            <div class="cols">
                <GenerateBlock/>
                <UploadSection/>
            </div>
        </section>
        <SmearSection>{children()}</SmearSection>
    }
}

/// The landing: what the lab does, one picture, the demo, and which tab answers which question.
#[component]
fn Landing() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sm = expect_context::<Smear>();
    view! {
        <div class="landing">
            <div class="landing-text">
                <p class="lead">"A particle detector blurs every particle it measures. This lab trains small neural networks, here in your browser, to learn that blur from pairs of simulated events — and to undo it. You can check every result against the detector it imitates, and share it as a link that reproduces it."</p>
                <p><button id="run-all" class="big" disabled=move || !app.idle() on:click=move |_| {
                    open_tab(app, Tab::Smear);
                    app.run("running", move || run_all(app, sm));
                }>"Run the demo"</button>
                {format!(" generates {} W+jet events, trains the smearing network for {} epochs and compares it with the detector, in the Smear tab.", thousands(smearing::PAGE_EVENTS), smearing::PAGE_EPOCHS)}</p>
            </div>
            <img class="landing-picture" src="landing.svg" width="520" height="200"
                alt="Generator-level events go into the detector and, separately, into the neural network; the network's reco distribution lies on the detector's."/>
        </div>
        <h3>"Where to start"</h3>
        <ul class="guide">
            {Tab::ALL[1..].iter().map(|&t| view! {
                <li><a href=format!("?tab={}", t.slug()) on:click=move |ev| { ev.prevent_default(); open_tab(app, t); }>{t.label()}</a>
                    " — " {t.question()}</li>
            }).collect_view()}
        </ul>
        <p class="note">"Turn on Teaching mode (top right) to see, beside each control, what it does, what to look for in each plot, and the paper and equation behind it."</p>
    }
}

/// The other page: the first load (CPU only, small) offers the WebGPU page where the browser
/// has WebGPU; the WebGPU page offers the CPU one. Each opens in a new tab, so nothing here is
/// lost; the query and fragment (tab, teaching mode, a shared link) go along.
#[component]
fn BackendSwitch() -> impl IntoView {
    let (page, label, title) = if backend::HAS_WGPU {
        (
            "./",
            "CPU page",
            "the page without WebGPU: a third of the download",
        )
    } else {
        (
            "gpu.html",
            "Use WebGPU",
            "opens the page with the WebGPU backend (about 5 MB more to load) in a new tab",
        )
    };
    (backend::HAS_WGPU || has_webgpu()).then(|| {
        view! {
            <button id="switch-backend" class="secondary small" title=title
                on:click=move |_| open_sibling(page)>{label}</button>
        }
    })
}

#[component]
pub fn App() -> impl IntoView {
    let app = AppState::new();
    let sm = Smear::new();
    provide_context(app);
    provide_context(sm);
    provide_context(ShareLink(RwSignal::new(String::new())));
    app.tab.set(tab_in_url());
    app.teach
        .set(query_param("teach").is_some_and(|v| v == "1"));
    follow_history(app);
    spawn_local(init_backend(app, sm));
    let badge = move || match app.backend.get() {
        Some(BackendKind::Wgpu) => "WebGPU",
        Some(BackendKind::Cpu) => "CPU",
        None => "starting…",
    };
    view! {
        <a class="skip" href="#main">"Skip to the lab"</a>
        <header>
            <h1><a href="?tab=home" on:click=move |ev| { ev.prevent_default(); open_tab(app, Tab::Home); }>"fastsim-lab"</a></h1>
            <p class="tagline">"Learn a detector's response with a neural network, in your browser."</p>
            <label class="teach-toggle"><input id="teach" type="checkbox" prop:checked=move || app.teach.get()
                on:change=move |ev| { let on = event_target_checked(&ev); app.teach.set(on); set_teach_in_url(on); }/>" Teaching mode"</label>
            <span id="backend-badge" class="badge" title=move || app.backend_note.get()>{badge}</span>
            <BackendSwitch/>
        </header>
        <TabBar/>
        <main id="main">
            <TabPanel tab=Tab::Home title="A detector's response, learned in your browser"><Landing/></TabPanel>
            <TabPanel tab=Tab::Smear title="Smear: the detector's response, event by event"><SmearTab><ShareButton/></SmearTab><ShareRow/></TabPanel>
            <TabPanel tab=Tab::Jets title="Jets: the particle-based VAE"><JetsSection/></TabPanel>
            <TabPanel tab=Tab::Unfold title="Unfold: back to partons"><UnfoldSection/></TabPanel>
            <TabPanel tab=Tab::Showers title="Showers: calorimeter images"><ShowersSection/></TabPanel>
            <TabPanel tab=Tab::Evaluate title="Evaluate: what is a generated sample worth?"><EvaluateSection/></TabPanel>
            <TabPanel tab=Tab::Detector title="Detector: what if it were different?"><DetectorSection/></TabPanel>
            <TabPanel tab=Tab::Models title="Models and links"><ModelsSection/><BenchSection/></TabPanel>
        </main>
        <footer id="activity" aria-label="the running task">
            <progress id="progress" max="1" value=move || app.progress.get() aria-label="progress of the running task"></progress>
            <span id="busy">{move || match app.busy.get() {
                Some(what) => format!("{}: {what}", app.job_tab.get().label()),
                None => "ready".into(),
            }}</span>
            <button id="cancel" class="secondary" disabled=move || app.busy.get().is_none() on:click=move |_| app.cancel.set(true)>"Cancel"</button>
            <span id="status">{move || app.status.get()}</span>
            <span id="error" class="error" role="alert">{move || app.error.get().unwrap_or_default()}</span>
        </footer>
    }
}
