//! Dynamic batching: single-record calls from many threads coalesced into one Arrow batch per
//! Python call.
//!
//! ML functions cost far less per record in a batch (a scikit-learn LogisticRegression: ~79 µs
//! for one row, ~0.08 µs per row at 1000 rows), but stream processors hand over one record at a
//! time. A [`BatchCoalescer`] queues the records in a bounded queue (a full queue pushes back on
//! the callers), and a thread of its own calls the function whenever it is free (one call at a
//! time: the GIL serializes calls anyway) on everything queued since the previous call began, up
//! to `max_batch_size` records, and hands each caller its own row of the result. Nothing waits for
//! company: when quiet, a lone record is scored at once; under load, records queue while a call
//! runs, so batches grow by themselves. The thread waits on the queue and calls Python itself, so
//! a lone record reaches Python after one thread wake-up, not two (a runtime worker, then a
//! blocking-pool thread).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::time::Sleep;

use crate::arrow::rows::{Row, batch_to_rows, rows_to_batch};
use crate::error::{Error, Result};
use crate::executor;
use crate::function::PythonFunction;

/// What [`Error::Closed`] names.
const COALESCER: &str = "batch coalescer";

/// Request deadlines are instants, which overflow for absurd durations; no request should wait
/// longer than this anyway.
const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// How a [`BatchCoalescer`] gathers requests. A request waits only for the call before it: none
/// is held back to wait for company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOptions {
    /// The most rows one Python call gets.
    pub max_batch_size: usize,
    /// Requests that may wait in the queue; beyond that, callers wait for room (back-pressure).
    pub queue_capacity: usize,
    /// The most a request may take in all, from submission to its result row, waiting for queue
    /// room included.
    pub timeout: Duration,
}

impl Default for BatchOptions {
    /// 1024 rows per call, 8192 queued requests, 30 s per request.
    fn default() -> Self {
        BatchOptions { max_batch_size: 1024, queue_capacity: 8192, timeout: Duration::from_secs(30) }
    }
}

impl BatchOptions {
    /// Checks that the options can work: an [`Error::Config`] says which one cannot and why.
    pub fn validate(&self) -> Result<()> {
        let problem = if self.max_batch_size == 0 {
            "max_batch_size is 0: a batch must be allowed at least one row".to_string()
        } else if self.queue_capacity == 0 {
            "queue_capacity is 0: the queue must hold at least one request".to_string()
        } else if self.queue_capacity > Semaphore::MAX_PERMITS {
            format!(
                "queue_capacity is {}: at most {} is supported",
                self.queue_capacity,
                Semaphore::MAX_PERMITS
            )
        } else if self.timeout.is_zero() {
            "timeout is 0: every request would time out".to_string()
        } else if self.timeout > MAX_TIMEOUT {
            format!("timeout is {:?}: at most {MAX_TIMEOUT:?} (a year) is supported", self.timeout)
        } else {
            return Ok(());
        };
        Err(Error::Config(format!("invalid batch options: {problem}")))
    }
}

/// What a coalescer did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoalescerStats {
    /// Python calls made.
    pub batches: u64,
    /// Rows passed to Python, in all calls.
    pub rows: u64,
    /// Requests the coalescer answered with an error: expired before their batch went out, a
    /// row that did not fit its column, or a failed call. A caller that stopped waiting at its
    /// own deadline is not counted here.
    pub errors: u64,
}

#[derive(Debug, Default)]
struct Counters {
    batches: AtomicU64,
    rows: AtomicU64,
    errors: AtomicU64,
}

/// One caller's row on its way to Python, and where its answer goes.
struct Request {
    row: Row,
    deadline: Instant,
    reply: Reply,
}

/// Where a request's answer goes: its [`Pending`], which also gives up at the deadline, or a
/// callback called on the coalescer's thread ([`BatchCoalescer::enqueue_with`]). A callback is
/// always called: with [`Error::Closed`] if its request is dropped unanswered.
struct Reply(Option<ReplyTo>);

enum ReplyTo {
    Pending(oneshot::Sender<Result<Row>>),
    Callback(Box<dyn FnOnce(Result<Row>) + Send>),
}

impl Reply {
    /// Whether nobody waits for the answer any more (its `Pending` was dropped).
    fn is_closed(&self) -> bool {
        matches!(&self.0, Some(ReplyTo::Pending(sender)) if sender.is_closed())
    }

    fn send(mut self, result: Result<Row>) {
        match self.0.take() {
            // The caller may have given up in the meantime; nobody is left to tell.
            Some(ReplyTo::Pending(sender)) => {
                let _ = sender.send(result);
            }
            Some(ReplyTo::Callback(callback)) => call_back(callback, result),
            None => {}
        }
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        if let Some(ReplyTo::Callback(callback)) = self.0.take() {
            call_back(callback, Err(Error::Closed(COALESCER)));
        }
    }
}

/// A callback that panics must not take the coalescer's thread, and with it every caller after
/// it, down with it.
fn call_back(callback: Box<dyn FnOnce(Result<Row>) + Send>, result: Result<Row>) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(result)));
}

/// Gathers single-row requests from many threads into one Arrow batch per call of a Python
/// batch function, and hands each caller its own row of the result.
///
/// The function is called whenever it is free, on every request queued since the previous call
/// began (at most `max_batch_size`): a request waits only for the call before it, never for
/// company, so a request to an idle coalescer goes out at once, alone.
///
/// The function is called with [`PythonFunction::apply`] on a batch built by
/// [`rows_to_batch`], and must return exactly one row per input row, in order; its rows are
/// split with [`batch_to_rows`]. A row that does not fit its column gets its own error and the
/// rest of the batch goes on; a Python exception, or a result with the wrong number of rows,
/// goes to every caller of that batch.
///
/// Dropping the coalescer closes it (see [`BatchCoalescer::close`]); its thread ends
/// once the requests already accepted are answered.
pub struct BatchCoalescer {
    name: String,
    /// `None` once closed. Dropping the last sender ends the thread after it drained
    /// the queue.
    queue: Mutex<Option<mpsc::Sender<Request>>>,
    options: BatchOptions,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for BatchCoalescer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchCoalescer")
            .field("function", &self.name)
            .field("options", &self.options)
            .field("stats", &self.stats())
            .finish()
    }
}

impl BatchCoalescer {
    /// A coalescer for a batch function, with its thread (`jarrow-coalescer`) started.
    ///
    /// # Panics
    /// If the operating system refuses to create the thread.
    pub fn new(function: Arc<PythonFunction>, options: BatchOptions) -> Result<BatchCoalescer> {
        options.validate()?;
        let (sender, receiver) = mpsc::channel(options.queue_capacity);
        let counters = Arc::new(Counters::default());
        let name = function.name().to_owned();
        let (thread_options, thread_counters) = (options.clone(), Arc::clone(&counters));
        thread::Builder::new()
            .name("jarrow-coalescer".into())
            .spawn(move || gather(receiver, &function, &thread_options, &thread_counters))
            .expect("the operating system refused the thread of a batch coalescer");
        Ok(BatchCoalescer { name, queue: Mutex::new(Some(sender)), options, counters })
    }

    /// Scores one row: waits for room in the queue, then for this row's result, at most
    /// `timeout` in all (then [`Error::Timeout`]).
    pub async fn submit(&self, row: Row) -> Result<Row> {
        let deadline = self.deadline();
        self.queue_until(deadline, || self.request(row, deadline)).await?.await
    }

    /// [`BatchCoalescer::submit`] for a plain thread (a JVM or Python thread), which it blocks.
    /// In async code await `submit` instead: blocking one of the runtime's workers stalls the
    /// tasks behind it.
    pub fn submit_blocking(&self, row: Row) -> Result<Row> {
        self.enqueue(row)?.wait()
    }

    /// Queues one row and returns its [`Pending`] result. While the queue is full the calling
    /// (plain) thread blocks, up to `timeout` (then [`Error::Timeout`]); the result must come
    /// within the same `timeout`, counted from this call.
    pub fn enqueue(&self, row: Row) -> Result<Pending> {
        let deadline = self.deadline();
        executor::block_on(self.queue_until(deadline, || self.request(row, deadline)))
    }

    /// Queues one row; `reply` gets its result on the coalescer's thread, right after the call
    /// that scored it, with the other rows of that call: no task, timer or thread switch per row.
    /// `reply` must not block (it holds up the next call): hand the result on. While the queue
    /// is full the calling (plain) thread blocks, up to `timeout` (then [`Error::Timeout`], and
    /// `reply` is not called). A row whose deadline passed before its call began gets
    /// [`Error::Timeout`]; a row whose call is under way at its deadline gets that call's result,
    /// so a caller that must give up at the deadline enforces it on its side.
    pub fn enqueue_with(&self, row: Row, reply: impl FnOnce(Result<Row>) + Send + 'static) -> Result<()> {
        let deadline = self.deadline();
        let reply = Reply(Some(ReplyTo::Callback(Box::new(reply))));
        executor::block_on(self.queue_until(deadline, || (Request { row, deadline, reply }, ())))
    }

    /// Queues one row without ever blocking. A full queue is [`Error::Overloaded`]: the caller
    /// can shed or retry the request. It is neither a timeout (no deadline passed), nor a
    /// configuration problem, nor a closed coalescer.
    pub fn try_enqueue(&self, row: Row) -> Result<Pending> {
        let deadline = self.deadline();
        let (request, pending) = self.request(row, deadline);
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let sender = queue.as_ref().ok_or(Error::Closed(COALESCER))?;
        match sender.try_send(request) {
            Ok(()) => Ok(pending),
            Err(TrySendError::Full(_)) => Err(Error::Overloaded(format!(
                "the batch queue of {} is full ({} requests waiting); retry later, or raise \
                 queue_capacity",
                self.name, self.options.queue_capacity
            ))),
            Err(TrySendError::Closed(_)) => Err(Error::Closed(COALESCER)),
        }
    }

    /// Stops taking requests: new ones get [`Error::Closed`]. Requests already accepted (queued,
    /// or waiting for queue room when `close` was called) are still answered. Closing twice is
    /// harmless.
    pub fn close(&self) {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner).take();
    }

    /// Python calls, rows and errors so far.
    pub fn stats(&self) -> CoalescerStats {
        CoalescerStats {
            batches: self.counters.batches.load(Ordering::Relaxed),
            rows: self.counters.rows.load(Ordering::Relaxed),
            errors: self.counters.errors.load(Ordering::Relaxed),
        }
    }

    fn deadline(&self) -> Instant {
        // `validate` bounds the timeout, so this cannot overflow.
        Instant::now() + self.options.timeout
    }

    fn request(&self, row: Row, deadline: Instant) -> (Request, Pending) {
        let (reply, receiver) = oneshot::channel();
        let request = Request { row, deadline, reply: Reply(Some(ReplyTo::Pending(reply))) };
        let pending = Pending { reply: receiver, deadline, timer: None, timeout: self.options.timeout };
        (request, pending)
    }

    /// Queues the request `make` makes, once there is room (waiting until `deadline`), and
    /// returns what `make` gave beside it.
    async fn queue_until<T>(&self, deadline: Instant, make: impl FnOnce() -> (Request, T)) -> Result<T> {
        // A clone, so no lock is held while waiting; the channel stays open while it lives,
        // which is what lets a request already waiting at `close` through.
        let sender = self.queue.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let sender = sender.ok_or(Error::Closed(COALESCER))?;
        let permit = match sender.try_reserve() {
            Ok(permit) => permit,
            Err(TrySendError::Closed(())) => return Err(Error::Closed(COALESCER)),
            Err(TrySendError::Full(())) => {
                tokio::select! {
                    biased;
                    permit = sender.reserve() => permit.map_err(|_| Error::Closed(COALESCER))?,
                    () = executor::sleep_until(deadline) => return Err(Error::Timeout(self.options.timeout)),
                }
            }
        };
        let (request, answer) = make();
        permit.send(request);
        Ok(answer)
    }
}

/// One request's result row, on its way. Await it, or [`Pending::wait`] for it on a plain
/// thread; either gives [`Error::Timeout`] once the request's deadline passed.
#[derive(Debug)]
#[must_use = "a Pending gives its row only when awaited or waited for"]
pub struct Pending {
    reply: oneshot::Receiver<Result<Row>>,
    deadline: Instant,
    /// Made on the first poll that finds no result yet: a result that is already there needs no
    /// timer.
    timer: Option<Pin<Box<Sleep>>>,
    timeout: Duration,
}

impl Pending {
    /// Blocks the calling thread until the result comes or the deadline passes.
    pub fn wait(self) -> Result<Row> {
        executor::block_on(self)
    }
}

impl Future for Pending {
    type Output = Result<Row>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Row>> {
        let this = self.get_mut();
        if let Poll::Ready(reply) = Pin::new(&mut this.reply).poll(cx) {
            // Every accepted request is answered; no answer means the thread is gone.
            return Poll::Ready(reply.unwrap_or(Err(Error::Closed(COALESCER))));
        }
        let deadline = this.deadline;
        let timer = this.timer.get_or_insert_with(|| Box::pin(executor::sleep_until(deadline)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Error::Timeout(this.timeout))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The coalescer's thread: calls the function whenever it is free on what is queued, one call at
/// a time, until every sender is gone and the queue is drained.
fn gather(
    mut queue: mpsc::Receiver<Request>,
    function: &PythonFunction,
    options: &BatchOptions,
    counters: &Counters,
) {
    let mut batch = Vec::new();
    // Takes every request already queued (up to max_batch_size) at once and waits for nothing
    // more: a lone request goes out alone, and the requests that came during a call go out
    // together in the next.
    while executor::block_on(queue.recv_many(&mut batch, options.max_batch_size)) > 0 {
        call(function, std::mem::take(&mut batch), counters, options.timeout);
    }
}

/// Calls the function on one gathered batch and answers each of its requests.
fn call(function: &PythonFunction, requests: Vec<Request>, counters: &Counters, timeout: Duration) {
    let fail = |request: Request, error: Error| {
        counters.errors.fetch_add(1, Ordering::Relaxed);
        request.reply.send(Err(error));
    };
    let now = Instant::now();
    let mut live = Vec::with_capacity(requests.len());
    for request in requests {
        if request.reply.is_closed() {
            // Its caller timed out or dropped its Pending: scoring the row would be wasted.
            continue;
        }
        if request.deadline <= now {
            fail(request, Error::Timeout(timeout));
            continue;
        }
        live.push(request);
    }
    if live.is_empty() {
        return;
    }
    let rows: Vec<Row> = live.iter_mut().map(|request| std::mem::take(&mut request.row)).collect();
    let built = match rows_to_batch(&rows) {
        Ok(built) => built,
        Err(error) => {
            live.into_iter().for_each(|request| fail(request, error.clone()));
            return;
        }
    };
    let mut batched = Vec::with_capacity(built.batch.num_rows());
    for (request, rejected) in live.into_iter().zip(built.rejected) {
        match rejected {
            Some(error) => fail(request, error),
            None => batched.push(request),
        }
    }
    if batched.is_empty() {
        return;
    }
    let expected = built.batch.num_rows();
    counters.batches.fetch_add(1, Ordering::Relaxed);
    counters.rows.fetch_add(expected as u64, Ordering::Relaxed);
    let result = function.apply(&built.batch).and_then(|output| {
        if output.num_rows() != expected {
            // The same broken contract, the same error, wherever it is found (json_format.rs,
            // MapperFormat): a conversion of the result that cannot be made.
            return Err(Error::Conversion(format!(
                "{} returned {} rows for {expected} input rows; expected one result row per input row",
                function.name(),
                output.num_rows()
            )));
        }
        batch_to_rows(&output)
    });
    match result {
        Ok(rows) => {
            for (request, row) in batched.into_iter().zip(rows) {
                request.reply.send(Ok(row));
            }
        }
        Err(error) => batched.into_iter().for_each(|request| fail(request, error.clone())),
    }
}
