//! A table of named f32 columns: the one shape data takes between files, models and metrics.
//! A file's text columns (a sample label, a file name) are not columns of the table; they are
//! remembered so that asking for one names the row and value that made it text.

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    names: Vec<String>,
    columns: Vec<Vec<f32>>,
    /// Where the table came from, for error messages ("gen.csv", "built-in W+jet").
    source: String,
    /// The file's columns that are not numbers, kept out of the table.
    text: Vec<TextColumn>,
}

/// A column of a file that holds text: its name and its first cell that is not a number.
#[derive(Debug, Clone, PartialEq)]
pub struct TextColumn {
    pub name: String,
    /// Data row of that cell, counting from 1.
    pub row: usize,
    pub value: String,
}

impl Table {
    /// An empty table with these column names; duplicate names are refused.
    pub fn new(names: Vec<String>, source: impl Into<String>) -> Result<Self> {
        let source = source.into();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(Error::Format {
                    file: source,
                    message: format!("column '{n}' appears twice"),
                });
            }
        }
        let columns = vec![Vec::new(); names.len()];
        Ok(Self {
            names,
            columns,
            source,
            text: Vec::new(),
        })
    }

    /// Drops the columns at `indices` (ascending) as text columns: each with its first cell
    /// that is not a number.
    pub fn into_numeric(mut self, text: Vec<(usize, TextColumn)>) -> Self {
        for (i, t) in text.into_iter().rev() {
            self.names.remove(i);
            self.columns.remove(i);
            self.text.insert(0, t);
        }
        self
    }

    /// The file's text columns, which the table leaves out.
    pub fn text_columns(&self) -> &[TextColumn] {
        &self.text
    }

    /// A table from whole columns of equal length.
    pub fn from_columns(
        names: Vec<String>,
        columns: Vec<Vec<f32>>,
        source: impl Into<String>,
    ) -> Result<Self> {
        let mut t = Self::new(names, source)?;
        if columns.len() != t.names.len() {
            return Err(Error::invalid(
                "table",
                format!("{} names for {} columns", t.names.len(), columns.len()),
            ));
        }
        if let Some(c) = columns.iter().find(|c| c.len() != columns[0].len()) {
            return Err(Error::invalid(
                "table",
                format!(
                    "columns of unequal length ({} and {})",
                    columns[0].len(),
                    c.len()
                ),
            ));
        }
        t.columns = columns;
        Ok(t)
    }

    /// Appends the rows of `other`, which must have the same columns in the same order.
    pub fn append(&mut self, other: &Table) -> Result<()> {
        if other.names != self.names {
            return Err(Error::invalid(
                "table",
                format!(
                    "cannot append {} to {}: the columns differ",
                    other.source, self.source
                ),
            ));
        }
        for (c, o) in self.columns.iter_mut().zip(&other.columns) {
            c.extend_from_slice(o);
        }
        Ok(())
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    pub fn n_cols(&self) -> usize {
        self.names.len()
    }

    /// Appends a row; its length must match the number of columns.
    pub fn push_row(&mut self, row: &[f32]) {
        assert_eq!(row.len(), self.columns.len(), "row length");
        for (c, v) in self.columns.iter_mut().zip(row) {
            c.push(*v);
        }
    }

    /// The index of a column, or an error: for a text column its first cell that is not a
    /// number (file, row, column), else the list of the columns there are.
    pub fn index_of(&self, name: &str) -> Result<usize> {
        if let Some(t) = self.text.iter().find(|t| t.name == name) {
            return Err(Error::Parse {
                file: self.source.clone(),
                row: t.row,
                column: t.name.clone(),
                message: format!("'{}' is not a number (a text column)", t.value),
            });
        }
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| Error::UnknownColumn {
                name: name.to_string(),
                file: self.source.clone(),
                available: self.names.join(","),
            })
    }

    pub fn column(&self, name: &str) -> Result<&[f32]> {
        Ok(&self.columns[self.index_of(name)?])
    }

    pub fn column_at(&self, i: usize) -> &[f32] {
        &self.columns[i]
    }

    /// The named columns, in that order, as a new table.
    pub fn select(&self, names: &[String]) -> Result<Table> {
        let columns = names
            .iter()
            .map(|n| self.column(n).map(<[f32]>::to_vec))
            .collect::<Result<Vec<_>>>()?;
        Table::from_columns(names.to_vec(), columns, self.source.clone())
    }

    /// The named columns as one row-major matrix (rows × names.len()).
    pub fn row_major(&self, names: &[String]) -> Result<Vec<f32>> {
        let idx = names
            .iter()
            .map(|n| self.index_of(n))
            .collect::<Result<Vec<_>>>()?;
        let mut out = Vec::with_capacity(self.n_rows() * idx.len());
        for r in 0..self.n_rows() {
            out.extend(idx.iter().map(|&i| self.columns[i][r]));
        }
        Ok(out)
    }

    /// Rows [start, end) as a new table.
    pub fn slice_rows(&self, start: usize, end: usize) -> Table {
        let end = end.min(self.n_rows());
        let start = start.min(end);
        Table {
            names: self.names.clone(),
            columns: self
                .columns
                .iter()
                .map(|c| c[start..end].to_vec())
                .collect(),
            source: self.source.clone(),
            text: self.text.clone(),
        }
    }

    /// The rows at `rows` (in that order) as a new table.
    pub fn take_rows(&self, rows: &[usize]) -> Table {
        Table {
            names: self.names.clone(),
            columns: self
                .columns
                .iter()
                .map(|c| rows.iter().map(|&r| c[r]).collect())
                .collect(),
            source: self.source.clone(),
            text: self.text.clone(),
        }
    }

    /// Adds or replaces a column.
    pub fn set_column(&mut self, name: &str, values: Vec<f32>) -> Result<()> {
        if !self.names.is_empty() && values.len() != self.n_rows() {
            return Err(Error::invalid(
                "column",
                format!(
                    "'{name}' has {} rows, the table {}",
                    values.len(),
                    self.n_rows()
                ),
            ));
        }
        match self.names.iter().position(|n| n == name) {
            Some(i) => self.columns[i] = values,
            None => {
                self.names.push(name.to_string());
                self.columns.push(values);
            }
        }
        Ok(())
    }

    /// Refuses the named columns if any holds NaN or ±Inf, naming the first such row and column.
    pub fn ensure_finite(&self, names: &[String]) -> Result<()> {
        match self.select(names)?.first_non_finite() {
            Some((row, column)) => Err(Error::Parse {
                file: self.source.clone(),
                row,
                column: column.to_string(),
                message: "not a finite number".into(),
            }),
            None => Ok(()),
        }
    }

    /// The first non-finite value, as (row from 1, column name), if any.
    pub fn first_non_finite(&self) -> Option<(usize, &str)> {
        let mut first: Option<(usize, &str)> = None;
        for (c, name) in self.columns.iter().zip(&self.names) {
            if let Some(r) = c.iter().position(|v| !v.is_finite()) {
                if first.is_none_or(|(fr, _)| r + 1 < fr) {
                    first = Some((r + 1, name));
                }
            }
        }
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_column_lists_available() {
        let t = Table::from_columns(
            vec!["a".into(), "b".into()],
            vec![vec![1.0], vec![2.0]],
            "x.csv",
        )
        .unwrap();
        let e = t.column("c").unwrap_err().to_string();
        assert_eq!(e, "unknown column 'c' in x.csv; available: a,b");
        assert_eq!(
            t.row_major(&["b".into(), "a".into()]).unwrap(),
            vec![2.0, 1.0]
        );
    }

    #[test]
    fn non_finite_values_are_named() {
        let t = Table::from_columns(
            vec!["a".into(), "b".into()],
            vec![vec![1.0, 2.0], vec![3.0, f32::NAN]],
            "x.csv",
        )
        .unwrap();
        let e = t
            .ensure_finite(&["a".into(), "b".into()])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "x.csv: row 2, column 'b': not a finite number");
        assert!(t.ensure_finite(&["a".into()]).is_ok());
    }

    #[test]
    fn duplicates_refused() {
        assert!(Table::new(vec!["a".into(), "a".into()], "x").is_err());
    }
}
