//! How a ROOT tree's branches become table columns — one policy for the command line's native
//! reader and the page's JSROOT reader. Self-contained (std only): `tools/root-reader`, which
//! cannot depend on this crate (see its doc comment), compiles this same file with `#[path]`.

/// How branches that hold several numbers per event (jagged: `vector<float>`, NanoAOD's
/// `Float_t Jet_pt[nJet]`) become columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jagged {
    /// One row per object; the event's scalar branches repeat on each of its rows. All jagged
    /// branches read must have the same count per event.
    Flatten,
    /// One row per event, with columns `<branch>_0 … <branch>_{N−1}` for the first N objects
    /// (pT-ordered in NanoAOD); events with fewer are skipped and counted.
    First(usize),
}

impl Default for Jagged {
    fn default() -> Self {
        Self::First(1)
    }
}

/// Named columns of equal length, laid out from `entries` events of scalar branches (one
/// number per event) and jagged ones (a list per event) per `mode`; what was skipped or
/// flattened is added to `notes`. Every branch must hold `entries` events (checked by the
/// caller); a flatten over jagged branches of unequal counts is refused with the event.
pub fn lay_out(
    file: &str,
    entries: usize,
    scalars: Vec<(String, Vec<f32>)>,
    jagged: Vec<(String, Vec<Vec<f32>>)>,
    mode: Jagged,
    notes: &mut Vec<String>,
) -> Result<(Vec<String>, Vec<Vec<f32>>), String> {
    let mut names: Vec<String> = scalars.iter().map(|(n, _)| n.clone()).collect();
    let mut columns: Vec<Vec<f32>> = Vec::new();
    match mode {
        Jagged::Flatten => {
            // Rows: (event, object) for every object; counts must agree across jagged branches.
            let mut rows: Vec<(usize, usize)> = Vec::new();
            for e in 0..entries {
                let n = jagged.first().map_or(1, |(_, v)| v[e].len());
                if let Some((name, _)) = jagged.iter().find(|(_, v)| v[e].len() != n) {
                    return Err(format!(
                        "{file}: event {e}: branch '{name}' has a different object count than '{}' ({n}); flatten branches of one collection, or take the first N",
                        jagged[0].0
                    ));
                }
                rows.extend((0..n).map(|i| (e, i)));
            }
            columns.extend(
                scalars
                    .iter()
                    .map(|(_, v)| rows.iter().map(|&(e, _)| v[e]).collect()),
            );
            for (name, v) in &jagged {
                names.push(name.clone());
                columns.push(rows.iter().map(|&(e, i)| v[e][i]).collect());
            }
            if !jagged.is_empty() {
                notes.push(format!(
                    "flattened {} events into {} rows, one per object",
                    entries,
                    rows.len()
                ));
            }
        }
        Jagged::First(k) => {
            let keep: Vec<usize> = (0..entries)
                .filter(|&e| jagged.iter().all(|(_, v)| v[e].len() >= k))
                .collect();
            if keep.len() < entries {
                notes.push(format!(
                    "skipped {} of {entries} events with fewer than {k} objects",
                    entries - keep.len()
                ));
            }
            columns.extend(
                scalars
                    .iter()
                    .map(|(_, v)| keep.iter().map(|&e| v[e]).collect()),
            );
            for (name, per_event) in &jagged {
                names.extend((0..k).map(|i| format!("{name}_{i}")));
                columns.extend(
                    (0..k).map(|i| keep.iter().map(|&e| per_event[e][i]).collect::<Vec<f32>>()),
                );
            }
        }
    }
    Ok((names, columns))
}
