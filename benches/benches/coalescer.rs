//! Rows per second through the batch coalescer against one Python call per row, scoring with a
//! scikit-learn LogisticRegression on 30 numeric features (`bench_udfs.model`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jarrow::{BatchCoalescer, BatchOptions, ColumnName, Pending, Row, Value};
use jarrow_benches::function;

const FEATURES: usize = 30;
const THREADS: [usize; 3] = [1, 2, 8];

/// The features of row `i`: deterministic, varied, roughly standard-normal in scale.
fn features(i: u64) -> impl Iterator<Item = f64> {
    (0..FEATURES as u64).map(move |j| ((i * 31 + j * 17) % 97) as f64 / 24.0 - 2.0)
}

/// A row as a host hands it over: named values, built per request as a caller builds them.
fn row(names: &[ColumnName], i: u64) -> Row {
    names.iter().cloned().zip(features(i).map(Value::Float)).collect()
}

fn probability(row: &Row) -> f64 {
    match row.as_slice() {
        [(_, Value::Float(p))] => *p,
        other => panic!("a result row holds one float: {other:?}"),
    }
}

/// `rows` rows submitted by `threads` threads, each enqueueing its share (so it has many requests
/// in flight; a full queue makes `enqueue` wait) and then waiting for every result.
fn submit_rows(coalescer: &BatchCoalescer, names: &[ColumnName], threads: usize, rows: u64) -> Duration {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads as u64 {
            scope.spawn(move || {
                let share: Vec<Pending> =
                    (t..rows).step_by(threads).map(|i| coalescer.enqueue(row(names, i)).unwrap()).collect();
                for pending in share {
                    std::hint::black_box(probability(&pending.wait().unwrap()));
                }
            });
        }
    });
    start.elapsed()
}

fn coalescer(c: &mut Criterion) {
    let names: Vec<ColumnName> = (0..FEATURES).map(|j| format!("f{j}").into()).collect();
    let per_row = function("predict_row");
    let coalescer =
        BatchCoalescer::new(Arc::new(function("predict_batch")), BatchOptions::default()).unwrap();

    // Both paths give the same answer before either is timed.
    let args: Vec<Value> = features(5).map(Value::Float).collect();
    let Value::Float(expected) = per_row.call(&args, &[]).unwrap() else {
        panic!("predict_row returns a float")
    };
    let batched = probability(&coalescer.submit_blocking(row(&names, 5)).unwrap());
    assert!((expected - batched).abs() < 1e-9, "per row {expected}, batched {batched}");

    let mut group = c.benchmark_group("coalescer");
    group.throughput(Throughput::Elements(1));
    group.bench_function("per_row_call", |b| {
        let mut i = 0;
        b.iter(|| {
            i += 1;
            let args: Vec<Value> = features(i).map(Value::Float).collect();
            per_row.call(&args, &[]).unwrap()
        })
    });
    for threads in THREADS {
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, &threads| {
            b.iter_custom(|rows| submit_rows(&coalescer, &names, threads, rows))
        });
    }
    group.finish();
    let stats = coalescer.stats();
    eprintln!(
        "coalescer: {} rows in {} Python calls ({:.0} rows per call), {} errors",
        stats.rows,
        stats.batches,
        stats.rows as f64 / stats.batches.max(1) as f64,
        stats.errors
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = coalescer
}
criterion_main!(benches);
