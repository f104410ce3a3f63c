//! `_jarrow_jvm`, a Python module through which Python code reaches the hosting JVM: Python's
//! logging records, stdout and stderr go to `io.jarrow.PythonLogging` (SLF4J).

use jarrow::{Error, Interpreter, jvm};
use jni::objects::JValue;
use jni::{jni_sig, jni_str};
use pyo3::prelude::*;
use pyo3::types::PyModule;

use crate::classes;
use crate::error::Result;

/// Registers the `_jarrow_jvm` module in the interpreter.
pub fn install(interp: &Interpreter) -> Result<()> {
    jarrow::python::attach(|py| -> PyResult<()> {
        let module = PyModule::new(py, "_jarrow_jvm")?;
        module.add_function(wrap_pyfunction!(log, &module)?)?;
        py.import("sys")?.getattr("modules")?.set_item("_jarrow_jvm", module)?;
        Ok(())
    })
    .map_err(|e| {
        Error::Config(format!("cannot register the _jarrow_jvm module in {:?}: {e}", interp.install().prefix))
    })?;
    Ok(())
}

/// Sends one line to SLF4J: `log(logger_name, level, message)` with Python's numeric levels.
#[pyfunction]
fn log(py: Python<'_>, name: &str, level: i32, message: &str) -> PyResult<()> {
    let Some(class) = classes::get().map(|c| &c.python_logging) else {
        return Ok(());
    };
    // The GIL is not needed to log, and the logging call may block on I/O.
    py.detach(|| {
        jvm::with_env(|env| {
            let (name, message) = (env.new_string(name)?, env.new_string(message)?);
            env.call_static_method(
                class,
                jni_str!("log"),
                jni_sig!("(Ljava/lang/String;ILjava/lang/String;)V"),
                &[JValue::from(&name), JValue::Int(level), JValue::from(&message)],
            )?;
            Ok(())
        })
    })
    .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("cannot log to the JVM: {e}")))
}
