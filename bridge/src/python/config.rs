//! Which Python to embed, and how.

use std::env;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// How to start the embedded interpreter. Immutable once built; two configs are equal when every
/// setting is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PythonConfig {
    /// The Python executable whose environment to embed (a venv's `bin/python`, a conda env's, or
    /// the system's). `None` picks one, see [`PythonConfig::resolve_executable`].
    pub executable: Option<PathBuf>,
    /// Entries put in front of `sys.path`, in order.
    pub python_path: Vec<PathBuf>,
    /// An explicit PYTHONHOME; when unset, CPython derives it from the executable.
    pub python_home: Option<PathBuf>,
}

impl PythonConfig {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn executable(mut self, path: impl Into<PathBuf>) -> Self {
        self.executable = Some(path.into());
        self
    }

    pub fn python_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.python_path.push(path.into());
        self
    }

    pub fn python_home(mut self, path: impl Into<PathBuf>) -> Self {
        self.python_home = Some(path.into());
        self
    }

    /// The executable to use: the configured one, else `$JARROW_PYTHON`, else the active venv
    /// (`$VIRTUAL_ENV`), else the active conda env (`$CONDA_PREFIX`), else `python3` on `PATH`.
    pub fn resolve_executable(&self) -> Result<PathBuf> {
        if let Some(exe) = &self.executable {
            return Ok(exe.clone());
        }
        let mut tried = Vec::new();
        if let Some(exe) = env::var_os("JARROW_PYTHON").filter(|v| !v.is_empty()) {
            return Ok(PathBuf::from(exe));
        }
        tried.push("$JARROW_PYTHON (unset)".to_string());
        for var in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
            match env::var_os(var).filter(|v| !v.is_empty()) {
                Some(prefix) => {
                    let exe = Path::new(&prefix).join("bin").join("python");
                    if exe.exists() {
                        return Ok(exe);
                    }
                    tried.push(format!("${var}/bin/python ({} does not exist)", exe.display()));
                }
                None => tried.push(format!("${var} (unset)")),
            }
        }
        if let Some(exe) = find_on_path("python3") {
            return Ok(exe);
        }
        tried.push("python3 on PATH (not found)".to_string());
        Err(Error::Config(format!(
            "no Python executable found; tried {}. Set the executable in the configuration or \
             JARROW_PYTHON to a Python's path",
            tried.join(", ")
        )))
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}
