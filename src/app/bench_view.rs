//! The page's benchmark (Models tab; `?bench=1` starts it on load): the smearing network's
//! seconds per training epoch and events per second on the CPU (the fast path, wasm SIMD128)
//! and on WebGPU, measured by the same workflow code as `fastsim bench`, in the page's worker
//! where its jobs run.

use super::jobs;
use super::state::AppState;
use super::tabs::query_param;
use crate::backend::{self, BackendKind};
use crate::numfmt::thousands;
use crate::workflow::bench::SmearingSpeed;
use crate::Result;
use leptos::prelude::*;

/// One measured backend: its name, the events it trained on, and the figures.
#[derive(Clone, PartialEq)]
struct Measured {
    backend: &'static str,
    train_events: usize,
    speed: SmearingSpeed,
}

/// CPU: the native bench's table (20,000 events, 70 % training) for the ratio to native.
const CPU_TRAIN: usize = 20_000;
/// WebGPU: fewer events, since a software adapter takes about a second per step.
const GPU_TRAIN: usize = 2_000;
const SAMPLE: usize = 20_000;

async fn measure(app: AppState, rows: RwSignal<Vec<Measured>>) -> Result<String> {
    rows.set(Vec::new());
    let mut plan = vec![("CPU", backend::cpu(), CPU_TRAIN, 2)];
    if app.backend.get_untracked() == Some(BackendKind::Wgpu) {
        plan.push(("WebGPU", app.device()?, GPU_TRAIN, 1));
    }
    for (name, device, train_events, runs) in plan {
        app.next_step(if name == "CPU" {
            "benchmark: CPU"
        } else {
            "benchmark: WebGPU"
        })?;
        let speed = jobs::smearing_speed(app, &device, (train_events, SAMPLE), runs).await?;
        rows.update(|r| {
            r.push(Measured {
                backend: name,
                train_events,
                speed,
            })
        });
    }
    Ok("benchmark done: the figures are in the Models tab".into())
}

#[component]
pub fn BenchSection() -> impl IntoView {
    let app = expect_context::<AppState>();
    let rows = RwSignal::new(Vec::<Measured>::new());
    let idle = move || app.idle();
    // `?bench=1`: start once the backend is ready.
    let auto = query_param("bench").is_some();
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        if auto && idle() && !started.get_value() {
            started.set_value(true);
            app.run("benchmark", move || measure(app, rows));
        }
    });
    view! {
        <section id="bench">
            <h3>"Speed of this browser"</h3>
            <p>"Trains the smearing network of seed 000 (2 × 4 × 100) for one epoch (batch 128, 70 % of the events training, the rest validated) and samples 20,000 events, on the CPU and, if the page runs on WebGPU, on the GPU. The same measurement as the command line's "<code>"fastsim bench"</code>", whose figures on this machine the test prints beside these."</p>
            <button id="run-bench" disabled=move || !idle() on:click=move |_| app.run("benchmark", move || measure(app, rows))>"Measure speed"</button>
            <table id="bench-table" class="numbers" hidden=move || rows.get().is_empty() data-done=move || (!rows.get().is_empty() && app.busy.get().is_none()).then_some("1")>
                <tr><th>"backend"</th><th>"training events"</th><th>"s / epoch"</th><th>"events / s sampled"</th></tr>
                {move || rows.get().into_iter().map(|m| view! {
                    <tr class="bench-row" data-backend=m.backend data-epoch-s=m.speed.epoch_s.to_string() data-rate=m.speed.events_per_s.to_string() data-train-events=m.train_events.to_string()>
                        <td>{m.backend}</td>
                        <td>{thousands(m.train_events)}</td>
                        <td>{format!("{:.3}", m.speed.epoch_s)}</td>
                        <td>{thousands(m.speed.events_per_s.round() as usize)}</td>
                    </tr>
                }).collect_view()}
            </table>
        </section>
    }
}
