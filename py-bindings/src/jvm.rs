//! Java from Python: `jarrow.jvm()` is the JVM of this process, `Jvm.function` a static Java
//! method resolved once. Every Java call runs with the GIL released.

use std::ffi::c_void;

use jarrow::arrow_ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use jarrow_jni::codec;
use jarrow_jni::jvm as attach;
use jni::objects::{Global, JByteArray, JMethodID, JObject, JObjectArray, JString, JThrowable, JValue};
use jni::signature::{Primitive, ReturnType};
use jni::sys::jvalue;
use jni::{Env, jni_sig, jni_str};
use jni::{InitArgsBuilder, JNIVersion, JavaVM};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::error::Error;
use crate::gil;

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
    Err(Error(jarrow::Error::Config(
        "no JVM runs in this process: start one with jarrow.start_jvm(...)".into(),
    )))
}

/// A Java exception as a jarrow error: a PythonException (Python code that Java called back
/// into) becomes the Python error again, with its traceback; anything else a JavaError.
fn java_error(function: &str, error: jni::errors::Error) -> Error {
    let jni::errors::Error::CaughtJavaException { exception, name, msg, stack, .. } = error else {
        return Error(jarrow::Error::Config(format!("JNI call failed: {error}")));
    };
    let described = attach::with_env(|env| -> jni::errors::Result<Vec<String>> {
        let exception = env.new_local_ref(&exception)?;
        describe(env, &exception)
    });
    throwable_error(function, described, (name, msg, stack))
}

/// `JavaFunction.describe(throwable)`: class, message, stack, and Python details or a code.
fn describe(env: &mut Env<'_>, exception: &JThrowable<'_>) -> jni::errors::Result<Vec<String>> {
    let parts = env.call_static_method(
        jni_str!("io/jarrow/JavaFunction"),
        jni_str!("describe"),
        jni_sig!("(Ljava/lang/Throwable;)[Ljava/lang/String;"),
        &[JValue::from(exception)],
    )?;
    let parts = env.cast_local::<JObjectArray<JString>>(parts.l()?)?;
    let n = parts.len(env)?;
    (0..n).map(|i| parts.get_element(env, i)?.try_to_string(env)).collect()
}

/// The error for a described Java exception (`fallback` when it could not be described).
fn throwable_error(
    function: &str,
    described: jni::errors::Result<Vec<String>>,
    (name, msg, stack): (String, String, String),
) -> Error {
    let java = |class: &str, message: &str, stack: &str| jarrow::Error::Java {
        class: class.to_owned(),
        message: message.to_owned(),
        stack: stack.to_owned(),
    };
    Error(match described.as_deref() {
        Ok([_, _, _, type_name, message, traceback]) => jarrow::Error::Python {
            type_name: type_name.clone(),
            message: message.clone(),
            traceback: traceback.clone(),
        },
        // jarrow's own errors raised on the Java side keep their kind.
        Ok([_, message, _, code]) if code == "CONVERSION" => jarrow::Error::Conversion(message.clone()),
        Ok([_, message, _, code]) if code == "NOT_FOUND" => {
            jarrow::Error::NotFound { name: function.to_owned(), detail: message.clone() }
        }
        Ok([class, message, stack, ..]) => java(class, message, stack),
        _ => java(&name, &msg, &stack),
    })
}

/// Starts the JVM of this process from `libjvm`, with the options as given: the Python side finds
/// libjvm, adds its default options and keeps the one-configuration rule.
#[pyfunction]
pub fn _start_jvm(
    py: Python<'_>,
    libjvm: String,
    classpath: Vec<String>,
    options: Vec<String>,
) -> PyResult<()> {
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
        for option in &options {
            builder = builder.option(option.as_str());
        }
        let args = builder
            .build()
            .map_err(|e| Error(jarrow::Error::Config(format!("invalid JVM options {options:?}: {e}"))))?;
        let vm = JavaVM::with_libjvm(args, || Ok(libjvm.as_str()))
            .map_err(|e| Error(jarrow::Error::Config(format!("cannot start the JVM from {libjvm}: {e}"))))?;
        // Java code in this JVM calls Python through jarrow's natives, registered from here: the
        // JNI library links libpython and must not be loaded into a Python process.
        vm.attach_current_thread(jarrow_jni::register_natives).map_err(|e| {
            Error(jarrow::Error::Config(format!(
                "cannot register jarrow's natives (is jarrow.jar on the classpath?): {e}"
            )))
        })?;
        gil::install(&vm)
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
                attach::with_env(
                    |env| -> jni::errors::Result<(Global<JObject<'static>>, Option<JMethodID>)> {
                        let jname = env.new_string(name)?;
                        let function = env.call_static_method(
                            jni_str!("io/jarrow/JavaFunction"),
                            jni_str!("resolve"),
                            jni_sig!("(Ljava/lang/String;)Lio/jarrow/JavaFunction;"),
                            &[JValue::from(&jname)],
                        )?;
                        let function = function.l()?;
                        let long_path =
                            env.call_method(&function, jni_str!("hasLongPath"), jni_sig!("()Z"), &[])?.z()?;
                        let long_path = if long_path {
                            let class = env.get_object_class(&function)?;
                            Some(env.get_method_id(&class, jni_str!("callLong"), jni_sig!("(J)J"))?)
                        } else {
                            None
                        };
                        Ok((env.new_global_ref(function)?, long_path))
                    },
                )
            })
            .map_err(|e| java_error(name, e))?;
        let (target, long_path) = target;
        Ok(PyJavaFunction { name: name.to_owned(), target, long_path })
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
    /// `JavaFunction.callLong`, when the method has a `long m(long)` overload.
    long_path: Option<JMethodID>,
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
        if let (Some(method), None, 1) = (self.long_path, kwargs, args.len()) {
            let arg = args.get_item(0)?;
            if let (true, false, Ok(x)) = (
                arg.is_instance_of::<pyo3::types::PyInt>(),
                arg.is_instance_of::<pyo3::types::PyBool>(),
                arg.extract::<i64>(),
            ) {
                let result = gil::call_java(py, || self.call_long(method, x))?;
                return Ok(result.into_pyobject(py)?.into_any());
            }
        }
        let (args, kwargs) = crate::function::arguments(args, kwargs)?;
        let encoded = codec::encode_call(&args, &kwargs).map_err(Error)?;
        let result = gil::call_java(py, || self.invoke(&encoded).map_err(|e| java_error(&self.name, e)))?;
        let value = codec::decode_value(&result).map_err(Error)?;
        Ok(value.to_python(py).map_err(Error)?)
    }

    /// Calls a batch method (`VectorSchemaRoot m(VectorSchemaRoot)`, or with a `BufferAllocator`)
    /// on any Arrow-capable batch: Java sees the batch's buffers, Python the result's (no copy
    /// either way). Returns a `pyarrow.RecordBatch`; the GIL is released while Java runs.
    fn apply<'py>(&self, py: Python<'py>, batch: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let interp = crate::function::interpreter()?;
        let (mut array, mut schema) = jarrow::arrow::export_python_batch(interp, batch).map_err(Error)?;
        let (mut out_array, mut out_schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
        let addresses = [
            &raw mut array as usize as i64,
            &raw mut schema as usize as i64,
            &raw mut out_array as usize as i64,
            &raw mut out_schema as usize as i64,
        ];
        // Java imports the input (leaving the structs released, so dropping them here is a no-op)
        // and exports its result into the output structs.
        gil::call_java(py, || self.invoke_apply(addresses).map_err(|e| java_error(&self.name, e)))?;
        drop((array, schema));
        Ok(jarrow::arrow::to_pyarrow(py, interp, out_array, out_schema).map_err(Error)?)
    }

    fn __repr__(&self) -> String {
        format!("jarrow.JavaFunction({:?})", self.name)
    }
}

impl PyJavaFunction {
    /// `long m(long)` through `JavaFunction.callLong`, with a cached method id and no encoding.
    /// An attached thread calls in its current local frame: the call makes no local reference,
    /// so the frame (and its push and pop) is not needed.
    fn call_long(&self, method: JMethodID, x: i64) -> Result<i64, Error> {
        let vm = running_jvm()?;
        let call = |env: &mut Env<'_>| -> jni::errors::Result<Result<i64, Error>> {
            // SAFETY: `method` is JavaFunction.callLong(J)J of this very object's class.
            let result = unsafe {
                env.call_method_unchecked(
                    &self.target,
                    method,
                    ReturnType::Primitive(Primitive::Long),
                    &[jvalue { j: x }],
                )
            };
            match result {
                Ok(value) => Ok(Ok(value.j()?)),
                Err(jni::errors::Error::JavaException) => {
                    let exception = env.exception_occurred().ok_or(jni::errors::Error::JavaException)?;
                    env.exception_clear();
                    let described = describe(env, &exception);
                    let fallback = ("java.lang.Throwable".to_owned(), String::new(), String::new());
                    let error = throwable_error(&self.name, described, fallback);
                    env.delete_local_ref(exception);
                    Ok(Err(error))
                }
                Err(e) => Err(e),
            }
        };
        let outcome = if vm.is_thread_attached().unwrap_or(false) {
            vm.with_top_local_frame(call)
        } else {
            attach::with_env(call)
        };
        outcome.map_err(|e| java_error(&self.name, e))?
    }

    fn invoke_apply(
        &self,
        [in_array, in_schema, out_array, out_schema]: [i64; 4],
    ) -> jni::errors::Result<()> {
        attach::with_env(|env: &mut Env<'_>| {
            let target = env.new_local_ref(&self.target)?;
            env.call_method(
                target,
                jni_str!("apply"),
                jni_sig!("(JJJJ)V"),
                &[
                    JValue::Long(in_array),
                    JValue::Long(in_schema),
                    JValue::Long(out_array),
                    JValue::Long(out_schema),
                ],
            )?;
            Ok(())
        })
    }

    fn invoke(&self, encoded: &[u8]) -> jni::errors::Result<Vec<u8>> {
        attach::with_env(|env: &mut Env<'_>| {
            let args = env.byte_array_from_slice(encoded)?;
            let target = env.new_local_ref(&self.target)?;
            let result =
                env.call_method(target, jni_str!("call"), jni_sig!("([B)[B"), &[JValue::from(&args)])?;
            let result = env.cast_local::<JByteArray>(result.l()?)?;
            env.convert_byte_array(&result)
        })
    }
}
