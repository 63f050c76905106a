//! NumPy `.npz` archives (`numpy.savez` / `savez_compressed`): a zip of `.npy` arrays, opened
//! with the maintained `zip` crate (stored and deflate entries) and each array read by
//! [`super::npy`].
//!
//! A 1-D array becomes one column named after it; a 2-D array of k columns becomes columns
//! named by the caller's names (when it is the only array) or `<array>_0 … <array>_{k−1}`.
//! All arrays must have the same number of rows. Entry sizes are checked against the limit
//! before they are inflated (a zip bomb is refused, not expanded).

use super::npy::{read_array, to_table, write_array, Array};
use super::{Table, MAX_FILE_BYTES};
use crate::error::{Error, Result};
use std::io::{Cursor, Read, Write};

/// Every array of an `.npz`, in archive order, with its name (the entry name less `.npy`).
pub(crate) fn read_arrays(bytes: &[u8], file: &str) -> Result<Vec<(String, Array)>> {
    let err = |message: String| Error::Format {
        file: file.to_string(),
        message,
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| err(format!("not a valid .npz (zip) archive: {e}")))?;
    if zip.is_empty() {
        return Err(err("the archive holds no arrays".into()));
    }
    let mut out = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| err(format!("entry {i}: {e}")))?;
        let entry_name = entry
            .name()
            .map_err(|e| err(format!("entry {i}: bad name: {e}")))?
            .to_string();
        let Some(array) = entry_name.strip_suffix(".npy") else {
            return Err(err(format!("entry '{entry_name}' is not a .npy array")));
        };
        let array = array.to_string();
        let what = format!("{file}: array '{array}'");
        if entry.size() > MAX_FILE_BYTES {
            return Err(Error::Format {
                file: what,
                message: format!(
                    "{} MiB uncompressed is over the {} MiB limit",
                    entry.size() >> 20,
                    MAX_FILE_BYTES >> 20
                ),
            });
        }
        let mut buf = Vec::with_capacity(entry.size().min(bytes.len() as u64 * 8) as usize);
        entry
            .by_ref()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::Format {
                file: what.clone(),
                message: format!("cannot inflate: {e}"),
            })?;
        let a = read_array(&buf, &what)?;
        out.push((array, a));
    }
    Ok(out)
}

/// Reads every array of an `.npz` into one table.
pub fn read_npz(bytes: &[u8], file: &str, names: Option<&[String]>) -> Result<Table> {
    let err = |message: String| Error::Format {
        file: file.to_string(),
        message,
    };
    let arrays = read_arrays(bytes, file)?;
    let single = arrays.len() == 1;
    let mut out: Option<Table> = None;
    for (array, a) in arrays {
        let what = format!("{file}: array '{array}'");
        // A 1-D array is the column of its name; the caller's names apply to a lone array.
        let own = (a.shape.len() == 1).then(|| vec![array.clone()]);
        let given = if single { names } else { None };
        let t = to_table(a, given.or(own.as_deref()), &array, &what, file)?;
        out = Some(match out {
            None => t,
            Some(mut acc) => {
                if t.n_rows() != acc.n_rows() {
                    return Err(Error::Format {
                        file: what,
                        message: format!(
                            "{} rows, the arrays before it have {}",
                            t.n_rows(),
                            acc.n_rows()
                        ),
                    });
                }
                for (j, name) in t.names().iter().enumerate() {
                    if acc.names().contains(name) {
                        return Err(err(format!("column '{name}' appears twice")));
                    }
                    acc.set_column(name, t.column_at(j).to_vec())?;
                }
                acc
            }
        });
    }
    out.ok_or_else(|| err("the archive holds no arrays".into()))
}

/// A zip of `.npy` entries, deflate-compressed as `numpy.savez_compressed` writes them.
pub(crate) fn write_arrays<'a>(
    arrays: impl IntoIterator<Item = (&'a str, &'a [f32], Vec<u64>)>,
    file: &str,
) -> Result<Vec<u8>> {
    let io = |e: String| Error::Format {
        file: file.to_string(),
        message: format!("cannot write: {e}"),
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (name, data, shape) in arrays {
        let npy = write_array(data, &shape, file)?;
        zip.start_file(format!("{name}.npy"), options)
            .map_err(|e| io(e.to_string()))?;
        zip.write_all(&npy).map_err(|e| io(e.to_string()))?;
    }
    let cursor = zip.finish().map_err(|e| io(e.to_string()))?;
    Ok(cursor.into_inner())
}

/// One 1-D float32 array per column (readable by `numpy.load(f)[name]`), deflate-compressed
/// as `numpy.savez_compressed` writes them.
pub fn write_npz(table: &Table, file: &str) -> Result<Vec<u8>> {
    let rows = table.n_rows() as u64;
    write_arrays(
        table
            .names()
            .iter()
            .enumerate()
            .map(|(j, name)| (name.as_str(), table.column_at(j), vec![rows])),
        file,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_zip_and_unequal_arrays_are_refused() {
        let e = read_npz(b"PK\x03\x04garbage", "f.npz", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("f.npz: not a valid .npz (zip) archive"),
            "{e}"
        );
        let a = Table::from_columns(vec!["a".into()], vec![vec![1.0, 2.0]], "m").unwrap();
        let b = Table::from_columns(vec!["b".into()], vec![vec![1.0]], "m").unwrap();
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for t in [&a, &b] {
            let npy = write_array(t.column_at(0), &[t.n_rows() as u64], "m").unwrap();
            zip.start_file(
                format!("{}.npy", t.names()[0]),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            zip.write_all(&npy).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        let e = read_npz(&bytes, "f.npz", None).unwrap_err().to_string();
        assert_eq!(e, "f.npz: array 'b': 1 rows, the arrays before it have 2");
    }
}
