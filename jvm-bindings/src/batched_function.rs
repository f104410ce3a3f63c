//! Native side of `io.jarrow.BatchedFunction`: single-row requests through the core's
//! coalescer, answered by completing a Java `CompletableFuture`. The coalescer hands each call's
//! results, as the call ends, to the function's completer thread, which completes the futures
//! one after the other: no task, timer or thread wake-up per row. The deadline of a request
//! whose call is under way is Java's to enforce (BatchedFunction's sweep).

use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use jarrow::{BatchCoalescer, BatchOptions, ColumnName, Error, Row};
use jni::ids::JStaticMethodID;
use jni::objects::{Global, JByteArray, JClass, JObject, JValue};
use jni::signature::{Primitive, ReturnType};
use jni::sys::{jint, jlong};
use jni::{Env, EnvUnowned, jni_sig, jni_str};

use crate::error::{JniError, Result, ThrowJarrowException, to_throwable};
use jarrow::jvm::{codec, with_env};

use crate::handle::{borrow, free, into_handle};
use crate::python_function;

struct Batched {
    coalescer: BatchCoalescer,
    /// Column names of recent rows, shared by the rows that repeat them.
    names: Mutex<Vec<ColumnName>>,
    /// To the completer thread: a future and its result. The thread ends once this and every
    /// request's clone are gone.
    completions: mpsc::Sender<Completion>,
}

/// A Java future and its result.
type Completion = (Global<JObject<'static>>, jarrow::Result<Row>);

/// `BatchedFunction.complete` and `.fail`, which hand a result or an error to Java.
struct Callbacks {
    class: Global<JClass<'static>>,
    complete: JStaticMethodID,
    fail: JStaticMethodID,
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_BatchedFunction_nativeCreate<'l>(
    mut env: EnvUnowned<'l>,
    class: JClass<'l>,
    function_handle: jlong,
    max_batch_size: jint,
    queue_capacity: jint,
    timeout_nanos: jlong,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let positive = |what: &str, n: i64| {
            u64::try_from(n)
                .map_err(|_| Error::Config(format!("invalid batch options: {what} is negative ({n})")))
        };
        let options = BatchOptions {
            max_batch_size: positive("maxBatchSize", max_batch_size.into())? as usize,
            queue_capacity: positive("queueCapacity", queue_capacity.into())? as usize,
            timeout: Duration::from_nanos(positive("timeout", timeout_nanos)?),
        };
        // SAFETY: Java passes a live function handle.
        let function = Arc::clone(unsafe { python_function::function(function_handle) });
        let coalescer = BatchCoalescer::new(function, options)?;
        // `io.jarrow.BatchedFunction` and its callbacks, looked up once, on this Java thread (its
        // class loader sees the class); the global reference keeps the method ids valid.
        let callbacks = Callbacks {
            complete: env.get_static_method_id(
                &class,
                jni_str!("complete"),
                jni_sig!("(Ljava/util/concurrent/CompletableFuture;[B)V"),
            )?,
            fail: env.get_static_method_id(
                &class,
                jni_str!("fail"),
                jni_sig!("(Ljava/util/concurrent/CompletableFuture;Ljava/lang/Throwable;)V"),
            )?,
            class: env.new_global_ref(&class)?,
        };
        let (completions, results) = mpsc::channel::<Completion>();
        thread::Builder::new()
            .name("jarrow-completer".into())
            .spawn(move || {
                for (future, result) in results {
                    complete(&callbacks, &future, result);
                }
            })
            .map_err(|e| Error::Config(format!("cannot start the thread that completes the results: {e}")))?;
        Ok(into_handle(Batched { coalescer, names: Mutex::default(), completions }))
    })
    .resolve::<ThrowJarrowException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_BatchedFunction_nativeFree<'l>(
    _env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    // SAFETY: Java frees each handle once, after its calls in flight returned. Requests already
    // accepted still complete: their tasks hold what they need.
    unsafe { free::<Batched>(handle) };
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_jarrow_BatchedFunction_nativeSubmit<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    encoded_row: JByteArray<'l>,
    future: JObject<'l>,
) {
    env.with_env(|env| intern_submit(env, handle, &encoded_row, &future)).resolve::<ThrowJarrowException>()
}

fn intern_submit(
    env: &mut Env<'_>,
    handle: jlong,
    encoded_row: &JByteArray<'_>,
    future: &JObject<'_>,
) -> Result<()> {
    // SAFETY: Java passes a live handle.
    let batched = unsafe { borrow::<Batched>(handle) };
    let bytes = env.convert_byte_array(encoded_row)?;
    let row = codec::decode_row(&bytes, &mut batched.names.lock().unwrap_or_else(PoisonError::into_inner))?;
    let future = env.new_global_ref(future)?;
    let completions = batched.completions.clone();
    // Blocks this Java thread while the queue is full: back-pressure on the producer. The
    // completer outlives every request's sender, so the send cannot fail.
    batched.coalescer.enqueue_with(row, move |result| {
        let _ = completions.send((future, result));
    })?;
    Ok(())
}

/// Completes the Java future with the result row, or exceptionally with the error. If the
/// result cannot be handed over (Java threw, or has no memory for the row), the future fails with
/// why, so that its caller is not left waiting; if even that fails, the JVM cannot be reached at
/// all (it is shutting down) and nobody waits.
fn complete(callbacks: &Callbacks, future: &Global<JObject<'static>>, result: jarrow::Result<Row>) {
    let result = result.and_then(|row| codec::encode_row(&row));
    if let Err(e) = with_env(|env| deliver(env, callbacks, future, &result)) {
        let _ = with_env(|env| deliver(env, callbacks, future, &Err(JniError::from(e).into_core())));
    }
}

/// Hands `result` to Java; a Java exception that raises is cleared (this thread goes on serving
/// other futures) and returned as the error.
fn deliver(
    env: &mut Env<'_>,
    callbacks: &Callbacks,
    future: &Global<JObject<'static>>,
    result: &jarrow::Result<Vec<u8>>,
) -> jni::errors::Result<()> {
    let delivered = call_back(env, callbacks, future, result);
    if delivered.is_err() && env.exception_check() {
        env.exception_clear();
    }
    delivered
}

/// Calls `BatchedFunction.complete` with the row, or `.fail` with the error.
fn call_back(
    env: &mut Env<'_>,
    callbacks: &Callbacks,
    future: &Global<JObject<'static>>,
    result: &jarrow::Result<Vec<u8>>,
) -> jni::errors::Result<()> {
    let future = env.new_local_ref(future)?;
    let void = ReturnType::Primitive(Primitive::Void);
    match result {
        Ok(row) => {
            let row = env.byte_array_from_slice(row)?;
            // SAFETY: `complete` is a static void method of `class` taking (CompletableFuture,
            // byte[]), and these are its arguments.
            unsafe {
                env.call_static_method_unchecked(
                    &callbacks.class,
                    callbacks.complete,
                    void,
                    &[JValue::from(&future).as_jni(), JValue::from(&row).as_jni()],
                )
            }?;
        }
        Err(error) => {
            let throwable = to_throwable(env, error)?;
            // SAFETY: `fail` is a static void method of `class` taking (CompletableFuture,
            // Throwable), and these are its arguments.
            unsafe {
                env.call_static_method_unchecked(
                    &callbacks.class,
                    callbacks.fail,
                    void,
                    &[JValue::from(&future).as_jni(), JValue::from(&throwable).as_jni()],
                )
            }?;
        }
    }
    Ok(())
}
