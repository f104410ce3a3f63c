// Test binaries and examples of this crate link libpython; the rpath lets them start without
// LD_LIBRARY_PATH. The Python version the crate was built for is recorded so the loader can refuse
// an interpreter it cannot drive.
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    let config = pyo3_build_config::get();
    println!(
        "cargo:rustc-env=JARROW_BUILD_PYTHON_VERSION={}.{}",
        config.version().major,
        config.version().minor
    );
    println!("cargo:rustc-env=JARROW_BUILD_PYTHON_LIB={}", config.lib_name().unwrap_or_default());
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
}
