// The JNI library embeds CPython: it links the libpython it was built for (build_libpython.rs).
include!("../bridge/build_libpython.rs");

fn main() {
    link_libpython(false);
}
