//! Reading and writing tables in every supported format, chosen by the file name's extension,
//! with the checks every format shares: a size limit stated up front, and one policy for
//! NaN / ±Inf values (refuse, naming the first; or drop the rows, saying how many).

use super::{npy, npz, read_csv, write_csv, Jagged, Table};
use crate::error::{Error, Result};
use std::path::Path;

/// Largest file read, in bytes (512 MiB). Checked against the file's size before any of it is
/// read, so a 2 GB file is refused at once; the page checks `File.size` the same way. A table
/// this size holds ~10⁸ numbers, far beyond what the networks here train on.
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// The table formats, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Npy,
    Npz,
    /// ROOT TTrees; read natively only (see `data::root`).
    Root,
}

impl Format {
    /// The format a file name's extension names (case-insensitive), or an error listing them.
    pub fn of(file: &str) -> Result<Self> {
        let ext = Path::new(file)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Ok(Self::Csv),
            "npy" => Ok(Self::Npy),
            "npz" => Ok(Self::Npz),
            "root" => Ok(Self::Root),
            other => Err(Error::Format {
                file: file.to_string(),
                message: format!(
                    "unsupported extension '.{other}' (expected .csv, .npy, .npz or .root)"
                ),
            }),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Npy => "npy",
            Self::Npz => "npz",
            Self::Root => "root",
        }
    }
}

/// What to do with NaN / ±Inf values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NonFinite {
    /// Refuse the file, naming the first such row and column and how many rows have one.
    #[default]
    Refuse,
    /// Drop every row that has one; [`Loaded::dropped`] says how many.
    Drop,
}

/// How to read a file; the defaults suit a CSV.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    /// Column names for a 2-D `.npy` (or a 2-D `.npz` array); without them `<stem>_0 …`.
    pub names: Option<Vec<String>>,
    pub non_finite: NonFinite,
    /// The ROOT TTree; without it the file's only tree, or `Events`.
    pub tree: Option<String>,
    /// The ROOT branches to read; without them every numeric branch.
    pub branches: Option<Vec<String>>,
    pub jagged: Jagged,
}

/// A table read from a file, with what was done to it on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub table: Table,
    /// Rows dropped for NaN / ±Inf ([`NonFinite::Drop`]).
    pub dropped: usize,
    /// Other things the reader did that the user should know (skipped events, …).
    pub notes: Vec<String>,
}

/// Refuses a file larger than [`MAX_FILE_BYTES`] before reading it.
pub fn check_size(file: &str, bytes: u64) -> Result<()> {
    if bytes > MAX_FILE_BYTES {
        return Err(Error::Format {
            file: file.to_string(),
            message: format!(
                "{:.1} MiB is over the {} MiB limit for one file; split it or select columns first",
                bytes as f64 / (1 << 20) as f64,
                MAX_FILE_BYTES >> 20
            ),
        });
    }
    Ok(())
}

/// Reads a table from the bytes of a file named `file` (the name picks the format and appears
/// in every message). Never panics on malformed input.
pub fn read_bytes(bytes: &[u8], file: &str, opts: &ReadOptions) -> Result<Loaded> {
    check_size(file, bytes.len() as u64)?;
    let mut notes = Vec::new();
    let table = match Format::of(file)? {
        Format::Csv => read_csv(bytes, file)?,
        Format::Npy => npy::read_npy(bytes, file, opts.names.as_deref())?,
        Format::Npz => npz::read_npz(bytes, file, opts.names.as_deref())?,
        Format::Root => read_root_bytes(bytes, file, opts, &mut notes)?,
    };
    finish(table, opts.non_finite, notes)
}

/// Reads a table from a path: the size is checked from the file system first, `.npy` names
/// come from `opts.names` or a sidecar `FILE.npy.names` (comma- or line-separated).
pub fn read_path(path: &Path, opts: &ReadOptions) -> Result<Loaded> {
    let file = path.display().to_string();
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let format = Format::of(&file)?;
    check_size(&file, std::fs::metadata(path).map_err(io)?.len())?;
    let mut opts = opts.clone();
    if format == Format::Npy && opts.names.is_none() {
        let sidecar = names_sidecar(path);
        if sidecar.exists() {
            let text = std::fs::read_to_string(&sidecar).map_err(|source| Error::Io {
                path: sidecar.clone(),
                source,
            })?;
            opts.names = Some(parse_names(&text));
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    if format == Format::Root {
        let mut notes = Vec::new();
        let table = super::root::read_root(path, &file, &opts, &mut notes)?;
        return finish(table, opts.non_finite, notes);
    }
    read_bytes(&std::fs::read(path).map_err(io)?, &file, &opts)
}

/// The sidecar that names a `.npy` file's columns: `FILE.npy.names`.
pub fn names_sidecar(path: &Path) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".names");
    s.into()
}

/// Column names from text: separated by commas or line breaks, blanks trimmed and skipped.
pub fn parse_names(text: &str) -> Vec<String> {
    text.split([',', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(not(target_arch = "wasm32"))]
fn read_root_bytes(
    bytes: &[u8],
    file: &str,
    opts: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Table> {
    super::root::read_root_bytes(bytes, file, opts, notes)
}

#[cfg(target_arch = "wasm32")]
fn read_root_bytes(_: &[u8], file: &str, _: &ReadOptions, _: &mut Vec<String>) -> Result<Table> {
    Err(Error::Format {
        file: file.to_string(),
        message: "ROOT files are read in the page by JSROOT (open them in the Smear tab), or by \
                  the command line"
            .into(),
    })
}

/// Applies the NaN / Inf policy.
/// Applies the NaN / ±Inf policy to a table read with `notes` (what every reader ends with).
pub fn finish(table: Table, policy: NonFinite, notes: Vec<String>) -> Result<Loaded> {
    let bad: Vec<bool> = (0..table.n_rows())
        .map(|r| (0..table.n_cols()).any(|c| !table.column_at(c)[r].is_finite()))
        .collect();
    let n_bad = bad.iter().filter(|b| **b).count();
    if n_bad == 0 {
        return Ok(Loaded {
            table,
            dropped: 0,
            notes,
        });
    }
    match policy {
        NonFinite::Refuse => {
            let (row, column) = table.first_non_finite().unwrap_or((0, ""));
            Err(Error::Parse {
                file: table.source().to_string(),
                row,
                column: column.to_string(),
                message: format!(
                    "not a finite number (NaN or Inf; {n_bad} row{} in all have one; \
                     drop them with --drop-nonfinite)",
                    if n_bad == 1 { "" } else { "s" }
                ),
            })
        }
        NonFinite::Drop => {
            let keep: Vec<usize> = (0..bad.len()).filter(|&r| !bad[r]).collect();
            let table = table.take_rows(&keep);
            Ok(Loaded {
                table,
                dropped: n_bad,
                notes,
            })
        }
    }
}

/// Writes a table in the format `file`'s extension names, as bytes (the page downloads them;
/// [`write_path`] saves them). `.npy` holds the columns as one 2-D float32 array (C order);
/// its names go to the sidecar ([`write_path`]). `.npz` holds one 1-D float32 array per column.
pub fn write_bytes(table: &Table, file: &str) -> Result<Vec<u8>> {
    match Format::of(file)? {
        Format::Csv => {
            let mut buf = Vec::new();
            write_csv(table, &mut buf, file)?;
            Ok(buf)
        }
        Format::Npy => npy::write_npy(table, file),
        Format::Npz => npz::write_npz(table, file),
        Format::Root => Err(Error::Format {
            file: file.to_string(),
            message: "writing ROOT files is not supported; write .csv, .npy or .npz".into(),
        }),
    }
}

/// Writes a table to a path by extension; a `.npy` gets its names sidecar beside it.
pub fn write_path(table: &Table, path: &Path) -> Result<()> {
    let file = path.display().to_string();
    let bytes = write_bytes(table, &file)?;
    let write = |p: &Path, b: &[u8]| {
        std::fs::write(p, b).map_err(|source| Error::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    write(path, &bytes)?;
    if Format::of(&file)? == Format::Npy {
        write(&names_sidecar(path), table.names().join(",").as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table::from_columns(
            vec!["gen_x".into(), "reco_x".into()],
            vec![vec![1.5, -2.0, 3.25e-8], vec![1.0e30, 0.0, -0.0]],
            "mem",
        )
        .unwrap()
    }

    #[test]
    fn round_trips_through_every_writable_format() {
        for ext in ["csv", "npy", "npz"] {
            let file = format!("t.{ext}");
            let bytes = write_bytes(&table(), &file).unwrap();
            let opts = ReadOptions {
                names: (ext == "npy").then(|| table().names().to_vec()),
                ..Default::default()
            };
            let back = read_bytes(&bytes, &file, &opts).unwrap();
            assert_eq!(back.table.names(), table().names(), "{ext}");
            for c in 0..2 {
                let (a, b) = (back.table.column_at(c), table().column_at(c).to_vec());
                assert_eq!(
                    a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    "{ext}"
                );
            }
        }
    }

    #[test]
    fn non_finite_refused_or_dropped_with_a_count() {
        let text = "a,b\n1,2\nnan,3\n4,inf\n5,6\n";
        let e = read_bytes(text.as_bytes(), "f.csv", &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("f.csv: row 2, column 'a': not a finite number"),
            "{e}"
        );
        assert!(e.contains("2 rows in all"), "{e}");
        let opts = ReadOptions {
            non_finite: NonFinite::Drop,
            ..Default::default()
        };
        let l = read_bytes(text.as_bytes(), "f.csv", &opts).unwrap();
        assert_eq!(l.dropped, 2);
        assert_eq!(l.table.column("a").unwrap(), &[1.0, 5.0]);
    }

    #[test]
    fn oversized_and_unknown_files_refused_before_reading() {
        let e = check_size("big.csv", 2 << 30).unwrap_err().to_string();
        assert_eq!(
            e,
            "big.csv: 2048.0 MiB is over the 512 MiB limit for one file; split it or select columns first"
        );
        let e = Format::of("x.parquet").unwrap_err().to_string();
        assert!(e.contains("unsupported extension '.parquet'"), "{e}");
    }

    #[test]
    fn names_parse_from_commas_or_lines() {
        assert_eq!(parse_names(" a, b\nc\r\n\n"), vec!["a", "b", "c"]);
    }
}
