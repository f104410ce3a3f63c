//! Arrow batches through the C Data Interface: zero copy, every accepted result type, ownership.

mod common;

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use arrow::array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use common::python;
use jarrow::arrow::{RawBatch, export_batch, import_batch};
use jarrow::{Error, PythonFunction, Value};

/// The C Data Interface's ArrowArray, as a producer lays it out (fields are fixed by the spec).
#[repr(C)]
struct CArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut CArray,
    dictionary: *mut CArray,
    release: Option<unsafe extern "C" fn(*mut CArray)>,
    private_data: *mut c_void,
}

/// The C Data Interface's ArrowSchema.
#[repr(C)]
struct CSchema {
    format: *const c_void,
    name: *const c_void,
    metadata: *const c_void,
    flags: i64,
    n_children: i64,
    children: *mut *mut CSchema,
    dictionary: *mut CSchema,
    release: Option<unsafe extern "C" fn(*mut CSchema)>,
    private_data: *mut c_void,
}

type Release = unsafe extern "C" fn(*mut CArray);
type SchemaRelease = unsafe extern "C" fn(*mut CSchema);

/// Original release callbacks of the arrays being counted, by their (move-stable) private data.
static ORIGINAL_RELEASE: Mutex<Option<HashMap<usize, Release>>> = Mutex::new(None);
static RELEASED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn counting_release(array: *mut CArray) {
    // SAFETY: called by the consumer on a live array whose release we replaced.
    let key = unsafe { (*array).private_data } as usize;
    let original = ORIGINAL_RELEASE.lock().unwrap().as_mut().unwrap().remove(&key).expect("released once");
    RELEASED.fetch_add(1, Ordering::SeqCst);
    // SAFETY: the producer's own release, called once.
    unsafe { original(array) }
}

static ORIGINAL_SCHEMA_RELEASE: Mutex<Option<HashMap<usize, SchemaRelease>>> = Mutex::new(None);
static SCHEMAS_RELEASED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn counting_schema_release(schema: *mut CSchema) {
    // SAFETY: called by the consumer on a live schema whose release we replaced.
    let key = unsafe { (*schema).private_data } as usize;
    let original =
        ORIGINAL_SCHEMA_RELEASE.lock().unwrap().as_mut().unwrap().remove(&key).expect("released once");
    SCHEMAS_RELEASED.fetch_add(1, Ordering::SeqCst);
    // SAFETY: the producer's own release, called once.
    unsafe { original(schema) }
}

/// Makes `schema`'s release callback count its calls (and fail the test if called twice).
fn count_schema_releases(schema: &mut FFI_ArrowSchema) {
    let raw = (schema as *mut FFI_ArrowSchema).cast::<CSchema>();
    // SAFETY: FFI_ArrowSchema is the spec's repr(C) struct.
    unsafe {
        let original = (*raw).release.take().expect("a live schema");
        let map = &mut *ORIGINAL_SCHEMA_RELEASE.lock().unwrap();
        map.get_or_insert_with(HashMap::new).insert((*raw).private_data as usize, original);
        (*raw).release = Some(counting_schema_release);
    }
}

/// Makes `array`'s release callback count its calls (and fail the test if called twice).
fn count_releases(array: &mut FFI_ArrowArray) {
    let raw = (array as *mut FFI_ArrowArray).cast::<CArray>();
    // SAFETY: FFI_ArrowArray is the spec's repr(C) struct.
    unsafe {
        let original = (*raw).release.take().expect("a live array");
        ORIGINAL_RELEASE
            .lock()
            .unwrap()
            .get_or_insert_with(HashMap::new)
            .insert((*raw).private_data as usize, original);
        (*raw).release = Some(counting_release);
    }
}

fn float_batch(columns: usize, rows: usize) -> RecordBatch {
    let fields: Vec<Field> =
        (0..columns).map(|i| Field::new(format!("c{i}"), DataType::Float64, true)).collect();
    let arrays: Vec<ArrayRef> = (0..columns)
        .map(|c| {
            let values =
                (0..rows).map(|r| if c == 0 && r % 7 == 3 { None } else { Some((r * columns + c) as f64) });
            Arc::new(values.collect::<Float64Array>()) as ArrayRef
        })
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
}

/// Calls `f` the way the JVM does: structs exported by the caller, results into fresh structs.
fn apply_raw(f: &PythonFunction, batch: &RecordBatch) -> jarrow::Result<RecordBatch> {
    let (mut array, mut schema) = export_batch(batch).unwrap();
    let (mut out_array, mut out_schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
    // SAFETY: valid exported structs given up to the call; fresh output structs.
    unsafe {
        f.apply_raw(
            RawBatch { array: &mut array, schema: &mut schema },
            RawBatch { array: &mut out_array, schema: &mut out_schema },
        )
    }?;
    assert!(array.is_released(), "the input was taken over");
    import_batch(out_array, &out_schema)
}

/// Buffer addresses of every column, as `pyarrow.Array.buffers()` lists them.
fn rust_addresses(batch: &RecordBatch) -> Vec<Vec<i64>> {
    batch
        .columns()
        .iter()
        .map(|c| {
            let data = c.to_data();
            let validity = data.nulls().map(|n| n.buffer().as_ptr() as i64).unwrap_or(0);
            std::iter::once(validity).chain(data.buffers().iter().map(|b| b.as_ptr() as i64)).collect()
        })
        .collect()
}

fn python_addresses() -> Vec<Vec<i64>> {
    let Value::List(columns) = python().eval("__import__('batches').seen_addresses").unwrap() else {
        panic!()
    };
    columns
        .into_iter()
        .map(|c| match c {
            Value::List(addresses) => {
                addresses.into_iter().map(|a| if let Value::Int(a) = a { a } else { panic!() }).collect()
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn python_sees_the_callers_buffers_at_their_addresses() {
    let f = python().function("batches:record_addresses").unwrap();
    let mut batch = float_batch(10, 1000);
    let strings: StringArray =
        (0..1000).map(|i| if i % 5 == 0 { None } else { Some(format!("s{i}")) }).collect();
    let mut columns = batch.columns().to_vec();
    columns.push(Arc::new(strings));
    columns.push(Arc::new(Int64Array::from_iter_values(0..1000)));
    let mut fields: Vec<Field> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new("s", DataType::Utf8, true));
    fields.push(Field::new("i", DataType::Int64, false));
    batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();

    let result = apply_raw(&f, &batch).unwrap();
    let expected = rust_addresses(&batch);
    assert_eq!(python_addresses(), expected, "every buffer of every column at the caller's address");
    assert!(expected[0][0] != 0 && expected[10][2] != 0, "validity and string data were compared");
    // The identity result comes back over the very same buffers too.
    assert_eq!(rust_addresses(&result), expected);
    assert_eq!(result, batch);
}

#[test]
fn under_aligned_buffers_are_not_realigned() {
    // A producer may hand over buffers at any address; a re-aligning importer would copy them.
    let f = python().function("batches:record_addresses").unwrap();
    let batch = float_batch(1, 17);
    let (mut array, mut schema) = export_batch(&batch).unwrap();
    let raw = (&mut array as *mut FFI_ArrowArray).cast::<CArray>();
    // SAFETY: a struct array with one float64 child, buffers [validity, values]. Shift the values
    // pointer by 4 bytes and drop the last row so every read stays inside the allocation; the
    // producer frees through its private data, not through these pointers.
    let shifted = unsafe {
        let child = *(*raw).children;
        (*raw).length = 16;
        (*child).length = 16;
        let values = (*child).buffers.add(1);
        *values = (*values).cast::<u8>().add(4).cast();
        *values as i64
    };
    assert_ne!(shifted % 8, 0);
    let (mut out_array, mut out_schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
    // SAFETY: valid structs given up to the call; fresh output structs.
    unsafe {
        f.apply_raw(
            RawBatch { array: &mut array, schema: &mut schema },
            RawBatch { array: &mut out_array, schema: &mut out_schema },
        )
    }
    .unwrap();
    assert_eq!(python_addresses()[0][1], shifted);
    drop((out_array, out_schema));
}

#[test]
fn every_exported_struct_is_released_exactly_once() {
    let python = python();
    let f = python.function("batches:doubled").unwrap();
    let failing = python.function("batches:failing_batch").unwrap();
    let before = RELEASED.load(Ordering::SeqCst);
    let schemas_before = SCHEMAS_RELEASED.load(Ordering::SeqCst);
    let batch = float_batch(3, 100);
    let calls = 50;
    for i in 0..calls {
        let (mut array, mut schema) = export_batch(&batch).unwrap();
        count_releases(&mut array);
        count_schema_releases(&mut schema);
        let (mut out_array, mut out_schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
        let g = if i % 5 == 0 { &failing } else { &f };
        // SAFETY: valid structs given up to the call; fresh output structs.
        let result = unsafe {
            g.apply_raw(
                RawBatch { array: &mut array, schema: &mut schema },
                RawBatch { array: &mut out_array, schema: &mut out_schema },
            )
        };
        if result.is_ok() {
            count_releases(&mut out_array);
            count_schema_releases(&mut out_schema);
            let out = import_batch(out_array, &out_schema).unwrap();
            assert_eq!(out.num_rows(), 100);
            drop(out_schema);
        } else {
            assert!(out_array.is_released(), "no output on error");
        }
    }
    python.exec("import gc; gc.collect()").unwrap();
    // One release per input (failed calls included) and one per output.
    let successes = calls - calls / 5;
    assert_eq!(RELEASED.load(Ordering::SeqCst) - before, calls + successes);
    assert_eq!(SCHEMAS_RELEASED.load(Ordering::SeqCst) - schemas_before, calls + successes);
    assert!(ORIGINAL_RELEASE.lock().unwrap().as_ref().unwrap().is_empty(), "no array left unreleased");
    assert!(
        ORIGINAL_SCHEMA_RELEASE.lock().unwrap().as_ref().unwrap().is_empty(),
        "no schema left unreleased"
    );
}

fn column_names(batch: &RecordBatch) -> Vec<String> {
    batch.schema().fields().iter().map(|f| f.name().clone()).collect()
}

#[test]
fn every_accepted_result_type() {
    let python = python();
    let batch = float_batch(2, 10);
    let c0 = batch.column(0).clone();
    let apply = |name: &str| {
        apply_raw(&python.function(name).unwrap(), &batch).unwrap_or_else(|e| panic!("{name}: {e}"))
    };

    let table = apply("batches:as_table");
    assert_eq!((table.num_rows(), column_names(&table)), (20, vec!["c0".into(), "c1".into()]));
    for name in [
        "batches:as_array",
        "batches:as_chunked",
        "batches:as_capsule_array",
        "batches:as_capsule_stream_array",
    ] {
        let result = apply(name);
        assert_eq!(column_names(&result), vec!["result"], "{name}");
        let expected_rows = if name == "batches:as_chunked" { 20 } else { 10 };
        assert_eq!(result.num_rows(), expected_rows, "{name}");
        assert_eq!(result.column(0).slice(0, 10).as_ref(), c0.as_ref(), "{name}");
    }
    let numpy = apply("batches:as_numpy_doubled");
    assert_eq!(column_names(&numpy), vec!["result"]);
    let doubled: Float64Array = c0
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap()
        .iter()
        .map(|v| v.map(|v| v * 2.0).or(Some(f64::NAN)))
        .collect();
    let got = numpy.column(0).as_any().downcast_ref::<Float64Array>().unwrap();
    for (a, b) in got.iter().zip(doubled.iter()) {
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a == b || (a.is_nan() && b.is_nan()));
    }
    for name in
        ["batches:as_pandas", "batches:as_polars", "batches:as_capsule_batch", "batches:as_capsule_stream"]
    {
        let result = apply(name);
        assert_eq!(column_names(&result), vec!["c0", "c1"], "{name}");
        assert_eq!(result.num_rows(), 10, "{name}");
        assert_eq!(result.column(1).as_ref(), batch.column(1).as_ref(), "{name}");
    }
    for name in ["batches:as_series", "batches:as_polars_series"] {
        let result = apply(name);
        assert_eq!((column_names(&result), result.num_rows()), (vec!["result".into()], 10), "{name}");
    }
}

#[test]
fn other_results_are_clear_errors() {
    let python = python();
    let batch = float_batch(2, 10);
    let err = apply_raw(&python.function("batches:as_dict").unwrap(), &batch).unwrap_err();
    let Error::Conversion(message) = &err else { panic!("{err:?}") };
    assert!(message.contains("batches:as_dict") && message.contains("builtins.dict"), "{message}");
    assert!(message.contains("pyarrow.RecordBatch") && message.contains("__arrow_c_stream__"), "{message}");
    let err = apply_raw(&python.function("batches:as_numpy_2d").unwrap(), &batch).unwrap_err();
    assert!(
        matches!(&err, Error::Conversion(m) if m.contains("shape (10, 2)") && m.contains("1-D")),
        "{err}"
    );
}

#[test]
fn batch_exceptions_carry_tracebacks_and_the_next_call_works() {
    let python = python();
    let batch = float_batch(2, 10);
    let err = apply_raw(&python.function("batches:failing_batch").unwrap(), &batch).unwrap_err();
    let Error::Python { type_name, traceback, .. } = &err else { panic!("{err:?}") };
    assert_eq!(type_name, "ZeroDivisionError");
    assert!(traceback.contains("in failing_batch"), "{traceback}");
    let ok = python.function("batches:column_sum").unwrap().apply(&batch).unwrap();
    assert_eq!(column_names(&ok), vec!["sum"]);
    let sums = ok.column(0).as_any().downcast_ref::<Float64Array>().unwrap();
    assert_eq!(sums.value(1), (2 + 3) as f64);
    assert!(sums.is_null(3), "a null input stays null");
}

#[test]
fn malformed_input_and_output_structs_are_refused() {
    let f = python().function("batches:doubled").unwrap();
    let (mut out_array, mut out_schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
    let out = RawBatch { array: &mut out_array, schema: &mut out_schema };
    // SAFETY: null input addresses are refused before anything is read.
    let err = unsafe { f.apply_raw(RawBatch::from_addresses(0, 0), out) }.unwrap_err();
    assert!(matches!(&err, Error::Arrow(m) if m.contains("non-null")), "{err}");

    // A plain array is not a batch.
    let plain = Float64Array::from(vec![1.0, 2.0]).to_data();
    let mut array = FFI_ArrowArray::new(&plain);
    let mut schema = FFI_ArrowSchema::try_from(plain.data_type()).unwrap();
    // SAFETY: valid structs given up to the call.
    let err = unsafe { f.apply_raw(RawBatch { array: &mut array, schema: &mut schema }, out) }.unwrap_err();
    assert!(matches!(&err, Error::Arrow(m) if m.contains("'+s'") && m.contains("\"g\"")), "{err}");
    assert!(array.is_released(), "taken over (and released) even when refused");

    // An output that still holds data would leak: refused.
    let holding = export_batch(&float_batch(1, 3)).unwrap();
    let (mut held_array, mut held_schema) = holding;
    let (mut array, mut schema) = export_batch(&float_batch(1, 3)).unwrap();
    let err = unsafe {
        // SAFETY: valid structs given up to the call; the output is live on purpose.
        f.apply_raw(
            RawBatch { array: &mut array, schema: &mut schema },
            RawBatch { array: &mut held_array, schema: &mut held_schema },
        )
    }
    .unwrap_err();
    assert!(matches!(&err, Error::Arrow(m) if m.contains("still hold data")), "{err}");
}

#[test]
fn rust_batches_round_trip_through_apply() {
    let f = python().function("batches:doubled").unwrap();
    let batch = float_batch(4, 1000);
    let result = f.apply(&batch).unwrap();
    assert_eq!(result.schema(), batch.schema());
    let (a, b) = (
        batch.column(2).as_any().downcast_ref::<Float64Array>().unwrap(),
        result.column(2).as_any().downcast_ref::<Float64Array>().unwrap(),
    );
    assert!(a.iter().zip(b.iter()).all(|(a, b)| a.map(|a| a * 2.0) == b));
    let empty = f.apply(&float_batch(4, 0)).unwrap();
    assert_eq!(empty.num_rows(), 0);
}
