//! Dynamic batching: single-row requests from many threads and tasks, one Python call per batch,
//! each caller getting its own row back; and async calls of Python functions.
//!
//! No test asserts a duration. Where a test needs an order of events (a call under way before
//! the next request), it waits for the coalescer's stats, or for the recorded batch sizes, to show
//! it.

mod common;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch};
use arrow::datatypes::Int64Type;
use common::python;
use jarrow::arrow::rows::Row;
use jarrow::executor::runtime;
use jarrow::{BatchCoalescer, BatchOptions, Error, PythonFunction, Value};

fn function(name: &str) -> Arc<PythonFunction> {
    Arc::new(python().function(name).unwrap())
}

fn coalescer(name: &str, options: BatchOptions) -> Arc<BatchCoalescer> {
    Arc::new(BatchCoalescer::new(function(name), options).unwrap())
}

fn id_row(id: i64) -> Row {
    vec![("id".into(), Value::Int(id))]
}

/// A row for `batching:gated_batch`, which waits until the named gate opens.
fn gated_row(gate: &str, id: i64) -> Row {
    vec![("gate".into(), Value::Str(gate.to_string())), ("id".into(), Value::Int(id))]
}

fn open_gate(gate: &str) {
    python().exec(&format!("import batching; batching.open_gate({gate:?})")).unwrap();
}

fn get<'r>(row: &'r Row, name: &str) -> &'r Value {
    &row.iter().find(|(n, _)| n.as_ref() == name).unwrap_or_else(|| panic!("no {name:?} in {row:?}")).1
}

/// Checks that a result row is the one for `id` from `batching:id_times_two_plus_one`.
fn assert_own_row(id: i64, row: &Row) {
    assert_eq!(get(row, "id"), &Value::Int(id), "{row:?}");
    assert_eq!(get(row, "out"), &Value::Int(id * 2 + 1), "{row:?}");
}

/// Waits until `done` holds. The bound only keeps a broken test from hanging.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let give_up = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < give_up, "gave up waiting for {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

fn options(max_batch_size: usize) -> BatchOptions {
    BatchOptions { max_batch_size, ..BatchOptions::default() }
}

/// The sizes of the batches `batching:gated_batch` was called with for rows naming `gate`.
fn sizes_at_gate(gate: &str) -> Vec<i64> {
    let sizes = python().eval(&format!("__import__('batching').sizes_at_gate.get({gate:?}, [])")).unwrap();
    let Value::List(sizes) = sizes else { panic!("a list: {sizes:?}") };
    sizes.iter().map(|s| if let Value::Int(s) = s { *s } else { panic!("{s:?}") }).collect()
}

#[test]
fn every_caller_gets_its_own_row_from_8_threads() {
    let coalescer = coalescer("batching:id_times_two_plus_one", options(256));
    let threads: Vec<_> = (0..8i64)
        .map(|t| {
            let coalescer = Arc::clone(&coalescer);
            thread::spawn(move || {
                // 500 requests in 5 rounds of 100 in flight at once.
                for round in 0..5 {
                    let ids = (0..100).map(|i| t * 500 + round * 100 + i);
                    let pending: Vec<_> =
                        ids.map(|id| (id, coalescer.enqueue(id_row(id)).unwrap())).collect();
                    for (id, pending) in pending {
                        assert_own_row(id, &pending.wait().unwrap());
                    }
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let stats = coalescer.stats();
    assert_eq!((stats.rows, stats.errors), (4000, 0), "{stats:?}");
    assert!(stats.batches * 8 <= 4000, "requests were batched, at least 8 to a call on average: {stats:?}");
}

#[test]
fn submit_blocking_from_8_threads() {
    let coalescer = coalescer("batching:id_times_two_plus_one", options(8));
    let threads: Vec<_> = (0..8i64)
        .map(|t| {
            let coalescer = Arc::clone(&coalescer);
            thread::spawn(move || {
                for id in t * 50..(t + 1) * 50 {
                    assert_own_row(id, &coalescer.submit_blocking(id_row(id)).unwrap());
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let stats = coalescer.stats();
    assert_eq!((stats.rows, stats.errors), (400, 0), "{stats:?}");
}

#[test]
fn submit_from_8_tasks_and_from_another_runtime() {
    let coalescer = coalescer("batching:id_times_two_plus_one", options(8));
    runtime().block_on(async {
        let tasks: Vec<_> = (0..8i64)
            .map(|t| {
                let coalescer = Arc::clone(&coalescer);
                tokio::spawn(async move {
                    for id in t * 50..(t + 1) * 50 {
                        assert_own_row(id, &coalescer.submit(id_row(id)).await.unwrap());
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    // A runtime without timers of its own: the coalescer's deadlines run on jarrow's runtime.
    let other = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let row = other.block_on(coalescer.submit(id_row(1000))).unwrap();
    assert_own_row(1000, &row);
    let pending = coalescer.enqueue(id_row(1001)).unwrap();
    assert_own_row(1001, &other.block_on(pending).unwrap());
    assert_eq!(coalescer.stats().rows, 402);
}

#[test]
fn a_lone_request_to_an_idle_coalescer_goes_out_at_once_alone() {
    // Far from max_batch_size, with a timeout far beyond the wait below: only a coalescer that
    // calls as soon as it is free scores each request before the next one comes.
    let options = BatchOptions { timeout: Duration::from_secs(600), ..options(1000) };
    let coalescer = coalescer("batching:id_times_two_plus_one", options);
    for id in 0..3 {
        let pending = coalescer.enqueue(id_row(id)).unwrap();
        eventually("the lone request to be scored", || coalescer.stats().batches == id as u64 + 1);
        assert_own_row(id, &pending.wait().unwrap());
    }
    let stats = coalescer.stats();
    assert_eq!(
        (stats.batches, stats.rows, stats.errors),
        (3, 3, 0),
        "one batch of one per request: {stats:?}"
    );
}

#[test]
fn requests_queued_during_a_call_go_into_the_next_calls_up_to_max_batch_size() {
    let coalescer = coalescer("batching:gated_batch", options(4));
    let first = coalescer.enqueue(gated_row("load", 0)).unwrap();
    eventually("the first call to start", || sizes_at_gate("load") == [1]);
    let queued: Vec<_> = (1..11).map(|id| coalescer.enqueue(gated_row("load", id)).unwrap()).collect();
    open_gate("load");
    for (id, pending) in (0..11).zip(std::iter::once(first).chain(queued)) {
        assert_eq!(get(&pending.wait().unwrap(), "id"), &Value::Int(id));
    }
    assert_eq!(sizes_at_gate("load"), [1, 4, 4, 2], "the 10 queued requests, 4 to a call at most");
    let stats = coalescer.stats();
    assert_eq!((stats.batches, stats.rows, stats.errors), (4, 11, 0), "{stats:?}");
}

#[test]
fn no_batch_exceeds_max_batch_size() {
    let coalescer = coalescer("batching:record_batch_size", options(16));
    let threads: Vec<_> = (0..8i64)
        .map(|t| {
            let coalescer = Arc::clone(&coalescer);
            thread::spawn(move || {
                let pending: Vec<_> =
                    (t * 200..(t + 1) * 200).map(|id| (id, coalescer.enqueue(id_row(id)).unwrap())).collect();
                for (id, pending) in pending {
                    assert_eq!(get(&pending.wait().unwrap(), "id"), &Value::Int(id));
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let Value::List(sizes) = python().eval("__import__('batching').recorded_batch_sizes").unwrap() else {
        panic!("a list")
    };
    let sizes: Vec<i64> =
        sizes.iter().map(|s| if let Value::Int(s) = s { *s } else { panic!("{s:?}") }).collect();
    assert_eq!(sizes.iter().sum::<i64>(), 1600);
    assert_eq!(sizes.len() as u64, coalescer.stats().batches);
    assert_eq!(sizes.iter().max(), Some(&16), "full batches have max_batch_size rows, none more: {sizes:?}");
}

#[test]
fn a_result_with_the_wrong_row_count_fails_every_caller_of_the_batch() {
    let coalescer = coalescer("batching:drop_last_row", options(64));
    let pending: Vec<_> = (0..20).map(|id| coalescer.enqueue(id_row(id)).unwrap()).collect();
    for pending in pending {
        match pending.wait() {
            Err(Error::Conversion(message)) => {
                assert!(message.contains("batching:drop_last_row returned"), "{message}");
                assert!(message.contains("expected one result row per input row"), "{message}");
            }
            other => panic!("expected a Conversion error, got {other:?}"),
        }
    }
    assert_eq!(coalescer.stats().errors, 20);
}

#[test]
fn a_python_exception_goes_to_every_caller_of_the_batch() {
    let coalescer = coalescer("batches:failing_batch", options(64));
    let pending: Vec<_> = (0..10).map(|id| coalescer.enqueue(id_row(id)).unwrap()).collect();
    for pending in pending {
        match pending.wait() {
            Err(Error::Python { type_name, message, traceback }) => {
                assert_eq!(type_name, "ZeroDivisionError");
                assert_eq!(message, "model exploded");
                assert!(traceback.contains("in failing_batch"), "{traceback}");
            }
            other => panic!("expected a Python error, got {other:?}"),
        }
    }
    let stats = coalescer.stats();
    assert_eq!(stats.errors, 10, "{stats:?}");
}

#[test]
fn a_row_that_does_not_fit_gets_its_own_error() {
    // The three rows queue while a first call runs, so they go out together in the next one.
    let coalescer = coalescer("batching:gated_batch", options(64));
    let running = coalescer.enqueue(gated_row("fit", 0)).unwrap();
    eventually("the first call to start", || coalescer.stats().rows == 1);
    let good = coalescer.enqueue(gated_row("fit", 1)).unwrap();
    let bad = coalescer
        .enqueue(vec![("gate".into(), Value::Str("fit".into())), ("id".into(), Value::Str("two".into()))])
        .unwrap();
    let also_good = coalescer.enqueue(gated_row("fit", 3)).unwrap();
    open_gate("fit");
    assert_eq!(get(&running.wait().unwrap(), "id"), &Value::Int(0));
    assert_eq!(get(&good.wait().unwrap(), "id"), &Value::Int(1));
    assert_eq!(get(&also_good.wait().unwrap(), "id"), &Value::Int(3));
    match bad.wait() {
        Err(Error::Conversion(message)) => assert!(message.contains("\"id\""), "{message}"),
        other => panic!("expected a conversion error, got {other:?}"),
    }
    assert_eq!(sizes_at_gate("fit"), [1, 2]);
    let stats = coalescer.stats();
    assert_eq!((stats.batches, stats.rows, stats.errors), (2, 3, 1), "{stats:?}");
}

#[test]
fn requests_time_out_and_expired_ones_never_reach_python() {
    let timeout = Duration::from_millis(200);
    let options = BatchOptions { timeout, ..options(64) };
    // batching:slow_batch sleeps 1.5 s.
    let coalescer = coalescer("batching:slow_batch", options);
    let first = coalescer.enqueue(id_row(1)).unwrap();
    eventually("the first call to start", || coalescer.stats().rows == 1);
    let second = coalescer.enqueue(id_row(2)).unwrap();
    assert!(matches!(first.wait(), Err(Error::Timeout(t)) if t == timeout));
    // The second request expired while the first call ran: it is answered without a call.
    eventually("the expired request to be answered", || coalescer.stats().errors == 1);
    assert!(matches!(second.wait(), Err(Error::Timeout(t)) if t == timeout));
    let stats = coalescer.stats();
    assert_eq!((stats.batches, stats.rows), (1, 1), "{stats:?}");
    assert_eq!(
        python().eval("__import__('batching').slow_batch_sizes").unwrap(),
        Value::List(vec![Value::Int(1)])
    );
}

#[test]
fn try_enqueue_on_a_full_queue_is_overloaded() {
    let options = BatchOptions { queue_capacity: 2, ..options(1) };
    let coalescer = coalescer("batching:gated_batch", options);
    let first = coalescer.try_enqueue(gated_row("full", 1)).unwrap();
    eventually("the first call to start", || coalescer.stats().rows == 1);
    let queued: Vec<_> = (2..4).map(|id| coalescer.try_enqueue(gated_row("full", id)).unwrap()).collect();
    match coalescer.try_enqueue(gated_row("full", 4)) {
        Err(Error::Overloaded(message)) => {
            assert!(message.contains("full") && message.contains("queue_capacity"), "{message}")
        }
        other => panic!("expected Overloaded, got {other:?}"),
    }
    assert_eq!(Error::Overloaded(String::new()).code(), "OVERLOADED");
    open_gate("full");
    for (id, pending) in (1..4).zip(std::iter::once(first).chain(queued)) {
        assert_eq!(get(&pending.wait().unwrap(), "id"), &Value::Int(id));
    }
}

#[test]
fn enqueue_waits_for_room_until_its_timeout() {
    let timeout = Duration::from_millis(200);
    let options = BatchOptions { queue_capacity: 1, timeout, ..options(1) };
    let coalescer = coalescer("batching:gated_batch", options);
    let _running = coalescer.enqueue(gated_row("room", 1)).unwrap();
    eventually("the first call to start", || coalescer.stats().rows == 1);
    let _queued = coalescer.enqueue(gated_row("room", 2)).unwrap();
    assert!(matches!(coalescer.enqueue(gated_row("room", 3)), Err(Error::Timeout(t)) if t == timeout));
    assert!(
        matches!(coalescer.submit_blocking(gated_row("room", 4)), Err(Error::Timeout(t)) if t == timeout)
    );
    open_gate("room");
}

#[test]
fn close_answers_accepted_requests_and_refuses_new_ones() {
    let coalescer = coalescer("batching:id_times_two_plus_one", options(64));
    let accepted = coalescer.enqueue(id_row(1)).unwrap();
    coalescer.close();
    coalescer.close();
    assert_own_row(1, &accepted.wait().unwrap());
    let closed = |result: Result<(), Error>| matches!(result, Err(Error::Closed("batch coalescer")));
    assert!(closed(coalescer.submit_blocking(id_row(2)).map(|_| ())));
    assert!(closed(coalescer.try_enqueue(id_row(3)).map(|_| ())));
    assert!(closed(coalescer.enqueue(id_row(4)).map(|_| ())));
    assert!(closed(runtime().block_on(coalescer.submit(id_row(5))).map(|_| ())));
}

#[test]
fn dropping_the_coalescer_ends_its_thread_after_answering() {
    let f = function("batching:id_times_two_plus_one");
    let coalescer = BatchCoalescer::new(Arc::clone(&f), options(64)).unwrap();
    let accepted = coalescer.enqueue(id_row(1)).unwrap();
    drop(coalescer);
    assert_own_row(1, &accepted.wait().unwrap());
    // The coalescer's thread held the other reference to the function.
    eventually("the coalescer's thread to end", || Arc::strong_count(&f) == 1);
}

#[test]
fn invalid_options_are_config_errors() {
    let invalid = [
        BatchOptions { max_batch_size: 0, ..BatchOptions::default() },
        BatchOptions { queue_capacity: 0, ..BatchOptions::default() },
        BatchOptions { timeout: Duration::ZERO, ..BatchOptions::default() },
        BatchOptions { timeout: Duration::MAX, ..BatchOptions::default() },
    ];
    for options in invalid {
        assert!(matches!(options.validate(), Err(Error::Config(_))), "{options:?}");
        assert!(matches!(BatchCoalescer::new(function("udfs:identity"), options), Err(Error::Config(_))));
    }
    assert!(BatchOptions::default().validate().is_ok());
    let message =
        BatchOptions { max_batch_size: 0, ..BatchOptions::default() }.validate().unwrap_err().to_string();
    assert!(message.contains("max_batch_size"), "{message}");
}

#[test]
fn scikit_learn_scores_through_the_coalescer_as_in_one_call() {
    let features = |id: i64| {
        let x = |a: i64, m: i64, scale: f64| ((id * a) % m) as f64 / scale - 2.0;
        [x(37, 101, 25.0), x(53, 97, 20.0), x(11, 13, 3.0)]
    };
    let ids: Vec<i64> = (0..400).collect();
    // One call on all rows, which also trains the model before the coalescer's first batch.
    let column = |j: usize| Value::List(ids.iter().map(|&id| Value::Float(features(id)[j])).collect());
    let all = function("batching:predict_proba_all").call(&[column(0), column(1), column(2)], &[]).unwrap();
    let Value::List(expected) = all else { panic!("{all:?}") };

    let coalescer = coalescer("batching:predict_proba_batch", options(64));
    let threads: Vec<_> = ids
        .chunks(100)
        .map(|chunk| {
            let (coalescer, chunk) = (Arc::clone(&coalescer), chunk.to_vec());
            thread::spawn(move || {
                let pending: Vec<_> = chunk
                    .iter()
                    .map(|&id| {
                        let [x0, x1, x2] = features(id);
                        let row = vec![
                            ("id".into(), Value::Int(id)),
                            ("x0".into(), Value::Float(x0)),
                            ("x1".into(), Value::Float(x1)),
                            ("x2".into(), Value::Float(x2)),
                        ];
                        (id, coalescer.enqueue(row).unwrap())
                    })
                    .collect();
                pending.into_iter().map(|(id, p)| (id, p.wait().unwrap())).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut scored = 0;
    for thread in threads {
        for (id, row) in thread.join().unwrap() {
            assert_eq!(get(&row, "id"), &Value::Int(id));
            let (Value::Float(p), Value::Float(q)) = (get(&row, "p"), &expected[id as usize]) else {
                panic!("{row:?}")
            };
            assert!((p - q).abs() <= 1e-12, "row {id}: {p} batched, {q} in one call");
            scored += 1;
        }
    }
    assert_eq!(scored, 400);
    let spread = expected.iter().filter(|p| matches!(p, Value::Float(p) if *p > 0.5)).count();
    assert!(spread > 40 && spread < 360, "the model separates the rows: {spread} of 400 above 0.5");
}

#[test]
fn call_async_and_apply_async_from_8_tasks() {
    let add_one = function("udfs:add_one");
    let doubled = function("batches:doubled");
    runtime().block_on(async {
        let tasks: Vec<_> = (0..8i64)
            .map(|t| {
                let (add_one, doubled) = (Arc::clone(&add_one), Arc::clone(&doubled));
                tokio::spawn(async move {
                    for i in 0..20 {
                        let x = t * 100 + i;
                        assert_eq!(
                            add_one.call_async(vec![Value::Int(x)], vec![]).await.unwrap(),
                            Value::Int(x + 1)
                        );
                    }
                    let column = Arc::new(Int64Array::from(vec![t, t + 1, t + 2])) as ArrayRef;
                    let batch = RecordBatch::try_from_iter([("x", column)]).unwrap();
                    let out = doubled.apply_async(batch).await.unwrap();
                    assert_eq!(
                        out.column(0).as_primitive::<Int64Type>().values(),
                        &[2 * t, 2 * t + 2, 2 * t + 4]
                    );
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    // Errors come back as from the blocking calls, and any runtime can await the futures.
    let failing = function("udfs:raise_value_error_from_inner");
    let other = tokio::runtime::Builder::new_current_thread().build().unwrap();
    match other.block_on(failing.call_async(vec![Value::Str("x".into())], vec![])) {
        Err(Error::Python { type_name, .. }) => assert_eq!(type_name, "ValueError"),
        other => panic!("expected a Python error, got {other:?}"),
    }
}

#[test]
fn enqueue_with_answers_every_row_through_its_callback() {
    let coalescer = coalescer("batching:id_times_two_plus_one", options(64));
    let (answers, results) = std::sync::mpsc::channel();
    let threads: Vec<_> = (0..8i64)
        .map(|t| {
            let (coalescer, answers) = (Arc::clone(&coalescer), answers.clone());
            thread::spawn(move || {
                for id in t * 250..(t + 1) * 250 {
                    let answers = answers.clone();
                    coalescer
                        .enqueue_with(id_row(id), move |result| answers.send((id, result)).unwrap())
                        .unwrap();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    drop(answers);
    let mut seen = 0;
    for (id, result) in results.iter().take(2000) {
        assert_own_row(id, &result.unwrap());
        seen += 1;
    }
    assert_eq!(seen, 2000);
    let stats = coalescer.stats();
    assert_eq!((stats.rows, stats.errors), (2000, 0), "{stats:?}");
}

#[test]
fn a_callback_past_its_deadline_gets_a_timeout_and_one_that_panics_stops_nothing() {
    let timeout = Duration::from_millis(200);
    // The first call waits at its gate: the second row's deadline passes during it.
    let coalescer = coalescer("batching:gated_batch", BatchOptions { timeout, ..options(64) });
    let (answers, results) = std::sync::mpsc::channel();
    coalescer.enqueue_with(gated_row("callback", 1), |_| panic!("a callback that panics")).unwrap();
    eventually("the first call to start", || coalescer.stats().rows == 1);
    let second = answers.clone();
    coalescer.enqueue_with(gated_row("callback", 2), move |result| second.send(result).unwrap()).unwrap();
    thread::sleep(timeout * 2);
    open_gate("callback");
    let expired = results.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(matches!(expired, Err(Error::Timeout(t)) if t == timeout), "{expired:?}");
    // The coalescer's thread survived the panic: a fresh request is scored.
    let third = answers.clone();
    coalescer.enqueue_with(gated_row("callback", 3), move |result| third.send(result).unwrap()).unwrap();
    let scored = results.recv_timeout(Duration::from_secs(20)).unwrap().unwrap();
    assert_eq!(get(&scored, "id"), &Value::Int(3));
    assert_eq!(sizes_at_gate("callback"), [1, 1]);
}
