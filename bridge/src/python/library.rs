//! Loads libpython into the global symbol scope.
//!
//! Extension modules (numpy, pyarrow, scikit-learn) do not link libpython: they expect its symbols
//! to be global in the process. That holds when the host is `python`, not when it is a JVM that
//! loaded jarrow with `dlopen(RTLD_LOCAL)`, which leaves jarrow's libpython dependency local and
//! makes every extension import fail with `undefined symbol: PyExc_...`. Loading (or re-opening)
//! libpython with `RTLD_NOW | RTLD_GLOBAL` promotes it.

use std::path::Path;

use libloading::os::unix::{Library, RTLD_GLOBAL, RTLD_NOW};

use crate::error::{Error, Result};

/// The Python version this crate was compiled against, e.g. `3.11`.
pub const BUILD_PYTHON_VERSION: &str = env!("JARROW_BUILD_PYTHON_VERSION");
/// The library name this crate links, e.g. `python3.11`.
const BUILD_PYTHON_LIB: &str = env!("JARROW_BUILD_PYTHON_LIB");

/// Makes libpython's symbols global in this process. `libpython` is the library the chosen
/// interpreter uses; if a libpython of the same soname is already loaded (it is whenever this
/// crate was loaded, since it links one), that copy is promoted instead of loading a second one.
pub fn load_global(libpython: &Path) -> Result<()> {
    // SAFETY: RTLD_NOLOAD never runs initializers of a new library; it only re-opens (and with
    // RTLD_GLOBAL, promotes) one that is already loaded.
    let already = unsafe { Library::open(Some(libpython), RTLD_NOW | RTLD_GLOBAL | libc::RTLD_NOLOAD) }
        .or_else(|_| {
            let soname = format!("lib{BUILD_PYTHON_LIB}.so.1.0");
            // SAFETY: as above.
            unsafe { Library::open(Some(soname.as_str()), RTLD_NOW | RTLD_GLOBAL | libc::RTLD_NOLOAD) }
        });
    let library = match already {
        Ok(library) => library,
        // SAFETY: loading libpython runs no code beyond its static initializers, which are
        // written to run on load.
        Err(_) => unsafe { Library::open(Some(libpython), RTLD_NOW | RTLD_GLOBAL) }.map_err(|e| {
            Error::Config(format!("cannot load {} with RTLD_GLOBAL: {e}", libpython.display()))
        })?,
    };
    // libpython must stay loaded for the life of the process: interpreter state lives in it.
    std::mem::forget(library);
    Ok(())
}
