//! "Bring your own data": a file picker and drop zone, a preview of the table (first rows and
//! column statistics), a column mapper that pairs gen and reco columns with an optional
//! transform, and a summary of what will be trained on. A bad file shows its message and
//! leaves the data already loaded in place.

use super::files::load_file;
use super::smear_view::{Preview, Smear};
use super::state::AppState;
use crate::data::{parse_names, NonFinite, ReadOptions, Table, Transform};
use crate::error::Result;
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
        head,
        stats,
        remarks,
    }
}

/// Loads a picked or dropped file; on success it replaces the data, on error nothing changes.
pub async fn upload(sm: Smear, file: web_sys::File) -> Result<String> {
    let names = sm.npy_names.get_untracked();
    let opts = ReadOptions {
        names: (!names.trim().is_empty()).then(|| parse_names(&names)),
        non_finite: if sm.drop_nonfinite.get_untracked() {
            NonFinite::Drop
        } else {
            NonFinite::Refuse
        },
        ..Default::default()
    };
    let (loaded, sha256) = load_file(&file, &opts).await?;
    let name = file.name();
    if let Some((want_name, want)) = sm.data.with(|d| d.expected_upload.clone()) {
        if want != sha256 {
            return Err(crate::Error::invalid(
                "upload",
                format!("{name} has SHA-256 {}…, not the {}… of {want_name} that the opened link was made with; nothing was loaded", &sha256[..12], &want[..12.min(want.len())]),
            ));
        }
    }
    let mut remarks = loaded.notes.clone();
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
    Ok(summary)
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
    let take = move |file: Option<web_sys::File>| {
        if let Some(f) = file {
            app.run("loading", move || upload(sm, f));
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
        <section id="upload">
            <h2>"1b · Or bring your own data"</h2>
            <p>"CSV with a header row, NumPy .npy (2-D float32/float64; name its columns below) or .npz (one array per column). ROOT files: convert them with "<code>"fastsim convert --input f.root --out f.npz"</code>" (no ROOT reader runs in the browser yet). At most 512 MiB."</p>
            <div id="drop" class="drop"
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    take(ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)));
                }>
                "Drop a file here, or "
                <input id="file" type="file" accept=".csv,.npy,.npz,.root" disabled=move || !idle()
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        take(input.files().and_then(|f| f.get(0)));
                        input.set_value("");
                    }/>
            </div>
            <label>".npy column names " <input id="npy-names" type="text" placeholder="gen_pt,reco_pt" bind:value=sm.npy_names/></label>
            <label><input id="drop-nonfinite" type="checkbox" bind:checked=sm.drop_nonfinite/>" drop rows with NaN / Inf (else the file is refused)"</label>
            {move || sm.preview.get().map(|p| view! {
                <h3>"Preview: " <span id="preview-file">{p.file.clone()}</span> ", " <span id="preview-rows">{p.rows}</span> " rows"</h3>
                {(!p.remarks.is_empty()).then(|| view! { <p class="note">{p.remarks.join("; ")}</p> })}
                <div class="scroll">
                <table id="preview" class="numbers">
                    <tr><th></th>{p.names.iter().map(|n| view! { <th>{n.clone()}</th> }).collect_view()}</tr>
                    {p.head.iter().enumerate().map(|(i, row)| view! {
                        <tr class="preview-row"><td>{i + 1}</td>{row.iter().map(|v| view! { <td>{number(*v)}</td> }).collect_view()}</tr>
                    }).collect_view()}
                    {["min", "mean", "max"].into_iter().enumerate().map(|(k, label)| view! {
                        <tr class="stat-row"><th>{label}</th>{p.stats.iter().map(|(lo, mean, hi)| {
                            let v = match k { 0 => *lo, 1 => *mean as f32, _ => *hi };
                            view! { <td>{number(v)}</td> }
                        }).collect_view()}</tr>
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
        </section>
    }
}
