//! Native side of `io.jarrow.PythonFunction`: a handle to a resolved function, called with
//! scalars or with an Arrow batch.

use std::sync::Arc;

use jarrow::arrow::RawBatch;
use jarrow::{Interpreter, PythonFunction};
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::jlong;
use jni::{Env, EnvUnowned};

use crate::error::{Result, ThrowJarrowException};
use crate::handle;
use jarrow::jvm::codec;

/// The function behind a handle. Java keeps the handle open while a call is in flight.
///
/// # Safety
/// `handle` must come from `nativeResolve` and not be freed yet.
pub(crate) unsafe fn function<'a>(handle: jlong) -> &'a Arc<PythonFunction> {
    // SAFETY: per the function contract.
    unsafe { handle::borrow(handle) }
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonFunction_nativeResolve<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    name: JString<'l>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let name = name.try_to_string(env)?;
        let function = Interpreter::get()?.function(&name)?;
        Ok(handle::into_handle(Arc::new(function)))
    })
    .resolve::<ThrowJarrowException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonFunction_nativeFree<'l>(
    _env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    // SAFETY: Java frees each handle once, after its calls in flight returned.
    unsafe { handle::free::<Arc<PythonFunction>>(handle) };
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonFunction_nativeCallLong<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    x: jlong,
) -> jlong {
    // SAFETY: Java passes a live handle.
    env.with_env(|_| -> Result<jlong> { Ok(unsafe { function(handle) }.call_i64(x)?) })
        .resolve::<ThrowJarrowException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonFunction_nativeCallDouble<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    x: f64,
) -> f64 {
    // SAFETY: Java passes a live handle.
    env.with_env(|_| -> Result<f64> { Ok(unsafe { function(handle) }.call_f64(x)?) })
        .resolve::<ThrowJarrowException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonFunction_nativeCall<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    encoded_args: JByteArray<'l>,
) -> JByteArray<'l> {
    env.with_env(|env| intern_call(env, handle, &encoded_args)).resolve::<ThrowJarrowException>()
}

fn intern_call<'l>(
    env: &mut Env<'l>,
    handle: jlong,
    encoded_args: &JByteArray<'_>,
) -> Result<JByteArray<'l>> {
    let (args, kwargs) = codec::decode_call(&env.convert_byte_array(encoded_args)?)?;
    // SAFETY: Java passes a live handle.
    let result = unsafe { function(handle) }.call(&args, &kwargs)?;
    Ok(env.byte_array_from_slice(&codec::encode_value(&result)?)?)
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonFunction_nativeSnapshot<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) -> JByteArray<'l> {
    env.with_env(|env| -> Result<JByteArray<'l>> {
        // SAFETY: Java passes a live handle.
        match unsafe { function(handle) }.snapshot()? {
            Some(state) => Ok(env.byte_array_from_slice(&state)?),
            None => Ok(JByteArray::default()),
        }
    })
    .resolve::<ThrowJarrowException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonFunction_nativeRestored<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    state: JByteArray<'l>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let state = env.convert_byte_array(&state)?;
        // SAFETY: Java passes a live handle.
        let restored = unsafe { function(handle) }.restored(&state)?;
        Ok(handle::into_handle(Arc::new(restored)))
    })
    .resolve::<ThrowJarrowException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_PythonFunction_nativeApply<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    in_array: jlong,
    in_schema: jlong,
    out_array: jlong,
    out_schema: jlong,
) {
    env.with_env(|_| -> Result<()> {
        let input = RawBatch::from_addresses(in_array, in_schema);
        let output = RawBatch::from_addresses(out_array, out_schema);
        // SAFETY: Java passes a live handle, structs it exported and gives up, and fresh output
        // structs it owns.
        Ok(unsafe { function(handle).apply_raw(input, output) }?)
    })
    .resolve::<ThrowJarrowException>()
}
