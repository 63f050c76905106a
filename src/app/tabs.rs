//! The lab's tabs, one per task, and the address bar: the open tab is the URL's `?tab=` (kept
//! beside `?backend=` and a link's `#s1.…` fragment), so a shared link opens on its tab and the
//! browser's Back and Forward move between tabs. Teaching mode is `?teach=1`.

use super::state::AppState;
pub use super::tab::Tab;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// A query parameter of the page's URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// The tab the address bar names (the landing when none, or an unknown one).
pub fn tab_in_url() -> Tab {
    query_param("tab")
        .and_then(|s| Tab::from_slug(&s))
        .unwrap_or_default()
}

/// The page's URL with `?name=value` set (or removed, for `None`), other parameters and the
/// fragment kept.
fn url_with(name: &str, value: Option<&str>) -> Option<String> {
    let loc = web_sys::window()?.location();
    let params = web_sys::UrlSearchParams::new_with_str(&loc.search().ok()?).ok()?;
    match value {
        Some(v) => params.set(name, v),
        None => params.delete(name),
    }
    let query: String = params.to_string().into();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    Some(format!(
        "{}{query}{}",
        loc.pathname().ok()?,
        loc.hash().ok()?
    ))
}

/// Opens `tab`, recording it in the history (so Back returns to the previous tab).
pub fn open_tab(app: AppState, tab: Tab) {
    if app.tab.get_untracked() == tab {
        return;
    }
    app.tab.set(tab);
    if let (Some(url), Some(history)) = (
        url_with("tab", Some(tab.slug())),
        web_sys::window().and_then(|w| w.history().ok()),
    ) {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    // The new tab's heading takes the focus, so keyboard and screen-reader users land in it.
    if let Some(h) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("{}-title", tab.slug())))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = h.focus();
    }
}

/// Records teaching mode in the URL without a history entry.
pub fn set_teach_in_url(on: bool) {
    if let (Some(url), Some(history)) = (
        url_with("teach", on.then_some("1")),
        web_sys::window().and_then(|w| w.history().ok()),
    ) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Follows the browser's Back and Forward: the tab becomes the one the URL names.
pub fn follow_history(app: AppState) {
    let on_pop = Closure::<dyn Fn()>::new(move || app.tab.set(tab_in_url()));
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    on_pop.forget();
}

/// The navigation: one button per tab, the open one marked for assistive technology.
#[component]
pub fn TabBar() -> impl IntoView {
    let app = expect_context::<AppState>();
    view! {
        <nav id="tabs" aria-label="Tasks of the lab">
            {Tab::ALL.into_iter().map(|t| view! {
                <a id=format!("tab-{}", t.slug()) class="tab" href=format!("?tab={}", t.slug())
                    aria-current=move || (app.tab.get() == t).then_some("page")
                    on:click=move |ev| { ev.prevent_default(); open_tab(app, t); }>
                    {t.label()}
                    {move || (app.busy.get().is_some() && app.job_tab.get() == t).then_some(view! { <span class="dot" title="a task runs here">" ●"</span> })}
                </a>
            }).collect_view()}
        </nav>
    }
}

/// A tab's panel: always in the page (its state and drawn plots survive switching), shown only
/// when open. Its heading (`<slug>-title`) takes the focus when the tab is opened.
#[component]
pub fn TabPanel(tab: Tab, title: &'static str, children: Children) -> impl IntoView {
    let app = expect_context::<AppState>();
    view! {
        <div id=format!("panel-{}", tab.slug()) class="panel" role="region" aria-labelledby=format!("{}-title", tab.slug())
            hidden=move || app.tab.get() != tab>
            <h2 id=format!("{}-title", tab.slug()) class="panel-title" tabindex="-1">{title}</h2>
            <JobLine tab=tab/>
            {children()}
        </div>
    }
}

/// The tab's own job: its progress and status while it runs, its last message or error after;
/// while another tab's task runs, which tab that is.
#[component]
pub fn JobLine(tab: Tab) -> impl IntoView {
    let app = expect_context::<AppState>();
    let mine = move || app.job_tab.get() == tab;
    view! {
        <div class="jobline" id=format!("job-{}", tab.slug()) role="status" aria-live="polite">
            {move || match (app.busy.get(), mine()) {
                (Some(what), true) => view! {
                    <progress max="1" value=move || app.progress.get() aria-label="progress"></progress>
                    <strong>{what}"…"</strong>
                    <button class="secondary" on:click=move |_| app.cancel.set(true)>"Cancel"</button>
                }.into_any(),
                (Some(what), false) => view! {
                    <span class="muted">{format!("busy: {what} on the {} tab", app.job_tab.get().label())}</span>
                }.into_any(),
                (None, true) => view! {
                    <span class="job-status">{app.status.get()}</span>
                    <span class="error">{app.error.get().unwrap_or_default()}</span>
                }.into_any(),
                (None, false) => ().into_any(),
            }}
        </div>
    }
}
