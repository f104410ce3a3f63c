//! The JVM of this process, seen from Python: found when one runs (it hosts this interpreter, or
//! Python started it), or started from `libjvm`; `jarrow.jvm()` and `Jvm.function`.

use std::ffi::c_void;

use jni::{InitArgsBuilder, JNIVersion, JavaVM};
use pyo3::prelude::*;

use crate::error::Error;
use crate::gil;
use crate::java_function::PyJavaFunction;

/// The JVM this process runs, if any: one that hosts this interpreter (jarrow called from Java),
/// or one started from Python.
pub(crate) fn running_jvm() -> Result<JavaVM, Error> {
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
        PyJavaFunction::resolve(py, name)
    }

    fn __repr__(&self) -> &'static str {
        "jarrow.Jvm()"
    }
}
