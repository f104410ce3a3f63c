//! The fast paths of a call from Python to Java: CPython's vectorcall instead of `tp_call`, and
//! common scalar calls (`long m(long)`, `double m(double)`, `boolean m(boolean)`,
//! `String m(String)`) straight through raw JNI, with no encoding and no Java-side dispatch.

use std::ffi::c_void;

use jni::ids::JStaticMethodID;
use jni::objects::{Global, JClass, JObject, JThrowable};
use jni::sys::jvalue;
use jni::{Env, jni_sig, jni_str};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::error::Error;
use crate::gil;
use crate::java_error::{describe, java_error, throwable_error};
use crate::java_function::PyJavaFunction;
use crate::jvm::running_jvm;

/// The overloads of a method that Python's common scalar calls reach straight through JNI: no
/// encoding, no Java-side dispatch. Each is there only when the general path would pick the same
/// overload for that argument (`JavaFunction.longPath` and its siblings decide).
pub(crate) struct ScalarPaths {
    /// `long m(long)`, for an exact int that fits in 64 bits.
    pub(crate) long: Option<StaticPath>,
    /// `double m(double)`, for an exact float.
    pub(crate) double: Option<StaticPath>,
    /// `boolean m(boolean)`, for True or False.
    pub(crate) boolean: Option<StaticPath>,
    /// `String m(String)`, for an exact str.
    pub(crate) string: Option<StaticPath>,
}

/// A static method called straight through JNI.
pub(crate) struct StaticPath {
    /// Keeps the class, so the method id stays valid.
    class: Global<JClass<'static>>,
    method: JStaticMethodID,
}

impl StaticPath {
    pub(crate) fn new(env: &mut Env<'_>, method: &JObject<'_>) -> jni::errors::Result<Self> {
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

/// Makes calls to a JavaFunction take CPython's vectorcall path: the arguments arrive as the
/// caller's array, with no tuple built for them (pyo3 gives a class only `tp_call`). The type gets
/// the offset of the `vectorcall` field, which is the same in every instance, once.
pub(crate) fn enable_vectorcall(function: &Bound<'_, PyJavaFunction>) {
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
pub(crate) unsafe extern "C" fn vectorcall(
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
            if let Some(result) = this.paths.call(py, &this.name, arg)? {
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

impl ScalarPaths {
    /// A call of `name` with one argument that a scalar fast path takes, or None for the general
    /// path.
    fn call(
        &self,
        py: Python<'_>,
        name: &str,
        arg: *mut pyo3::ffi::PyObject,
    ) -> PyResult<Option<*mut pyo3::ffi::PyObject>> {
        use pyo3::ffi;
        let paths = self;
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
