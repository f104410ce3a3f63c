//! Batch calls on 10 float64 columns, made exactly as the JVM makes them (export into C Data
//! Interface structs, `apply_raw` into fresh output structs, release the output), against the same
//! Python function called from Python on the very same batch, in one run.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jarrow::Value;
use jarrow_benches::{apply_as_jvm, float_batch, function};

const COLUMNS: usize = 10;
const ROWS: [usize; 3] = [1_000, 100_000, 1_000_000];

fn batch(c: &mut Criterion) {
    let keep = function("keep");
    let python_loop = function("loop_batch");
    // Built once: what is measured is the call, from export to release of the result.
    let batches: Vec<_> = ROWS.iter().map(|&rows| float_batch(COLUMNS, rows)).collect();
    for batch in &batches {
        // The baseline loops over this very batch, already in Python.
        assert_eq!(apply_as_jvm(&keep, batch).unwrap(), batch.num_rows());
    }

    for name in ["identity", "sum_columns"] {
        let udf = function(name);
        let mut group = c.benchmark_group(format!("batch_{name}"));
        for batch in &batches {
            let rows = batch.num_rows();
            assert_eq!(apply_as_jvm(&udf, batch).unwrap(), rows);
            group.throughput(Throughput::Elements(rows as u64));
            group.sample_size(if rows >= 1_000_000 { 10 } else { 15 });
            group.bench_with_input(BenchmarkId::new("jarrow", rows), batch, |b, batch| {
                b.iter(|| apply_as_jvm(&udf, batch).unwrap())
            });
            // One jarrow call runs `iters` Python calls; its one crossing is negligible next to them.
            group.bench_with_input(BenchmarkId::new("python", rows), &rows, |b, &rows| {
                b.iter_custom(|iters| {
                    let args = [Value::Str(name.into()), Value::Int(rows as i64), Value::Int(iters as i64)];
                    let start = Instant::now();
                    python_loop.call(&args, &[]).unwrap();
                    start.elapsed()
                })
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = batch
}
criterion_main!(benches);
