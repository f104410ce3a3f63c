//! A cheap structural check of a record batch in C Data Interface structs, before the other side
//! reads it: lengths against their parents' lengths, buffer counts against the format, and the
//! buffers a non-empty array cannot do without. It reads no values but the last offset of a list,
//! so it costs the same at a million rows as at one. A malformed batch (a closed
//! `VectorSchemaRoot` still reports its row count; a producer may fill a column short) is an
//! `Error::Arrow` naming the column and what was expected, never a crash or a wrong value later.

use std::ffi::CStr;

use super::raw::{RawArray, RawSchema};
use crate::error::{Error, Result};

/// Checks a record batch (a struct array and its schema).
///
/// # Safety
/// `array` and `schema` must be valid, unreleased structs: their pointers lead to valid structs
/// and buffers, whatever the lengths say (the lengths are what is checked).
pub(super) unsafe fn check_batch(array: &RawArray, schema: &RawSchema) -> Result<()> {
    // SAFETY: per the function contract.
    unsafe { check(array, schema, "the batch") }
}

/// # Safety
/// As for `check_batch`, for one array and its schema.
unsafe fn check(array: &RawArray, schema: &RawSchema, what: &str) -> Result<()> {
    let malformed = |problem: String| Err(Error::Arrow(format!("malformed batch: {what} {problem}")));
    // SAFETY (whole block): per the function contract; child and buffer counts are checked before
    // the loops they bound.
    unsafe {
        let format = CStr::from_ptr(schema.format).to_bytes();
        let format_text = String::from_utf8_lossy(format);
        if array.length < 0 || array.offset < 0 {
            return malformed(format!("has length {} and offset {}", array.length, array.offset));
        }
        if array.null_count < -1 || array.null_count > array.length {
            return malformed(format!("has {} nulls in {} rows", array.null_count, array.length));
        }
        if array.n_children != schema.n_children {
            return malformed(format!(
                "has {} child arrays, but its schema has {}",
                array.n_children, schema.n_children
            ));
        }
        if array.n_buffers < 0
            || (array.n_buffers > 0 && array.buffers.is_null())
            || (array.n_children > 0 && (array.children.is_null() || schema.children.is_null()))
        {
            return malformed("has null buffer or child pointers".into());
        }
        let layout = Layout::of(format, !schema.dictionary.is_null());
        if let Some(expected) = layout.buffers
            && array.n_buffers != expected
        {
            return malformed(format!(
                "(format {format_text:?}) has {} buffers; the format has {expected}",
                array.n_buffers
            ));
        }
        let end = array.offset + array.length;
        let buffer = |i: usize| *array.buffers.add(i);
        if array.length > 0 {
            if layout.validity && array.null_count != 0 && array.n_buffers > 0 && buffer(0).is_null() {
                return malformed(format!(
                    "has {} nulls but no validity bitmap",
                    if array.null_count < 0 { "unknown".to_string() } else { array.null_count.to_string() }
                ));
            }
            for i in layout.required.clone() {
                if i < array.n_buffers as usize && buffer(i).is_null() {
                    return malformed(format!(
                        "(format {format_text:?}) has {} rows but no buffer {i} (its values or \
                         offsets); was its vector closed or never filled?",
                        array.length
                    ));
                }
            }
        }
        if array.length > 0 && (format.starts_with(b"+us:") || format.starts_with(b"+ud:")) {
            check_union(array, format, &format_text).or_else(&malformed)?;
        }
        let child = |i: usize| (&*(*array.children.add(i)), &*(*schema.children.add(i)));
        let name = |s: &RawSchema| {
            if s.name.is_null() {
                String::new()
            } else {
                CStr::from_ptr(s.name).to_string_lossy().into_owned()
            }
        };
        // How many rows each child must have for this array's rows.
        let needed = match layout.children {
            Children::Rows => Some(end),
            Children::Offsets32 if array.length > 0 => {
                Some(i64::from(*buffer(1).cast::<i32>().add(end as usize)))
            }
            Children::Offsets64 if array.length > 0 => Some(*buffer(1).cast::<i64>().add(end as usize)),
            Children::Fixed(n) => Some(end * n),
            _ => None,
        };
        for i in 0..array.n_children.max(0) as usize {
            let (child_array, child_schema) = child(i);
            let child_name = name(child_schema);
            let child_what = if what == "the batch" {
                format!("column {child_name:?}")
            } else {
                format!("{what}.{child_name}")
            };
            if let Some(needed) = needed
                && child_array.length < needed
            {
                return Err(Error::Arrow(format!(
                    "malformed batch: {child_what} has {} rows, but {what} needs {needed}{}",
                    child_array.length,
                    if what == "the batch" {
                        " (was the VectorSchemaRoot closed, or its row count set without filling \
                         every vector?)"
                    } else {
                        ""
                    }
                )));
            }
            check(child_array, child_schema, &child_what)?;
        }
        if !schema.dictionary.is_null() {
            if array.dictionary.is_null() {
                return malformed("is dictionary-encoded but has no dictionary".into());
            }
            check(&*array.dictionary, &*schema.dictionary, &format!("{what} (its dictionary)"))?;
        }
    }
    Ok(())
}

/// A union's type ids must be the ones its format lists (a producer that renumbers its children
/// without rewriting the ids would have every row read from the wrong child), and a dense union's
/// offsets must fall within their child. Unions are rare; this one check reads every row's id.
///
/// # Safety
/// As for `check`; the union's buffers and child count are already checked.
unsafe fn check_union(array: &RawArray, format: &[u8], format_text: &str) -> std::result::Result<(), String> {
    let codes: Vec<i8> = match std::str::from_utf8(&format[4..]) {
        Ok("") => Vec::new(),
        Ok(list) => list
            .split(',')
            .map(|c| c.parse::<i8>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| format!("(format {format_text:?}) has type ids that are not 8-bit integers"))?,
        Err(_) => return Err(format!("(format {format_text:?}) is not ASCII")),
    };
    if codes.len() != array.n_children as usize {
        return Err(format!(
            "(format {format_text:?}) lists {} type ids for {} children",
            codes.len(),
            array.n_children
        ));
    }
    let dense = format[2] == b'd';
    // SAFETY: per the function contract: buffer 0 holds `offset + length` type ids and, for a
    // dense union, buffer 1 as many i32 offsets; children are valid arrays.
    unsafe {
        let start = array.offset as usize;
        let ids = std::slice::from_raw_parts((*array.buffers).cast::<i8>().add(start), array.length as usize);
        let offsets = dense
            .then(|| std::slice::from_raw_parts((*array.buffers.add(1)).cast::<i32>().add(start), ids.len()));
        for (row, &id) in ids.iter().enumerate() {
            let Some(child) = codes.iter().position(|&c| c == id) else {
                return Err(format!(
                    "has type id {id} at row {row}, which its format ({format_text:?}) does not list; the \
                     producer renumbered the union's children without rewriting its ids"
                ));
            };
            if let Some(offsets) = offsets {
                let length = (**array.children.add(child)).length;
                let at = i64::from(offsets[row]);
                if at < 0 || at >= length {
                    return Err(format!("has offset {at} at row {row} into child {child} of {length} rows"));
                }
            }
        }
    }
    Ok(())
}

/// What a format says about an array's buffers and children.
struct Layout {
    /// How many buffers, when fixed.
    buffers: Option<i64>,
    /// Whether buffer 0 is a validity bitmap.
    validity: bool,
    /// The buffers a non-empty array must have.
    required: std::ops::Range<usize>,
    children: Children,
}

enum Children {
    /// No children, or none whose length this array bounds.
    Unchecked,
    /// One child row per row (struct).
    Rows,
    /// Children rows by an offsets buffer (buffer 1) of i32 or i64 (list, map).
    Offsets32,
    Offsets64,
    /// A fixed number of child rows per row (fixed-size list).
    Fixed(i64),
}

impl Layout {
    fn of(format: &[u8], dictionary_encoded: bool) -> Layout {
        let fixed = |buffers: i64, required: std::ops::Range<usize>, children| Layout {
            buffers: Some(buffers),
            validity: true,
            required,
            children,
        };
        if dictionary_encoded {
            // The indices: an integer array.
            return fixed(2, 1..2, Children::Unchecked);
        }
        match format {
            b"n" => {
                Layout { buffers: Some(0), validity: false, required: 0..0, children: Children::Unchecked }
            }
            b"b" | b"c" | b"C" | b"s" | b"S" | b"i" | b"I" | b"l" | b"L" | b"e" | b"f" | b"g" => {
                fixed(2, 1..2, Children::Unchecked)
            }
            // Strings and binaries: values may be absent when every value is empty.
            b"z" | b"u" | b"Z" | b"U" => fixed(3, 1..2, Children::Unchecked),
            b"+s" => fixed(1, 0..0, Children::Rows),
            b"+l" | b"+m" => fixed(2, 1..2, Children::Offsets32),
            b"+L" => fixed(2, 1..2, Children::Offsets64),
            _ if format.starts_with(b"w:") || format.starts_with(b"d:") || format.starts_with(b"t") => {
                fixed(2, 1..2, Children::Unchecked)
            }
            // Sparse unions: type ids only, every child as long as the union; dense unions: type
            // ids and offsets into children of any length. Neither has a validity bitmap.
            _ if format.starts_with(b"+us:") => {
                Layout { buffers: Some(1), validity: false, required: 0..1, children: Children::Rows }
            }
            _ if format.starts_with(b"+ud:") => {
                Layout { buffers: Some(2), validity: false, required: 0..2, children: Children::Unchecked }
            }
            // Run-end encoded: no buffers, run ends and values as children.
            b"+r" => {
                Layout { buffers: Some(0), validity: false, required: 0..0, children: Children::Unchecked }
            }
            // List views: validity, offsets and sizes.
            b"+vl" | b"+vL" => fixed(3, 1..3, Children::Unchecked),
            _ if format.starts_with(b"+w:") => {
                let n = std::str::from_utf8(&format[3..]).ok().and_then(|n| n.parse().ok()).unwrap_or(0);
                fixed(1, 0..0, Children::Fixed(n))
            }
            // Binary and string views (a variable number of data buffers) and anything newer.
            _ => Layout { buffers: None, validity: false, required: 0..0, children: Children::Unchecked },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Float64Array, ListArray, RecordBatch, StringArray, StructArray};
    use arrow::datatypes::{Field, Float64Type};
    use arrow::ffi::{FFI_ArrowArray, FFI_ArrowSchema};

    use super::*;

    fn batch(rows: usize) -> RecordBatch {
        let list = ListArray::from_iter_primitive::<Float64Type, _, _>(
            (0..rows).map(|i| Some(vec![Some(i as f64); i % 3])),
        );
        let inner = StructArray::from(vec![(
            Arc::new(Field::new("s", arrow::datatypes::DataType::Utf8, false)),
            Arc::new(StringArray::from_iter_values((0..rows).map(|i| i.to_string()))) as ArrayRef,
        )]);
        RecordBatch::try_from_iter([
            ("x", Arc::new(Float64Array::from_iter_values((0..rows).map(|i| i as f64))) as ArrayRef),
            ("list", Arc::new(list) as ArrayRef),
            ("inner", Arc::new(inner) as ArrayRef),
        ])
        .unwrap()
    }

    fn checked(array: &FFI_ArrowArray, schema: &FFI_ArrowSchema) -> Result<()> {
        // SAFETY: valid structs exported by arrow-rs.
        unsafe {
            check_batch(
                &*(array as *const FFI_ArrowArray).cast::<RawArray>(),
                &*(schema as *const FFI_ArrowSchema).cast::<RawSchema>(),
            )
        }
    }

    /// The raw struct of column `i`, or of `path`'s children below it, to tamper with.
    fn raw_child(array: &mut FFI_ArrowArray, path: &[usize]) -> *mut RawArray {
        let mut raw = (array as *mut FFI_ArrowArray).cast::<RawArray>();
        for &i in path {
            // SAFETY: the test's batch has these children.
            raw = unsafe { *(*raw).children.add(i) };
        }
        raw
    }

    #[test]
    fn well_formed_batches_pass_at_any_size() {
        for rows in [0, 1, 1000] {
            let (array, schema) = crate::arrow::export_batch(&batch(rows)).unwrap();
            checked(&array, &schema).unwrap();
        }
    }

    #[test]
    fn a_short_column_a_short_nested_child_and_a_list_past_its_values_are_named() {
        let cases: [(&[usize], &str); 3] = [
            (&[0], "column \"x\" has 3 rows, but the batch needs 10"),
            (&[2, 0], "column \"inner\".s has 3 rows, but column \"inner\" needs 10"),
            (&[1, 0], "column \"list\".item has 3 rows, but column \"list\" needs"),
        ];
        for (path, expected) in cases {
            let (mut array, schema) = crate::arrow::export_batch(&batch(10)).unwrap();
            // SAFETY: a valid child struct of the exported batch; only its length changes.
            unsafe { (*raw_child(&mut array, path)).length = 3 };
            let error = checked(&array, &schema).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
        }
        let (mut array, schema) = crate::arrow::export_batch(&batch(10)).unwrap();
        // SAFETY: as above; the values buffer of column x is forgotten, not freed.
        unsafe { *(*raw_child(&mut array, &[0])).buffers.add(1) = std::ptr::null() };
        let error = checked(&array, &schema).unwrap_err().to_string();
        assert!(error.contains("column \"x\" (format \"g\") has 10 rows but no buffer 1"), "{error}");
        // SAFETY: as above.
        unsafe { (*raw_child(&mut array, &[])).n_children = 2 };
        let error = checked(&array, &schema).unwrap_err().to_string();
        assert!(error.contains("has 2 child arrays, but its schema has 3"), "{error}");
        // Put back what the release walks.
        unsafe { (*raw_child(&mut array, &[])).n_children = 3 };
    }
}
