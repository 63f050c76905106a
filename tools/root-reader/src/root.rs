//! ROOT files: numeric branches of a TTree as table columns, read with `oxyroot`.
//!
//! This is its own crate (and program, `fastsim-root`, which fastsim runs for `.root` paths):
//! oxyroot's lzma-sys and Burn's build graph (liblzma-sys, via cubecl) both declare Cargo's
//! `links = "lzma"`, so the two cannot share one lockfile.
//!
//! Candidates evaluated (2026-11, crates.io):
//! - **oxyroot 0.1.25** (MIT/Apache-2.0, maintained, reads TTrees of scalars, `vector<T>` and
//!   NanoAOD-style `T x[n]` arrays): chosen. Its Rust is pure but its decompressors link C
//!   (lz4-sys, lzma-sys): lz4-sys ships a WebAssembly shim, lzma-sys has none, so it does not
//!   compile to `wasm32-unknown-unknown` (tried: cc needs clang and libc headers for the
//!   target). It is therefore native only: the CLI reads ROOT; the page reads it with JSROOT
//!   (src/app/root_file.rs), laying branches out with the same `jagged.rs`.
//! - **root-io 0.3.0** (MPL-2.0): pure-Rust decompressors, but unmaintained since 2021 and it
//!   pulls reqwest 0.10 with native TLS, tokio 0.2, nom 5 and failure: too heavy and stale.
//!
//! oxyroot opens files by path and unwraps on malformed baskets; every call into it runs under
//! `catch_unwind`, so a bad file becomes an error message, not a crash.

use oxyroot::{Branch, Named, RootFile, Slice};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// A branch's values: one number per event, or a list per event.
enum Values {
    Scalar(Vec<f32>),
    Jagged(Vec<Vec<f32>>),
}

macro_rules! read_as {
    ($b:expr, $interp:expr, $( $name:literal => $t:ty ),* ) => {
        match $interp {
            $( $name => Some(Values::Scalar(iter_of::<$t>($b)?.map(|v| v as f32).collect())), )*
            $( concat!("Vec<", $name, ">") => Some(Values::Jagged(
                iter_of::<Vec<$t>>($b)?.map(|v| v.into_iter().map(|x| x as f32).collect()).collect())), )*
            $( concat!("Slice<", $name, ">") => Some(Values::Jagged(
                iter_of::<Slice<$t>>($b)?.map(|v| v.into_vec().into_iter().map(|x| x as f32).collect()).collect())), )*
            _ => None,
        }
    };
}

fn iter_of<'a, T>(b: &'a Branch) -> Result<impl Iterator<Item = T> + 'a>
where
    T: oxyroot::UnmarshalerInto<Item = T> + 'a,
{
    b.as_iter::<T>().map_err(|e| e.to_string())
}

/// Reads the values of a numeric branch, or `None` for a type that is not numbers.
fn read_branch(b: &Branch) -> Result<Option<Values>> {
    let interp = b.interpretation();
    if matches!(interp.as_str(), "bool" | "Vec<bool>" | "Slice<bool>") {
        return Ok(match interp.as_str() {
            "bool" => Some(Values::Scalar(
                iter_of::<bool>(b)?.map(|v| v as u8 as f32).collect(),
            )),
            _ => None,
        });
    }
    Ok(read_as!(b, interp.as_str(),
        "f32" => f32, "f64" => f64, "i8" => i8, "u8" => u8, "i16" => i16, "u16" => u16,
        "i32" => i32, "u32" => u32, "i64" => i64, "u64" => u64))
}

/// One line saying what was wrong.
pub type Result<T> = std::result::Result<T, String>;

#[path = "../../../src/data/jagged.rs"]
mod jagged;
pub use jagged::Jagged;

/// Which tree and branches to read, and how.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub tree: Option<String>,
    pub branches: Option<Vec<String>>,
    pub jagged: Jagged,
}

/// Named columns of equal length.
pub struct Table {
    pub names: Vec<String>,
    pub columns: Vec<Vec<f32>>,
}

/// Reads a ROOT file's tree as a table (see [`ReadOptions`] for tree, branches, jagged).
pub fn read_root(
    path: &Path,
    file: &str,
    opts: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Table> {
    let err = |message: String| format!("{file}: {message}");
    let outcome = catch_unwind(AssertUnwindSafe(|| read_inner(path, file, opts, notes)));
    outcome.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown cause")
            .lines()
            .next()
            .unwrap_or("");
        Err(err(format!(
            "malformed ROOT file (the reader failed: {why})"
        )))
    })
}

fn read_inner(
    path: &Path,
    file: &str,
    opts: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Table> {
    let err = |message: String| format!("{file}: {message}");
    let mut magic = [0u8; 4];
    let has_magic = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok();
    if !has_magic || &magic != b"root" {
        return Err(err("not a ROOT file (it does not start with 'root')".into()));
    }
    let mut f = RootFile::open(path).map_err(|e| err(format!("not a readable ROOT file: {e}")))?;
    let trees: Vec<String> = f
        .keys()
        .iter()
        .filter(|k| k.class_name() == "TTree")
        .map(|k| k.name().to_string())
        .collect();
    let tree_name = match &opts.tree {
        Some(t) if trees.contains(t) => t.clone(),
        Some(t) => {
            return Err(err(format!(
                "no TTree '{t}' (trees: {})",
                list_or_none(&trees)
            )))
        }
        None if trees.len() == 1 => trees[0].clone(),
        None if trees.iter().any(|t| t == "Events") => "Events".into(),
        None => {
            return Err(err(format!(
                "which TTree? name one with --tree (trees: {})",
                list_or_none(&trees)
            )))
        }
    };
    let tree = f
        .get_tree(&tree_name)
        .map_err(|e| err(format!("cannot read TTree '{tree_name}': {e}")))?;
    let all: Vec<&Branch> = tree.branches().collect();
    let chosen: Vec<&Branch> = match &opts.branches {
        Some(names) => names
            .iter()
            .map(|n| {
                tree.branch(n).ok_or_else(|| {
                    err(format!(
                        "TTree '{tree_name}' has no branch '{n}' (branches: {})",
                        all.iter().map(|b| b.name()).collect::<Vec<_>>().join(",")
                    ))
                })
            })
            .collect::<Result<_>>()?,
        None => all.clone(),
    };
    let entries = usize::try_from(tree.entries()).unwrap_or(0);
    let mut scalars: Vec<(String, Vec<f32>)> = Vec::new();
    let mut jagged: Vec<(String, Vec<Vec<f32>>)> = Vec::new();
    for b in chosen {
        let name = b.name().to_string();
        let values = read_branch(b).map_err(|e| err(format!("branch '{name}': {e}")))?;
        match values {
            Some(Values::Scalar(v)) => scalars.push((name, v)),
            Some(Values::Jagged(v)) => jagged.push((name, v)),
            None if opts.branches.is_some() => {
                return Err(err(format!(
                    "branch '{name}' holds {}, not numbers",
                    b.item_type_name()
                )))
            }
            None => notes.push(format!(
                "skipped branch '{name}' ({}: not numbers)",
                b.item_type_name()
            )),
        }
    }
    for (name, len) in scalars
        .iter()
        .map(|(n, v)| (n, v.len()))
        .chain(jagged.iter().map(|(n, v)| (n, v.len())))
    {
        if len != entries {
            return Err(err(format!(
                "branch '{name}' has {len} entries, the TTree {entries} (truncated?)"
            )));
        }
    }
    if scalars.is_empty() && jagged.is_empty() {
        return Err(err(format!("TTree '{tree_name}' has no numeric branches")));
    }
    // The jagged policy the page shares (src/data/jagged.rs).
    let (names, columns) = jagged::lay_out(file, entries, scalars, jagged, opts.jagged, notes)?;
    Ok(Table { names, columns })
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(",")
    }
}
