//! ROOT files in the page, read by JSROOT in a worker (`www/root_worker.mjs`, loaded only when
//! a `.root` file is opened): the trees and their numeric branches to choose from, then the
//! chosen branches laid out as a table by the same jagged policy as the command line's reader
//! ([`crate::data::lay_out`]). A malformed file is one line of error; the worker is terminated
//! when it answers, fails, is cancelled or runs past [`TIMEOUT_MS`], so the tab never freezes.

use super::state::AppState;
use crate::data::{lay_out, Jagged, Table};
use crate::error::{Error, Result};
use js_sys::{Array, Float64Array, Int32Array, Reflect, Uint8Array};
use leptos::prelude::GetUntracked;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The longest a ROOT file may take to list or read.
const TIMEOUT_MS: f64 = 120_000.0;

#[wasm_bindgen(module = "/www/root_reader.mjs")]
extern "C" {
    #[wasm_bindgen(js_name = rootList)]
    fn root_list(
        bytes: &Uint8Array,
        timeout_ms: f64,
        cancelled: &js_sys::Function,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = rootRead)]
    fn root_read(
        bytes: &Uint8Array,
        tree: &str,
        branches: &Array,
        timeout_ms: f64,
        cancelled: &js_sys::Function,
    ) -> js_sys::Promise;
}

/// A TTree of the file.
#[derive(Clone, Debug, PartialEq)]
pub struct RootTree {
    pub name: String,
    pub entries: usize,
    pub branches: Vec<RootBranch>,
}

/// A branch: its name, its ROOT type, whether it holds numbers, whether several per event.
#[derive(Clone, Debug, PartialEq)]
pub struct RootBranch {
    pub name: String,
    pub kind: String,
    pub numeric: bool,
    pub jagged: bool,
}

fn malformed(file: &str, why: impl std::fmt::Display) -> Error {
    Error::Format {
        file: file.to_string(),
        message: format!("malformed ROOT file (JSROOT: {why})"),
    }
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(obj: &JsValue, key: &str) -> String {
    get(obj, key).as_string().unwrap_or_default()
}

/// Runs a reader call with the page's Cancel button wired in; a rejection is one line.
async fn call(
    app: AppState,
    file: &str,
    start: impl FnOnce(&js_sys::Function) -> js_sys::Promise,
) -> Result<JsValue> {
    let cancel = app.cancel;
    let cancelled = Closure::<dyn Fn() -> bool>::new(move || cancel.get_untracked());
    let promise = start(cancelled.as_ref().unchecked_ref());
    let out = wasm_bindgen_futures::JsFuture::from(promise).await;
    drop(cancelled);
    out.map_err(|e| match e.as_string() {
        Some(s) if s == "cancelled" => Error::Cancelled,
        Some(s) if s.starts_with("the ROOT reader") => Error::Format {
            file: file.to_string(),
            message: s,
        },
        Some(s) => malformed(file, s),
        None => malformed(file, "unknown error"),
    })
}

/// Refuses what is not a ROOT file before starting the reader.
fn check_magic(bytes: &[u8], file: &str) -> Result<()> {
    if bytes.starts_with(b"root") {
        Ok(())
    } else {
        Err(Error::Format {
            file: file.to_string(),
            message: "not a ROOT file (it does not start with 'root')".into(),
        })
    }
}

/// The file's TTrees with their branches.
pub async fn list_trees(app: AppState, bytes: &[u8], file: &str) -> Result<Vec<RootTree>> {
    check_magic(bytes, file)?;
    let data = Uint8Array::from(bytes);
    let out = call(app, file, |c| root_list(&data, TIMEOUT_MS, c)).await?;
    let trees: Vec<RootTree> = Array::from(&out)
        .iter()
        .map(|t| RootTree {
            name: text(&t, "name"),
            entries: get(&t, "entries").as_f64().unwrap_or(0.0).max(0.0) as usize,
            branches: Array::from(&get(&t, "branches"))
                .iter()
                .map(|b| RootBranch {
                    name: text(&b, "name"),
                    kind: text(&b, "type"),
                    numeric: get(&b, "numeric").as_bool().unwrap_or(false),
                    jagged: get(&b, "jagged").as_bool().unwrap_or(false),
                })
                .collect(),
        })
        .collect();
    if trees.is_empty() {
        return Err(Error::Format {
            file: file.to_string(),
            message: "it holds no TTree".into(),
        });
    }
    Ok(trees)
}

/// The chosen branches of `tree` as a table, per the jagged policy; `notes` say what was
/// skipped or flattened.
pub async fn read_tree(
    app: AppState,
    bytes: &[u8],
    file: &str,
    tree: &RootTree,
    branches: &[String],
    jagged: Jagged,
    notes: &mut Vec<String>,
) -> Result<Table> {
    check_magic(bytes, file)?;
    if branches.is_empty() {
        return Err(Error::invalid(
            "ROOT branches",
            "choose at least one branch",
        ));
    }
    let names = Array::new();
    for b in branches {
        names.push(&JsValue::from_str(b));
    }
    let data = Uint8Array::from(bytes);
    let out = call(app, file, |c| {
        root_read(&data, &tree.name, &names, TIMEOUT_MS, c)
    })
    .await?;
    let entries = tree.entries;
    let mut scalars = Vec::new();
    let mut lists = Vec::new();
    for b in Array::from(&out).iter() {
        let name = text(&b, "name");
        let values: Vec<f32> = get(&b, "values")
            .dyn_into::<Float64Array>()
            .map(|a| a.to_vec().into_iter().map(|v| v as f32).collect())
            .map_err(|_| malformed(file, format!("branch '{name}' has no values")))?;
        let counts = get(&b, "counts");
        let wrong = |n: usize| Error::Format {
            file: file.to_string(),
            message: format!(
                "branch '{name}' has {n} entries, the TTree '{}' {entries} (truncated?)",
                tree.name
            ),
        };
        if counts.is_null() || counts.is_undefined() {
            if values.len() != entries {
                return Err(wrong(values.len()));
            }
            scalars.push((name, values));
            continue;
        }
        let counts = counts
            .dyn_into::<Int32Array>()
            .map_err(|_| malformed(file, format!("branch '{name}' has no counts")))?
            .to_vec();
        if counts.len() != entries {
            return Err(wrong(counts.len()));
        }
        let total: i64 = counts.iter().map(|&c| i64::from(c.max(0))).sum();
        if counts.iter().any(|&c| c < 0) || total != values.len() as i64 {
            return Err(malformed(
                file,
                format!("branch '{name}': its counts do not match its values"),
            ));
        }
        let mut per_event = Vec::with_capacity(entries);
        let mut at = 0;
        for c in counts {
            let c = c as usize;
            per_event.push(values[at..at + c].to_vec());
            at += c;
        }
        lists.push((name, per_event));
    }
    let (names, columns) = lay_out(file, entries, scalars, lists, jagged, notes)
        .map_err(|message| Error::invalid("ROOT branches", message))?;
    Table::from_columns(names, columns, file)
}
