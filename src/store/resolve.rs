//! Finding a model file by path, or by the name of a pre-trained model in the manifest
//! (whose hash is checked): the command line's `--model` and `--models` take either.

use super::Manifest;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

fn read(p: &Path) -> Result<Vec<u8>> {
    std::fs::read(p).map_err(|source| Error::Io {
        path: p.to_path_buf(),
        source,
    })
}

/// A model file's bytes and the name to report it by: `arg` is a path, or else the name of
/// an entry of `<dir>/manifest.json`, whose SHA-256 must match the file's.
pub fn resolve_model(arg: &Path, dir: &Path) -> Result<(Vec<u8>, String)> {
    if arg.exists() {
        return Ok((read(arg)?, arg.display().to_string()));
    }
    let manifest_path = dir.join("manifest.json");
    if !manifest_path.exists() {
        return Err(Error::invalid(
            "model",
            format!(
                "'{}' is neither a file nor, without {}, a pre-trained model name",
                arg.display(),
                manifest_path.display()
            ),
        ));
    }
    let text = String::from_utf8_lossy(&read(&manifest_path)?).into_owned();
    let manifest = Manifest::from_json(&text, &manifest_path.display().to_string())?;
    let entry = manifest.find(&arg.display().to_string())?;
    let path = dir.join(&entry.file);
    let bytes = read(&path)?;
    Manifest::verify(entry, &bytes)?;
    Ok((bytes, path.display().to_string()))
}

/// The folder of the pre-trained models: `$FASTSIM_MODELS`, default `models`.
pub fn models_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("FASTSIM_MODELS").unwrap_or_else(|| "models".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_refused_with_one_line() {
        let dir = std::env::temp_dir().join("fastsim-resolve-none");
        let e = resolve_model(Path::new("no-such-model"), &dir).unwrap_err();
        assert!(e.to_string().contains("neither a file nor"), "{e}");
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let e = resolve_model(Path::new("no-such-model"), &shipped).unwrap_err();
        assert!(!e.to_string().contains('\n'), "{e}");
    }
}
