// The example binaries link libpython through the core; the rpath lets them start without
// LD_LIBRARY_PATH.
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
