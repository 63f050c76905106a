//! CSV with a header row of column names (DESIGN.md), read with the maintained `csv` crate.

use super::Table;
use crate::error::{Error, Result};
use std::io::{Read, Write};

/// Reads a CSV table; `file` names it in messages. Every value must be a number (NaN and
/// ±Inf parse, and [`super::read_bytes`] applies the caller's policy to them): a row with text,
/// or with the wrong number of fields, is refused with its row (counting data rows from 1)
/// and column.
pub fn read_csv(reader: impl Read, file: &str) -> Result<Table> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = rdr.headers().map_err(|e| Error::Format {
        file: file.to_string(),
        message: format!("cannot read the header row: {e}"),
    })?;
    let names: Vec<String> = headers.iter().map(str::to_string).collect();
    if names.is_empty() || names.iter().all(String::is_empty) {
        return Err(Error::Format {
            file: file.to_string(),
            message: "empty file: expected a header row of column names".into(),
        });
    }
    if let Some(i) = names.iter().position(String::is_empty) {
        return Err(Error::Format {
            file: file.to_string(),
            message: format!("header column {} has no name", i + 1),
        });
    }
    if let [only] = names.as_slice() {
        if let Some(d) = [';', '\t', '|', ' ']
            .into_iter()
            .find(|d| only.contains(*d))
        {
            let shown = if d == '\t' {
                "a tab".to_string()
            } else {
                format!("'{d}'")
            };
            return Err(Error::Format {
                file: file.to_string(),
                message: format!(
                    "the header is one column '{only}': expected comma-separated values, found {shown} (wrong delimiter?)"
                ),
            });
        }
    }
    let mut table = Table::new(names.clone(), file)?;
    let mut row = vec![0f32; names.len()];
    for (r, record) in rdr.records().enumerate() {
        let line = r + 1;
        let record = record.map_err(|e| Error::Format {
            file: file.to_string(),
            message: format!("row {line}: {e}"),
        })?;
        if record.len() != names.len() {
            return Err(Error::Format {
                file: file.to_string(),
                message: format!(
                    "row {line}: {} fields, the header has {} (wrong delimiter or ragged row?)",
                    record.len(),
                    names.len()
                ),
            });
        }
        for (c, field) in record.iter().enumerate() {
            let parse_err = |message: String| Error::Parse {
                file: file.to_string(),
                row: line,
                column: names[c].clone(),
                message,
            };
            let v: f32 = field
                .parse()
                .map_err(|_| parse_err(format!("'{field}' is not a number")))?;
            row[c] = v;
        }
        table.push_row(&row);
    }
    Ok(table)
}

/// Writes a table as CSV with a header row; floats are printed in the shortest form that
/// reads back to the same f32.
pub fn write_csv(table: &Table, writer: impl Write, file: &str) -> Result<()> {
    let io = |e: csv::Error| Error::Format {
        file: file.to_string(),
        message: format!("cannot write: {e}"),
    };
    let mut w = csv::Writer::from_writer(writer);
    w.write_record(table.names()).map_err(io)?;
    let mut buf = Vec::with_capacity(table.n_cols());
    for r in 0..table.n_rows() {
        buf.clear();
        buf.extend((0..table.n_cols()).map(|c| table.column_at(c)[r].to_string()));
        w.write_record(&buf).map_err(io)?;
    }
    w.flush().map_err(|e| Error::Format {
        file: file.to_string(),
        message: format!("cannot write: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = Table::from_columns(
            vec!["x".into(), "y".into()],
            vec![vec![1.5, -2.25e-7, 3.0], vec![0.1, 1e30, -0.0]],
            "mem",
        )
        .unwrap();
        let mut buf = Vec::new();
        write_csv(&t, &mut buf, "mem").unwrap();
        let back = read_csv(buf.as_slice(), "mem").unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn bad_inputs_name_row_and_column() {
        let e = read_csv("a,b\n1,2\n3,x\n".as_bytes(), "f.csv")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "f.csv: row 2, column 'b': 'x' is not a number");
        let t = read_csv("a,b\n1,NaN\n".as_bytes(), "f.csv").unwrap();
        assert!(t.column("b").unwrap()[0].is_nan());
        let e = read_csv("a;b\n1;2\n".as_bytes(), "f.csv")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "f.csv: the header is one column 'a;b': expected comma-separated values, found ';' (wrong delimiter?)");
        let e = read_csv("a,b\n1,2,3\n".as_bytes(), "f.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 1: 3 fields, the header has 2"), "{e}");
        let e = read_csv("".as_bytes(), "f.csv").unwrap_err().to_string();
        assert!(e.contains("empty file"), "{e}");
    }
}
