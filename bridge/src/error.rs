//! The one error type of jarrow. Each binding maps it to its own exceptions in exactly one place.

use std::time::Duration;

/// Everything that can go wrong in jarrow.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Python code raised an exception.
    #[error("{type_name}: {message}\n{traceback}")]
    Python {
        /// Qualified name of the exception class, e.g. `ValueError` or `mypkg.errors.BadInput`.
        type_name: String,
        /// `str(exception)`.
        message: String,
        /// The full formatted traceback, chained exceptions included.
        traceback: String,
    },
    /// Java code raised an exception.
    #[error("{class}: {message}\n{stack}")]
    Java { class: String, message: String, stack: String },
    /// A function name (Python's "pkg.mod:f", Java's "pkg.Class::m") could not be resolved.
    #[error("cannot resolve {name:?}: {detail}")]
    NotFound { name: String, detail: String },
    /// A value could not be converted between the two sides.
    #[error("conversion error: {0}")]
    Conversion(String),
    /// Arrow data was malformed or of an unexpected shape.
    #[error("Arrow error: {0}")]
    Arrow(String),
    /// A configuration or environment problem (Python not found, wrong version, ...).
    #[error("configuration error: {0}")]
    Config(String),
    /// The object was closed before the call.
    #[error("{0} is closed")]
    Closed(&'static str),
    /// A request did not complete before its deadline.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// A bounded queue was full and the caller asked not to wait for room: back-pressure the
    /// caller can act on (retry later, shed load), unlike a deadline that passed.
    #[error("overloaded: {0}")]
    Overloaded(String),
}

impl Error {
    /// A short machine-readable code for the kind of error, stable across releases.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Python { .. } => "PYTHON",
            Error::Java { .. } => "JAVA",
            Error::NotFound { .. } => "NOT_FOUND",
            Error::Conversion(_) => "CONVERSION",
            Error::Arrow(_) => "ARROW",
            Error::Config(_) => "CONFIG",
            Error::Closed(_) => "CLOSED",
            Error::Timeout(_) => "TIMEOUT",
            Error::Overloaded(_) => "OVERLOADED",
        }
    }
}

impl From<arrow::error::ArrowError> for Error {
    fn from(e: arrow::error::ArrowError) -> Self {
        Error::Arrow(e.to_string())
    }
}

/// Result with jarrow's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
