//! "Bring your own data": a file picker and drop zone, a preview of the table (first rows and
//! column statistics), a column mapper that pairs gen and reco columns with an optional
//! transform, and a summary of what will be trained on. A bad file shows its message and
//! leaves the data already loaded in place.

use super::files::{file_bytes, load_file};
use super::root_file::{list_trees, read_tree, RootTree};
use super::smear_view::{Preview, Smear};
use super::state::{parse, AppState, Store};
use crate::data::{
    finish_read, parse_names, Format, Jagged, Loaded, NonFinite, ReadOptions, Table, Transform,
};
use crate::error::Result;
use crate::numfmt::thousands;
use crate::store::sha256_hex;
use crate::workflow::seeds::{held_out_split, HELD_OUT_FRACTION};
use crate::workflow::smearing::{auto_pairs, ColumnPair};
use leptos::prelude::*;

const HEAD_ROWS: usize = 5;

fn preview(table: &Table, file: &str, remarks: Vec<String>) -> Preview {
    let names = table.names().to_vec();
    let head = (0..table.n_rows().min(HEAD_ROWS))
        .map(|r| (0..table.n_cols()).map(|c| table.column_at(c)[r]).collect())
        .collect();
    let stats = (0..table.n_cols())
        .map(|c| {
            let v = table.column_at(c);
            let min = v.iter().copied().fold(f32::INFINITY, f32::min);
            let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mean = v.iter().map(|x| *x as f64).sum::<f64>() / v.len().max(1) as f64;
            (min, mean, max)
        })
        .collect();
    Preview {
        file: file.to_string(),
        rows: table.n_rows(),
        names,
        text: table
            .text_columns()
            .iter()
            .map(|t| t.name.clone())
            .collect(),
        head,
        stats,
        remarks,
    }
}

/// A ROOT file being opened: its bytes, the trees JSROOT found, and the user's choice of tree,
/// branches and jagged policy.
#[derive(Clone, Copy)]
pub struct RootUi {
    /// Name, bytes and SHA-256 of the file.
    file: Store<Option<(String, Vec<u8>, String)>>,
    trees: RwSignal<Vec<RootTree>>,
    tree: RwSignal<usize>,
    chosen: RwSignal<Vec<String>>,
    /// "first" (the first N objects, one row per event) or "flatten" (one row per object).
    jagged: RwSignal<String>,
    first_n: RwSignal<String>,
}

impl RootUi {
    fn new() -> Self {
        Self {
            file: Store::new(None),
            trees: RwSignal::new(Vec::new()),
            tree: RwSignal::new(0),
            chosen: RwSignal::new(Vec::new()),
            jagged: RwSignal::new("first".into()),
            first_n: RwSignal::new("1".into()),
        }
    }

    /// Picks tree `i`, with all its numeric branches chosen.
    fn pick(self, i: usize) {
        self.tree.set(i);
        let chosen = self
            .trees
            .get_untracked()
            .get(i)
            .map(|t| {
                t.branches
                    .iter()
                    .filter(|b| b.numeric)
                    .map(|b| b.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        self.chosen.set(chosen);
    }
}

/// The read options the fields ask for.
fn options(sm: Smear) -> ReadOptions {
    let names = sm.npy_names.get_untracked();
    ReadOptions {
        names: (!names.trim().is_empty()).then(|| parse_names(&names)),
        non_finite: if sm.drop_nonfinite.get_untracked() {
            NonFinite::Drop
        } else {
            NonFinite::Refuse
        },
        ..Default::default()
    }
}

/// Refuses a file other than the one an opened link was made with.
fn check_expected(sm: Smear, name: &str, sha256: &str) -> Result<()> {
    if let Some((want_name, want)) = sm.data.with(|d| d.expected_upload.clone()) {
        if want != sha256 {
            return Err(crate::Error::invalid(
                "upload",
                format!("{name} has SHA-256 {}…, not the {}… of {want_name} that the opened link was made with; nothing was loaded", &sha256[..12], &want[..12.min(want.len())]),
            ));
        }
    }
    Ok(())
}

/// Loads a picked or dropped file; on success it replaces the data, on error nothing changes.
/// A ROOT file is listed first: its tree and branches are chosen, then [`load_root`] reads them.
pub async fn upload(app: AppState, sm: Smear, root: RootUi, file: web_sys::File) -> Result<String> {
    let name = file.name();
    if Format::of(&name)? == Format::Root {
        let (name, bytes) = file_bytes(&file).await?;
        let sha256 = sha256_hex(&bytes);
        check_expected(sm, &name, &sha256)?;
        let trees = list_trees(app, &bytes, &name).await?;
        let summary = format!(
            "{name}: {} TTree{} ({}); choose the tree and branches below, then Load branches",
            trees.len(),
            if trees.len() == 1 { "" } else { "s" },
            trees
                .iter()
                .map(|t| format!("{}, {} entries", t.name, thousands(t.entries)))
                .collect::<Vec<_>>()
                .join("; ")
        );
        // The tree NanoAOD calls Events, else the first.
        let first = trees.iter().position(|t| t.name == "Events").unwrap_or(0);
        root.file.with(|f| *f = Some((name, bytes, sha256)));
        root.trees.set(trees);
        root.pick(first);
        return Ok(summary);
    }
    let (loaded, sha256) = load_file(&file, &options(sm)).await?;
    check_expected(sm, &name, &sha256)?;
    Ok(accept(sm, name, sha256, loaded))
}

/// Reads the chosen branches of the opened ROOT file into the lab's data.
async fn load_root(app: AppState, sm: Smear, root: RootUi) -> Result<String> {
    let tree = root
        .trees
        .get_untracked()
        .get(root.tree.get_untracked())
        .cloned()
        .ok_or_else(|| crate::Error::invalid("ROOT file", "open a .root file first"))?;
    let jagged = match root.jagged.get_untracked().as_str() {
        "flatten" => Jagged::Flatten,
        _ => {
            let n: usize = parse("first N objects", &root.first_n.get_untracked())?;
            if n == 0 {
                return Err(crate::Error::invalid(
                    "first N objects",
                    "N must be at least 1",
                ));
            }
            Jagged::First(n)
        }
    };
    let (name, bytes, sha256) = root
        .file
        .with(|f| f.clone())
        .ok_or_else(|| crate::Error::invalid("ROOT file", "open a .root file first"))?;
    let mut notes = Vec::new();
    let table = read_tree(
        app,
        &bytes,
        &name,
        &tree,
        &root.chosen.get_untracked(),
        jagged,
        &mut notes,
    )
    .await?;
    let loaded = finish_read(table, options(sm).non_finite, notes)?;
    Ok(accept(sm, name, sha256, loaded))
}

/// Makes a read file the lab's data: preview, column mapping, events.
fn accept(sm: Smear, name: String, sha256: String, loaded: Loaded) -> String {
    let mut remarks = loaded.notes.clone();
    let text = loaded.table.text_columns();
    if !text.is_empty() {
        let names: Vec<String> = text
            .iter()
            .map(|t| format!("{} (row {}: '{}')", t.name, t.row, t.value))
            .collect();
        remarks.push(format!(
            "{} text column{} left out: {}",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ));
    }
    if loaded.dropped > 0 {
        remarks.push(format!(
            "dropped {} rows holding NaN or Inf",
            loaded.dropped
        ));
    }
    let table = loaded.table;
    let summary = format!(
        "loaded {name}: {} rows × {} columns{}",
        table.n_rows(),
        table.n_cols(),
        if remarks.is_empty() {
            String::new()
        } else {
            format!(" ({})", remarks.join("; "))
        }
    );
    sm.preview.set(Some(preview(&table, &name, remarks)));
    sm.mapping.set(auto_pairs(&table));
    sm.data
        .with(|d| d.set_events(table, None, Some((name, sha256))));
    sm.have_data.set(true);
    summary
}

fn number(v: f32) -> String {
    if v == 0.0 || (1e-3..1e5).contains(&v.abs()) {
        format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        format!("{v:.3e}")
    }
}

fn summary(rows: &[ColumnPair], preview: Option<&Preview>) -> String {
    let Some(p) = preview else {
        return "no file loaded".into();
    };
    let used: Vec<String> = rows
        .iter()
        .filter(|r| !r.reco.is_empty())
        .map(|r| match r.transform {
            Transform::None => format!("{} → {}", r.gen, r.reco),
            t => format!("{} → {} ({})", r.gen, r.reco, t.name()),
        })
        .collect();
    if used.is_empty() {
        return "pair at least one gen column with a reco column to train".into();
    }
    let rows = held_out_split(p.rows);
    let train = (rows as f64 * 0.7).round() as usize;
    format!(
        "will train on {rows} events of {} ({train} train / {} validation; the last {:.0} %, {} events, held out to test): {} pair{}: {}; the network learns reco − gen of each pair",
        p.file,
        rows - train,
        100.0 * HELD_OUT_FRACTION,
        p.rows - rows,
        used.len(),
        if used.len() == 1 { "" } else { "s" },
        used.join(", ")
    )
}

#[component]
pub fn UploadSection() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sm = expect_context::<Smear>();
    let idle = move || app.idle();
    let root = RootUi::new();
    let take = move |file: Option<web_sys::File>| {
        if let Some(f) = file {
            app.run("loading", move || upload(app, sm, root, f));
        }
    };
    let set_row = move |i: usize, f: Box<dyn Fn(&mut ColumnPair)>| {
        sm.mapping.update(|rows| {
            if let Some(r) = rows.get_mut(i) {
                f(r);
            }
        })
    };
    view! {
        <div class="col" id="upload">
            <h4>"Or your own file"</h4>
            <p>"CSV with a header row (text columns are shown and left out), NumPy .npy (2-D float32/float64; name its columns below), .npz (one array per column) or ROOT (a TTree's branches). At most 512 MiB."</p>
            <div class="row">
                <label>".npy column names " <input id="npy-names" type="text" placeholder="gen_pt,reco_pt" bind:value=sm.npy_names/></label>
                <label><input id="drop-nonfinite" type="checkbox" bind:checked=sm.drop_nonfinite/>" drop rows with NaN / Inf (else the file is refused)"</label>
            </div>
            <div id="drop" class="drop"
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    take(ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)));
                }>
                <label for="file">"Drop a file here, or choose one: "</label>
                <input id="file" type="file" accept=".csv,.npy,.npz,.root" disabled=move || !idle()
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        take(input.files().and_then(|f| f.get(0)));
                        input.set_value("");
                    }/>
            </div>
            <RootPicker root=root/>
            {move || sm.preview.get().map(|p| view! {
                <h3>"Preview: " <span id="preview-file">{p.file.clone()}</span> ", " <span id="preview-rows">{p.rows}</span> " rows"</h3>
                {(!p.remarks.is_empty()).then(|| view! { <p class="note">{p.remarks.join("; ")}</p> })}
                <div class="scroll">
                <table id="preview" class="numbers">
                    <tr><th></th>{p.names.iter().map(|n| view! { <th>{n.clone()}</th> }).collect_view()}
                        {p.text.iter().map(|n| view! { <th class="text-col">{n.clone()}</th> }).collect_view()}</tr>
                    {p.head.iter().enumerate().map(|(i, row)| view! {
                        <tr class="preview-row"><td>{i + 1}</td>{row.iter().map(|v| view! { <td>{number(*v)}</td> }).collect_view()}
                            {p.text.iter().map(|_| view! { <td class="text-col">"text, not used"</td> }).collect_view()}</tr>
                    }).collect_view()}
                    {["min", "mean", "max"].into_iter().enumerate().map(|(k, label)| view! {
                        <tr class="stat-row"><th>{label}</th>{p.stats.iter().map(|(lo, mean, hi)| {
                            let v = match k { 0 => *lo, 1 => *mean as f32, _ => *hi };
                            view! { <td>{number(v)}</td> }
                        }).collect_view()}
                            {p.text.iter().map(|_| view! { <td class="text-col"></td> }).collect_view()}</tr>
                    }).collect_view()}
                </table>
                </div>
            })}
            {move || sm.preview.get().map(|p| {
                let names = p.names.clone();
                view! {
                <h3>"Column mapper"</h3>
                <table id="mapper">
                    <tr><th>"gen column"</th><th>"reco partner"</th><th>"transform"</th></tr>
                    {move || sm.mapping.get().into_iter().enumerate().map(|(i, r)| {
                        let names = names.clone();
                        view! {
                        <tr class="map-row" data-gen=r.gen.clone()>
                            <td>{r.gen.clone()}</td>
                            <td><select class="map-reco" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                set_row(i, Box::new(move |row| row.reco = v.clone()));
                            }>
                                <option value="" selected=r.reco.is_empty()>"— unused —"</option>
                                {names.iter().filter(|n| **n != r.gen).map(|n| view! {
                                    <option value=n.clone() selected=*n == r.reco>{n.clone()}</option>
                                }).collect_view()}
                            </select></td>
                            <td><select class="map-transform" on:change=move |ev| {
                                let t = Transform::parse(&event_target_value(&ev)).unwrap_or_default();
                                set_row(i, Box::new(move |row| row.transform = t));
                            }>
                                <option value="none" selected=r.transform == Transform::None>"none"</option>
                                <option value="log" disabled=!r.log_ok selected=r.transform == Transform::Log>"log (positive values)"</option>
                            </select></td>
                        </tr>
                    }}).collect_view()}
                </table>
            }})}
            <p id="train-summary" class="summary">{move || summary(&sm.mapping.get(), sm.preview.get().as_ref())}</p>
        </div>
    }
}

/// The opened ROOT file's trees and numeric branches to choose from, and the jagged policy.
#[component]
fn RootPicker(root: RootUi) -> impl IntoView {
    let app = expect_context::<AppState>();
    let sm = expect_context::<Smear>();
    let tree = move || root.trees.get().get(root.tree.get()).cloned();
    // The file's store is not reactive; its trees are set after it, once per opened file.
    let file = move || {
        root.trees.track();
        root.file.with(|f| f.as_ref().map(|(n, _, _)| n.clone()))
    };
    view! {
        <div id="root-pick" hidden=move || root.trees.get().is_empty()>
            <h4>{move || format!("ROOT file {}", file().unwrap_or_default())}</h4>
            <div class="row">
                <label>"TTree " <select id="root-tree" on:change=move |e| {
                    if let Ok(i) = event_target_value(&e).parse() { root.pick(i); }
                }>
                    {move || root.trees.get().into_iter().enumerate().map(|(i, t)| view! {
                        <option value=i.to_string() selected=move || root.tree.get() == i>{format!("{} ({} entries)", t.name, thousands(t.entries))}</option>
                    }).collect_view()}
                </select></label>
                <label>"jagged branches: " <select id="root-jagged" on:change=move |e| root.jagged.set(event_target_value(&e)) prop:value=move || root.jagged.get()>
                    <option value="first">"the first N objects, one row per event"</option>
                    <option value="flatten">"one row per object"</option>
                </select></label>
                <label hidden=move || root.jagged.get() == "flatten">"N " <input id="root-first" type="number" min="1" bind:value=root.first_n/></label>
            </div>
            <fieldset id="root-branches">
                <legend>"Branches (numbers only; jagged ones marked [n])"</legend>
                {move || tree().map(|t| t.branches.into_iter().map(|b| {
                    let name = b.name.clone();
                    let toggle = name.clone();
                    let checked = name.clone();
                    let label = if b.jagged { format!("{} [n]", b.name) } else { b.name.clone() };
                    view! {
                        <label class="branch" title=b.kind.clone()>
                            <input type="checkbox" class="root-branch" data-branch=name disabled=!b.numeric
                                prop:checked=move || root.chosen.get().contains(&checked)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let n = toggle.clone();
                                    root.chosen.update(|c| { c.retain(|x| *x != n); if on { c.push(n); } });
                                }/>
                            {label}{(!b.numeric).then_some(" (not numbers)")}
                        </label>
                    }
                }).collect_view())}
            </fieldset>
            <button id="root-load" disabled=move || !app.idle() || root.chosen.get().is_empty()
                on:click=move |_| app.run("reading ROOT branches", move || load_root(app, sm, root))>"Load branches"</button>
        </div>
    }
}
