//! What a batch needs before Arrow Java imports it.
//!
//! Arrow Java's C Data importer differs from the format in two ways that matter here:
//! - It ignores offsets: a sliced array would be read from its buffers' start. A batch with an
//!   offset anywhere is first compacted (copied) so that every array starts at 0. Slices are
//!   rare results; everything else is handed over as it is.
//! - Its vectors always have a validity bitmap, and for a column that has none (the format lets a
//!   column without nulls leave it out, and pyarrow does) it allocates and fills one, on every
//!   hand-over, in time proportional to the row count. Such columns are given a bitmap instead,
//!   without writing one: a private copy-on-write mapping of a process-wide memory file of set
//!   bits, one mapping per batch, unmapped when the batch is released. Reading it costs what
//!   reading any bitmap does; a write into it (`setNull`) copies the page written, for this batch
//!   alone, so no write into one result can change another. A hand-over costs the same at a
//!   thousand rows as at a million.
//!
//! The other buffers of a batch Java receives are the producer's memory, shared with whatever
//! Python still holds of them.

use std::ffi::c_void;
use std::ptr::{self, NonNull};
use std::sync::Mutex;

use arrow::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use pyo3::prelude::*;

use super::raw::{RawArray, RawSchema};
use super::{RawBatch, export_pyarrow};
use crate::error::Result;

/// Exports a `pyarrow.RecordBatch` for Arrow Java into structs the caller allocated.
///
/// # Safety
/// As for `export_pyarrow`: `out` must point to writable, released (or zeroed) structs.
pub(crate) unsafe fn export_pyarrow_for_java(batch: &Bound<'_, PyAny>, out: RawBatch) -> Result<()> {
    // SAFETY: per the function contract; after a successful export `out` holds valid structs.
    unsafe {
        export_pyarrow(batch, out)?;
        let (Some(array), Some(schema)) = (NonNull::new(out.array), NonNull::new(out.schema)) else {
            unreachable!("export_pyarrow checks the addresses")
        };
        if let Err(malformed) = super::check_structs(&*array.as_ptr(), &*schema.as_ptr()) {
            // Released here: the caller gets an error, not structs to free.
            drop(ptr::replace(array.as_ptr(), FFI_ArrowArray::empty()));
            drop(ptr::replace(schema.as_ptr(), FFI_ArrowSchema::empty()));
            return Err(malformed);
        }
        if has_offset(&*array.as_ptr().cast::<RawArray>()) {
            // Released (dropping calls `release`), then exported again compacted.
            drop(ptr::replace(array.as_ptr(), FFI_ArrowArray::empty()));
            drop(ptr::replace(schema.as_ptr(), FFI_ArrowSchema::empty()));
            let compact = super::python::compact(batch.py(), batch)?;
            export_pyarrow(&compact, out)?;
        }
        give_validity(&mut *array.as_ptr(), &*schema.as_ptr());
    }
    Ok(())
}

/// For a Python host: any Arrow-capable batch object as the C structs of one record batch, ready
/// for Arrow Java (see the module's documentation), coerced as a function's result is.
pub fn export_python_batch_for_java(batch: &Bound<'_, PyAny>) -> Result<(FFI_ArrowArray, FFI_ArrowSchema)> {
    let batch = super::coerce_python_batch(batch)?;
    let (mut array, mut schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
    // SAFETY: fresh, empty, writable structs.
    unsafe { export_pyarrow_for_java(&batch, RawBatch { array: &mut array, schema: &mut schema }) }?;
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

/// Whether a column of this format has a validity bitmap as its first buffer: every layout but
/// null (`n`), unions (`+u...`) and run-end encoding (`+r`).
fn has_validity_buffer(format: &[u8]) -> bool {
    !(format == b"n" || format.starts_with(b"+u") || format.starts_with(b"+r"))
}

/// Gives a record batch's struct array and every column of it that has no nulls and no validity
/// bitmap a bitmap of set bits of its own. Nested children and dictionary-encoded columns are left
/// as they are (Arrow Java makes their bitmaps as before). If the bitmaps cannot be mapped, the
/// batch is left as it is too: correct, only slower.
///
/// # Safety
/// `array` and `schema` must be a valid, unreleased record batch whose `buffers` arrays are
/// writable (as every exporter allocates them).
unsafe fn give_validity(array: &mut FFI_ArrowArray, schema: &FFI_ArrowSchema) {
    let array = (array as *mut FFI_ArrowArray).cast::<RawArray>();
    let schema = (schema as *const FFI_ArrowSchema).cast::<RawSchema>();
    // SAFETY (whole block): per the function contract; every pointer followed is part of the
    // structs, whose child counts bound the loops.
    unsafe {
        let (top, top_schema) = (&mut *array, &*schema);
        if top.n_children != top_schema.n_children || top.children.is_null() || top_schema.children.is_null()
        {
            return;
        }
        // The batch's own struct array, then its columns: each one needing a bitmap, with its
        // offset in one mapping (64-byte aligned, as the format recommends).
        let mut wanting: Vec<(*mut RawArray, usize)> = Vec::new();
        let mut total = 0;
        let arrays = std::iter::once((array, schema)).chain(
            (0..top.n_children as usize)
                .map(|i| (*top.children.add(i), (*top_schema.children.add(i)).cast_const())),
        );
        for (array, schema) in arrays {
            if let Some(bytes) = wanted_bitmap(&*array, &*schema) {
                wanting.push((array, total));
                total += bytes.next_multiple_of(64);
            }
        }
        if total == 0 {
            return;
        }
        let Some(bitmaps) = OnesMapping::new(total) else { return };
        for &(array, offset) in &wanting {
            *(*array).buffers = bitmaps.base.add(offset).cast();
        }
        // The batch's release frees the bitmaps after the producer's own release.
        let owned = Box::new(ReleaseWithBitmaps {
            release: top.release,
            private_data: top.private_data,
            _bitmaps: bitmaps,
        });
        top.private_data = Box::into_raw(owned).cast();
        top.release = Some(release_with_bitmaps);
    }
}

/// The bytes of set bits an array needs as its bitmap, if it is all valid and has none.
///
/// # Safety
/// `array` and `schema` must be a valid, unreleased array and its schema.
unsafe fn wanted_bitmap(array: &RawArray, schema: &RawSchema) -> Option<usize> {
    // SAFETY: per the function contract.
    unsafe {
        let format = std::ffi::CStr::from_ptr(schema.format).to_bytes();
        let all_valid_without_bitmap = array.null_count == 0
            && array.n_buffers > 0
            && !array.buffers.is_null()
            && (*array.buffers).is_null();
        let bytes = ((array.offset + array.length) as usize).div_ceil(8);
        (all_valid_without_bitmap && schema.dictionary.is_null() && has_validity_buffer(format) && bytes > 0)
            .then_some(bytes)
    }
}

/// The producer's release and private data of a batch given bitmaps, and those bitmaps.
struct ReleaseWithBitmaps {
    release: Option<unsafe extern "C" fn(*mut RawArray)>,
    private_data: *mut c_void,
    /// Unmapped when this is dropped, after the producer's release.
    _bitmaps: OnesMapping,
}

/// # Safety
/// Called once, by the batch's consumer, on the struct `give_validity` patched (or a move of it).
unsafe extern "C" fn release_with_bitmaps(array: *mut RawArray) {
    // SAFETY: per the function contract, `private_data` is the box `give_validity` made; the
    // producer's release gets its own private data back, as it expects.
    unsafe {
        let owned = Box::from_raw((*array).private_data.cast::<ReleaseWithBitmaps>());
        (*array).private_data = owned.private_data;
        (*array).release = owned.release;
        if let Some(release) = owned.release {
            release(array);
        }
        (*array).release = None;
        drop(owned);
    }
}

/// A private, copy-on-write mapping of set bits: reading it costs no writes (its pages are the
/// page cache of one process-wide memory file of set bits), and a write into it (a consumer's
/// `setNull`) copies the page for this mapping alone. Unmapped when dropped.
struct OnesMapping {
    base: *mut u8,
    len: usize,
}

// SAFETY: the mapping is plain memory, owned by one batch; any thread may unmap it.
unsafe impl Send for OnesMapping {}

impl OnesMapping {
    /// `len` bytes of set bits (rounded up to pages), or None if the memory file cannot be
    /// made, grown or mapped.
    fn new(len: usize) -> Option<Self> {
        static FILE: Mutex<Option<OnesFile>> = Mutex::new(None);
        let mut file = FILE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if file.is_none() {
            *file = Some(OnesFile::create()?);
        }
        let file = file.as_mut()?;
        file.grow(len)?;
        // SAFETY: a fresh private mapping of a range the file holds; nothing else aliases it.
        let base = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE,
                file.fd,
                0,
            )
        };
        (base != libc::MAP_FAILED).then(|| OnesMapping { base: base.cast(), len })
    }
}

impl Drop for OnesMapping {
    fn drop(&mut self) {
        // SAFETY: the mapping `new` made, unmapped once.
        unsafe { libc::munmap(self.base.cast(), self.len) };
    }
}

/// The memory file every bitmap mapping reads: set bits, grown when a longer batch comes, never
/// shrunk (bitmaps in flight map it).
struct OnesFile {
    fd: libc::c_int,
    len: usize,
}

impl OnesFile {
    fn create() -> Option<Self> {
        // SAFETY: a static name; the descriptor is owned by the process-wide file from here on.
        let fd = unsafe { libc::memfd_create(c"jarrow-validity".as_ptr(), libc::MFD_CLOEXEC) };
        (fd >= 0).then_some(OnesFile { fd, len: 0 })
    }

    /// Makes the file at least `len` bytes of set bits.
    fn grow(&mut self, len: usize) -> Option<()> {
        if self.len >= len {
            return Some(());
        }
        let new_len = len.next_power_of_two().max(1 << 20);
        let chunk = vec![u8::MAX; 1 << 16];
        let mut at = self.len;
        while at < new_len {
            let n = chunk.len().min(new_len - at);
            // SAFETY: writes from a live buffer of at least `n` bytes.
            let written = unsafe { libc::pwrite(self.fd, chunk.as_ptr().cast(), n, at as libc::off_t) };
            if written <= 0 {
                return None;
            }
            at += written as usize;
        }
        self.len = new_len;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Float64Array, Int32Array, RecordBatch, StringArray, StructArray};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    #[test]
    fn all_valid_columns_get_private_bitmaps_that_read_the_same() {
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
        let export = || {
            let (mut array, schema) = crate::arrow::export_batch(&batch).unwrap();
            // SAFETY: fresh structs from arrow-rs, whose buffer arrays are heap-allocated.
            unsafe { give_validity(&mut array, &schema) };
            (array, schema)
        };
        let bitmap = |array: &FFI_ArrowArray, i: usize| {
            let raw = (array as *const FFI_ArrowArray).cast::<RawArray>();
            // SAFETY: a valid exported batch with three columns.
            unsafe { (*(*(*(*raw).children.add(i))).buffers).cast::<u8>().cast_mut() }
        };
        let (first, first_schema) = export();
        let (second, second_schema) = export();
        assert!(!bitmap(&first, 0).is_null() && !bitmap(&first, 1).is_null());
        assert_ne!(bitmap(&first, 0), bitmap(&first, 1), "each column has its own bitmap");
        assert_ne!(bitmap(&first, 0), bitmap(&second, 0), "each batch has its own bitmaps");
        // SAFETY: the bitmap is writable and 100,000 bits long.
        let bits = unsafe { std::slice::from_raw_parts(bitmap(&second, 0), 100_000 / 8) };
        assert!(bits.iter().all(|&b| b == u8::MAX), "a bitmap reads as all valid");

        // A consumer's setNull(0) on the first batch's column: no other bitmap changes.
        // SAFETY: as above.
        unsafe { *bitmap(&first, 0) &= !1 };
        assert_eq!(bits[0], u8::MAX, "a write into one batch's bitmap changed another batch's");
        let (third, third_schema) = export();
        // SAFETY: as above.
        assert_eq!(unsafe { *bitmap(&third, 0) }, u8::MAX, "a later batch's bitmap was written");

        // SAFETY: the structs are valid; importing takes them over.
        let imported = StructArray::from(unsafe { arrow::ffi::from_ffi(second, &second_schema) }.unwrap());
        assert_eq!(RecordBatch::from(imported), batch);
        // SAFETY: as above; released when the import is dropped.
        drop(unsafe { arrow::ffi::from_ffi(first, &first_schema) }.unwrap());

        // Releasing the batch unmaps its bitmaps.
        let mapped = bitmap(&third, 0) as usize;
        let is_bitmap_mapping = || {
            std::fs::read_to_string("/proc/self/maps").unwrap().lines().any(|line| {
                let (range, rest) = line.split_once(' ').unwrap();
                let (start, end) = range.split_once('-').unwrap();
                let (start, end) =
                    (usize::from_str_radix(start, 16).unwrap(), usize::from_str_radix(end, 16).unwrap());
                (start..end).contains(&mapped) && rest.contains("jarrow-validity")
            })
        };
        assert!(is_bitmap_mapping());
        drop(third);
        drop(third_schema);
        assert!(!is_bitmap_mapping(), "the bitmaps of a released batch are still mapped");
    }
}
