//! CSV with a header row of column names (DESIGN.md), read with the maintained `csv` crate.

use super::table::TextColumn;
use super::Table;
use crate::error::{Error, Result};
use std::io::{Read, Write};

/// Reads a CSV table; `file` names it in messages. A column with any cell that is not a number
/// (a sample label, a file name, an empty cell) becomes a text column: left out of the table,
/// and refused with its first such row and value only if a caller asks for it. NaN and ±Inf
/// parse ([`super::read_bytes`] applies the caller's policy to them); integers of any size
/// (event numbers) read as the nearest f32. A row with the wrong number of fields is refused
/// with its row (counting data rows from 1).
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
    // Per column, its first cell that is not a number.
    let mut text: Vec<Option<TextColumn>> = vec![None; names.len()];
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
            row[c] = match field.parse::<f32>() {
                Ok(v) => v,
                Err(_) => {
                    if text[c].is_none() {
                        text[c] = Some(TextColumn {
                            name: names[c].clone(),
                            row: line,
                            value: field.chars().take(40).collect(),
                        });
                    }
                    f32::NAN
                }
            };
        }
        table.push_row(&row);
    }
    let text = text
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| t.map(|t| (i, t)))
        .collect::<Vec<_>>();
    if !names.is_empty() && text.len() == names.len() {
        let list: Vec<&str> = text.iter().map(|(_, t)| t.name.as_str()).collect();
        return Err(Error::Format {
            file: file.to_string(),
            message: format!(
                "no column holds numbers (text columns: {})",
                list.join(", ")
            ),
        });
    }
    Ok(table.into_numeric(text))
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
    fn text_columns_are_left_out_and_named_when_asked_for() {
        let csv = "file,event,gen_pt,reco_pt,label\n\
                   nano_tt_v12.root,123456789012,10.5,11,tt\n\
                   nano_tt_v12.root,18446744073709551615,20,19.5,7\n";
        let t = read_csv(csv.as_bytes(), "f.csv").unwrap();
        assert_eq!(t.names(), ["event", "gen_pt", "reco_pt"]);
        assert_eq!(t.column("gen_pt").unwrap(), [10.5, 20.0]);
        // Event numbers of any size read (as the nearest f32).
        assert_eq!(t.column("event").unwrap()[0], 123456789012f32);
        assert_eq!(t.column("event").unwrap()[1], 1.8446744e19);
        let text: Vec<_> = t.text_columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(text, ["file", "label"]);
        let e = t.column("file").unwrap_err().to_string();
        assert_eq!(
            e,
            "f.csv: row 1, column 'file': 'nano_tt_v12.root' is not a number (a text column)"
        );
        // A column of numbers with one bad cell names that cell, not the first row.
        let t = read_csv("a,b\n1,2\n3,x\n".as_bytes(), "f.csv").unwrap();
        let e = t.select(&["a".into(), "b".into()]).unwrap_err().to_string();
        assert_eq!(
            e,
            "f.csv: row 2, column 'b': 'x' is not a number (a text column)"
        );
        // Rows sliced or taken keep knowing their text columns.
        assert!(t.slice_rows(0, 1).column("b").is_err());
    }

    #[test]
    fn bad_inputs_name_row_and_column() {
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
