//! ROOT files, read natively through the `fastsim-root` helper (tools/root-reader), which
//! wraps the pure-Rust `oxyroot` reader. Why a separate program and not a library call is in
//! that crate's doc comment: oxyroot's decompressor (lzma-sys) and Burn's build graph
//! (liblzma-sys, via cubecl) both claim Cargo's `links = "lzma"`, so they cannot be resolved in
//! one lockfile. The helper prints the table as CSV on stdout, its notes as `note: …` lines and
//! its error as one line on stderr.

use super::{read_csv, Jagged, ReadOptions, Table};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The helper: `$FASTSIM_ROOT_READER`, else `fastsim-root` beside the running program, else on
/// the PATH.
fn helper() -> PathBuf {
    if let Some(p) = std::env::var_os("FASTSIM_ROOT_READER") {
        return p.into();
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join("fastsim-root")));
    beside
        .filter(|p| p.exists())
        .unwrap_or_else(|| "fastsim-root".into())
}

/// The helper's arguments for these options.
fn args(path: &Path, opts: &ReadOptions) -> Vec<String> {
    let mut a = vec![path.display().to_string()];
    if let Some(t) = &opts.tree {
        a.extend(["--tree".into(), t.clone()]);
    }
    if let Some(b) = &opts.branches {
        a.extend(["--branches".into(), b.join(",")]);
    }
    a.push("--jagged".into());
    a.push(match opts.jagged {
        Jagged::Flatten => "flatten".into(),
        Jagged::First(n) => format!("first:{n}"),
    });
    a
}

/// Reads a ROOT file's tree as a table (see [`ReadOptions`] for tree, branches, jagged).
pub fn read_root(
    path: &Path,
    file: &str,
    opts: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Table> {
    let exe = helper();
    let out = Command::new(&exe)
        .args(args(path, opts))
        .output()
        .map_err(|e| Error::Format {
            file: file.to_string(),
            message: format!(
                "cannot run the ROOT reader '{}' ({e}); build it with scripts/install or set FASTSIM_ROOT_READER",
                exe.display()
            ),
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines() {
        if let Some(n) = line.strip_prefix("note: ") {
            notes.push(n.to_string());
        }
    }
    if !out.status.success() {
        // A clean refusal ends in one `error: …` line; anything else means the reader itself
        // stopped (oxyroot aborts on some corrupt length fields that ask for gigabytes): the
        // separate process keeps that from taking fastsim, or the data it holds, down with it.
        let msg = stderr
            .lines()
            .rfind(|l| l.starts_with("error: "))
            .map(|l| {
                // The helper names the path it was given; the message names `file` instead.
                let l = l.trim_start_matches("error: ");
                let prefix = format!("{}: ", path.display());
                l.strip_prefix(&prefix).unwrap_or(l).to_string()
            })
            .unwrap_or_else(|| {
                format!(
                    "malformed ROOT file: the reader stopped ({}) on it",
                    out.status
                )
            });
        return Err(Error::Format {
            file: file.to_string(),
            message: msg,
        });
    }
    read_csv(out.stdout.as_slice(), file)
}

/// As [`read_root`] from bytes (written to a temporary file first).
pub fn read_root_bytes(
    bytes: &[u8],
    file: &str,
    opts: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Table> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let tmp = std::env::temp_dir().join(format!(
        "fastsim-{}-{}.root",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&tmp, bytes).map_err(|source| Error::Io {
        path: tmp.clone(),
        source,
    })?;
    let out = read_root(&tmp, file, opts, notes);
    let _ = std::fs::remove_file(&tmp);
    out
}
