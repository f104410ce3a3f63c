//! The one CPython interpreter of the process.

use std::ffi::{CStr, CString};
use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyModule};

use super::config::PythonConfig;
use super::library::{self, BUILD_PYTHON_VERSION};
use super::probe::PythonInstall;
use super::thread::attach;
use crate::error::{Error, Result};
use crate::function::PythonFunction;
use crate::value::Value;

const BRIDGE_SOURCE: &CStr = pyo3::ffi::c_str!(include_str!("bridge.py"));
const PROBE_SOURCE: &CStr = pyo3::ffi::c_str!(include_str!("probe.py"));

/// The interpreter: started once per process, shared by every thread.
pub struct Interpreter {
    config: PythonConfig,
    /// Whether the process's host is Python itself (this interpreter was adopted, not started).
    hosted: bool,
    install: PythonInstall,
    bridge: Py<PyModule>,
    describe_exception: Py<PyAny>,
    resolve_error: Py<PyAny>,
}

impl std::fmt::Debug for Interpreter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interpreter").field("config", &self.config).field("install", &self.install).finish()
    }
}

static INTERPRETER: OnceLock<Interpreter> = OnceLock::new();
static STARTING: Mutex<()> = Mutex::new(());

impl Interpreter {
    /// Starts the interpreter of this process, or returns it if it was started with an equal
    /// configuration. A different configuration is an error: CPython cannot be restarted.
    ///
    /// If the host process already runs Python (jarrow imported from Python), that interpreter is
    /// adopted and the configuration's executable is not used.
    pub fn start(config: PythonConfig) -> Result<&'static Interpreter> {
        let _starting = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(running) = INTERPRETER.get() {
            return if running.config == config {
                Ok(running)
            } else if running.hosted {
                // The host's interpreter is what it is; only extra sys.path entries can apply.
                attach(|py| add_to_sys_path(py, &config.python_path))?;
                Ok(running)
            } else {
                Err(Error::Config(format!(
                    "the Python interpreter of this process is already running with {:?}; it \
                     cannot be restarted with {:?}. Start it once, with one configuration",
                    running.config, config
                )))
            };
        }
        // SAFETY: always safe to call.
        let hosted = unsafe { ffi::Py_IsInitialized() } != 0;
        if !hosted {
            let executable = config.resolve_executable()?;
            let install = PythonInstall::probe(&executable)?;
            check_version(&install)?;
            let libpython = install.libpython.as_deref().ok_or_else(|| no_libpython(&install))?;
            library::load_global(libpython)?;
            // SAFETY: the interpreter is not initialized (checked above, under the start lock).
            unsafe { initialize(&install, &config)? };
        }
        let interpreter = attach(|py| Interpreter::set_up(py, config, hosted))?;
        Ok(INTERPRETER.get_or_init(|| interpreter))
    }

    /// The running interpreter, or an error saying it has not been started.
    pub fn get() -> Result<&'static Interpreter> {
        INTERPRETER
            .get()
            .ok_or_else(|| Error::Config("the Python interpreter has not been started".to_string()))
    }

    fn set_up(py: Python<'_>, config: PythonConfig, hosted: bool) -> Result<Interpreter> {
        let sys = py.import("sys").map_err(|e| basic_error(py, e))?;
        add_to_sys_path(py, &config.python_path)?;
        // Another copy of this crate in the process (the JNI library and the Python extension each
        // carry one) may have set the bridge up already: share it. Executing it again would
        // replace its classes under the first copy's feet.
        let modules = sys.getattr("modules").map_err(|e| basic_error(py, e))?;
        let bridge =
            match modules.get_item("_jarrow_bridge").ok().and_then(|m| m.cast_into::<PyModule>().ok()) {
                Some(existing) => existing,
                None => {
                    let bridge =
                        PyModule::from_code(py, BRIDGE_SOURCE, c"_jarrow_bridge.py", c"_jarrow_bridge")
                            .map_err(|e| basic_error(py, e))?;
                    modules.set_item("_jarrow_bridge", &bridge).map_err(|e| basic_error(py, e))?;
                    bridge
                }
            };
        let install = layout_in_process(py)?;
        let attr = |name: &str| bridge.getattr(name).map(Bound::unbind).map_err(|e| basic_error(py, e));
        Ok(Interpreter {
            config,
            hosted,
            install,
            describe_exception: attr("describe_exception")?,
            resolve_error: attr("ResolveError")?,
            bridge: bridge.unbind(),
        })
    }

    /// What the running interpreter reports about itself (prefixes, sys.path at start, libpython).
    pub fn install(&self) -> &PythonInstall {
        &self.install
    }

    /// The configuration the interpreter was started with.
    pub fn config(&self) -> &PythonConfig {
        &self.config
    }

    /// Resolves `"pkg.module:attr"` or `"pkg.module:Class.method"` into a callable handle.
    pub fn function(&'static self, name: &str) -> Result<PythonFunction> {
        attach(|py| PythonFunction::resolve(py, self, name))
    }

    /// Runs Python statements in the `__main__` module.
    pub fn exec(&self, code: &str) -> Result<()> {
        let code = source(code)?;
        attach(|py| {
            let main = py.import("__main__").map_err(|e| self.error(py, e))?;
            let globals = main.dict();
            py.run(&code, Some(&globals), None).map_err(|e| self.error(py, e))
        })
    }

    /// Evaluates a Python expression in the `__main__` module and converts its value.
    pub fn eval(&self, expr: &str) -> Result<Value> {
        let code = source(expr)?;
        attach(|py| {
            let main = py.import("__main__").map_err(|e| self.error(py, e))?;
            let globals = main.dict();
            let value = py.eval(&code, Some(&globals), None).map_err(|e| self.error(py, e))?;
            Value::from_python(&value)
        })
    }

    pub(crate) fn bridge<'py>(&self, py: Python<'py>) -> &Bound<'py, PyModule> {
        self.bridge.bind(py)
    }

    /// Converts a Python exception into [`Error::Python`], with its full traceback.
    pub(crate) fn error(&self, py: Python<'_>, err: PyErr) -> Error {
        let described = self.describe_exception.bind(py).call1((err.value(py), err.traceback(py)));
        match described.and_then(|d| d.extract::<(String, String, String)>()) {
            Ok((type_name, message, traceback)) => Error::Python { type_name, message, traceback },
            Err(_) => basic_error(py, err),
        }
    }

    /// Whether `err` is the bridge's ResolveError (a name that leads to no callable).
    pub(crate) fn is_resolve_error(&self, py: Python<'_>, err: &PyErr) -> bool {
        err.matches(py, self.resolve_error.bind(py)).unwrap_or(false)
    }
}

/// A Python exception as [`Error::Python`], with its full traceback: for the layers above the
/// interpreter (the Arrow path), which need no handle on it.
pub fn python_error(py: Python<'_>, err: PyErr) -> Error {
    match INTERPRETER.get() {
        Some(interp) => interp.error(py, err),
        None => basic_error(py, err),
    }
}

fn source(code: &str) -> Result<CString> {
    CString::new(code).map_err(|_| Error::Conversion("Python source contains a NUL byte".into()))
}

fn check_version(install: &PythonInstall) -> Result<()> {
    if install.short_version() == BUILD_PYTHON_VERSION {
        return Ok(());
    }
    Err(Error::Config(format!(
        "{} is Python {}, but this jarrow build embeds Python {BUILD_PYTHON_VERSION}. Use a Python \
         {BUILD_PYTHON_VERSION} environment, or install jarrow built for Python {}",
        install.executable.display(),
        install.short_version(),
        install.short_version()
    )))
}

fn no_libpython(install: &PythonInstall) -> Error {
    Error::Config(format!(
        "{} (Python {}) has no shared libpython: it is linked statically and jarrow needs \
         libpython{}.so to embed it. Install the distribution's libpython{} package, or use a \
         Python built with --enable-shared (pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared)",
        install.executable.display(),
        install.short_version(),
        install.short_version(),
        install.short_version()
    ))
}

/// # Safety
/// Must run once, before anything else touches CPython in this process.
unsafe fn initialize(install: &PythonInstall, config: &PythonConfig) -> Result<()> {
    let mut slot = MaybeUninit::<ffi::PyConfig>::zeroed();
    let c = slot.as_mut_ptr();
    // SAFETY: `c` points to writable memory for a PyConfig; CPython fills in every field.
    unsafe { ffi::PyConfig_InitPythonConfig(c) };
    // SAFETY: `c` was initialized just above and is not shared.
    let status = unsafe {
        // The host (the JVM) keeps its own signal handlers.
        (*c).install_signal_handlers = 0;
        (*c).parse_argv = 0;
        // The executable decides prefix and sys.path exactly as running it would: for a venv,
        // CPython finds pyvenv.cfg beside it and adds the venv's site-packages.
        set_path(c, &raw mut (*c).program_name, &install.executable)
            .and_then(|_| set_path(c, &raw mut (*c).executable, &install.executable))
            .and_then(|_| match &config.python_home {
                Some(home) => set_path(c, &raw mut (*c).home, home),
                None => Ok(()),
            })
            .and_then(|_| status_to_result(ffi::Py_InitializeFromConfig(c)))
    };
    // SAFETY: matching clear of the config initialized above.
    unsafe { ffi::PyConfig_Clear(c) };
    status?;
    enable_faulthandler_where_safe();
    // The initializing thread holds the GIL and keeps its thread state; give the GIL back.
    // SAFETY: the interpreter was just initialized on this thread, which holds the GIL.
    unsafe { ffi::PyEval_SaveThread() };
    Ok(())
}

/// Enables Python's `faulthandler`, so that a native crash in Python code (an extension module's
/// segfault) prints every Python thread's stack before the process dies, where that cannot take
/// over the host's own signal handling: in a host without a JVM, or in a JVM that chains signal
/// handlers through libjsig (`LD_PRELOAD=$JAVA_HOME/lib/libjsig.so`). A JVM without libjsig uses
/// SIGSEGV itself (null checks, safepoints), and a handler installed over its own would break it.
/// Runs holding the GIL, before Python's output is redirected, so the stack goes to stderr.
fn enable_faulthandler_where_safe() {
    let present = |symbol: &CStr| {
        // SAFETY: a lookup by name in the objects already loaded.
        !unsafe { libc::dlsym(libc::RTLD_DEFAULT, symbol.as_ptr()) }.is_null()
    };
    let jvm = present(c"JNI_GetCreatedJavaVMs");
    let chaining = present(c"JVM_begin_signal_setting");
    if !jvm || chaining {
        // SAFETY: the interpreter is initialized and this thread holds the GIL. A failure leaves
        // the process as it was (the error is printed by CPython and cleared).
        unsafe { ffi::PyRun_SimpleString(c"import faulthandler\nfaulthandler.enable()".as_ptr()) };
    }
}

/// # Safety
/// `config` must be an initialized PyConfig and `field` one of its wide-string fields.
unsafe fn set_path(config: *mut ffi::PyConfig, field: *mut *mut libc::wchar_t, path: &Path) -> Result<()> {
    let bytes = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::Config(format!("path {} contains a NUL byte", path.display())))?;
    // SAFETY: per the function contract; CPython copies the string.
    status_to_result(unsafe { ffi::PyConfig_SetBytesString(config, field.cast(), bytes.as_ptr()) })
}

fn status_to_result(status: ffi::PyStatus) -> Result<()> {
    // SAFETY: reading a status CPython returned.
    if unsafe { ffi::PyStatus_Exception(status) } == 0 {
        return Ok(());
    }
    let text = |p: *const libc::c_char| {
        if p.is_null() {
            String::new()
        } else {
            // SAFETY: CPython status strings are static NUL-terminated C strings.
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        }
    };
    Err(Error::Config(format!("Python failed to initialize: {} {}", text(status.func), text(status.err_msg))))
}

/// The probe, run inside this interpreter: what the embedded Python really sees.
fn layout_in_process(py: Python<'_>) -> Result<PythonInstall> {
    let probe = PyModule::from_code(py, PROBE_SOURCE, c"_jarrow_probe.py", c"_jarrow_probe")
        .map_err(|e| basic_error(py, e))?;
    let json = probe
        .getattr("layout")
        .and_then(|layout| layout.call0())
        .and_then(|layout| py.import("json")?.getattr("dumps")?.call1((layout,)))
        .and_then(|text| text.extract::<String>())
        .map_err(|e| basic_error(py, e))?;
    serde_json::from_str(&json).map_err(|e| Error::Config(format!("unreadable layout {json}: {e}")))
}

/// Puts `paths` in front of `sys.path`, in order, skipping those already on it.
fn add_to_sys_path(py: Python<'_>, paths: &[PathBuf]) -> Result<()> {
    let sys_path = py
        .import("sys")
        .and_then(|sys| sys.getattr("path"))
        .and_then(|p| Ok(p.cast_into::<PyList>()?))
        .map_err(|e| basic_error(py, e))?;
    let mut position = 0;
    for path in paths {
        let entry = path.as_os_str().to_string_lossy();
        if !sys_path.contains(entry.as_ref()).map_err(|e| basic_error(py, e))? {
            sys_path.insert(position, entry).map_err(|e| basic_error(py, e))?;
            position += 1;
        }
    }
    Ok(())
}

/// A Python exception as [`Error::Python`], before the bridge that formats tracebacks exists.
fn basic_error(py: Python<'_>, err: PyErr) -> Error {
    let type_name = err
        .get_type(py)
        .fully_qualified_name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "BaseException".into());
    let traceback = err.traceback(py).and_then(|tb| tb.format().ok()).unwrap_or_default();
    Error::Python { type_name, message: err.value(py).to_string(), traceback }
}
