//! Shared set-up of the core's integration tests: one interpreter per test binary, on the project
//! venv (`make venv`), with the Python functions every suite shares (the top-level `tests/fixtures`)
//! on sys.path.
#![allow(dead_code)]

use std::path::PathBuf;

use jarrow::{Interpreter, PythonConfig};

/// The project venv's python (or `$JARROW_PYTHON`).
pub fn venv_python() -> PathBuf {
    std::env::var_os("JARROW_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python"))
}

pub fn config() -> PythonConfig {
    PythonConfig::new()
        .executable(venv_python())
        .python_path(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures"))
}

/// The interpreter of this test process.
pub fn python() -> &'static Interpreter {
    Interpreter::start(config()).expect("the embedded interpreter starts on the project venv")
}
