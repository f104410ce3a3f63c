//! The exception hierarchy of the Python package, mapped from the core's error in one place.
//! `except jarrow.JarrowError` catches everything jarrow raises.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTimeoutError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};

create_exception!(
    jarrow,
    JarrowError,
    PyException,
    "Base of every error jarrow raises; `code` names its kind."
);
create_exception!(
    jarrow,
    PythonError,
    JarrowError,
    "A Python function raised: `python_type`, `python_message` and `python_traceback` say what and where."
);
create_exception!(
    jarrow,
    JavaError,
    JarrowError,
    "Java code threw: `java_class`, `java_message`, `java_stack`."
);
create_exception!(jarrow, NotFoundError, JarrowError, "A function name did not lead to a callable.");
create_exception!(jarrow, ConversionError, JarrowError, "A value could not cross between the two sides.");
create_exception!(jarrow, ArrowError, JarrowError, "Arrow data was malformed or of an unexpected shape.");
create_exception!(jarrow, ConfigError, JarrowError, "A configuration or environment problem.");
create_exception!(jarrow, ClosedError, JarrowError, "The object was closed before the call.");
create_exception!(jarrow, OverloadedError, JarrowError, "A queue was full.");

/// `jarrow.TimeoutError`: a `JarrowError` and Python's own `TimeoutError` too, so that
/// `except TimeoutError` catches it as it catches every other timeout.
fn timeout_error(py: Python<'_>) -> &Bound<'_, PyType> {
    static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    TYPE.get_or_init(py, || {
        let bases = PyTuple::new(py, [py.get_type::<JarrowError>(), py.get_type::<PyTimeoutError>()])
            .expect("a tuple of two types");
        let doc = c"A request did not complete before its deadline (a builtin TimeoutError too).";
        // SAFETY: a valid name, doc and tuple of bases; a new reference or NULL with an error set.
        let created = unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                pyo3::ffi::PyErr_NewExceptionWithDoc(
                    c"jarrow.TimeoutError".as_ptr(),
                    doc.as_ptr(),
                    bases.as_ptr(),
                    std::ptr::null_mut(),
                ),
            )
        };
        created.and_then(|t| Ok(t.cast_into::<PyType>()?.unbind())).expect("jarrow.TimeoutError can be made")
    })
    .bind(py)
}

/// The stable code of each exception type, also as a class attribute, so an error raised by the
/// package's Python code has one too.
const CODES: [(&str, &str); 10] = [
    ("JarrowError", "JARROW"),
    ("PythonError", "PYTHON"),
    ("JavaError", "JAVA"),
    ("NotFoundError", "NOT_FOUND"),
    ("ConversionError", "CONVERSION"),
    ("ArrowError", "ARROW"),
    ("ConfigError", "CONFIG"),
    ("ClosedError", "CLOSED"),
    ("TimeoutError", "TIMEOUT"),
    ("OverloadedError", "OVERLOADED"),
];

/// A core error on its way to Python.
pub struct Error(pub jarrow::Error);

impl From<jarrow::Error> for Error {
    fn from(e: jarrow::Error) -> Self {
        Error(e)
    }
}

impl From<Error> for PyErr {
    fn from(Error(error): Error) -> PyErr {
        Python::attach(|py| {
            let err = match &error {
                jarrow::Error::Python { type_name, message, .. } => {
                    PythonError::new_err(format!("{type_name}: {message}"))
                }
                jarrow::Error::Java { class, message, .. } => {
                    JavaError::new_err(format!("{class}: {message}"))
                }
                jarrow::Error::NotFound { .. } => NotFoundError::new_err(error.to_string()),
                jarrow::Error::Conversion(_) => ConversionError::new_err(error.to_string()),
                jarrow::Error::Arrow(_) => ArrowError::new_err(error.to_string()),
                jarrow::Error::Config(_) => ConfigError::new_err(error.to_string()),
                jarrow::Error::Closed(_) => ClosedError::new_err(error.to_string()),
                jarrow::Error::Timeout(_) => PyErr::from_type(timeout_error(py).clone(), error.to_string()),
                jarrow::Error::Overloaded(_) => OverloadedError::new_err(error.to_string()),
            };
            let value = err.value(py);
            let attributes: Vec<(&str, &str)> = match &error {
                jarrow::Error::Python { type_name, message, traceback } => vec![
                    ("python_type", type_name),
                    ("python_message", message),
                    ("python_traceback", traceback),
                ],
                jarrow::Error::Java { class, message, stack } => {
                    vec![("java_class", class), ("java_message", message), ("java_stack", stack)]
                }
                _ => vec![],
            };
            // Setting attributes on a fresh exception instance cannot fail.
            let _ = value.setattr("code", error.code());
            for (name, text) in attributes {
                let _ = value.setattr(name, text);
            }
            // The traceback of the code that raised (Python called back from Java, or Java) is
            // shown with this exception's own, so it survives every hop.
            let origin = match &error {
                jarrow::Error::Python { traceback, .. } => Some(traceback),
                jarrow::Error::Java { stack, .. } => Some(stack),
                _ => None,
            };
            if let Some(origin) = origin.filter(|t| !t.is_empty()) {
                let _ = value.call_method1("add_note", (origin.trim_end(),));
            }
            err
        })
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    for (name, class) in [
        ("JarrowError", py.get_type::<JarrowError>()),
        ("PythonError", py.get_type::<PythonError>()),
        ("JavaError", py.get_type::<JavaError>()),
        ("NotFoundError", py.get_type::<NotFoundError>()),
        ("ConversionError", py.get_type::<ConversionError>()),
        ("ArrowError", py.get_type::<ArrowError>()),
        ("ConfigError", py.get_type::<ConfigError>()),
        ("ClosedError", py.get_type::<ClosedError>()),
        ("TimeoutError", timeout_error(py).clone()),
        ("OverloadedError", py.get_type::<OverloadedError>()),
    ] {
        let code =
            CODES.iter().find(|(n, _)| *n == name).map(|(_, code)| *code).expect("every type has a code");
        class.setattr("code", code)?;
        m.add(name, class)?;
    }
    Ok(())
}
