//! The one helper that runs Java with the GIL released, and lets Ctrl-C through.
//!
//! Python's main thread waiting in a Java call cannot run Python's SIGINT handler, so Ctrl-C would
//! wait for Java to finish. While Python hosts the JVM, jarrow puts its own SIGINT handler in
//! front of Python's: it chains to Python's (which only records the signal) and wakes a watcher
//! thread, which interrupts the Java thread of a main-thread call in flight (`Thread.interrupt()`:
//! sleeps, waits and interruptible I/O end). When the call returns, pending signals are checked,
//! so the KeyboardInterrupt is raised instead of the call's result or error.

use std::mem::MaybeUninit;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use jni::JavaVM;
use jni::objects::{Global, JObject};
use jni::{jni_sig, jni_str};
use pyo3::prelude::*;

use crate::error::Error;

/// Whether the main thread is inside a Java call.
static MAIN_CALL_ACTIVE: AtomicBool = AtomicBool::new(false);
/// The write end of the watcher's pipe, written from the signal handler.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);
/// The handler that was installed before ours (Python's).
static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();
/// The Java `Thread` of Python's main thread, interrupted on Ctrl-C.
static MAIN_JAVA_THREAD: OnceLock<Global<JObject<'static>>> = OnceLock::new();
/// Whether the watcher interrupted the main thread's Java thread (its flag must be cleared).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(signum: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    if let Some(previous) = PREVIOUS.get() {
        let handler = previous.sa_sigaction;
        if handler != libc::SIG_DFL && handler != libc::SIG_IGN {
            // SAFETY: calling the handler that was installed, with the form it was installed as.
            unsafe {
                if previous.sa_flags & libc::SA_SIGINFO != 0 {
                    let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                        std::mem::transmute(handler);
                    f(signum, info, context);
                } else {
                    let f: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
                    f(signum);
                }
            }
        }
    }
    let fd = WAKE_FD.load(Ordering::Relaxed);
    if fd >= 0 && MAIN_CALL_ACTIVE.load(Ordering::Relaxed) {
        // SAFETY: write(2) is async-signal-safe; a full pipe just drops the wake-up.
        unsafe { libc::write(fd, [1u8].as_ptr().cast(), 1) };
    }
}

/// Sets the Ctrl-C path up, once, after the JVM started from Python. Only Python's main thread
/// receives Ctrl-C; started from another thread, nothing is set up.
pub fn install(vm: &JavaVM) -> Result<(), Error> {
    if !on_main_thread() {
        return Ok(());
    }
    let config = |what: &str| Error(jarrow::Error::Config(format!("cannot set up Ctrl-C handling: {what}")));
    let thread = vm
        .attach_current_thread(|env| -> jni::errors::Result<Global<JObject<'static>>> {
            let thread = env.call_static_method(
                jni_str!("java/lang/Thread"),
                jni_str!("currentThread"),
                jni_sig!("()Ljava/lang/Thread;"),
                &[],
            )?;
            env.new_global_ref(thread.l()?)
        })
        .map_err(|e| config(&e.to_string()))?;
    let _ = MAIN_JAVA_THREAD.set(thread);
    let mut fds = [0; 2];
    // SAFETY: a pipe for the watcher; both ends are this module's for the life of the process.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
        return Err(config("pipe2 failed"));
    }
    // The read end blocks: only the write end (used in the signal handler) must not.
    // SAFETY: fds[0] is the pipe's read end, just made.
    unsafe { libc::fcntl(fds[0], libc::F_SETFL, 0) };
    WAKE_FD.store(fds[1], Ordering::Relaxed);
    std::thread::Builder::new()
        .name("jarrow-ctrl-c".into())
        .spawn(move || watch(fds[0]))
        .map_err(|e| config(&e.to_string()))?;
    // SAFETY: reading the current SIGINT disposition, then installing ours in front of it.
    unsafe {
        let mut previous = MaybeUninit::<libc::sigaction>::zeroed();
        libc::sigaction(libc::SIGINT, std::ptr::null(), previous.as_mut_ptr());
        let _ = PREVIOUS.set(previous.assume_init());
        let mut ours = MaybeUninit::<libc::sigaction>::zeroed().assume_init();
        ours.sa_sigaction = on_sigint as *const () as usize;
        ours.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        libc::sigemptyset(&mut ours.sa_mask);
        libc::sigaction(libc::SIGINT, &ours, std::ptr::null_mut());
    }
    Ok(())
}

fn watch(fd: libc::c_int) {
    let mut byte = [0u8; 1];
    // SAFETY: reading the pipe's read end into a one-byte buffer.
    while unsafe { libc::read(fd, byte.as_mut_ptr().cast(), 1) } >= 0 {
        if !MAIN_CALL_ACTIVE.load(Ordering::Relaxed) {
            continue;
        }
        if let Some(thread) = MAIN_JAVA_THREAD.get() {
            INTERRUPTED.store(true, Ordering::Relaxed);
            let _ = jarrow::jvm::with_env(|env| {
                env.call_method(thread, jni_str!("interrupt"), jni_sig!("()V"), &[])?;
                Ok(())
            });
        }
    }
}

fn on_main_thread() -> bool {
    thread_local! {
        // SAFETY: always safe; on Linux the main thread's id is the process id. Asked once per
        // thread: gettid is a system call, too slow for every Java call.
        static MAIN: bool = unsafe { libc::gettid() == libc::getpid() };
    }
    MAIN.with(|main| *main)
}

/// Runs `call` (a Java call) with the GIL released. On Python's main thread a Ctrl-C interrupts
/// the Java thread, and the KeyboardInterrupt is raised once the call returns.
pub fn call_java<T, E>(py: Python<'_>, call: impl FnOnce() -> Result<T, E> + Send) -> PyResult<T>
where
    T: Send,
    E: Into<PyErr> + Send,
{
    let main = on_main_thread() && MAIN_JAVA_THREAD.get().is_some();
    if main {
        MAIN_CALL_ACTIVE.store(true, Ordering::Relaxed);
    }
    let result = py.detach(call);
    if main {
        MAIN_CALL_ACTIVE.store(false, Ordering::Relaxed);
        if INTERRUPTED.swap(false, Ordering::Relaxed) {
            // The interrupt may have come after Java stopped looking: clear it for later calls.
            let _ = jarrow::jvm::with_env(|env| {
                env.call_static_method(
                    jni_str!("java/lang/Thread"),
                    jni_str!("interrupted"),
                    jni_sig!("()Z"),
                    &[],
                )?;
                Ok(())
            });
        }
        // A Ctrl-C during the call wins over its outcome.
        py.check_signals()?;
    }
    result.map_err(Into::into)
}
