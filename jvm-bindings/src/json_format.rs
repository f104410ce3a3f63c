//! Native side of `io.jarrow.JsonFormat`: JSON record values decoded into Arrow, handed to a
//! Python function, and its result encoded back, in one call per batch. The core's JSON format
//! (`jarrow::formats::json`) knows no functions and the function no JSON: the three steps are
//! put together here.

use std::sync::Arc;

use arrow::datatypes::Schema;
use arrow::ffi::FFI_ArrowSchema;
use jarrow::Error;
use jarrow::formats::json::{JsonFormat, Values};
use jni::objects::{JByteArray, JClass, JIntArray, ReleaseMode};
use jni::sys::{jboolean, jlong};
use jni::{Env, EnvUnowned};

use crate::error::{Result, ThrowJarrowException};
use crate::handle;
use crate::python_function::function;

/// The format behind a handle.
///
/// # Safety
/// `handle` must come from `nativeCreate` and not be freed yet.
unsafe fn format<'a>(handle: jlong) -> &'a JsonFormat {
    // SAFETY: per the function contract.
    unsafe { handle::borrow(handle) }
}

/// A format for the schema Java exported at `schema` (its struct is taken over), or one that
/// infers its schema from the first batch when `schema` is 0.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_JsonFormat_nativeCreate<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    schema: jlong,
) -> jlong {
    env.with_env(|_| -> Result<jlong> {
        let format = if schema == 0 {
            JsonFormat::inferring()
        } else {
            // SAFETY: Java exported a schema into this struct and gives it up; `from_raw` moves
            // it out and leaves it released.
            let ffi = unsafe { FFI_ArrowSchema::from_raw(schema as usize as *mut FFI_ArrowSchema) };
            let schema = Schema::try_from(&ffi).map_err(Error::from)?;
            JsonFormat::with_schema(Arc::new(schema))
        };
        Ok(handle::into_handle(format))
    })
    .resolve::<ThrowJarrowException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_JsonFormat_nativeFree<'l>(
    _env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    // SAFETY: Java frees each handle once, after its calls in flight returned.
    unsafe { handle::free::<JsonFormat>(handle) };
}

/// Writes the schema the format inferred into the struct Java allocated at `schema` (empty: Java
/// takes over what is written; 0: no schema wanted), and into `counts` the values it was
/// inferred from and of how many; false (nothing written) if no schema was inferred yet.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_JsonFormat_nativeInference<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    schema: jlong,
    counts: JIntArray<'l>,
) -> jboolean {
    env.with_env(|env| intern_inference(env, handle, schema, &counts)).resolve::<ThrowJarrowException>()
}

fn intern_inference(
    env: &mut Env<'_>,
    handle: jlong,
    schema: jlong,
    counts: &JIntArray<'_>,
) -> Result<jboolean> {
    // SAFETY: Java passes a live handle, kept open for the call.
    let Some(inference) = (unsafe { format(handle) }).inference() else {
        return Ok(false);
    };
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    counts.set_region(env, 0, &[count(inference.agreeing), count(inference.values)])?;
    if schema != 0 {
        let exported = FFI_ArrowSchema::try_from(inference.schema.as_ref()).map_err(Error::from)?;
        // SAFETY: Java allocated the struct for this call and left it empty (nothing to
        // release): writing over it moves the export to Java, which releases it.
        unsafe { std::ptr::write(schema as usize as *mut FFI_ArrowSchema, exported) };
    }
    Ok(true)
}

/// Calls the function on the values laid end to end in `data` (value `i` ends at `ends[i]`);
/// returns the results laid out the same way, their ends written into `out_ends`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_JsonFormat_nativeApply<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    function_handle: jlong,
    data: JByteArray<'l>,
    ends: JIntArray<'l>,
    out_ends: JIntArray<'l>,
) -> JByteArray<'l> {
    env.with_env(|env| intern_apply(env, handle, function_handle, &data, &ends, &out_ends))
        .resolve::<ThrowJarrowException>()
}

fn intern_apply<'l>(
    env: &mut Env<'l>,
    handle: jlong,
    function_handle: jlong,
    data: &JByteArray<'_>,
    ends: &JIntArray<'_>,
    out_ends: &JIntArray<'_>,
) -> Result<JByteArray<'l>> {
    let mut end_offsets = vec![0; ends.len(env)?];
    ends.get_region(env, 0, &mut end_offsets)?;
    let input = {
        // The values are decoded straight from the Java array, which stays pinned (and the GC
        // waits) only for the decoding: no JNI call and no Python in between.
        // SAFETY: nothing in this block calls JNI while the elements are held.
        let pinned = unsafe { data.get_elements_critical(env, ReleaseMode::NoCopyBack) }?;
        // SAFETY: i8 and u8 have the same layout; `pinned` outlives the slice (end of block).
        let bytes = unsafe { std::slice::from_raw_parts(pinned.as_ptr().cast::<u8>(), pinned.len()) };
        // SAFETY: Java passes a live handle, kept open for the call.
        unsafe { format(handle) }.decode(Values::new(bytes, &end_offsets)?)?
    };
    // SAFETY: Java passes a live handle, kept open for the call.
    let function = unsafe { function(function_handle) };
    let result = function.apply(&input)?;
    if result.num_rows() != input.num_rows() {
        return Err(Error::Conversion(format!(
            "{} returned {} rows for {} input rows; expected one result row per input row",
            function.name(),
            result.num_rows(),
            input.num_rows()
        ))
        .into());
    }
    let (result, result_ends) = JsonFormat::encode(&result)?;
    out_ends.set_region(env, 0, &result_ends)?;
    Ok(env.byte_array_from_slice(&result)?)
}
