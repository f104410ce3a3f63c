//! `jarrow.PythonFunction`: a Python function resolved and called exactly as the JVM calls it (the
//! same name as Java's `io.jarrow.PythonFunction`, whose contract it is).

use jarrow::{Interpreter, Kwargs, PythonConfig, PythonFunction, Value};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::error::Error;

/// A function resolved once from `"pkg.module:function"` or `"pkg.module:Class.method"`, called
/// with the same conversions, batch contract and errors as from the JVM.
#[pyclass(name = "PythonFunction", module = "jarrow", frozen)]
pub struct PyPythonFunction {
    inner: PythonFunction,
}

/// The interpreter of this process, adopted on first use (the host is Python).
pub(crate) fn interpreter() -> Result<&'static Interpreter, Error> {
    match Interpreter::get() {
        Ok(interp) => Ok(interp),
        Err(_) => Ok(Interpreter::start(PythonConfig::default())?),
    }
}

/// A call's arguments as the values a JVM call would carry (the same conversions and errors).
pub(crate) fn arguments(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<(Vec<Value>, Kwargs)> {
    let args =
        args.iter().map(|a| Value::from_python(&a)).collect::<jarrow::Result<Vec<_>>>().map_err(Error)?;
    let kwargs = match kwargs {
        None => Vec::new(),
        Some(kwargs) => kwargs
            .iter()
            .map(|(k, v)| Ok((k.extract::<String>()?, Value::from_python(&v).map_err(Error)?)))
            .collect::<PyResult<Vec<_>>>()?,
    };
    Ok((args, kwargs))
}

#[pyfunction]
pub fn function(name: &str) -> PyResult<PyPythonFunction> {
    let inner = interpreter()?.function(name).map_err(Error)?;
    Ok(PyPythonFunction { inner })
}

#[pymethods]
impl PyPythonFunction {
    /// The name this function was resolved from.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// Calls `f(*args, **kwargs)`: arguments and result go through the same conversions as a JVM
    /// call (a tuple arrives as a list, an int beyond 64 bits is a ConversionError, ...).
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (args, kwargs) = arguments(args, kwargs)?;
        let result = self.inner.call(&args, &kwargs).map_err(Error)?;
        Ok(result.to_python(py).map_err(Error)?)
    }

    /// Calls the function on a batch (pyarrow, polars, pandas, or any object with
    /// `__arrow_c_array__` / `__arrow_c_stream__`) and returns a `pyarrow.RecordBatch`.
    fn apply<'py>(&self, batch: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.inner.apply_python(batch).map_err(Error)?)
    }

    /// The state of the instance a `"pkg.module:Class.method"` is bound to, pickled (its
    /// `__getstate__`, if any, decides what goes in), as an engine checkpoints it; None for a
    /// function, which has no instance.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, pyo3::types::PyBytes>>> {
        let state = self.inner.snapshot().map_err(Error)?;
        Ok(state.map(|state| pyo3::types::PyBytes::new(py, &state)))
    }

    /// The same method bound to the instance unpickled from `state` (a `snapshot()` of an
    /// instance of the same class), as an engine restores it after a failure: a new function;
    /// this one is left as it is.
    fn restored(&self, state: &[u8]) -> PyResult<PyPythonFunction> {
        Ok(PyPythonFunction { inner: self.inner.restored(state).map_err(Error)? })
    }

    fn __repr__(&self) -> String {
        format!("jarrow.PythonFunction({:?})", self.inner.name())
    }
}
