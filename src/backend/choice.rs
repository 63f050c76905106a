//! Which device a job runs on when the page has both (gpu.html): per job, never slower than
//! the CPU would be where that is known. WebGPU pays for large batches and big networks; each
//! dispatch costs tens of µs, so a small network's training step (hundreds of dispatches at
//! batch 128–512) is slower there than on the CPU fast path, and a software adapter
//! (SwiftShader, llvmpipe) is slower than the CPU at everything (shared/reference: 1.5 s a
//! step against a few ms).

use super::BackendKind;

/// What a job computes, as far as choosing its device goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Networks small enough that the CPU fast path (`model::fast`) beats WebGPU's
    /// per-dispatch cost: the smearing pair, the unfolding GANs and the page's small jet VAE,
    /// training and sampling.
    FastPath,
    /// Networks with enough work per dispatch for a hardware GPU: the paper's jet VAE
    /// (convolutions 32/64/128, dense 640; about 64 MFLOP a jet per training step: 21
    /// forward, twice that backward). Not yet measured on a hardware GPU here (no GPU machine
    /// was lent).
    Large,
}

/// What the page knows of its WebGPU adapter (the browser's `GPUAdapterInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuAdapter {
    /// Vendor and architecture as the browser gives them, e.g. "google swiftshader".
    pub description: String,
    /// A software rasteriser, or the browser's fallback adapter.
    pub software: bool,
}

impl GpuAdapter {
    /// From the adapter's vendor, architecture and description and its fallback flag.
    pub fn new(vendor: &str, architecture: &str, description: &str, fallback: bool) -> Self {
        let text = format!("{vendor} {architecture} {description}");
        let lower = text.to_lowercase();
        let software = fallback
            || [
                "swiftshader",
                "llvmpipe",
                "lavapipe",
                "software",
                "basic render",
            ]
            .iter()
            .any(|s| lower.contains(s));
        Self {
            description: text.split_whitespace().collect::<Vec<_>>().join(" "),
            software,
        }
    }
}

/// The device kind for `job` on a page whose WebGPU adapter is `gpu` (none: the CPU page, or
/// no adapter), unless the link forces one (`?backend=webgpu`); and why, in words for the
/// status line (empty when there was no choice to make).
pub fn choose(
    job: Job,
    gpu: Option<&GpuAdapter>,
    forced: Option<BackendKind>,
) -> (BackendKind, String) {
    let Some(gpu) = gpu else {
        return (BackendKind::Cpu, String::new());
    };
    if let Some(kind) = forced {
        return (kind, "chosen by the link (?backend=…)".into());
    }
    if gpu.software {
        return (
            BackendKind::Cpu,
            format!(
                "the WebGPU adapter ({}) is a software one, slower than the CPU",
                gpu.description
            ),
        );
    }
    match job {
        Job::FastPath => (
            BackendKind::Cpu,
            "networks this small train and sample faster on the CPU fast path than through WebGPU's per-dispatch cost".into(),
        ),
        Job::Large => (BackendKind::Wgpu, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hardware() -> GpuAdapter {
        GpuAdapter::new("nvidia", "hopper", "", false)
    }

    #[test]
    fn software_adapters_are_recognised() {
        assert!(GpuAdapter::new("google", "swiftshader", "", false).software);
        assert!(GpuAdapter::new("mesa", "", "llvmpipe (LLVM 15.0.6, 256 bits)", false).software);
        assert!(GpuAdapter::new("", "", "", true).software);
        assert!(!hardware().software);
        assert_eq!(
            GpuAdapter::new("google", " swiftshader", "", false).description,
            "google swiftshader"
        );
    }

    #[test]
    fn each_job_goes_where_it_runs_fastest() {
        let sw = GpuAdapter::new("google", "swiftshader", "", false);
        let hw = hardware();
        for job in [Job::FastPath, Job::Large] {
            // No adapter: the CPU, nothing to explain.
            assert_eq!(choose(job, None, None), (BackendKind::Cpu, String::new()));
            // A software adapter: the CPU, and the status line says why.
            let (kind, why) = choose(job, Some(&sw), None);
            assert_eq!(kind, BackendKind::Cpu);
            assert!(why.contains("software"), "{why}");
            // A link can force either.
            assert_eq!(
                choose(job, Some(&sw), Some(BackendKind::Wgpu)).0,
                BackendKind::Wgpu
            );
        }
        assert_eq!(choose(Job::FastPath, Some(&hw), None).0, BackendKind::Cpu);
        assert_eq!(choose(Job::Large, Some(&hw), None).0, BackendKind::Wgpu);
    }
}
