//! The embedded CPython: finding it, loading it, starting it once, attaching threads to it.

mod config;
mod interpreter;
mod library;
mod probe;
mod thread;

pub use config::PythonConfig;
pub use interpreter::{Interpreter, python_error};
pub use library::BUILD_PYTHON_VERSION;
pub use probe::PythonInstall;
pub use thread::attach;
