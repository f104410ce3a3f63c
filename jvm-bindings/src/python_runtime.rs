//! Native side of `io.jarrow.PythonRuntime`: starting the interpreter, exec and eval.

use jarrow::jvm::codec;
use jarrow::{Interpreter, PythonConfig};
use jni::objects::{JByteArray, JClass, JObjectArray, JString};
use jni::{Env, EnvUnowned};
use pyo3::prelude::*;

use crate::error::{JniError, Result, ThrowJarrowException};
use crate::{classes, optional_string, python_logging, strings};

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonRuntime_nativeStart<'l>(
    mut env: EnvUnowned<'l>,
    class: JClass<'l>,
    executable: JString<'l>,
    python_path: JObjectArray<'l, JString<'l>>,
    environment: JObjectArray<'l, JString<'l>>,
    working_directory: JString<'l>,
    python_home: JString<'l>,
) {
    env.with_env(|env| {
        intern_start(env, &class, &executable, &python_path, &environment, &working_directory, &python_home)
    })
    .resolve::<ThrowJarrowException>()
}

fn intern_start(
    env: &mut Env<'_>,
    class: &JClass<'_>,
    executable: &JString<'_>,
    python_path: &JObjectArray<'_, JString<'_>>,
    environment: &JObjectArray<'_, JString<'_>>,
    working_directory: &JString<'_>,
    python_home: &JString<'_>,
) -> Result<()> {
    classes::remember(env, class)?;
    let mut config = PythonConfig::new().executable(executable.try_to_string(env)?);
    let working_directory = optional_string(env, working_directory)?;
    // A script's directory comes first on sys.path; the working directory plays that part.
    if let Some(dir) = &working_directory {
        config = config.python_path(dir);
    }
    for entry in strings(env, python_path)? {
        config = config.python_path(entry);
    }
    if let Some(home) = optional_string(env, python_home)? {
        config = config.python_home(home);
    }
    let environment = strings(env, environment)?;
    let interp = Interpreter::start(config)?;
    python_logging::install(interp)?;
    jarrow::python::attach(|py| -> PyResult<()> {
        let os = py.import("os")?;
        let environ = os.getattr("environ")?;
        for entry in &environment {
            let (name, value) = entry.split_once('=').unwrap_or((entry, ""));
            environ.set_item(name, value)?;
        }
        if let Some(dir) = &working_directory {
            os.call_method1("chdir", (dir,))?;
        }
        Ok(())
    })
    .map_err(|e| {
        JniError::Core(jarrow::Error::Config(format!(
            "cannot apply the environment or working directory: {e}"
        )))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonRuntime_nativeExec<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    code: JString<'l>,
) {
    env.with_env(|env| -> Result<()> {
        let code = code.try_to_string(env)?;
        Ok(Interpreter::get()?.exec(&code)?)
    })
    .resolve::<ThrowJarrowException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonRuntime_nativeEval<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    expression: JString<'l>,
) -> JByteArray<'l> {
    env.with_env(|env| -> Result<JByteArray<'l>> {
        let expression = expression.try_to_string(env)?;
        let value = Interpreter::get()?.eval(&expression)?;
        Ok(env.byte_array_from_slice(&codec::encode_value(&value)?)?)
    })
    .resolve::<ThrowJarrowException>()
}
