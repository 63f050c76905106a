//! The page's benchmark (Models tab; `?bench=1` starts it on load): the smearing network's
//! seconds per training epoch and events per second on the CPU (the fast path, wasm SIMD128)
//! and on WebGPU, measured by the same workflow code as `fastsim bench`, in the page's worker
//! where its jobs run.

use super::browser::{now_ms, yield_now};
use super::state::{AppState, SLICE_MS};
use super::tabs::query_param;
use super::worker::{self, Request};
use crate::backend::{self, BackendKind};
use crate::model::EpochReport;
use crate::numfmt::thousands;
use crate::train::Engine;
use crate::workflow::bench::{smearing_speed, BenchData, SmearingSpeed};
use crate::{Error, Result};
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
    // The events, made here only if a backend is measured on the page's thread.
    let mut data: Option<BenchData> = None;
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
        // Measured where the page's jobs run: in its worker.
        if let Some(remote) = worker::for_device(&device).await {
            let request = Request::Bench {
                train_events,
                sample_events: SAMPLE,
                runs,
            };
            let out = remote
                .run(app, request, Vec::new(), (0.0, 1.0), |_: EpochReport| {})
                .await?;
            let [epoch_s, events_per_s] = out.numbers[..] else {
                return Err(Error::Backend(
                    "the worker's benchmark answered no figures".into(),
                ));
            };
            rows.update(|r| {
                r.push(Measured {
                    backend: name,
                    train_events,
                    speed: SmearingSpeed {
                        epoch_s,
                        events_per_s,
                    },
                })
            });
            continue;
        }
        if data.is_none() {
            data = Some(BenchData::new(CPU_TRAIN, SAMPLE)?);
        }
        let all = data.as_ref().expect("made above");
        let data = BenchData {
            train: all.train.slice_rows(0, train_events),
            sample: all.sample.clone(),
            cols: all.cols.clone(),
        };
        let mut t0 = now_ms();
        let speed = smearing_speed(
            &data,
            &device,
            Engine::Auto,
            runs,
            || now_ms() / 1e3,
            async || {
                if now_ms() - t0 >= SLICE_MS {
                    yield_now().await;
                    t0 = now_ms();
                }
                !app.cancel.get_untracked()
            },
        )
        .await?;
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
