//! Which device the networks run on. Burn 0.22 picks the backend at run time through the
//! `Device`: flex (pure-Rust CPU, everywhere) or wgpu (WebGPU in the browser; Vulkan/Metal
//! natively). The wgpu runtime is initialised once, before any tensor touches it.

mod choice;

pub use choice::{choose, GpuAdapter, Job};

use crate::error::{Error, Result};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Cpu,
    Wgpu,
}

impl BackendKind {
    /// The kind of `device`.
    pub fn of(device: &Device) -> Self {
        if is_cpu(device) {
            BackendKind::Cpu
        } else {
            BackendKind::Wgpu
        }
    }

    /// What the page's badge and the command line's messages call it.
    pub fn label(self) -> &'static str {
        match self {
            BackendKind::Cpu => "CPU (flex)",
            BackendKind::Wgpu => "wgpu",
        }
    }
}

/// The pure-Rust CPU device.
pub fn cpu() -> Device {
    Device::flex()
}

/// True for the pure-Rust CPU device, where the fast path (`model::fast`) runs the networks
/// it covers.
pub fn is_cpu(device: &Device) -> bool {
    *device == Device::flex()
}

/// True when this build carries the wgpu backend (the `webgpu` feature).
pub const HAS_WGPU: bool = cfg!(feature = "webgpu");

/// Why a build without the `webgpu` feature has no wgpu device.
#[cfg(not(feature = "webgpu"))]
fn no_wgpu() -> Error {
    Error::Backend(
        "this build has no wgpu backend (built without the `webgpu` feature; the page's WebGPU version is gpu.html)"
            .into(),
    )
}

/// Initialises wgpu asynchronously (the only way in a browser); an error when no adapter
/// exists, so the caller can fall back to the CPU.
pub async fn wgpu_async() -> Result<Device> {
    #[cfg(feature = "webgpu")]
    return Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| Error::Backend(format!("no WebGPU/wgpu adapter: {e}")));
    #[cfg(not(feature = "webgpu"))]
    Err(no_wgpu())
}

/// A device of the asked kind, natively. wgpu is initialised at most once per process.
#[cfg(not(target_arch = "wasm32"))]
pub fn device(kind: BackendKind) -> Result<Device> {
    match kind {
        BackendKind::Cpu => Ok(cpu()),
        #[cfg(not(feature = "webgpu"))]
        BackendKind::Wgpu => Err(no_wgpu()),
        #[cfg(feature = "webgpu")]
        BackendKind::Wgpu => {
            use std::sync::OnceLock;
            static WGPU: OnceLock<std::result::Result<Device, String>> = OnceLock::new();
            WGPU.get_or_init(|| {
                // A panic inside an adapter probe must not take the process down.
                std::panic::catch_unwind(|| Device::wgpu_options().init())
                    .map_err(|_| "the wgpu runtime panicked while starting".to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()))
            })
            .clone()
            .map_err(|e| Error::Backend(format!("no wgpu adapter: {e}")))
        }
    }
}
