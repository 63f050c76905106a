//! The page (wasm only): Leptos components over the library. It holds display state in
//! signals and the heavy state (device, events, model) in `session`; every computation is the
//! core's, run in steps that yield to the browser.

mod browser;
mod canvas;
mod detector_view;
mod evaluate_view;
mod files;
mod jets_view;
mod plots;
mod session;
mod share_view;
mod unfold_view;
mod upload;
mod view;

/// Entry point of the page's binary.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(view::App);
}
