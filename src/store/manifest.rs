//! `models/manifest.json`: the pre-trained models, each with its kind, file, SHA-256, the
//! recipe of its training events, the exact commands that made its data and trained it, and
//! its quality figures beside what its paper reports. The page lists it and each tab loads
//! its kind; the command line's `--model` takes an entry's name; `scripts/retrain-models`
//! re-runs the commands and checks the hashes.

use crate::error::{Error, Result};
use crate::recipe::{JetRecipe, ShowerRecipe, WjetsRecipe, WzRecipe};
use serde::{Deserialize, Serialize};

/// The method a pre-trained model belongs to (the tab that loads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Seed 000's smearing network (the Smear tab, and the Models list).
    #[default]
    Smearing,
    /// Seed 001's jet VAE (the Jets tab).
    JetVae,
    /// Seed 002's naive GAN (the Unfold tab).
    NaiveGan,
    /// Seed 002's fully conditional GAN (the Unfold tab).
    Fcgan,
    /// Seed 003's shower VAE-GAN (the Showers tab).
    VaeGan,
}

/// The built-in events a pre-trained model trained on: `{"process": "wjets", …}`,
/// `{"jets": N, "seed": S}`, `{"events": N, "seed": S}` (WZ) or `{"showers": N, "seed": S}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TrainingEvents {
    Wjets(WjetsRecipe),
    Jets(JetRecipe),
    Wz(WzRecipe),
    Showers(ShowerRecipe),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub name: String,
    /// File name inside `models/`.
    pub file: String,
    pub sha256: String,
    pub description: String,
    #[serde(default)]
    pub kind: ModelKind,
    /// The training events.
    pub recipe: TrainingEvents,
    /// Commands that write the data files `command` and `evaluate` read (run in a scratch
    /// folder, before them), when the model trains on a file rather than `--generate`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<String>,
    /// The command that made the file (run from the repository root, or in the scratch folder
    /// of `data`).
    pub command: String,
    /// Commands that measure `quantile_js` (`{model}`: the file, `{figures}`: where the last
    /// one writes them); empty for a smearing model, whose file records them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluate: Vec<String>,
    /// Quantile-JS (16 quantiles) per reco column on independent test events; for a jet VAE
    /// per jet feature, for a GAN per closure test and observable.
    pub quantile_js: Vec<(String, f64)>,
    /// What the model's paper reports for the same figures, to be shown beside them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub paper: String,
}

impl ManifestEntry {
    /// The W+jet recipe of a smearing model, or an error naming the entry's kind.
    pub fn wjets_recipe(&self) -> Result<&WjetsRecipe> {
        match &self.recipe {
            TrainingEvents::Wjets(r) => Ok(r),
            _ => Err(self.not_a("W+jet smearing model")),
        }
    }

    /// The jet recipe of a jet VAE.
    pub fn jet_recipe(&self) -> Result<&JetRecipe> {
        match &self.recipe {
            TrainingEvents::Jets(r) => Ok(r),
            _ => Err(self.not_a("jet VAE")),
        }
    }

    /// The WZ recipe of an unfolding GAN.
    pub fn wz_recipe(&self) -> Result<&WzRecipe> {
        match &self.recipe {
            TrainingEvents::Wz(r) => Ok(r),
            _ => Err(self.not_a("unfolding GAN")),
        }
    }

    /// The shower recipe of a VAE-GAN.
    pub fn shower_recipe(&self) -> Result<&ShowerRecipe> {
        match &self.recipe {
            TrainingEvents::Showers(r) => Ok(r),
            _ => Err(self.not_a("shower VAE-GAN")),
        }
    }

    /// The figures as a table: a column per test (the label's part before ": ", e.g. "cut I"),
    /// a row per observable (the part after it), in the order they first appear.
    pub fn figure_table(&self) -> FigureTable {
        let mut t = FigureTable::default();
        for (label, v) in &self.quantile_js {
            let (col, row) = label.split_once(": ").unwrap_or(("", label));
            let c = position_or_push(&mut t.columns, col);
            let r = match t.rows.iter().position(|(n, _)| n == row) {
                Some(r) => r,
                None => {
                    t.rows.push((row.to_string(), Vec::new()));
                    t.rows.len() - 1
                }
            };
            let cells = &mut t.rows[r].1;
            cells.resize(t.columns.len().max(cells.len()), None);
            cells[c] = Some(*v);
        }
        for (_, cells) in &mut t.rows {
            cells.resize(t.columns.len(), None);
        }
        t
    }

    fn not_a(&self, what: &str) -> Error {
        Error::invalid(
            "model",
            format!("the pre-trained model '{}' is not a {what}", self.name),
        )
    }
}

/// A manifest entry's figures, pivoted: column names and (row name, a cell per column).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FigureTable {
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Option<f64>>)>,
}

fn position_or_push(v: &mut Vec<String>, s: &str) -> usize {
    v.iter().position(|x| x == s).unwrap_or_else(|| {
        v.push(s.to_string());
        v.len() - 1
    })
}

/// One option of a tab's pre-trained choice: one entry, or several loaded together.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub label: String,
    pub entries: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub models: Vec<ManifestEntry>,
}

impl Manifest {
    /// The options of a tab of `kinds`: with two kinds, first the first entry of each together
    /// (the naive GAN beside the FCGAN, as the paper compares them), then every entry alone.
    pub fn choices(&self, kinds: &[ModelKind]) -> Vec<Choice> {
        let mut out = Vec::new();
        let firsts: Vec<ManifestEntry> = kinds
            .iter()
            .filter_map(|k| self.of_kind(*k).next().cloned())
            .collect();
        if kinds.len() > 1 && firsts.len() == kinds.len() {
            out.push(Choice {
                label: firsts
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
                entries: firsts,
            });
        }
        for e in self.models.iter().filter(|e| kinds.contains(&e.kind)) {
            out.push(Choice {
                label: e.name.clone(),
                entries: vec![e.clone()],
            });
        }
        out
    }

    /// Parses a manifest; `source` names it in messages.
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let m: Manifest = serde_json::from_str(text).map_err(|e| Error::Format {
            file: source.to_string(),
            message: format!("not a model manifest: {e}"),
        })?;
        for e in &m.models {
            let file_ok =
                !e.file.is_empty() && !e.file.contains(['/', '\\']) && !e.file.starts_with('.');
            let hash_ok = e.sha256.len() == 64 && e.sha256.bytes().all(|b| b.is_ascii_hexdigit());
            if !file_ok || !hash_ok {
                return Err(Error::Format {
                    file: source.to_string(),
                    message: format!(
                        "entry '{}': the file must be a plain name in models/ and sha256 64 hex digits",
                        e.name
                    ),
                });
            }
        }
        Ok(m)
    }

    /// The entries of one kind.
    pub fn of_kind(&self, kind: ModelKind) -> impl Iterator<Item = &ManifestEntry> {
        self.models.iter().filter(move |e| e.kind == kind)
    }

    /// The entry called `name`, or a message listing the names there are.
    pub fn find(&self, name: &str) -> Result<&ManifestEntry> {
        self.models.iter().find(|e| e.name == name).ok_or_else(|| {
            Error::invalid(
                "model",
                format!(
                    "no pre-trained model '{name}' in models/manifest.json; available: {}",
                    self.models
                        .iter()
                        .map(|e| e.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }

    /// Checks that `bytes` are the entry's file (its SHA-256).
    pub fn verify(entry: &ManifestEntry, bytes: &[u8]) -> Result<()> {
        let got = super::sha256_hex(bytes);
        if got != entry.sha256 {
            return Err(Error::Model {
                file: entry.file.clone(),
                message: format!(
                    "SHA-256 {got} is not the manifest's {} for '{}': the file was changed",
                    entry.sha256, entry.name
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One entry's JSON: `kind` left out when `None` (the default, smearing).
    fn entry(
        name: &str,
        file: &str,
        sha: &str,
        kind: Option<&str>,
        recipe: &str,
        js: &str,
    ) -> String {
        let kind = kind
            .map(|k| format!(r#""kind":"{k}","#))
            .unwrap_or_default();
        format!(
            r#"{{"name":"{name}","file":"{file}","sha256":"{sha}","description":"",{kind}"recipe":{recipe},"command":"","quantile_js":{js}}}"#
        )
    }

    /// A manifest of `entries`.
    fn manifest(entries: &[String]) -> String {
        format!(r#"{{"models":[{}]}}"#, entries.join(","))
    }

    const WJETS: &str = r#"{"process":"wjets","events":10,"seed":1}"#;

    #[test]
    fn refuses_paths_and_bad_hashes_and_names_alternatives() {
        let one = |file: &str, sha: &str| manifest(&[entry("a", file, sha, None, WJETS, "[]")]);
        let good = "0".repeat(64);
        let m = Manifest::from_json(&one("a.fastsim", &good), "m.json").unwrap();
        assert!(m
            .find("b")
            .unwrap_err()
            .to_string()
            .contains("available: a"));
        assert!(Manifest::verify(&m.models[0], b"x")
            .unwrap_err()
            .to_string()
            .contains("was changed"));
        assert!(Manifest::from_json(&one("../etc/passwd", &good), "m.json").is_err());
        assert!(Manifest::from_json(&one("a.fastsim", "xyz"), "m.json").is_err());
    }

    /// Each kind's recipe parses into its own variant, and a wrong one is named.
    #[test]
    fn recipes_of_each_method_parse_by_their_fields() {
        let one = |kind: &str, recipe: &str| {
            manifest(&[entry(
                "m",
                "m.fastsim",
                &"0".repeat(64),
                Some(kind),
                recipe,
                "[]",
            )])
        };
        let parse = |kind, recipe| {
            Manifest::from_json(&one(kind, recipe), "m.json")
                .unwrap()
                .models
                .remove(0)
        };
        let w = parse("smearing", WJETS);
        assert_eq!(w.wjets_recipe().unwrap().events, 10);
        let j = parse("jet-vae", r#"{"jets":30,"seed":2}"#);
        assert_eq!(
            (j.kind, j.jet_recipe().unwrap().jets),
            (ModelKind::JetVae, 30)
        );
        let z = parse("fcgan", r#"{"events":40,"seed":3}"#);
        assert_eq!(z.wz_recipe().unwrap().seed, 3);
        assert!(z
            .jet_recipe()
            .unwrap_err()
            .to_string()
            .contains("'m' is not a jet VAE"));
        assert!(Manifest::from_json(&one("gan", r#"{"events":1,"seed":1}"#), "m.json").is_err());
    }

    #[test]
    fn two_kinds_offer_their_pair_first_then_each_entry() {
        let gan = |name: &str, kind: &str| {
            let file = format!("{name}.fastsim");
            entry(
                name,
                &file,
                &"0".repeat(64),
                Some(kind),
                r#"{"events":10,"seed":1}"#,
                "[]",
            )
        };
        let text = manifest(&[gan("n", "naive-gan"), gan("f", "fcgan"), gan("f2", "fcgan")]);
        let m = Manifest::from_json(&text, "m").unwrap();
        let c = m.choices(&[ModelKind::NaiveGan, ModelKind::Fcgan]);
        let labels: Vec<&str> = c.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["n + f", "n", "f", "f2"]);
        assert_eq!(c[0].entries.len(), 2);
        assert!(m.choices(&[ModelKind::JetVae]).is_empty());
    }

    #[test]
    fn figures_pivot_into_tests_by_observables() {
        let js = r#"[["no cut: mjj",0.1],["no cut: mll",0.2],["cut I: mjj",0.3],["W′, no cut: mll",0.4],["plain",0.5]]"#;
        let recipe = r#"{"events":1,"seed":1}"#;
        let text = manifest(&[entry("m", "m.fastsim", &"0".repeat(64), None, recipe, js)]);
        let t = Manifest::from_json(&text, "m").unwrap().models[0].figure_table();
        assert_eq!(t.columns, ["no cut", "cut I", "W′, no cut", ""]);
        assert_eq!(
            t.rows,
            [
                ("mjj".to_string(), vec![Some(0.1), Some(0.3), None, None]),
                ("mll".to_string(), vec![Some(0.2), None, Some(0.4), None]),
                ("plain".to_string(), vec![None, None, None, Some(0.5)]),
            ]
        );
    }
}
