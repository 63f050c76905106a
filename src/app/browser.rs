//! Small bridges to the browser: yielding to the event loop, the clock, work in slices.

use crate::train::Engine;
use crate::workflow::bench::{self, BenchData, SmearingSpeed};
use crate::Result;
use burn::prelude::Device;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Lets the browser paint and handle input, then resumes as soon as it may: through a
/// `MessageChannel` message. `setTimeout(0)` is the fallback: browsers clamp it to 4 ms once
/// nested, a sixth of each slice of work (`state::SLICE_MS`). Not `scheduler.yield()`: its
/// continuations outrank rendering in Chromium, so a training run froze the page's paint (and
/// the browser test's clicks, which wait for a frame).
pub async fn yield_now() {
    let promise = message_tick().unwrap_or_else(timeout_tick);
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// `globalThis.name`, when it is an object.
fn global(name: &str) -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .filter(|v| v.is_object() || v.is_function())
}

/// `target.name` as a function.
fn method(target: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(target, &JsValue::from_str(name))
        .ok()?
        .dyn_into()
        .ok()
}

fn message_tick() -> Option<Promise> {
    let ctor: Function = global("MessageChannel")?.dyn_into().ok()?;
    let channel = Reflect::construct(&ctor, &js_sys::Array::new()).ok()?;
    let port1 = Reflect::get(&channel, &JsValue::from_str("port1")).ok()?;
    let port2 = Reflect::get(&channel, &JsValue::from_str("port2")).ok()?;
    let post = method(&port2, "postMessage")?;
    Some(Promise::new(&mut |resolve, _reject| {
        let _ = Reflect::set(&port1, &JsValue::from_str("onmessage"), &resolve);
        let _ = post.call1(&port2, &JsValue::UNDEFINED);
    }))
}

fn timeout_tick() -> Promise {
    Promise::new(&mut |resolve, _reject| {
        if let Some(w) = web_sys::window() {
            let f: &Function = resolve.unchecked_ref();
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f, 0);
        }
    })
}

/// Milliseconds since the page (or the worker) started: `performance` of the global scope,
/// which a worker has as a window does.
pub fn now_ms() -> f64 {
    global("performance")
        .map(|p| p.unchecked_into::<web_sys::Performance>())
        .map_or(0.0, |p| p.now())
}

/// The clock of long work done in slices: [`Slices::due`] once `ms` have passed since the
/// last [`Slices::pause`], which yields to the event loop (paint, input, messages).
pub struct Slices {
    ms: f64,
    t0: f64,
}

impl Slices {
    pub fn new(ms: f64) -> Self {
        Self { ms, t0: now_ms() }
    }
    pub fn due(&self) -> bool {
        now_ms() - self.t0 >= self.ms
    }
    pub async fn pause(&mut self) {
        yield_now().await;
        self.t0 = now_ms();
    }
}

/// The smearing network's speed (`workflow::bench::smearing_speed`, the fast path) on
/// `device`, timed by the browser's clock in slices of `slice_ms`; `cancelled` is asked at
/// each pause. The page's benchmark, in its worker or on its thread.
pub async fn smearing_speed(
    data: &BenchData,
    device: &Device,
    runs: usize,
    slice_ms: f64,
    cancelled: impl Fn() -> bool,
) -> Result<SmearingSpeed> {
    let mut slices = Slices::new(slice_ms);
    bench::smearing_speed(
        data,
        device,
        Engine::Auto,
        runs,
        || now_ms() / 1e3,
        async || {
            if slices.due() {
                slices.pause().await;
            }
            !cancelled()
        },
    )
    .await
}

/// Whether the tab is in the background, where browsers throttle timers (and so our steps).
pub fn tab_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// The WebGPU adapter's vendor, architecture, description and fallback flag (the browser's
/// `GPUAdapterInfo`), which decide per job where the page computes; `None` without an adapter.
pub async fn gpu_adapter() -> Option<crate::backend::GpuAdapter> {
    let navigator = web_sys::window()?.navigator();
    let gpu = Reflect::get(&navigator, &JsValue::from_str("gpu"))
        .ok()
        .filter(|g| !g.is_undefined())?;
    let request: Function = Reflect::get(&gpu, &JsValue::from_str("requestAdapter"))
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = request.call0(&gpu).ok()?.dyn_into().ok()?;
    let adapter = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    if adapter.is_null() || adapter.is_undefined() {
        return None;
    }
    let get = |o: &JsValue, key: &str| Reflect::get(o, &JsValue::from_str(key)).ok();
    let text = |o: &JsValue, key: &str| get(o, key).and_then(|v| v.as_string()).unwrap_or_default();
    let flag = |o: &JsValue, key: &str| get(o, key).and_then(|v| v.as_bool()).unwrap_or(false);
    let info = get(&adapter, "info")
        .filter(|i| i.is_object())
        .unwrap_or(JsValue::NULL);
    Some(crate::backend::GpuAdapter::new(
        &text(&info, "vendor"),
        &text(&info, "architecture"),
        &text(&info, "description"),
        flag(&info, "isFallbackAdapter") || flag(&adapter, "isFallbackAdapter"),
    ))
}

/// Whether the browser offers WebGPU (`navigator.gpu`): an adapter may still be missing.
pub fn has_webgpu() -> bool {
    web_sys::window()
        .is_some_and(|w| Reflect::has(&w.navigator(), &JsValue::from_str("gpu")).unwrap_or(false))
}

/// Opens `page` (a file beside this one) in a new tab, with this page's query and fragment:
/// the open tab, teaching mode and a shared link's state go with it.
pub fn open_sibling(page: &str) {
    if let Some(w) = web_sys::window() {
        let loc = w.location();
        let url = format!(
            "{page}{}{}",
            loc.search().unwrap_or_default(),
            loc.hash().unwrap_or_default()
        );
        let _ = w.open_with_url_and_target(&url, "_blank");
    }
}
