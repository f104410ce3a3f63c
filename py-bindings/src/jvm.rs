//! Java from Python: `jarrow.jvm()` is the JVM of this process, `Jvm.function` a static Java
//! method resolved once. Every Java call runs with the GIL released.

use std::ffi::c_void;

use jarrow::arrow_ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use jarrow::jvm::codec;
use jni::ids::JStaticMethodID;
use jni::objects::{Global, JByteArray, JClass, JObject, JObjectArray, JString, JThrowable, JValue};
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
    let described = jarrow::jvm::with_env(|env| -> jni::errors::Result<Vec<String>> {
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
    // A native crash in Python code prints every Python thread's stack first: faulthandler's
    // handlers, installed before the JVM's, are the ones the JVM chains to for a signal that is
    // not its own.
    py.import("faulthandler").and_then(|f| {
        if !f.call_method0("is_enabled")?.is_truthy()? {
            f.call_method0("enable")?;
        }
        Ok(())
    })?;
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
        // The JVM says which option it refused only on stderr: what it writes there while it
        // starts is kept for the error (and still shown).
        let (vm, said) = with_stderr_kept(|| JavaVM::with_libjvm(args, || Ok(libjvm.as_str())));
        let vm = vm.map_err(|e| {
            let said = said.trim();
            Error(jarrow::Error::Config(if said.is_empty() {
                format!("cannot start the JVM from {libjvm} with options {options:?}: {e}")
            } else {
                format!("the JVM ({libjvm}) did not start with options {options:?}: {said}")
            }))
        })?;
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

/// Runs `f` with file descriptor 2 (stderr) pointed at a memory file, then writes what was
/// written there to the real stderr and returns it too. If the descriptors cannot be arranged,
/// `f` runs with stderr as it is.
fn with_stderr_kept<T>(f: impl FnOnce() -> T) -> (T, String) {
    // SAFETY: plain descriptor calls on descriptors this function owns (the memory file, the copy
    // of stderr); stderr is restored before returning.
    unsafe {
        let file = libc::memfd_create(c"jarrow-jvm-stderr".as_ptr(), libc::MFD_CLOEXEC);
        let saved = if file >= 0 { libc::dup(2) } else { -1 };
        if saved < 0 || libc::dup2(file, 2) < 0 {
            for fd in [file, saved] {
                if fd >= 0 {
                    libc::close(fd);
                }
            }
            return (f(), String::new());
        }
        let result = f();
        libc::dup2(saved, 2);
        libc::close(saved);
        let mut kept = Vec::new();
        let mut chunk = [0u8; 4096];
        let mut at = 0;
        loop {
            let n = libc::pread(file, chunk.as_mut_ptr().cast(), chunk.len(), at);
            if n <= 0 {
                break;
            }
            kept.extend_from_slice(&chunk[..n as usize]);
            at += n as libc::off_t;
        }
        libc::close(file);
        if !kept.is_empty() {
            libc::write(2, kept.as_ptr().cast(), kept.len());
        }
        (result, String::from_utf8_lossy(&kept).into_owned())
    }
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
    fn function<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyJavaFunction>> {
        let target = py
            .detach(|| {
                jarrow::jvm::with_env(|env| -> jni::errors::Result<(Global<JObject<'static>>, ScalarPaths)> {
                    let jname = env.new_string(name)?;
                    let function = env.call_static_method(
                        jni_str!("io/jarrow/JavaFunction"),
                        jni_str!("resolve"),
                        jni_sig!("(Ljava/lang/String;)Lio/jarrow/JavaFunction;"),
                        &[JValue::from(&jname)],
                    )?;
                    let function = function.l()?;
                    let mut path =
                        |getter: &'static jni::strings::JNIStr| -> jni::errors::Result<Option<StaticPath>> {
                            let method = env
                                .call_method(
                                    &function,
                                    getter,
                                    jni_sig!("()Ljava/lang/reflect/Method;"),
                                    &[],
                                )?
                                .l()?;
                            if method.is_null() { Ok(None) } else { StaticPath::new(env, &method).map(Some) }
                        };
                    let paths = ScalarPaths {
                        long: path(jni_str!("longPath"))?,
                        double: path(jni_str!("doublePath"))?,
                        boolean: path(jni_str!("booleanPath"))?,
                        string: path(jni_str!("stringPath"))?,
                    };
                    Ok((env.new_global_ref(function)?, paths))
                })
            })
            .map_err(|e| java_error(name, e))?;
        let (target, paths) = target;
        let function = Bound::new(py, PyJavaFunction { name: name.to_owned(), target, paths, vectorcall })?;
        enable_vectorcall(&function);
        Ok(function)
    }

    fn __repr__(&self) -> &'static str {
        "jarrow.Jvm()"
    }
}

/// The overloads of a method that Python's common scalar calls reach straight through JNI: no
/// encoding, no Java-side dispatch. Each is there only when the general path would pick the same
/// overload for that argument (`JavaFunction.longPath` and its siblings decide).
struct ScalarPaths {
    /// `long m(long)`, for an exact int that fits in 64 bits.
    long: Option<StaticPath>,
    /// `double m(double)`, for an exact float.
    double: Option<StaticPath>,
    /// `boolean m(boolean)`, for True or False.
    boolean: Option<StaticPath>,
    /// `String m(String)`, for an exact str.
    string: Option<StaticPath>,
}

/// A static method called straight through JNI.
struct StaticPath {
    /// Keeps the class, so the method id stays valid.
    class: Global<JClass<'static>>,
    method: JStaticMethodID,
}

impl StaticPath {
    fn new(env: &mut Env<'_>, method: &JObject<'_>) -> jni::errors::Result<Self> {
        let class =
            env.call_method(method, jni_str!("getDeclaringClass"), jni_sig!("()Ljava/lang/Class;"), &[])?;
        let class = env.cast_local::<JClass>(class.l()?)?;
        let raw = env.get_raw();
        // SAFETY: a live env of this thread and a java.lang.reflect.Method.
        let id = unsafe { ((**raw).v1_2.FromReflectedMethod)(raw, method.as_raw()) };
        if id.is_null() {
            return Err(jni::errors::Error::MethodNotFound {
                name: "a scalar fast path".into(),
                sig: "".into(),
            });
        }
        // SAFETY: a non-null id of a static method of `class`, which is kept alive with it.
        Ok(StaticPath { class: env.new_global_ref(class)?, method: unsafe { JStaticMethodID::from_raw(id) } })
    }

    /// Calls the method with `args` through `call` (one of JNI's `CallStatic<Type>MethodA`), and
    /// turns a pending Java exception into the call's error.
    fn call<R>(
        &self,
        function: &str,
        args: &[jvalue],
        call: impl FnOnce(*mut jni::sys::JNIEnv, jni::sys::jclass, jni::sys::jmethodID, *const jvalue) -> R,
    ) -> Result<R, Error> {
        let env = current_env().map_err(|e| java_error(function, e))?;
        let value = call(env, self.class.as_raw(), self.method.into_raw(), args.as_ptr());
        // SAFETY: `env` is this thread's.
        if !unsafe { ((**env).v1_2.ExceptionCheck)(env) } {
            return Ok(value);
        }
        // Taken and cleared here: jni-rs refuses to work with an exception pending.
        // SAFETY: an exception is pending on this thread's `env`; the result is a local reference
        // in the current frame, deleted below.
        let exception = unsafe {
            let exception = ((**env).v1_1.ExceptionOccurred)(env);
            ((**env).v1_1.ExceptionClear)(env);
            exception
        };
        let described = jarrow::jvm::with_env(|env| {
            // SAFETY: a live local reference of this thread, not owned by any other wrapper.
            let exception = unsafe { JObject::from_raw(env, exception) };
            let exception = env.cast_local::<JThrowable>(exception)?;
            describe(env, &exception)
        });
        // SAFETY: the local reference taken above, no longer used.
        unsafe { ((**env).v1_1.DeleteLocalRef)(env, exception) };
        let fallback = ("java.lang.Throwable".to_owned(), String::new(), String::new());
        Err(throwable_error(function, described, fallback))
    }

    fn call_long(&self, function: &str, x: i64) -> Result<i64, Error> {
        // SAFETY: a static (J)J method of `class`, called with one long.
        self.call(function, &[jvalue { j: x }], |env, class, method, args| unsafe {
            ((**env).v1_1.CallStaticLongMethodA)(env, class, method, args)
        })
    }

    fn call_double(&self, function: &str, x: f64) -> Result<f64, Error> {
        // SAFETY: a static (D)D method of `class`, called with one double.
        self.call(function, &[jvalue { d: x }], |env, class, method, args| unsafe {
            ((**env).v1_1.CallStaticDoubleMethodA)(env, class, method, args)
        })
    }

    fn call_boolean(&self, function: &str, x: bool) -> Result<bool, Error> {
        // SAFETY: a static (Z)Z method of `class`, called with one boolean.
        self.call(function, &[jvalue { z: x }], |env, class, method, args| unsafe {
            ((**env).v1_1.CallStaticBooleanMethodA)(env, class, method, args)
        })
    }

    /// `String m(String)`, the strings crossing as UTF-16 (JNI's modified UTF-8 is not UTF-8).
    fn call_string(&self, function: &str, x: &[u16]) -> Result<Option<String>, Error> {
        let env = current_env().map_err(|e| java_error(function, e))?;
        // SAFETY: `env` is this thread's; `x` holds `len` UTF-16 units. The local references made
        // here are deleted before returning.
        unsafe {
            let arg = ((**env).v1_1.NewString)(env, x.as_ptr(), x.len() as jni::sys::jsize);
            if arg.is_null() {
                ((**env).v1_1.ExceptionClear)(env);
                return Err(Error(jarrow::Error::Conversion(format!(
                    "{function}: the JVM could not make a String of {} characters",
                    x.len()
                ))));
            }
            let result = self.call(function, &[jvalue { l: arg }], |env, class, method, args| {
                ((**env).v1_1.CallStaticObjectMethodA)(env, class, method, args)
            });
            ((**env).v1_1.DeleteLocalRef)(env, arg);
            let result = result?;
            if result.is_null() {
                return Ok(None);
            }
            let len = ((**env).v1_1.GetStringLength)(env, result);
            let mut units = vec![0u16; len.max(0) as usize];
            ((**env).v1_2.GetStringRegion)(env, result, 0, len, units.as_mut_ptr());
            ((**env).v1_1.DeleteLocalRef)(env, result);
            String::from_utf16(&units).map(Some).map_err(|_| {
                Error(jarrow::Error::Conversion(format!(
                    "{function} returned a String with a lone surrogate, which is not text Python can hold"
                )))
            })
        }
    }
}

/// The calling thread's JNI environment, attaching the thread (as a daemon) the first time.
fn current_env() -> jni::errors::Result<*mut jni::sys::JNIEnv> {
    let vm = running_jvm().map_err(|_| jni::errors::Error::JniCall(jni::errors::JniError::ThreadDetached))?;
    let raw = vm.get_raw();
    let get = || {
        let mut env: *mut c_void = std::ptr::null_mut();
        // SAFETY: `raw` is the process's live JavaVM.
        let status = unsafe { ((**raw).v1_2.GetEnv)(raw, &mut env, jni::sys::JNI_VERSION_1_8) };
        (status == jni::sys::JNI_OK).then_some(env.cast())
    };
    if let Some(env) = get() {
        return Ok(env);
    }
    jarrow::jvm::with_env(|_| Ok(()))?;
    get().ok_or(jni::errors::Error::JniCall(jni::errors::JniError::ThreadDetached))
}

/// A static Java method, called with the conversions the JVM applies to Python's calls.
#[pyclass(name = "JavaFunction", module = "jarrow", frozen)]
pub struct PyJavaFunction {
    name: String,
    target: Global<JObject<'static>>,
    /// The overloads common scalar calls reach directly.
    paths: ScalarPaths,
    /// Python calls the object through this (see `enable_vectorcall`).
    vectorcall: pyo3::ffi::vectorcallfunc,
}

/// Makes calls to a JavaFunction take CPython's vectorcall path: the arguments arrive as the
/// caller's array, with no tuple built for them (pyo3 gives a class only `tp_call`). The type gets
/// the offset of the `vectorcall` field, which is the same in every instance, once.
fn enable_vectorcall(function: &Bound<'_, PyJavaFunction>) {
    static ENABLED: std::sync::Once = std::sync::Once::new();
    ENABLED.call_once(|| {
        let offset = (&raw const function.get().vectorcall as isize) - (function.as_ptr() as isize);
        // SAFETY: the GIL is held and no JavaFunction was called yet; the flag and the offset
        // describe the field every instance of this (final) class has.
        unsafe {
            let tp = pyo3::ffi::Py_TYPE(function.as_ptr());
            (*tp).tp_vectorcall_offset = offset;
            (*tp).tp_flags |= pyo3::ffi::Py_TPFLAGS_HAVE_VECTORCALL;
        }
    });
}

/// A JavaFunction's vectorcall: a `long m(long)` call with one exact int goes straight to Java;
/// anything else takes `__call__`.
unsafe extern "C" fn vectorcall(
    callable: *mut pyo3::ffi::PyObject,
    args: *const *mut pyo3::ffi::PyObject,
    nargsf: usize,
    kwnames: *mut pyo3::ffi::PyObject,
) -> *mut pyo3::ffi::PyObject {
    use pyo3::ffi;
    // SAFETY: CPython calls this with the GIL held.
    let py = unsafe { Python::assume_attached() };
    let nargs = nargsf & !ffi::PY_VECTORCALL_ARGUMENTS_OFFSET;
    let call = || -> PyResult<*mut ffi::PyObject> {
        // SAFETY: CPython passes the JavaFunction called, and `nargs` borrowed positional
        // arguments followed by one value per keyword name.
        let this = unsafe { Bound::ref_from_ptr(py, &callable).cast_unchecked::<PyJavaFunction>() }.get();
        if nargs == 1 && kwnames.is_null() {
            // SAFETY: one positional argument.
            let arg = unsafe { *args };
            if let Some(result) = this.scalar_call(py, arg)? {
                return Ok(result);
            }
        }
        let n_kw = if kwnames.is_null() { 0 } else { (unsafe { ffi::PyTuple_GET_SIZE(kwnames) }) as usize };
        // SAFETY: as above: `nargs + n_kw` borrowed arguments.
        let values = unsafe { std::slice::from_raw_parts(args, nargs + n_kw) };
        let borrowed = |p: &*mut ffi::PyObject| unsafe { Bound::from_borrowed_ptr(py, *p) };
        let positional = PyTuple::new(py, values[..nargs].iter().map(borrowed))?;
        let kwargs = if n_kw == 0 {
            None
        } else {
            // SAFETY: a tuple of keyword names.
            let names = unsafe { Bound::from_borrowed_ptr(py, kwnames).cast_into_unchecked::<PyTuple>() };
            let kwargs = PyDict::new(py);
            for (name, value) in names.iter().zip(values[nargs..].iter().map(borrowed)) {
                kwargs.set_item(name, value)?;
            }
            Some(kwargs)
        };
        Ok(this.__call__(py, &positional, kwargs.as_ref())?.into_ptr())
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)) {
        Ok(Ok(result)) => result,
        Ok(Err(error)) => {
            error.restore(py);
            std::ptr::null_mut()
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic");
            pyo3::panic::PanicException::new_err(what.to_owned()).restore(py);
            std::ptr::null_mut()
        }
    }
}

impl PyJavaFunction {
    /// A call with one argument that a scalar fast path takes, or None for the general path.
    fn scalar_call(
        &self,
        py: Python<'_>,
        arg: *mut pyo3::ffi::PyObject,
    ) -> PyResult<Option<*mut pyo3::ffi::PyObject>> {
        use pyo3::ffi;
        let paths = &self.paths;
        let name = self.name.as_str();
        // SAFETY (whole block): the GIL is held and `arg` is a live object; every object made is
        // a new reference handed to the caller (or null with an error set, which the caller
        // reports).
        unsafe {
            if let Some(path) = &paths.long
                && ffi::PyLong_CheckExact(arg) != 0
            {
                let mut overflow = 0;
                let x = ffi::PyLong_AsLongLongAndOverflow(arg, &mut overflow);
                if overflow == 0 {
                    let result = gil::call_java(py, || path.call_long(name, x))?;
                    return Ok(Some(ffi::PyLong_FromLongLong(result)));
                }
            } else if let Some(path) = &paths.double
                && ffi::PyFloat_CheckExact(arg) != 0
            {
                let x = ffi::PyFloat_AS_DOUBLE(arg);
                let result = gil::call_java(py, || path.call_double(name, x))?;
                return Ok(Some(ffi::PyFloat_FromDouble(result)));
            } else if let Some(path) = &paths.boolean
                && (arg == ffi::Py_True() || arg == ffi::Py_False())
            {
                let x = arg == ffi::Py_True();
                let result = gil::call_java(py, || path.call_boolean(name, x))?;
                return Ok(Some(ffi::PyBool_FromLong(result.into())));
            } else if let Some(path) = &paths.string
                && ffi::PyUnicode_CheckExact(arg) != 0
            {
                let text = Bound::from_borrowed_ptr(py, arg).cast_into_unchecked::<pyo3::types::PyString>();
                let units: Vec<u16> = text.to_str()?.encode_utf16().collect();
                let result = gil::call_java(py, || path.call_string(name, &units))?;
                return Ok(Some(match result {
                    Some(s) => pyo3::types::PyString::new(py, &s).into_ptr(),
                    None => py.None().into_ptr(),
                }));
            }
        }
        Ok(None)
    }
}

#[pymethods]
impl PyJavaFunction {
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// Calls the method; the GIL is released while Java runs. (One exact int to a `long m(long)`
    /// takes the vectorcall's direct path; this is the general one.)
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
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
        let (mut array, mut schema) =
            jarrow::arrow::export_python_batch_for_java(interp, batch).map_err(Error)?;
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
    fn invoke_apply(
        &self,
        [in_array, in_schema, out_array, out_schema]: [i64; 4],
    ) -> jni::errors::Result<()> {
        jarrow::jvm::with_env(|env: &mut Env<'_>| {
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
        jarrow::jvm::with_env(|env: &mut Env<'_>| {
            let args = env.byte_array_from_slice(encoded)?;
            let target = env.new_local_ref(&self.target)?;
            let result =
                env.call_method(target, jni_str!("call"), jni_sig!("([B)[B"), &[JValue::from(&args)])?;
            let result = env.cast_local::<JByteArray>(result.l()?)?;
            env.convert_byte_array(&result)
        })
    }
}
