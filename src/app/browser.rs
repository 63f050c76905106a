//! Small bridges to the browser: yielding to the event loop, the clock.

use wasm_bindgen::JsCast;

/// Lets the browser paint and handle input: resolves on the next macrotask (setTimeout 0).
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(w) = web_sys::window() {
            let f: &js_sys::Function = resolve.unchecked_ref();
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Milliseconds since the page loaded.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Whether the tab is in the background, where browsers throttle timers (and so our steps).
pub fn tab_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}
