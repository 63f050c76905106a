//! The page (wasm only): Leptos components over the library's workflows. App-wide state
//! (backend, the running task, its progress and error, the drawn plots) and the smearing lab's
//! state are provided through context; each other section owns its state. Components render
//! and dispatch; what is trained, tested and drawn is the library's.
//!
//! Module graph (no cycles): `app_view` (root) → sections (`smear_view`, `upload`,
//! `evaluate_view`, `detector_view`, `share_view`, `bench_view`, `jets_view`, `unfold_view`, `showers_view`) → `pretrained` → `tabs`,
//! `teach`, `plots`, `jobs` → `worker`, `state`, `tab`, `canvas`, `files`, `browser`; `worker_jobs` (the
//! worker's side) → `worker`, `browser`.

mod app_view;
mod bench_view;
mod browser;
mod canvas;
mod detector_view;
mod evaluate_view;
mod files;
mod jets_view;
mod jobs;
mod plots;
mod pretrained;
mod root_file;
mod share_view;
mod showers_view;
mod smear_view;
mod state;
mod tab;
mod tabs;
mod teach;
mod unfold_view;
mod upload;
mod worker;
mod worker_jobs;

/// Entry point of the page's binary: the page in a window; in the page's worker (no window),
/// the jobs the page sends it.
pub fn start() {
    console_error_panic_hook::set_once();
    if web_sys::window().is_none() {
        worker_jobs::serve();
        return;
    }
    leptos::mount::mount_to_body(app_view::App);
}
