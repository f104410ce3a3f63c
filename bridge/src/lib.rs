//! jarrow's core: an embedded CPython that JVM and Python hosts call with scalars or with Apache
//! Arrow batches shared through the C Data Interface, without copies.
//!
//! ```no_run
//! use jarrow::{Interpreter, PythonConfig, Value};
//!
//! let python = Interpreter::start(PythonConfig::new().executable(".venv/bin/python"))?;
//! let sqrt = python.function("math:sqrt")?;
//! assert_eq!(sqrt.call(&[Value::Float(9.0)], &[])?, Value::Float(3.0));
//! # Ok::<(), jarrow::Error>(())
//! ```

pub mod arrow;
/// The C Data Interface structs of arrow-rs, for bindings that hand them across.
pub use ::arrow::ffi as arrow_ffi;
pub mod batching;
mod error;
pub mod executor;
pub mod formats;
mod function;
pub mod jvm;
pub mod python;
mod value;

pub use crate::arrow::rows::{ColumnName, Row};
pub use batching::{BatchCoalescer, BatchOptions, CoalescerStats, Pending};
pub use bigdecimal::num_bigint::BigInt;
pub use error::{Error, Result};
pub use function::PythonFunction;
pub use python::{Interpreter, PythonConfig, PythonInstall};
pub use value::{Kwargs, Value};
