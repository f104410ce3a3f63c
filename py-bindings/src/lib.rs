//! The native module `jarrow._native`: the Python package `jarrow` is a thin typed layer over it.

mod error;
mod fast_path;
mod function;
mod gil;
mod java_error;
mod java_function;
mod jvm;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<function::PyPythonFunction>()?;
    m.add_function(wrap_pyfunction!(function::function, m)?)?;
    m.add_class::<jvm::PyJvm>()?;
    m.add_class::<java_function::PyJavaFunction>()?;
    m.add_function(wrap_pyfunction!(jvm::jvm, m)?)?;
    m.add_function(wrap_pyfunction!(jvm::_start_jvm, m)?)?;
    error::register(m)?;
    Ok(())
}
