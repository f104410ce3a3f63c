//! JNI bindings of jarrow. The Java API (`io.jarrow`) and its native entry points are built on the
//! core crate `jarrow`; every entry point maps the core's error enum in one place.

pub use jarrow::Error;
