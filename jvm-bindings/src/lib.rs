//! JNI bindings of jarrow: the native side of the Java API in `io.jarrow`.
//!
//! One Rust file per Java class it serves (`python_runtime.rs` for `PythonRuntime.java`, ...).
//! Every entry point has the same shape: a thin `Java_io_jarrow_*` shim that runs an `intern_*`
//! function returning `Result`, resolved by the one error policy in `error.rs` that throws the Java
//! exception. Scalars cross as one byte array per call (the core's `jarrow::jvm::codec`); batches
//! cross as Arrow C Data Interface structs, by address.

mod batched_function;
mod classes;
pub mod error;
mod handle;
mod json_format;
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

/// Registers the native methods of `io.jarrow` with a JVM that did not load this library: one
/// started from Python, where loading it would bring in a second libpython (Debian's `python3`
/// links CPython statically). The Python extension carries this crate and calls this.
pub fn register_natives(env: &mut jni::Env<'_>) -> jni::errors::Result<()> {
    use jni::NativeMethod;
    use jni::jni_str;
    use std::ffi::c_void;

    macro_rules! native {
        ($name:literal, $sig:literal, $f:path) => {
            // SAFETY: each function is the `extern "system"` entry point of exactly this Java
            // method and signature (they are also exported under their JNI names).
            unsafe { NativeMethod::from_raw_parts(jni_str!($name), jni_str!($sig), $f as *mut c_void) }
        };
    }
    let runtime = [
        native!(
            "nativeStart",
            "(Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V",
            python_runtime::Java_io_jarrow_PythonRuntime_nativeStart
        ),
        native!(
            "nativeExec",
            "(Ljava/lang/String;)V",
            python_runtime::Java_io_jarrow_PythonRuntime_nativeExec
        ),
        native!(
            "nativeEval",
            "(Ljava/lang/String;)[B",
            python_runtime::Java_io_jarrow_PythonRuntime_nativeEval
        ),
    ];
    let function = [
        native!(
            "nativeResolve",
            "(Ljava/lang/String;)J",
            python_function::Java_io_jarrow_PythonFunction_nativeResolve
        ),
        native!("nativeFree", "(J)V", python_function::Java_io_jarrow_PythonFunction_nativeFree),
        native!("nativeCallLong", "(JJ)J", python_function::Java_io_jarrow_PythonFunction_nativeCallLong),
        native!("nativeCallDouble", "(JD)D", python_function::Java_io_jarrow_PythonFunction_nativeCallDouble),
        native!("nativeCall", "(J[B)[B", python_function::Java_io_jarrow_PythonFunction_nativeCall),
        native!("nativeApply", "(JJJJJ)V", python_function::Java_io_jarrow_PythonFunction_nativeApply),
        native!("nativeSnapshot", "(J)[B", python_function::Java_io_jarrow_PythonFunction_nativeSnapshot),
        native!("nativeRestored", "(J[B)J", python_function::Java_io_jarrow_PythonFunction_nativeRestored),
    ];
    let batched = [
        native!("nativeCreate", "(JIIJ)J", batched_function::Java_io_jarrow_BatchedFunction_nativeCreate),
        native!("nativeFree", "(J)V", batched_function::Java_io_jarrow_BatchedFunction_nativeFree),
        native!(
            "nativeSubmit",
            "(J[BLjava/util/concurrent/CompletableFuture;)V",
            batched_function::Java_io_jarrow_BatchedFunction_nativeSubmit
        ),
    ];
    let json = [
        native!("nativeCreate", "(J)J", json_format::Java_io_jarrow_JsonFormat_nativeCreate),
        native!("nativeFree", "(J)V", json_format::Java_io_jarrow_JsonFormat_nativeFree),
        native!("nativeApply", "(JJ[B[I[I)[B", json_format::Java_io_jarrow_JsonFormat_nativeApply),
        native!("nativeInference", "(JJ[I)Z", json_format::Java_io_jarrow_JsonFormat_nativeInference),
    ];
    // SAFETY: every descriptor above names a function of the matching signature.
    unsafe {
        env.register_native_methods(jni_str!("io/jarrow/PythonRuntime"), &runtime)?;
        env.register_native_methods(jni_str!("io/jarrow/PythonFunction"), &function)?;
        env.register_native_methods(jni_str!("io/jarrow/BatchedFunction"), &batched)?;
        env.register_native_methods(jni_str!("io/jarrow/JsonFormat"), &json)?;
    }
    env.set_static_field(
        jni_str!("io/jarrow/NativeLibrary"),
        jni_str!("pythonHosted"),
        jni::jni_sig!("Z"),
        jni::objects::JValue::Bool(true),
    )
}
