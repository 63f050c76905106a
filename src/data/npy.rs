//! NumPy `.npy` arrays, read and written with the maintained `npyz` crate.
//!
//! npyz sizes its reads from the header's declared shape, so every header is checked against
//! the bytes actually present before any data is read (`../shared/reference`: a 12-byte file
//! can declare 4 GiB). Accepted: float32 / float64, either byte order, C or Fortran order,
//! 1-D (one column) or 2-D (rows × columns).

use super::Table;
use crate::error::{Error, Result};
use npyz::{DType, NpyFile, Order, TypeChar, WriterBuilder};

/// A numeric array read from an `.npy`: its shape and its values, row-major (C order).
pub(crate) struct Array {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// Reads one `.npy` array; `what` names it in messages ("f.npy", "f.npz: array 'x'").
pub(crate) fn read_array(bytes: &[u8], what: &str) -> Result<Array> {
    let err = |message: String| Error::Format {
        file: what.to_string(),
        message,
    };
    check_header_len(bytes, what)?;
    let npy = NpyFile::new(bytes).map_err(|e| {
        err(format!(
            "not a valid .npy file (truncated or bad header: {e})"
        ))
    })?;
    let shape: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| err(format!("dimension {d} is too large"))))
        .collect::<Result<_>>()?;
    let size = match npy.dtype() {
        DType::Plain(t) if t.type_char() == TypeChar::Float && matches!(t.size_field(), 4 | 8) => {
            t.size_field() as usize
        }
        other => {
            return Err(err(format!(
                "dtype {} is not supported: expected float32 or float64",
                other.descr()
            )))
        }
    };
    // Only now, with the declared size known to fit in the input, let npyz read the data.
    shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .filter(|n| n.checked_mul(size).is_some_and(|b| b <= bytes.len()))
        .ok_or_else(|| {
            err(format!(
                "the header declares shape {:?} of {size}-byte values but the file has only {} bytes (truncated?)",
                shape,
                bytes.len()
            ))
        })?;
    let order = npy.order();
    let truncated = |e: std::io::Error| err(format!("truncated data: {e}"));
    let data: Vec<f32> = match size {
        4 => npy
            .data::<f32>()
            .map_err(|e| err(e.to_string()))?
            .collect::<std::io::Result<_>>()
            .map_err(truncated)?,
        _ => npy
            .data::<f64>()
            .map_err(|e| err(e.to_string()))?
            .map(|v| v.map(|v| v as f32))
            .collect::<std::io::Result<_>>()
            .map_err(truncated)?,
    };
    if order == Order::Fortran && shape.len() > 2 {
        return Err(err(format!(
            "a Fortran-order array of {} dimensions is not supported: save it with numpy.ascontiguousarray",
            shape.len()
        )));
    }
    let data = match (order, shape.as_slice()) {
        (Order::Fortran, [rows, cols]) => {
            let (rows, cols) = (*rows, *cols);
            let mut c = vec![0f32; data.len()];
            for j in 0..cols {
                for i in 0..rows {
                    c[i * cols + j] = data[j * rows + i];
                }
            }
            c
        }
        _ => data,
    };
    Ok(Array { shape, data })
}

/// npyz also allocates the header text from its declared length (a u32 in format versions 2
/// and 3) before reading it; a 40-byte file found by the fuzzer asked for 4 GiB that way. So
/// the declared length is checked against the bytes present first.
fn check_header_len(bytes: &[u8], what: &str) -> Result<()> {
    let declared = match bytes {
        [0x93, b'N', b'U', b'M', b'P', b'Y', 1, _, a, b, ..] => {
            Some((10usize, u16::from_le_bytes([*a, *b]) as usize))
        }
        [0x93, b'N', b'U', b'M', b'P', b'Y', 2 | 3, _, a, b, c, d, ..] => {
            Some((12, u32::from_le_bytes([*a, *b, *c, *d]) as usize))
        }
        _ => None, // npyz reports a bad magic or version itself
    };
    let err = |message: String| Error::Format {
        file: what.to_string(),
        message,
    };
    let Some((start, len)) = declared else {
        return Ok(());
    };
    if start.saturating_add(len) > bytes.len() {
        return Err(err(format!(
            "truncated header: it declares {len} bytes, the file has {}",
            bytes.len()
        )));
    }
    // NumPy's own reader refuses headers over 10 000 bytes (np.load's max_header_size). The
    // header is a flat dict holding one shape tuple, so brackets nest two deep; the parser
    // npyz uses (py_literal) takes exponential time on deeply nested ones (found by fuzzing:
    // 14 nested braces took over 10 s), so deeper nesting is refused first.
    if len > MAX_HEADER_BYTES {
        return Err(err(format!(
            "header of {len} bytes is over the {MAX_HEADER_BYTES}-byte limit NumPy also sets"
        )));
    }
    let mut depth = 0usize;
    for &c in &bytes[start..start + len] {
        match c {
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > 3 {
            return Err(err(
                "malformed header: brackets nest deeper than a NumPy header's dict and shape"
                    .into(),
            ));
        }
    }
    Ok(())
}

/// The longest `.npy` header read (bytes), as `numpy.load`'s default `max_header_size`.
const MAX_HEADER_BYTES: usize = 10_000;

/// Column names for `cols` columns: the caller's (exactly `cols` of them) or `<stem>_<j>`.
pub(crate) fn column_names(
    names: Option<&[String]>,
    cols: usize,
    stem: &str,
    what: &str,
) -> Result<Vec<String>> {
    match names {
        Some(n) if n.len() != cols => Err(Error::Format {
            file: what.to_string(),
            message: format!("{} column names given for {cols} columns", n.len()),
        }),
        Some(n) => Ok(n.to_vec()),
        None => Ok((0..cols).map(|j| format!("{stem}_{j}")).collect()),
    }
}

/// Reads a 1-D or 2-D `.npy` as a table, columns named by `names` or `col_0 …`.
pub fn read_npy(bytes: &[u8], file: &str, names: Option<&[String]>) -> Result<Table> {
    let a = read_array(bytes, file)?;
    to_table(a, names, "col", file, file)
}

/// A 1-D or 2-D array as a table.
pub(crate) fn to_table(
    a: Array,
    names: Option<&[String]>,
    stem: &str,
    what: &str,
    source: &str,
) -> Result<Table> {
    let (rows, cols) = match a.shape.as_slice() {
        [n] => (*n, 1),
        [n, k] => (*n, *k),
        s => {
            return Err(Error::Format {
                file: what.to_string(),
                message: format!("a {}-D array of shape {s:?}: expected 1-D or 2-D", s.len()),
            })
        }
    };
    let names = column_names(names, cols, stem, what)?;
    let columns = (0..cols)
        .map(|j| (0..rows).map(|i| a.data[i * cols + j]).collect())
        .collect();
    Table::from_columns(names, columns, source)
}

/// One array, float32, as `.npy` bytes; `shape` is (rows) or (rows, cols), data row-major.
pub fn write_array(data: &[f32], shape: &[u64], file: &str) -> Result<Vec<u8>> {
    let io = |e: std::io::Error| Error::Format {
        file: file.to_string(),
        message: format!("cannot write: {e}"),
    };
    let mut buf = Vec::new();
    let mut w = npyz::WriteOptions::new()
        .default_dtype()
        .shape(shape)
        .writer(&mut buf)
        .begin_nd()
        .map_err(io)?;
    w.extend(data.iter().copied()).map_err(io)?;
    w.finish().map_err(io)?;
    Ok(buf)
}

/// The table as one 2-D float32 array (rows × columns, C order).
pub fn write_npy(table: &Table, file: &str) -> Result<Vec<u8>> {
    let data = table.row_major(table.names())?;
    write_array(&data, &[table.n_rows() as u64, table.n_cols() as u64], file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(descr: &str, fortran: bool, shape: &str) -> Vec<u8> {
        let dict = format!(
            "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
            if fortran { "True" } else { "False" }
        );
        let mut h = dict.into_bytes();
        while (10 + h.len() + 1) % 64 != 0 {
            h.push(b' ');
        }
        h.push(b'\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((h.len() as u16).to_le_bytes());
        out.extend(h);
        out
    }

    #[test]
    fn fortran_and_big_endian_float64() {
        // [[1, 2, 3], [4, 5, 6]] stored column by column, big-endian doubles.
        let mut b = header(">f8", true, "(2, 3)");
        for v in [1.0f64, 4.0, 2.0, 5.0, 3.0, 6.0] {
            b.extend(v.to_be_bytes());
        }
        let t = read_npy(&b, "f.npy", None).unwrap();
        assert_eq!(t.names(), ["col_0", "col_1", "col_2"]);
        assert_eq!(t.column("col_0").unwrap(), &[1.0, 4.0]);
        assert_eq!(t.column("col_2").unwrap(), &[3.0, 6.0]);
    }

    #[test]
    fn a_huge_declared_shape_is_refused_without_allocating() {
        let b = header("<f4", false, "(1073741824, 1024)");
        let e = read_npy(&b, "f.npy", None).unwrap_err().to_string();
        assert!(e.contains("truncated?"), "{e}");
    }

    #[test]
    fn a_huge_declared_header_is_refused_without_allocating() {
        // The fuzzer's input: format version 3 declaring a 4 GiB header.
        let b = [
            147u8, 78, 85, 77, 80, 89, 3, 0, 65, 0, 252, 255, 40, 255, 255, 190, 255, 255, 83, 65,
            0, 255, 57, 0, 0, 0, 255, 255, 255, 0, 72, 65, 0, 0, 180, 65, 0, 0, 2, 66,
        ];
        let e = read_npy(&b, "f.npy", None).unwrap_err().to_string();
        assert_eq!(
            e,
            "f.npy: truncated header: it declares 4294705217 bytes, the file has 40"
        );
    }

    #[test]
    fn deeply_nested_headers_are_refused_before_parsing() {
        let mut b = header("<f4", false, "(1, 1)");
        b[10..20].copy_from_slice(b"{{{{{{{{{{");
        let e = read_npy(&b, "f.npy", None).unwrap_err().to_string();
        assert!(e.contains("brackets nest deeper"), "{e}");
    }

    #[test]
    fn truncated_wrong_dtype_and_bad_names() {
        let mut b = header("<f4", false, "(3, 2)");
        b.extend([0u8; 20]);
        let e = read_npy(&b, "f.npy", None).unwrap_err().to_string();
        assert!(e.starts_with("f.npy: truncated data"), "{e}");
        let mut b = header("<i8", false, "(1, 1)");
        b.extend([0u8; 8]);
        let e = read_npy(&b, "f.npy", None).unwrap_err().to_string();
        assert_eq!(
            e,
            "f.npy: dtype '<i8' is not supported: expected float32 or float64"
        );
        let e = read_npy(b"\x93NUMPY\x01", "f.npy", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("f.npy: not a valid .npy file"), "{e}");
        let mut b = header("<f4", false, "(1, 2)");
        b.extend([0u8; 8]);
        let names = ["a".to_string()];
        let e = read_npy(&b, "f.npy", Some(&names)).unwrap_err().to_string();
        assert_eq!(e, "f.npy: 1 column names given for 2 columns");
    }
}
