//! The page (wasm only): Leptos components over the library's workflows. App-wide state
//! (backend, the running task, its progress and error, the drawn plots) and the smearing lab's
//! state are provided through context; each other section owns its state. Components render
//! and dispatch; what is trained, tested and drawn is the library's.
//!
//! Module graph (no cycles): `app_view` (root) → sections (`smear_view`, `upload`,
//! `evaluate_view`, `detector_view`, `share_view`, `bench_view`, `jets_view`, `unfold_view`) → `pretrained` → `tabs`,
//! `teach`, `plots`, `state`, `tab`, `canvas`, `files`, `browser`.

mod app_view;
mod bench_view;
mod browser;
mod canvas;
mod detector_view;
mod evaluate_view;
mod files;
mod jets_view;
mod plots;
mod pretrained;
mod root_file;
mod share_view;
mod smear_view;
mod state;
mod tab;
mod tabs;
mod teach;
mod unfold_view;
mod upload;

/// Entry point of the page's binary.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app_view::App);
}
