//! The one error type of the core. Every message is a single line that names what was wrong
//! and where (file, row, column), so the command line and the page can show it as it is.

use std::path::PathBuf;

/// Everything that can go wrong in the core, for any front end to show.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A malformed value in a data file; `row` counts data rows from 1 (the header is row 0).
    #[error("{file}: row {row}, column '{column}': {message}")]
    Parse {
        file: String,
        row: usize,
        column: String,
        message: String,
    },
    #[error("{file}: {message}")]
    Format { file: String, message: String },
    #[error("unknown column '{name}' in {file}; available: {available}")]
    UnknownColumn {
        name: String,
        file: String,
        available: String,
    },
    #[error("invalid {what}: {message}")]
    Invalid { what: String, message: String },
    #[error("model file {file}: {message}")]
    Model { file: String, message: String },
    #[error("backend: {0}")]
    Backend(String),
    /// A plot could not be drawn (a missing canvas, a backend's failure).
    #[error("plot: {0}")]
    Plot(String),
    #[error("cancelled")]
    Cancelled,
    /// An error raised where the page's worker ran a job, its one-line message as it was.
    #[error("{0}")]
    Remote(String),
}

impl Error {
    /// Shorthand for a rejected argument or parameter.
    pub fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }
}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Refuses the first (name, value, low, high) whose value is not finite and within [low, high].
pub(crate) fn check_ranges(what: &str, fields: &[(&str, f64, f64, f64)]) -> Result<()> {
    for &(name, v, lo, hi) in fields {
        if !(v.is_finite() && (lo..=hi).contains(&v)) {
            return Err(Error::invalid(
                what,
                format!("{name} = {v} is outside {lo} to {hi}"),
            ));
        }
    }
    Ok(())
}
