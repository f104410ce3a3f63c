//! Scalar calls: jarrow's `call_i64` against the same call made from Python itself, in one run.
//! `call_f64` and the generic `call` with three arguments are measured for information.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jarrow::Value;
use jarrow_benches::function;

fn scalar(c: &mut Criterion) {
    let add_one = function("add_one");
    let half = function("half");
    let add3 = function("add3");
    let python_loop = function("loop");
    assert_eq!(add_one.call_i64(41).unwrap(), 42);
    assert_eq!(half.call_f64(3.0).unwrap(), 1.5);

    let mut group = c.benchmark_group("scalar");
    group.bench_function("jarrow_call_i64", |b| b.iter(|| add_one.call_i64(black_box(41)).unwrap()));
    // One jarrow call runs `iters` Python calls of add_one; its one crossing is negligible at the
    // iteration counts criterion picks, so the time reported is that of a call made from Python.
    group.bench_function("python_call", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            let n = python_loop.call_i64(iters as i64).unwrap();
            let elapsed = start.elapsed();
            assert_eq!(n, iters as i64);
            elapsed
        })
    });
    group.bench_function("jarrow_call_f64", |b| b.iter(|| half.call_f64(black_box(3.0)).unwrap()));
    let args = [Value::Int(1), Value::Float(2.5), Value::Int(3)];
    group.bench_function("jarrow_call_3_args", |b| b.iter(|| add3.call(black_box(&args), &[]).unwrap()));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = scalar
}
criterion_main!(benches);
