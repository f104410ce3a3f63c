//! Arrow batches across the C Data Interface, without copying.
//!
//! The input structs a caller hands over (by address, as the JVM does) are moved straight into
//! PyCapsules and imported by pyarrow: no buffer passes through arrow-rs on the way in, so none is
//! re-aligned or copied (arrow-rs `from_ffi` re-aligns under-aligned buffers, a hidden copy). A
//! result is coerced to one `pyarrow.RecordBatch` and its structs are moved into structs the
//! caller allocated. Ownership: a struct is moved by copying it and nulling the source's
//! `release`, so exactly one owner ever calls it.

use std::ffi::CStr;
use std::ptr::{self, NonNull};

use arrow::array::{Array, RecordBatch, StructArray};
use arrow::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyTuple};

use crate::error::{Error, Result};
use crate::python::python_error;

mod check;
mod java;
mod python;
mod raw;
pub mod rows;

pub(crate) use java::export_pyarrow_for_java;
pub use java::export_python_batch_for_java;
pub(crate) use python::to_record_batch;

const SCHEMA_CAPSULE: &CStr = c"arrow_schema";
const ARRAY_CAPSULE: &CStr = c"arrow_array";

/// Addresses of a caller's `ArrowArray` and `ArrowSchema` structs (C Data Interface).
#[derive(Debug, Clone, Copy)]
pub struct RawBatch {
    pub array: *mut FFI_ArrowArray,
    pub schema: *mut FFI_ArrowSchema,
}

impl RawBatch {
    /// From the two addresses a JVM passes as `long`s.
    pub fn from_addresses(array: i64, schema: i64) -> Self {
        RawBatch { array: array as usize as *mut _, schema: schema as usize as *mut _ }
    }
}

/// The C structs' `release` fields, read without assuming anything else about the producer.
fn is_released_array(array: NonNull<FFI_ArrowArray>) -> bool {
    // SAFETY: every ArrowArray has this layout; only `release` is read.
    unsafe { (*array.as_ptr().cast::<raw::RawArray>()).release.is_none() }
}

fn is_released_schema(schema: NonNull<FFI_ArrowSchema>) -> bool {
    // SAFETY: every ArrowSchema has this layout; only `release` is read.
    unsafe { (*schema.as_ptr().cast::<raw::RawSchema>()).release.is_none() }
}

/// Moves the caller's structs into Rust ownership. From here on the caller's structs are released
/// (null `release`) whatever happens, so a failed call leaks nothing and frees nothing twice.
///
/// # Safety
/// Non-null addresses must point to valid C Data Interface structs that the caller gives up.
pub(crate) unsafe fn take_input(input: RawBatch) -> Result<(FFI_ArrowArray, FFI_ArrowSchema)> {
    let array = NonNull::new(input.array);
    let schema = NonNull::new(input.schema);
    let take_array = |a: NonNull<FFI_ArrowArray>| {
        // SAFETY: per the function contract.
        (!is_released_array(a)).then(|| unsafe { FFI_ArrowArray::from_raw(a.as_ptr()) })
    };
    let take_schema = |s: NonNull<FFI_ArrowSchema>| {
        // SAFETY: per the function contract.
        (!is_released_schema(s)).then(|| unsafe { FFI_ArrowSchema::from_raw(s.as_ptr()) })
    };
    let (array, schema) = (array.and_then(take_array), schema.and_then(take_schema));
    match (array, schema) {
        (Some(array), Some(schema)) => {
            if schema.format() != "+s" {
                return Err(Error::Arrow(format!(
                    "expected a record batch (an ArrowSchema of format '+s', a struct of \
                     columns), got format {:?}",
                    schema.format()
                )));
            }
            Ok((array, schema))
        }
        _ => Err(Error::Arrow(format!(
            "input batch is missing: ArrowArray at {:p} and ArrowSchema at {:p} must both be \
             non-null and not yet released",
            input.array, input.schema
        ))),
    }
}

/// Checks a record batch's structs before the other side reads them (see `check`).
///
/// # Safety
/// The structs must be valid and unreleased.
unsafe fn check_structs(array: &FFI_ArrowArray, schema: &FFI_ArrowSchema) -> Result<()> {
    let array = (array as *const FFI_ArrowArray).cast::<raw::RawArray>();
    let schema = (schema as *const FFI_ArrowSchema).cast::<raw::RawSchema>();
    // SAFETY: per the function contract; both types have the layout of the raw structs.
    unsafe { check::check_batch(&*array, &*schema) }
}

/// Hands owned structs to pyarrow as a `pyarrow.RecordBatch` over the same buffers.
pub fn to_pyarrow<'py>(
    py: Python<'py>,
    array: FFI_ArrowArray,
    schema: FFI_ArrowSchema,
) -> Result<Bound<'py, PyAny>> {
    // pyarrow imports without validating: a malformed batch would be read out of bounds later.
    // SAFETY: owned, valid structs; on an error they are dropped, which releases them.
    unsafe { check_structs(&array, &schema) }?;
    let import = python::pyarrow_import(py)?;
    // pyarrow moves each struct out of its capsule (nulling its release); a capsule dropped
    // without being imported releases its struct when the FFI type is dropped.
    let schema = PyCapsule::new_with_value(py, schema, SCHEMA_CAPSULE).map_err(|e| python_error(py, e))?;
    let array = PyCapsule::new_with_value(py, array, ARRAY_CAPSULE).map_err(|e| python_error(py, e))?;
    import.call1((schema, array)).map_err(|e| python_error(py, e))
}

/// Moves a `pyarrow.RecordBatch`'s C structs out of its capsules into Rust ownership.
pub(crate) fn from_pyarrow(batch: &Bound<'_, PyAny>) -> Result<(FFI_ArrowArray, FFI_ArrowSchema)> {
    let (mut array, mut schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
    // SAFETY: fresh, empty, writable structs.
    unsafe { export_pyarrow(batch, RawBatch { array: &mut array, schema: &mut schema }) }?;
    Ok((array, schema))
}

/// Exports a `pyarrow.RecordBatch` into structs the caller allocated.
///
/// # Safety
/// `out` must point to writable, released (or zeroed) C Data Interface structs.
pub(crate) unsafe fn export_pyarrow(batch: &Bound<'_, PyAny>, out: RawBatch) -> Result<()> {
    let py = batch.py();
    let (Some(out_array), Some(out_schema)) = (NonNull::new(out.array), NonNull::new(out.schema)) else {
        return Err(Error::Arrow("output ArrowArray and ArrowSchema addresses must be non-null".into()));
    };
    if !is_released_array(out_array) || !is_released_schema(out_schema) {
        return Err(Error::Arrow(
            "output ArrowArray/ArrowSchema still hold data (release is set): pass freshly \
             allocated structs, or the data they hold would leak"
                .into(),
        ));
    }
    let capsules = batch.call_method0("__arrow_c_array__").map_err(|e| python_error(py, e))?;
    let capsules = capsules.cast_into::<PyTuple>().map_err(|e| Error::Arrow(e.to_string()))?;
    let (schema, array) = (capsules.get_item(0), capsules.get_item(1));
    let schema = schema.and_then(|s| Ok(s.cast_into::<PyCapsule>()?)).map_err(|e| python_error(py, e))?;
    let array = array.and_then(|a| Ok(a.cast_into::<PyCapsule>()?)).map_err(|e| python_error(py, e))?;
    let schema_ptr = schema.pointer_checked(Some(SCHEMA_CAPSULE)).map_err(|e| python_error(py, e))?;
    let array_ptr = array.pointer_checked(Some(ARRAY_CAPSULE)).map_err(|e| python_error(py, e))?;
    // SAFETY: the capsules hold valid structs (checked names); moving each out leaves a released
    // struct behind, so the capsule's destructor frees nothing; `out` is writable and released.
    unsafe {
        let schema = ptr::replace(schema_ptr.as_ptr().cast::<FFI_ArrowSchema>(), FFI_ArrowSchema::empty());
        let array = ptr::replace(array_ptr.as_ptr().cast::<FFI_ArrowArray>(), FFI_ArrowArray::empty());
        ptr::write(out_schema.as_ptr(), schema);
        ptr::write(out_array.as_ptr(), array);
    }
    Ok(())
}

/// For a Python host: any Arrow-capable batch object (pyarrow, polars, pandas, or anything with
/// `__arrow_c_array__` / `__arrow_c_stream__`) as the C structs of one record batch, coerced as a
/// function's result is, without copying its buffers.
pub fn export_python_batch(batch: &Bound<'_, PyAny>) -> Result<(FFI_ArrowArray, FFI_ArrowSchema)> {
    from_pyarrow(&coerce_python_batch(batch)?)
}

/// Any Arrow-capable batch object as one `pyarrow.RecordBatch`.
fn coerce_python_batch<'py>(batch: &Bound<'py, PyAny>) -> Result<Bound<'py, PyAny>> {
    python::to_record_batch(batch.py(), batch).map_err(|e| match e {
        Error::Python { type_name, message, .. } => {
            Error::Conversion(format!("not a batch: {type_name}: {message}"))
        }
        other => other,
    })
}

/// Exports a Rust batch as C structs (the same form a JVM hands over).
pub fn export_batch(batch: &RecordBatch) -> Result<(FFI_ArrowArray, FFI_ArrowSchema)> {
    let schema = FFI_ArrowSchema::try_from(batch.schema().as_ref())?;
    let array = FFI_ArrowArray::new(&StructArray::from(batch.clone()).to_data());
    Ok((array, schema))
}

/// Imports C structs (a record batch) into a Rust batch.
pub fn import_batch(array: FFI_ArrowArray, schema: &FFI_ArrowSchema) -> Result<RecordBatch> {
    // SAFETY: the structs come from a producer following the C Data Interface (pyarrow).
    let data = unsafe { arrow::ffi::from_ffi(array, schema) }?;
    let array = StructArray::from(data);
    if array.null_count() > 0 {
        return Err(Error::Arrow("a record batch cannot have null rows".into()));
    }
    Ok(RecordBatch::from(array))
}
