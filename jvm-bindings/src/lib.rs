//! JNI bindings of jarrow: the native side of the Java API in `io.jarrow`.
//!
//! One Rust file per Java class it serves (`python_runtime.rs` for `PythonRuntime.java`, ...).
//! Every entry point has the same shape: a thin `Java_io_jarrow_*` shim that runs an `intern_*`
//! function returning `Result`, resolved by the one error policy in `error.rs` that throws the Java
//! exception. Scalars cross as one byte array per call (`codec.rs`); batches cross as Arrow C Data
//! Interface structs, by address.

mod batched_function;
pub mod codec;
pub mod error;
pub mod jvm;
mod python_function;
mod python_logging;
mod python_runtime;

/// A string argument that Java may pass as null.
fn optional_string(
    env: &mut jni::Env<'_>,
    s: &jni::objects::JString<'_>,
) -> jni::errors::Result<Option<String>> {
    if s.is_null() { Ok(None) } else { s.try_to_string(env).map(Some) }
}

/// A `String[]` argument.
fn strings(
    env: &mut jni::Env<'_>,
    array: &jni::objects::JObjectArray<'_, jni::objects::JString<'_>>,
) -> jni::errors::Result<Vec<String>> {
    if array.is_null() {
        return Ok(Vec::new());
    }
    let n = array.len(env)?;
    (0..n).map(|i| array.get_element(env, i)?.try_to_string(env)).collect()
}
