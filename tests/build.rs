// The contract test embeds CPython and links libpython (build_libpython.rs).
include!("../bridge/build_libpython.rs");

fn main() {
    link_libpython(true);
}
