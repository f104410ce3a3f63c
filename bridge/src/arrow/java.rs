//! What a batch needs before Arrow Java imports it.
//!
//! Arrow Java's C Data importer differs from the format in two ways that matter here:
//! - It ignores offsets: a sliced array would be read from its buffers' start. A batch with an
//!   offset anywhere is first compacted (copied) so that every array starts at 0. Slices are
//!   rare results; everything else is handed over as it is.
//! - Its vectors always have a validity bitmap, and for a column that has none (the format lets a
//!   column without nulls leave it out, and pyarrow does) it allocates and fills one, on every
//!   hand-over, in time proportional to the row count. Such columns are given a bitmap instead:
//!   one process-wide run of set bits, grown when a longer batch comes and never freed (one bit
//!   per row of the longest batch), so a hand-over costs the same at a thousand rows as at a
//!   million.
//!
//! A batch Java receives is read-only: its buffers are the caller's memory, and the shared bitmap
//! belongs to every all-valid column in flight.

use std::ffi::c_void;
use std::ptr::{self, NonNull};
use std::sync::Mutex;

use arrow::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use pyo3::prelude::*;

use super::raw::{RawArray, RawSchema};
use super::{RawBatch, export_pyarrow};
use crate::error::Result;
use crate::python::Interpreter;

/// Exports a `pyarrow.RecordBatch` for Arrow Java into structs the caller allocated.
///
/// # Safety
/// As for `export_pyarrow`: `out` must point to writable, released (or zeroed) structs.
pub(crate) unsafe fn export_pyarrow_for_java(
    interp: &Interpreter,
    batch: &Bound<'_, PyAny>,
    out: RawBatch,
) -> Result<()> {
    // SAFETY: per the function contract; after a successful export `out` holds valid structs.
    unsafe {
        export_pyarrow(interp, batch, out)?;
        let (Some(array), Some(schema)) = (NonNull::new(out.array), NonNull::new(out.schema)) else {
            unreachable!("export_pyarrow checks the addresses")
        };
        if has_offset(&*array.as_ptr().cast::<RawArray>()) {
            // Released (dropping calls `release`), then exported again compacted.
            drop(ptr::replace(array.as_ptr(), FFI_ArrowArray::empty()));
            drop(ptr::replace(schema.as_ptr(), FFI_ArrowSchema::empty()));
            let compact = interp.compact(batch.py(), batch)?;
            export_pyarrow(interp, &compact, out)?;
        }
        share_validity(&mut *array.as_ptr(), &*schema.as_ptr());
    }
    Ok(())
}

/// For a Python host: any Arrow-capable batch object as the C structs of one record batch, ready
/// for Arrow Java (see the module's documentation), coerced as a function's result is.
pub fn export_python_batch_for_java(
    interp: &Interpreter,
    batch: &Bound<'_, PyAny>,
) -> Result<(FFI_ArrowArray, FFI_ArrowSchema)> {
    let batch = super::coerce_python_batch(interp, batch)?;
    let (mut array, mut schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
    // SAFETY: fresh, empty, writable structs.
    unsafe { export_pyarrow_for_java(interp, &batch, RawBatch { array: &mut array, schema: &mut schema }) }?;
    Ok((array, schema))
}

/// Whether an array or anything below it starts at a non-zero offset.
///
/// # Safety
/// `array` must be a valid, unreleased array.
unsafe fn has_offset(array: &RawArray) -> bool {
    // SAFETY: children and dictionary are valid arrays of a valid array; counts bound the loop.
    unsafe {
        array.offset != 0
            || (0..array.n_children.max(0) as usize).any(|i| has_offset(&*(*array.children.add(i))))
            || (!array.dictionary.is_null() && has_offset(&*array.dictionary))
    }
}

/// The shared run of set bits, at least `bytes` long. 8-byte aligned, as the format recommends.
fn ones(bytes: usize) -> *const c_void {
    static ONES: Mutex<&'static [u64]> = Mutex::new(&[]);
    let mut ones = ONES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if ones.len() * 8 < bytes {
        let words = bytes.div_ceil(8).next_power_of_two().max(8 * 1024);
        // The previous run stays alive: batches in flight may point at it.
        *ones = Box::leak(vec![u64::MAX; words].into_boxed_slice());
    }
    ones.as_ptr().cast()
}

/// Whether a column of this format has a validity bitmap as its first buffer: every layout but
/// null (`n`), unions (`+u...`) and run-end encoding (`+r`).
fn has_validity_buffer(format: &[u8]) -> bool {
    !(format == b"n" || format.starts_with(b"+u") || format.starts_with(b"+r"))
}

/// Points a record batch's struct array and every column of it that has no nulls and no validity
/// bitmap at the shared bitmap. Nested children and dictionary-encoded columns are left as they
/// are (Arrow Java makes their bitmaps as before).
///
/// # Safety
/// `array` and `schema` must be a valid, unreleased record batch whose `buffers` arrays are
/// writable (as every exporter allocates them). The bitmap must then be treated as read-only.
unsafe fn share_validity(array: &mut FFI_ArrowArray, schema: &FFI_ArrowSchema) {
    let array = (array as *mut FFI_ArrowArray).cast::<RawArray>();
    let schema = (schema as *const FFI_ArrowSchema).cast::<RawSchema>();
    // SAFETY (whole block): per the function contract; every pointer followed is part of the
    // structs, whose child counts bound the loops.
    unsafe {
        let (array, schema) = (&*array, &*schema);
        if array.n_children != schema.n_children || array.children.is_null() || schema.children.is_null() {
            return;
        }
        // The batch's own struct array, then its columns.
        share(array, schema);
        for i in 0..array.n_children as usize {
            share(&*(*array.children.add(i)), &*(*schema.children.add(i)));
        }
    }
}

/// # Safety
/// As for `share_validity`, for one array and its schema.
unsafe fn share(array: &RawArray, schema: &RawSchema) {
    // SAFETY: per the function contract.
    unsafe {
        let format = std::ffi::CStr::from_ptr(schema.format).to_bytes();
        let all_valid_without_bitmap = array.null_count == 0
            && array.n_buffers > 0
            && !array.buffers.is_null()
            && (*array.buffers).is_null();
        if all_valid_without_bitmap && schema.dictionary.is_null() && has_validity_buffer(format) {
            let bits = (array.offset + array.length) as usize;
            *array.buffers = ones(bits.div_ceil(8));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Float64Array, Int32Array, RecordBatch, StringArray, StructArray};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    #[test]
    fn all_valid_columns_share_one_bitmap_and_read_the_same() {
        let batch = RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("x", DataType::Float64, false),
                Field::new("s", DataType::Utf8, false),
                Field::new("n", DataType::Int32, true),
            ])),
            vec![
                Arc::new(Float64Array::from_iter_values((0..100_000).map(f64::from))),
                Arc::new(StringArray::from_iter_values((0..100_000).map(|i| i.to_string()))),
                Arc::new(Int32Array::from_iter((0..100_000).map(|i| (i % 3 != 0).then_some(i)))),
            ],
        )
        .unwrap();
        let (mut array, schema) = crate::arrow::export_batch(&batch).unwrap();
        // SAFETY: fresh structs from arrow-rs, whose buffer arrays are heap-allocated.
        unsafe { share_validity(&mut array, &schema) };
        let raw = (&array as *const FFI_ArrowArray).cast::<RawArray>();
        let bitmap = |i: usize| unsafe { *(*(*(*raw).children.add(i))).buffers };
        assert_eq!(bitmap(0), bitmap(1), "both all-valid columns point at the shared bitmap");
        assert!(!bitmap(0).is_null());
        assert_ne!(bitmap(2), bitmap(0), "a column with nulls keeps its own bitmap");
        // SAFETY: the structs are valid; importing takes them over.
        let imported = StructArray::from(unsafe { arrow::ffi::from_ffi(array, &schema) }.unwrap());
        assert_eq!(RecordBatch::from(imported), batch);
    }
}
