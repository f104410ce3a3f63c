//! Nothing to link against: the crate exists for its test, `contract.rs`, the Rust side of the
//! cross-language contract in `cases.json`.
