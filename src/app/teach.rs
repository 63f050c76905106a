//! Teaching mode: short explanations beside each control and plot — what it does, what to look
//! for, the paper and equation — shown when the header's "Teaching mode" is on (`?teach=1`).

use super::state::AppState;
use leptos::prelude::*;

/// An explanation, shown only in teaching mode.
#[component]
pub fn Explain(children: Children) -> impl IntoView {
    let app = expect_context::<AppState>();
    view! {
        <aside class="explain" hidden=move || !app.teach.get()>{children()}</aside>
    }
}
