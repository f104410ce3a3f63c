//! Shared set-up of the core's benchmarks: one interpreter per bench binary, on the project venv
//! (`make venv`, or `$JARROW_PYTHON`), with `benches/python` on sys.path; batches built the way the
//! benches need them; and a batch call made exactly as the JVM makes it.

use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use jarrow::arrow::{RawBatch, export_batch};
use jarrow::{Interpreter, PythonConfig, PythonFunction, Result};

/// The Python module holding the benchmarks' functions (`benches/python/bench_udfs.py`).
pub const UDFS: &str = "bench_udfs";

/// `$JARROW_PYTHON`, else the project venv's python.
pub fn venv_python() -> PathBuf {
    std::env::var_os("JARROW_PYTHON")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python"))
}

/// The interpreter of this bench process.
pub fn python() -> &'static Interpreter {
    let config = PythonConfig::new()
        .executable(venv_python())
        .python_path(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python"));
    Interpreter::start(config).expect("the embedded interpreter starts on the project venv (make venv)")
}

/// `bench_udfs:<name>`, resolved once.
pub fn function(name: &str) -> PythonFunction {
    python().function(&format!("{UDFS}:{name}")).unwrap_or_else(|e| panic!("{UDFS}:{name} resolves: {e}"))
}

/// `columns` float64 columns `c0, c1, ...` of `rows` rows each.
pub fn float_batch(columns: usize, rows: usize) -> RecordBatch {
    let fields: Vec<Field> =
        (0..columns).map(|c| Field::new(format!("c{c}"), DataType::Float64, false)).collect();
    let arrays: Vec<ArrayRef> = (0..columns)
        .map(|c| {
            Arc::new(Float64Array::from_iter_values((0..rows).map(|r| (r * columns + c) as f64))) as ArrayRef
        })
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("columns match their fields")
}

/// One batch call as the JVM makes it: the batch is exported into C Data Interface structs, handed
/// to [`PythonFunction::apply_raw`] with fresh output structs, and the output is released again.
/// Returns the number of rows of the result.
pub fn apply_as_jvm(function: &PythonFunction, batch: &RecordBatch) -> Result<usize> {
    let (mut array, mut schema) = export_batch(batch)?;
    let (mut out_array, mut out_schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
    let input = RawBatch { array: &mut array, schema: &mut schema };
    let output = RawBatch { array: &mut out_array, schema: &mut out_schema };
    // SAFETY: the input structs were just exported and are given up (apply_raw moves them out and
    // leaves released structs behind, which drop as no-ops); the output structs are fresh and empty.
    unsafe { function.apply_raw(input, output) }?;
    // Dropping the output structs calls pyarrow's release, as the JVM's close() does.
    Ok(out_array.len())
}
