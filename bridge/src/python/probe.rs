//! Asks a Python executable how it is laid out: version, prefixes, sys.path and its libpython.

use std::path::{Path, PathBuf};
use std::process::Command;

use pyo3::ffi;
use serde::Deserialize;

use super::thread::attach;
use crate::error::{Error, Result};

const PROBE_SCRIPT: &str = include_str!("probe.py");

/// What one run of a Python executable told about itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PythonInstall {
    /// `sys.executable`: for a venv, the venv's `bin/python` (not the interpreter it links to).
    pub executable: PathBuf,
    /// `sys.version_info[:3]`.
    pub version: (u32, u32, u32),
    /// `sys.prefix`: the venv directory for a venv.
    pub prefix: PathBuf,
    /// `sys.base_prefix`: the installation the venv was created from.
    pub base_prefix: PathBuf,
    pub exec_prefix: PathBuf,
    /// `sys.path` as the executable sees it, without the script directory entry.
    pub sys_path: Vec<PathBuf>,
    /// The shared libpython to embed, if the installation has one.
    pub libpython: Option<PathBuf>,
}

impl PythonInstall {
    /// Runs `executable` once and reads its layout.
    pub fn probe(executable: &Path) -> Result<PythonInstall> {
        let mut command = Command::new(executable);
        command.arg("-c").arg(PROBE_SCRIPT);
        // SAFETY: always safe to call.
        if unsafe { ffi::Py_IsInitialized() } != 0 {
            // Python code of this process may set environment variables meanwhile (numpy's and
            // scikit-learn's imports do), which can move the environment block a child started
            // from it is still reading, and so hand it freed memory ("Bad address"). Python
            // changes the environment holding the GIL: a copy taken under it is whole, and the
            // child gets the copy.
            command.env_clear().envs(attach(|_| std::env::vars_os().collect::<Vec<_>>()));
        }
        let output = command.output().map_err(|e| {
            Error::Config(format!(
                "cannot run the Python executable {}: {e}. Point jarrow at an existing \
                     interpreter (a venv's bin/python, a conda env's, or python3)",
                executable.display()
            ))
        })?;
        if !output.status.success() {
            return Err(Error::Config(format!(
                "the Python executable {} failed to report its layout ({}): {}",
                executable.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout.lines().last().unwrap_or_default();
        serde_json::from_str(line).map_err(|e| {
            Error::Config(format!(
                "{} printed something other than its layout ({e}): {}",
                executable.display(),
                stdout.trim()
            ))
        })
    }

    /// `major.minor`, e.g. `3.11`.
    pub fn short_version(&self) -> String {
        format!("{}.{}", self.version.0, self.version.1)
    }

    /// True when the executable runs inside a virtual environment.
    pub fn is_venv(&self) -> bool {
        self.prefix != self.base_prefix
    }
}
