//! The Arrow path's Python helpers: `batches.py` (loaded as `_jarrow_arrow`) and pyarrow's C Data
//! importer, each looked up once. They belong to the Arrow module, not to the interpreter, which
//! knows nothing of Arrow.

use std::ffi::CStr;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

use crate::error::{Error, Result};
use crate::python::python_error;

const BATCHES_SOURCE: &CStr = pyo3::ffi::c_str!(include_str!("batches.py"));
const MODULE: &str = "_jarrow_arrow";

struct Helpers {
    to_record_batch: Py<PyAny>,
    compact: Py<PyAny>,
}

static HELPERS: PyOnceLock<Helpers> = PyOnceLock::new();
static PYARROW_IMPORT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn helpers(py: Python<'_>) -> Result<&Helpers> {
    HELPERS.get_or_try_init(py, || {
        let error = |e| python_error(py, e);
        // Another copy of this crate in the process (the JNI library and the Python extension each
        // carry one) may have loaded the module already: share it rather than load a second one.
        let modules = py.import("sys").and_then(|sys| sys.getattr("modules")).map_err(error)?;
        let module = match modules.get_item(MODULE).ok().and_then(|m| m.cast_into::<PyModule>().ok()) {
            Some(existing) => existing,
            None => {
                let module = PyModule::from_code(py, BATCHES_SOURCE, c"_jarrow_arrow.py", c"_jarrow_arrow")
                    .map_err(error)?;
                modules.set_item(MODULE, &module).map_err(error)?;
                module
            }
        };
        let attr = |name: &str| module.getattr(name).map(Bound::unbind).map_err(error);
        Ok(Helpers { to_record_batch: attr("to_record_batch")?, compact: attr("compact")? })
    })
}

/// Coerces a batch function's result into one `pyarrow.RecordBatch`.
pub(crate) fn to_record_batch<'py>(py: Python<'py>, result: &Bound<'py, PyAny>) -> Result<Bound<'py, PyAny>> {
    helpers(py)?.to_record_batch.bind(py).call1((result,)).map_err(|e| python_error(py, e))
}

/// A copy of a `pyarrow.RecordBatch` with every array at offset 0.
pub(crate) fn compact<'py>(py: Python<'py>, batch: &Bound<'py, PyAny>) -> Result<Bound<'py, PyAny>> {
    helpers(py)?.compact.bind(py).call1((batch,)).map_err(|e| python_error(py, e))
}

/// `pyarrow.RecordBatch._import_from_c_capsule`, looked up once.
pub(crate) fn pyarrow_import(py: Python<'_>) -> Result<&Bound<'_, PyAny>> {
    PYARROW_IMPORT
        .get_or_try_init(py, || {
            let pyarrow = py.import("pyarrow").map_err(|e| {
                let err = python_error(py, e);
                let sys = |name: &str| {
                    py.import("sys")
                        .and_then(|sys| sys.getattr(name))
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                };
                Error::Config(format!(
                    "batch calls need pyarrow in the Python environment ({}): install it with \
                     `{} -m pip install pyarrow`. {err}",
                    sys("prefix"),
                    sys("executable")
                ))
            })?;
            let import = pyarrow
                .getattr("RecordBatch")
                .and_then(|rb| rb.getattr("_import_from_c_capsule"))
                .map_err(|e| python_error(py, e))?;
            Ok(import.unbind())
        })
        .map(|f| f.bind(py))
}
