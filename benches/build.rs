// The bench binaries embed CPython and link libpython (build_libpython.rs).
include!("../bridge/build_libpython.rs");

fn main() {
    link_libpython(true);
}
