// Included by the build scripts of every package whose own executables or libraries embed
// CPython (this crate's tests, the JNI library, the examples, the benches).
//
// The build sets PYO3_BUILD_EXTENSION_MODULE for every crate, as maturin does for the Python
// extension module: pyo3 is then built once for both, in one target directory, and links no
// libpython itself. So each embedding package links it here, for its own link targets only: a
// `rustc-link-arg` never reaches a dependent, and the extension module (which depends on the JNI
// crate) must not link libpython, or a statically linked python would get a second CPython.
// Executables get an rpath (`rpath`), so tests and examples start without LD_LIBRARY_PATH; the
// JNI library gets none: Java loads the environment's libpython by its path before it.
fn link_libpython(rpath: bool) {
    let config = pyo3_build_config::get();
    if let (Some(dir), Some(name)) = (config.lib_dir(), config.lib_name()) {
        println!("cargo:rustc-link-arg=-L{dir}");
        println!("cargo:rustc-link-arg=-l{name}");
        if rpath {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        }
    }
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
    println!("cargo:rerun-if-env-changed=PYO3_BUILD_EXTENSION_MODULE");
}
