//! Java from Python: `jarrow.jvm()` is the JVM of this process, `Jvm.function` a static Java
//! method resolved once. Every Java call runs with the GIL released.

use std::ffi::c_void;

use jarrow::Value;
use jarrow_jni::codec;
use jarrow_jni::jvm as attach;
use jni::{InitArgsBuilder, JNIVersion, JavaVM};
use jni::objects::{Global, JByteArray, JObject, JObjectArray, JString, JValue};
use jni::{Env, jni_sig, jni_str};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::error::Error;

/// The JVM this process runs, if any: one that hosts this interpreter (jarrow called from Java),
/// or one started from Python.
fn running_jvm() -> Result<JavaVM, Error> {
    if let Ok(vm) = JavaVM::singleton() {
        return Ok(vm);
    }
    type GetCreated = unsafe extern "system" fn(*mut *mut jni::sys::JavaVM, i32, *mut i32) -> i32;
    // SAFETY: looking a symbol up in the process's global scope; the launcher loads libjvm there.
    let symbol = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"JNI_GetCreatedJavaVMs".as_ptr()) };
    if !symbol.is_null() {
        // SAFETY: the symbol is the JNI invocation function of that signature.
        let get_created: GetCreated = unsafe { std::mem::transmute::<*mut c_void, GetCreated>(symbol) };
        let (mut vm, mut count) = (std::ptr::null_mut(), 0);
        // SAFETY: room for one VM pointer; a process has at most one JVM.
        if unsafe { get_created(&mut vm, 1, &mut count) } == jni::sys::JNI_OK && count == 1 && !vm.is_null() {
            // SAFETY: a live JavaVM reported by the JVM itself.
            return Ok(unsafe { JavaVM::from_raw(vm) });
        }
    }
    Err(Error(jarrow::Error::Config("no JVM runs in this process: start one with jarrow.start_jvm(...)".into())))
}

/// A Java exception as a jarrow error: a PythonException (Python code that Java called back
/// into) becomes the Python error again, with its traceback; anything else a JavaError.
fn java_error(name: &str, error: jni::errors::Error) -> Error {
    let jni::errors::Error::CaughtJavaException { exception, name, msg, stack, .. } = error else {
        return Error(jarrow::Error::Config(format!("JNI call failed: {error}")));
    };
    let described = attach::with_env(|env| -> jni::errors::Result<Vec<String>> {
        let exception = env.new_local_ref(&exception)?;
        let parts = env.call_static_method(
            jni_str!("io/jarrow/JavaFunction"),
            jni_str!("describe"),
            jni_sig!("(Ljava/lang/Throwable;)[Ljava/lang/String;"),
            &[JValue::from(&exception)],
        )?;
        let parts = env.cast_local::<JObjectArray<JString>>(parts.l()?)?;
        let n = parts.len(env)?;
        (0..n).map(|i| parts.get_element(env, i)?.try_to_string(env)).collect()
    });
    Error(match described {
        Ok(parts) if parts.len() == 6 => jarrow::Error::Python {
            type_name: parts[3].clone(),
            message: parts[4].clone(),
            traceback: parts[5].clone(),
        },
        // jarrow's own errors raised on the Java side keep their kind.
        Ok(parts) if parts.len() == 4 => match parts[3].as_str() {
            "CONVERSION" => jarrow::Error::Conversion(parts[1].clone()),
            "NOT_FOUND" => jarrow::Error::NotFound { name: name.to_owned(), detail: parts[1].clone() },
            _ => jarrow::Error::Java { class: parts[0].clone(), message: parts[1].clone(), stack: parts[2].clone() },
        },
        Ok(parts) if parts.len() == 3 => {
            jarrow::Error::Java { class: parts[0].clone(), message: parts[1].clone(), stack: parts[2].clone() }
        }
        _ => jarrow::Error::Java { class: name, message: msg, stack },
    })
}

/// Starts the JVM of this process from `libjvm` (found by the Python side, which also keeps the
/// one-configuration rule). `-Xrs` is added unless given, so Ctrl-C stays Python's.
#[pyfunction]
pub fn _start_jvm(py: Python<'_>, libjvm: String, classpath: Vec<String>, options: Vec<String>) -> PyResult<()> {
    if running_jvm().is_ok() {
        return Err(Error(jarrow::Error::Config(
            "a JVM already runs in this process (it may host this interpreter): use jarrow.jvm()".into(),
        ))
        .into());
    }
    // JVM start-up takes a while and runs no Python: the GIL is released meanwhile.
    py.detach(move || -> Result<(), Error> {
        let mut builder = InitArgsBuilder::new()
            .version(JNIVersion::V1_8)
            .option(format!("-Djava.class.path={}", classpath.join(":")));
        if !options.iter().any(|o| o == "-Xrs") {
            builder = builder.option("-Xrs");
        }
        for option in &options {
            builder = builder.option(option.as_str());
        }
        let args = builder
            .build()
            .map_err(|e| Error(jarrow::Error::Config(format!("invalid JVM options {options:?}: {e}"))))?;
        JavaVM::with_libjvm(args, || Ok(libjvm.as_str()))
            .map_err(|e| Error(jarrow::Error::Config(format!("cannot start the JVM from {libjvm}: {e}"))))?;
        Ok(())
    })?;
    Ok(())
}

/// The JVM of this process.
#[pyclass(name = "Jvm", module = "jarrow", frozen)]
pub struct PyJvm {}

/// The JVM of this process: the one hosting this interpreter or one started by `start_jvm`.
#[pyfunction]
pub fn jvm() -> PyResult<PyJvm> {
    running_jvm()?;
    Ok(PyJvm {})
}

#[pymethods]
impl PyJvm {
    /// Resolves `"pkg.Class::method"`, a public static Java method, once.
    fn function(&self, py: Python<'_>, name: &str) -> PyResult<PyJavaFunction> {
        let target = py
            .detach(|| {
                attach::with_env(|env| -> jni::errors::Result<Global<JObject<'static>>> {
                    let jname = env.new_string(name)?;
                    let function = env.call_static_method(
                        jni_str!("io/jarrow/JavaFunction"),
                        jni_str!("resolve"),
                        jni_sig!("(Ljava/lang/String;)Lio/jarrow/JavaFunction;"),
                        &[JValue::from(&jname)],
                    )?;
                    env.new_global_ref(function.l()?)
                })
            })
            .map_err(|e| java_error(name, e))?;
        Ok(PyJavaFunction { name: name.to_owned(), target })
    }

    fn __repr__(&self) -> &'static str {
        "jarrow.Jvm()"
    }
}

/// A static Java method, called with the conversions the JVM applies to Python's calls.
#[pyclass(name = "JavaFunction", module = "jarrow", frozen)]
pub struct PyJavaFunction {
    name: String,
    target: Global<JObject<'static>>,
}

#[pymethods]
impl PyJavaFunction {
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// Calls the method; the GIL is released while Java runs.
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = args.iter().map(|a| Value::from_python(&a)).collect::<jarrow::Result<Vec<_>>>().map_err(Error)?;
        let kwargs = match kwargs {
            None => Vec::new(),
            Some(kwargs) => kwargs
                .iter()
                .map(|(k, v)| Ok((k.extract::<String>()?, Value::from_python(&v).map_err(Error)?)))
                .collect::<PyResult<Vec<_>>>()?,
        };
        let encoded = codec::encode_call(&args, &kwargs).map_err(Error)?;
        let result = py.detach(|| self.invoke(&encoded)).map_err(|e| java_error(&self.name, e))?;
        let value = codec::decode_value(&result).map_err(Error)?;
        Ok(value.to_python(py).map_err(Error)?)
    }

    fn __repr__(&self) -> String {
        format!("jarrow.JavaFunction({:?})", self.name)
    }
}

impl PyJavaFunction {
    fn invoke(&self, encoded: &[u8]) -> jni::errors::Result<Vec<u8>> {
        attach::with_env(|env: &mut Env<'_>| {
            let args = env.byte_array_from_slice(encoded)?;
            let target = env.new_local_ref(&self.target)?;
            let result = env.call_method(target, jni_str!("call"), jni_sig!("([B)[B"), &[JValue::from(&args)])?;
            let result = env.cast_local::<JByteArray>(result.l()?)?;
            env.convert_byte_array(&result)
        })
    }
}
