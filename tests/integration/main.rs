//! The native integration tests, one binary: each release link of a test binary carries the
//! whole of Burn and wgpu, so one binary instead of six saves CI minutes, and the long
//! trainings (jets, unfolding) run side by side on the test harness's threads.

mod cli;
mod formats;
mod jets;
mod models;
mod showers;
mod smearing;
mod unfold;

/// A path in this process's scratch folder for one test module (`prefix`), created on demand.
pub fn tmp(prefix: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fastsim-{prefix}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}
