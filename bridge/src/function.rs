//! A Python callable resolved once from its name, then called many times.

use ::arrow::array::RecordBatch;
use ::arrow::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::arrow::{self, RawBatch};
use crate::error::{Error, Result};
use crate::python::{Interpreter, attach};
use crate::value::{Value, python_type_name};

/// A resolved Python function: `"pkg.module:function"` or `"pkg.module:Class.method"`.
pub struct PythonFunction {
    name: String,
    callable: Py<PyAny>,
    interp: &'static Interpreter,
}

impl std::fmt::Debug for PythonFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PythonFunction").field("name", &self.name).finish()
    }
}

impl PythonFunction {
    pub(crate) fn resolve(py: Python<'_>, interp: &'static Interpreter, name: &str) -> Result<Self> {
        let resolve = interp.bridge(py).getattr("resolve").map_err(|e| interp.error(py, e))?;
        match resolve.call1((name,)) {
            Ok(callable) => Ok(PythonFunction { name: name.to_owned(), callable: callable.unbind(), interp }),
            Err(e) if interp.is_resolve_error(py, &e) => {
                Err(Error::NotFound { name: name.to_owned(), detail: e.value(py).to_string() })
            }
            Err(e) => Err(interp.error(py, e)),
        }
    }

    /// The name this function was resolved from.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The state of the instance a `"pkg.module:Class.method"` is bound to, pickled (the class's
    /// `__getstate__`, if it has one, decides what goes in); `None` for a function, which has no
    /// instance. An instance that cannot be pickled is the Python error that says why.
    pub fn snapshot(&self) -> Result<Option<Vec<u8>>> {
        attach(|py| {
            let snapshot =
                self.interp.bridge(py).getattr("snapshot").map_err(|e| self.interp.error(py, e))?;
            let state = snapshot.call1((self.callable.bind(py),)).map_err(|e| self.interp.error(py, e))?;
            if state.is_none() {
                return Ok(None);
            }
            let bytes = state.cast::<pyo3::types::PyBytes>().map_err(|e| Error::Conversion(e.to_string()))?;
            Ok(Some(bytes.as_bytes().to_vec()))
        })
    }

    /// The same method bound to the instance unpickled from `state` (a
    /// [`PythonFunction::snapshot`] of an instance of the same class; its `__setstate__`, if any,
    /// puts it back): a new function, whose calls see the state as it was at the snapshot. This
    /// function and its instance are left as they are. A function (no instance), state of
    /// another class, or bytes that are no pickle, are the Python error that says so.
    pub fn restored(&self, state: &[u8]) -> Result<PythonFunction> {
        attach(|py| {
            let restore = self.interp.bridge(py).getattr("restore").map_err(|e| self.interp.error(py, e))?;
            let state = pyo3::types::PyBytes::new(py, state);
            let callable =
                restore.call1((self.callable.bind(py), state)).map_err(|e| self.interp.error(py, e))?;
            Ok(PythonFunction { name: self.name.clone(), callable: callable.unbind(), interp: self.interp })
        })
    }

    /// Calls the function with positional and keyword arguments.
    pub fn call(&self, args: &[Value], kwargs: &[(String, Value)]) -> Result<Value> {
        attach(|py| {
            let args = args.iter().map(|v| v.to_python(py)).collect::<Result<Vec<_>>>()?;
            let args = PyTuple::new(py, args).map_err(|e| self.interp.error(py, e))?;
            let kwargs = if kwargs.is_empty() {
                None
            } else {
                let dict = PyDict::new(py);
                for (k, v) in kwargs {
                    dict.set_item(k, v.to_python(py)?).map_err(|e| self.interp.error(py, e))?;
                }
                Some(dict)
            };
            let result =
                self.callable.bind(py).call(args, kwargs.as_ref()).map_err(|e| self.interp.error(py, e))?;
            Value::from_python(&result)
        })
    }

    /// `f(i64) -> i64` without building a [`Value`]: small ints come from CPython's cache.
    pub fn call_i64(&self, x: i64) -> Result<i64> {
        attach(|py| {
            // SAFETY: attached; every new reference is owned by a Bound and released on drop.
            let result = unsafe {
                let arg = Bound::from_owned_ptr(py, ffi::PyLong_FromLongLong(x));
                Bound::from_owned_ptr_or_err(
                    py,
                    ffi::PyObject_CallOneArg(self.callable.as_ptr(), arg.as_ptr()),
                )
            }
            .map_err(|e| self.interp.error(py, e))?;
            // An exact int first (the cheap type check), without a second extraction later.
            if result.is_instance_of::<pyo3::types::PyInt>()
                && let Ok(i) = result.extract::<i64>()
            {
                return Ok(i);
            }
            // What `call` takes as an integer (a numpy integer, say) is one here too.
            match Value::from_python(&result) {
                Ok(Value::Int(i)) => Ok(i),
                Ok(Value::BigInt(_)) => Err(Error::Conversion(format!(
                    "{} returned {result}, which does not fit in 64 bits",
                    self.name
                ))),
                _ => Err(self.unexpected(&result, "int")),
            }
        })
    }

    /// `f(f64) -> f64`; an int result is accepted and widened, as Python would.
    pub fn call_f64(&self, x: f64) -> Result<f64> {
        attach(|py| {
            // SAFETY: attached; every new reference is owned by a Bound and released on drop.
            let result = unsafe {
                let arg = Bound::from_owned_ptr(py, ffi::PyFloat_FromDouble(x));
                Bound::from_owned_ptr_or_err(
                    py,
                    ffi::PyObject_CallOneArg(self.callable.as_ptr(), arg.as_ptr()),
                )
            }
            .map_err(|e| self.interp.error(py, e))?;
            if let Ok(f) = result.cast::<pyo3::types::PyFloat>() {
                return Ok(f.value());
            }
            if result.is_instance_of::<pyo3::types::PyInt>() {
                return result.extract::<f64>().map_err(|e| Error::Conversion(e.to_string()));
            }
            // What `call` takes as a number (a numpy float32 or integer) is one here too.
            match Value::from_python(&result) {
                Ok(Value::Float(f)) => Ok(f),
                Ok(Value::Int(i)) => Ok(i as f64),
                _ => Err(self.unexpected(&result, "float")),
            }
        })
    }

    fn unexpected(&self, result: &Bound<'_, PyAny>, expected: &str) -> Error {
        Error::Conversion(format!(
            "{} returned a {}; expected {expected}",
            self.name,
            python_type_name(result)
        ))
    }

    /// Calls the function on a batch the caller hands over as C Data Interface structs, and
    /// moves the result into the caller's output structs. The function receives a
    /// `pyarrow.RecordBatch` over the caller's buffers (no copy) and may return any accepted
    /// batch-like value (see `_jarrow_arrow.to_record_batch`).
    ///
    /// The input is taken over whatever happens: on return (success or error) the caller's input
    /// structs are released and must not be released again. The result is prepared for Arrow
    /// Java, and read-only (see `arrow::export_python_batch_for_java`).
    ///
    /// # Safety
    /// `input` must point to valid, unreleased C Data Interface structs the caller gives up;
    /// `output` to writable released (zeroed) structs, which the caller owns after success.
    pub unsafe fn apply_raw(&self, input: RawBatch, output: RawBatch) -> Result<()> {
        // SAFETY: per the function contract.
        let (array, schema) = unsafe { arrow::take_input(input) }?;
        attach(|py| {
            let result = self.apply_in(py, array, schema)?;
            // SAFETY: per the function contract.
            unsafe { arrow::export_pyarrow_for_java(&result, output) }
        })
    }

    /// Calls the function on a Rust batch; the result is imported back into Rust.
    pub fn apply(&self, input: &RecordBatch) -> Result<RecordBatch> {
        let (array, schema) = arrow::export_batch(input)?;
        let (mut out_array, mut out_schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
        attach(|py| {
            let result = self.apply_in(py, array, schema)?;
            let output = RawBatch { array: &mut out_array, schema: &mut out_schema };
            // SAFETY: the output structs are fresh, empty and writable.
            unsafe { arrow::export_pyarrow(&result, output) }
        })?;
        arrow::import_batch(out_array, &out_schema)
    }

    /// For a Python host: calls the function on any Arrow-capable batch object (pyarrow, polars,
    /// pandas, anything with `__arrow_c_array__` or `__arrow_c_stream__`) exactly as a JVM call
    /// would: the input is coerced like a result, handed over through the C Data Interface
    /// (no copy), and the result coerced to one `pyarrow.RecordBatch`.
    pub fn apply_python<'py>(&self, input: &Bound<'py, PyAny>) -> Result<Bound<'py, PyAny>> {
        let (array, schema) = arrow::export_python_batch(input)?;
        self.apply_in(input.py(), array, schema)
    }

    /// The function's result for a batch, coerced to a `pyarrow.RecordBatch`.
    fn apply_in<'py>(
        &self,
        py: Python<'py>,
        array: FFI_ArrowArray,
        schema: FFI_ArrowSchema,
    ) -> Result<Bound<'py, PyAny>> {
        let input = arrow::to_pyarrow(py, array, schema)?;
        let result = self.callable.bind(py).call1((input,)).map_err(|e| self.interp.error(py, e))?;
        arrow::to_record_batch(py, &result).map_err(|e| match e {
            Error::Python { type_name, message, .. } => Error::Conversion(format!(
                "the result of {} is not a batch: {type_name}: {message}",
                self.name
            )),
            other => other,
        })
    }
}
