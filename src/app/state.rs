//! The page's app-wide state — backend, the one running task with its progress, status and
//! error, the drawn plots — shared through Leptos context, and [`Store`], where a section keeps
//! its heavy, non-reactive state (events, models) in the reactive owner instead of a
//! thread-local global. Sections get the app state with `expect_context::<AppState>()`.

use super::browser::{tab_hidden, Slices};
use super::tab::Tab;
use crate::backend::{self, BackendKind, GpuAdapter, Job};
use crate::plot::Figure;
use crate::workflow::{run_steps, Stepped};
use crate::{Error, Result};
use burn::prelude::Device;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Each step of long work runs this long (ms) before yielding to the browser: a browser counts
/// a task over 50 ms as long (input waits behind it), and a slice ends after its last step and
/// the redraw it triggers.
pub const SLICE_MS: f64 = 25.0;

/// Heavy state a section owns: kept in the reactive owner's arena, borrowed briefly (never
/// across an await).
pub struct Store<T: 'static>(StoredValue<T, LocalStorage>);

impl<T: 'static> Clone for Store<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: 'static> Copy for Store<T> {}

impl<T: 'static> Store<T> {
    pub fn new(value: T) -> Self {
        Self(StoredValue::new_local(value))
    }

    /// Runs `f` with the value borrowed. The value lives as long as the page's root owner,
    /// which is never disposed while the page runs.
    pub fn with<R>(self, f: impl FnOnce(&mut T) -> R) -> R {
        self.0
            .try_update_value(f)
            .expect("the page's state lives as long as the page")
    }
}

/// One drawn plot, kept so it can be exported as SVG by the same drawing code.
#[derive(Clone)]
pub struct PlotSpec {
    pub id: String,
    pub figure: Figure,
}

/// What every section shares.
#[derive(Clone, Copy)]
pub struct AppState {
    pub backend: RwSignal<Option<BackendKind>>,
    pub backend_note: RwSignal<String>,
    pub busy: RwSignal<Option<&'static str>>,
    pub cancel: RwSignal<bool>,
    pub progress: RwSignal<f64>,
    pub status: RwSignal<String>,
    pub error: RwSignal<Option<String>>,
    /// The open tab.
    pub tab: RwSignal<Tab>,
    /// The tab whose task runs, or ran last (its status and error belong to it).
    pub job_tab: RwSignal<Tab>,
    /// Teaching mode: explanations beside each control and plot.
    pub teach: RwSignal<bool>,
    device: Store<Option<Device>>,
    /// The WebGPU adapter of gpu.html, and the backend a link forces for every job.
    adapter: Store<Option<GpuAdapter>>,
    forced: Store<Option<BackendKind>>,
    /// Where the running (or last) job computes, and why there, for its status line.
    ran_on: Store<Option<(BackendKind, String)>>,
    pub plots: Store<Vec<PlotSpec>>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            backend: RwSignal::new(None),
            backend_note: RwSignal::new("starting…".into()),
            busy: RwSignal::new(None),
            cancel: RwSignal::new(false),
            progress: RwSignal::new(0.0),
            status: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            tab: RwSignal::new(Tab::Home),
            job_tab: RwSignal::new(Tab::Home),
            teach: RwSignal::new(false),
            device: Store::new(None),
            adapter: Store::new(None),
            forced: Store::new(None),
            ran_on: Store::new(None),
            plots: Store::new(Vec::new()),
        }
    }

    /// True when no task runs and the backend is ready.
    pub fn idle(self) -> bool {
        self.busy.get().is_none() && self.backend.get().is_some()
    }

    pub fn set_device(self, kind: BackendKind, device: Device, note: String) {
        self.device.with(|d| *d = Some(device));
        self.backend_note.set(note);
        self.backend.set(Some(kind));
    }

    /// On gpu.html with WebGPU: the adapter (per-job choices depend on it) and the backend a
    /// link forces (`?backend=webgpu`), if any.
    pub fn set_adapter(self, adapter: GpuAdapter, forced: Option<BackendKind>) {
        self.adapter.with(|a| *a = Some(adapter));
        self.forced.with(|f| *f = forced);
    }

    /// The page's device: WebGPU on gpu.html when there is an adapter, else the CPU. The
    /// benchmark measures on it; jobs ask [`AppState::device_for`].
    pub fn device(self) -> Result<Device> {
        self.device
            .with(|d| d.clone())
            .ok_or_else(|| Error::Backend("the backend is still starting".into()))
    }

    /// Records that the job computes on `device` (a model's, chosen when it was trained or
    /// loaded) for its status line.
    pub fn ran_on_device(self, device: &Device) {
        self.ran_on
            .with(|r| *r = Some((BackendKind::of(device), String::new())));
    }

    /// The device for a job (`backend::choose`): on gpu.html the CPU where it is faster. The
    /// job's status line says where it ran and why.
    pub fn device_for(self, job: Job) -> Result<Device> {
        let page = self.device()?;
        let adapter = self.adapter.with(|a| a.clone());
        let forced = self.forced.with(|f| *f);
        let (kind, why) = match self.backend.get_untracked() {
            Some(BackendKind::Wgpu) => backend::choose(job, adapter.as_ref(), forced),
            _ => (BackendKind::Cpu, String::new()),
        };
        self.ran_on.with(|r| *r = Some((kind, why)));
        Ok(match kind {
            BackendKind::Wgpu => page,
            BackendKind::Cpu => backend::cpu(),
        })
    }

    /// Shows an error (one line) of something done on the open tab, without stopping anything.
    pub fn fail(self, e: impl std::fmt::Display) {
        if self.busy.get_untracked().is_none() {
            self.job_tab.set(self.tab.get_untracked());
        }
        self.error.set(Some(e.to_string()));
    }

    /// Starts a long task unless one runs; its error, if any, is shown and nothing is lost.
    pub fn run<F>(self, name: &'static str, task: impl FnOnce() -> F + 'static)
    where
        F: std::future::Future<Output = Result<String>> + 'static,
    {
        if self.busy.get_untracked().is_some() {
            return;
        }
        self.job_tab.set(self.tab.get_untracked());
        self.busy.set(Some(name));
        self.cancel.set(false);
        self.error.set(None);
        self.progress.set(0.0);
        self.ran_on.with(|r| *r = None);
        spawn_local(async move {
            match task().await {
                // Each job says where it ran (the WebGPU page may run a job on the CPU) and,
                // where there was a choice, why there.
                Ok(msg) => {
                    let ran_on = self.ran_on.with(|r| r.clone());
                    // A job that runs no network (generating, reading files) runs on the CPU.
                    let (kind, why) = ran_on.unwrap_or((BackendKind::Cpu, String::new()));
                    let place = match kind {
                        BackendKind::Cpu => "the CPU",
                        BackendKind::Wgpu => "WebGPU",
                    };
                    self.status.set(if why.is_empty() {
                        format!("{msg} · ran on {place}")
                    } else {
                        format!("{msg} · ran on {place}: {why}")
                    })
                }
                Err(Error::Cancelled) => self.status.set(format!("{name}: cancelled")),
                Err(e) => self.error.set(Some(e.to_string())),
            }
            self.busy.set(None);
        });
    }

    /// Runs stepped work (`n` units a step) to its end in slices of [`SLICE_MS`], yielding to
    /// the browser between them, with progress from `p0` to `p1`; Cancel stops it (a training
    /// run keeps its best epoch so far).
    pub async fn steps(self, work: &mut impl Stepped, n: usize, p0: f64, p1: f64) -> Result<()> {
        let mut slices = Slices::new(SLICE_MS);
        run_steps(work, n, async |p| {
            if !slices.due() {
                return true;
            }
            self.progress.set(p0 + (p1 - p0) * p);
            if tab_hidden() {
                self.status.set("this tab is in the background: the browser slows the work down until it is visible again".into());
            }
            slices.pause().await;
            !self.cancel.get_untracked()
        })
        .await?;
        self.progress.set(p1);
        Ok(())
    }

    /// Stops with `Cancelled` if the user pressed Cancel.
    pub fn check_cancel(self) -> Result<()> {
        if self.cancel.get_untracked() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Between the steps of a chain of tasks: stop if cancelled, else name the next step.
    pub fn next_step(self, label: &'static str) -> Result<()> {
        self.check_cancel()?;
        self.busy.set(Some(label));
        self.progress.set(0.0);
        Ok(())
    }
}

/// A number typed in a field, or a message naming the field.
pub fn parse<T: std::str::FromStr>(what: &str, text: &str) -> Result<T> {
    text.trim()
        .parse()
        .map_err(|_| Error::invalid(what, format!("'{text}' is not a valid number")))
}
