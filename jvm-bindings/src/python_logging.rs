//! `_jarrow_jvm`, a Python module through which Python code reaches the hosting JVM: Python's
//! logging records, stdout and stderr go to `io.jarrow.PythonLogging` (SLF4J).

use std::sync::OnceLock;

use jarrow::{Error, Interpreter, jvm};
use jni::objects::{Global, JClass, JValue};
use jni::{Env, jni_sig, jni_str};
use pyo3::prelude::*;
use pyo3::types::PyModule;

use crate::error::Result;

/// `io.jarrow.PythonLogging`, looked up on the Java thread that started the runtime.
static LOGGING_CLASS: OnceLock<Global<JClass<'static>>> = OnceLock::new();

/// Registers the `_jarrow_jvm` module in the interpreter.
pub fn install(env: &mut Env<'_>, interp: &Interpreter) -> Result<()> {
    if LOGGING_CLASS.get().is_none() {
        let class = env.find_class(jni_str!("io/jarrow/PythonLogging"))?;
        let _ = LOGGING_CLASS.set(env.new_global_ref(&class)?);
    }
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
    let Some(class) = LOGGING_CLASS.get() else {
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
