//! The process-wide tokio runtime, and async calls of Python functions.
//!
//! A Python call blocks its thread and holds the GIL for as long as it runs, so it never runs on
//! the async workers (it would stall every task queued behind it): it runs on the runtime's
//! blocking pool, and the async side only waits for it. Futures made here are bound to this
//! runtime's threads and timers, so they can be awaited from any executor (another tokio runtime
//! included) or driven by `runtime().block_on`.

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Instant;

use arrow::array::RecordBatch;
use tokio::runtime::{Builder, Runtime};

use crate::error::{Error, Result};
use crate::function::PythonFunction;
use crate::value::Value;

/// Async workers only wait and route; two keep them off the critical path on small machines.
const WORKER_THREADS: usize = 2;

/// Threads for Python calls. The GIL lets one of them run Python at a time, but calls into code
/// that releases it (numpy, I/O) overlap; each thread keeps a Python thread state while alive,
/// so the pool stays bounded rather than tokio's default of 512.
const MAX_BLOCKING_THREADS: usize = 64;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The runtime of the process, created on first use: two async workers named `jarrow-worker`
/// and a blocking pool for Python calls. It lives as long as the process.
///
/// # Panics
/// If the operating system refuses to create the runtime's threads.
pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .max_blocking_threads(MAX_BLOCKING_THREADS)
            .thread_name("jarrow-worker")
            .enable_time()
            .build()
            .expect("the operating system refused the threads of jarrow's runtime")
    })
}

/// Runs a blocking call (a Python call) on the runtime's blocking pool and waits for it.
/// A panic in the call is resumed in the waiting task, as if the call had run there.
pub(crate) async fn run_blocking<T, F>(call: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    match runtime().spawn_blocking(call).await {
        Ok(output) => Ok(output),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only a runtime shutting down cancels a blocking task, and this one lives as long as the
        // process; the arm is still answered with an error rather than a panic.
        Err(_) => Err(Error::Closed("jarrow's runtime")),
    }
}

/// A timer on this runtime, whoever polls it: tokio's own `sleep_until` binds to the caller's
/// runtime, and panics on a thread that has none.
pub(crate) fn sleep_until(deadline: Instant) -> tokio::time::Sleep {
    let _runtime = runtime().enter();
    tokio::time::sleep_until(deadline.into())
}

/// Drives a future to completion on the calling thread, which sleeps between polls. The blocking
/// entry points use it rather than `Runtime::block_on`, which panics on threads that are inside
/// a runtime context (a blocking-pool thread, for one).
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unparker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // A wake-up that came before this park makes it return at once: none is lost.
        thread::park();
    }
}

struct Unparker(Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Async calls: the same calls as the blocking ones, run on the runtime's blocking pool.
///
/// A call starts when its future is first polled. Once started it runs to its end even if the
/// future is dropped, since a running Python call cannot be interrupted; its result is then
/// discarded.
impl PythonFunction {
    /// [`PythonFunction::call`] without blocking the awaiting task.
    pub fn call_async(
        self: &Arc<Self>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> impl Future<Output = Result<Value>> + Send + 'static {
        let function = Arc::clone(self);
        async move { run_blocking(move || function.call(&args, &kwargs)).await? }
    }

    /// [`PythonFunction::apply`] without blocking the awaiting task.
    pub fn apply_async(
        self: &Arc<Self>,
        batch: RecordBatch,
    ) -> impl Future<Output = Result<RecordBatch>> + Send + 'static {
        let function = Arc::clone(self);
        async move { run_blocking(move || function.apply(&batch)).await? }
    }
}
