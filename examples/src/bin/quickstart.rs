//! The README's quick start, kept runnable: `make test` runs it.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, RecordBatch};
use jarrow::{Interpreter, PythonConfig, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The Python of $JARROW_PYTHON, else the active venv, else python3 on PATH.
    let python = Interpreter::start(PythonConfig::new())?;

    // Scalars: resolve once, call many times.
    let sqrt = python.function("math:sqrt")?;
    assert_eq!(sqrt.call_f64(9.0)?, 3.0);
    assert_eq!(sqrt.call(&[Value::Int(16)], &[])?, Value::Float(4.0));

    // Batches: the function sees a pyarrow.RecordBatch over these very buffers.
    python.exec(
        "import pyarrow.compute as pc\ndef total(batch):\n    return pc.add(batch['price'], batch['tax'])",
    )?;
    let total = python.function("__main__:total")?;
    let batch = RecordBatch::try_from_iter([
        ("price", Arc::new(Float64Array::from(vec![10.0, 20.0])) as ArrayRef),
        ("tax", Arc::new(Float64Array::from(vec![2.0, 4.0])) as ArrayRef),
    ])?;
    let result = total.apply(&batch)?; // a bare array comes back as one column named "result"
    println!("{}", arrow::util::pretty::pretty_format_batches(&[result])?);
    Ok(())
}
