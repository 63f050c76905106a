//! Columnar tables of named f32 columns, their files, and standardisation.

mod csv;
mod standardize;
mod table;

pub use self::csv::{read_csv, write_csv};
pub use standardize::Standardizer;
pub use table::Table;

use crate::error::{Error, Result};
use std::path::Path;

/// Reads a table from a file, choosing the format by extension (CSV for now).
pub fn read_table(path: &Path) -> Result<Table> {
    match extension(path).as_str() {
        "csv" => {
            let file = std::fs::File::open(path).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
            read_csv(file, &path.display().to_string())
        }
        other => Err(unsupported(path, other)),
    }
}

/// Writes a table to a file, choosing the format by extension (CSV for now).
pub fn write_table(table: &Table, path: &Path) -> Result<()> {
    match extension(path).as_str() {
        "csv" => {
            let file = std::fs::File::create(path).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
            write_csv(
                table,
                std::io::BufWriter::new(file),
                &path.display().to_string(),
            )
        }
        other => Err(unsupported(path, other)),
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn unsupported(path: &Path, ext: &str) -> Error {
    Error::Format {
        file: path.display().to_string(),
        message: format!("unsupported extension '.{ext}' (expected .csv)"),
    }
}
