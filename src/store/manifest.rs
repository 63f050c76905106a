//! `models/manifest.json`: the pre-trained models, each with its file, SHA-256, the recipe of
//! its training events, the exact command that trained it and its quality figures. The page
//! lists it; the command line's `--model` takes an entry's name; `scripts/retrain-models`
//! re-runs the commands and checks the hashes.

use crate::error::{Error, Result};
use crate::recipe::WjetsRecipe;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub name: String,
    /// File name inside `models/`.
    pub file: String,
    pub sha256: String,
    pub description: String,
    /// The training events.
    pub recipe: WjetsRecipe,
    /// The command that made the file (run from the repository root).
    pub command: String,
    /// Quantile-JS (16 quantiles) per reco column on independent test events.
    pub quantile_js: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub models: Vec<ManifestEntry>,
}

impl Manifest {
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

    #[test]
    fn refuses_paths_and_bad_hashes_and_names_alternatives() {
        let entry = |file: &str, sha: &str| {
            format!(
                r#"{{"models":[{{"name":"a","file":"{file}","sha256":"{sha}","description":"","recipe":{{"process":"wjets","events":10,"seed":1}},"command":"","quantile_js":[]}}]}}"#
            )
        };
        let good = "0".repeat(64);
        let m = Manifest::from_json(&entry("a.fastsim", &good), "m.json").unwrap();
        assert!(m
            .find("b")
            .unwrap_err()
            .to_string()
            .contains("available: a"));
        assert!(Manifest::verify(&m.models[0], b"x")
            .unwrap_err()
            .to_string()
            .contains("was changed"));
        assert!(Manifest::from_json(&entry("../etc/passwd", &good), "m.json").is_err());
        assert!(Manifest::from_json(&entry("a.fastsim", "xyz"), "m.json").is_err());
    }
}
