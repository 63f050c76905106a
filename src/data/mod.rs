//! Columnar tables of named f32 columns, their files (CSV, NPY, NPZ, ROOT), column transforms,
//! and standardisation.

mod csv;
mod derive;
mod format;
mod jagged;
mod jets;
mod npy;
mod npz;
#[cfg(not(target_arch = "wasm32"))]
mod root;
mod showers;
mod standardize;
mod table;
mod transform;

pub use self::csv::{read_csv, write_csv};
pub use derive::{derive_wjet_aux, derive_wz_masses};
pub use format::{
    check_size, finish as finish_read, names_sidecar, parse_names, read_bytes, read_path,
    write_bytes, write_path, Format, Loaded, NonFinite, ReadOptions, MAX_FILE_BYTES,
};
pub use jagged::{lay_out, Jagged};
pub use jets::{JetArrays, JET_VALUES};
pub use npy::{read_npy, write_array as write_npy_array, write_npy};
pub use npz::{read_npz, write_npz};
pub use showers::{read_showers, write_showers, SHOWERS_ARRAY};
pub use standardize::Standardizer;
pub use table::{Table, TextColumn};
pub use transform::{apply_transforms, Transform};

use crate::error::Result;
use std::path::Path;

/// Reads a table from a file with the default options (format by extension, NaN refused).
pub fn read_table(path: &Path) -> Result<Table> {
    read_path(path, &ReadOptions::default()).map(|l| l.table)
}

/// Writes a table to a file, choosing the format by extension.
pub fn write_table(table: &Table, path: &Path) -> Result<()> {
    write_path(table, path)
}
