// Test binaries and examples of this crate embed CPython and link libpython (build_libpython.rs).
// The Python version the crate was built for is recorded so the loader can refuse an interpreter
// it cannot drive.
include!("build_libpython.rs");

fn main() {
    link_libpython(true);
    let config = pyo3_build_config::get();
    println!(
        "cargo:rustc-env=JARROW_BUILD_PYTHON_VERSION={}.{}",
        config.version().major,
        config.version().minor
    );
    println!("cargo:rustc-env=JARROW_BUILD_PYTHON_LIB={}", config.lib_name().unwrap_or_default());
}
