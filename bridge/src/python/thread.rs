//! Attaching OS threads to the interpreter.
//!
//! A thread CPython did not create has no thread state. `PyGILState_Ensure` makes one on every
//! call and `PyGILState_Release` destroys it again, which costs more than the call it wraps. So a
//! thread's first call creates a thread state and keeps it for the thread's life: later calls only
//! take and give back the GIL. No thread is pinned to anything: any thread can call at any time.

use std::cell::Cell;

use pyo3::ffi;
use pyo3::prelude::*;

struct ThreadState {
    /// The `PyGILState_Ensure` that created this thread's state, and the state itself while the
    /// thread is not in Python. Null when this thread's state was made by someone else.
    kept: Cell<Option<(ffi::PyGILState_STATE, *mut ffi::PyThreadState)>>,
    checked: Cell<bool>,
}

impl Drop for ThreadState {
    fn drop(&mut self) {
        if let Some((gstate, tstate)) = self.kept.take() {
            // SAFETY: the interpreter is never finalized while jarrow runs in the host (a JVM
            // never calls Py_Finalize); when it is (a Python host at exit), skip the clean-up.
            unsafe {
                if ffi::Py_IsInitialized() != 0 {
                    ffi::PyEval_RestoreThread(tstate);
                    ffi::PyGILState_Release(gstate);
                }
            }
        }
    }
}

thread_local! {
    static THREAD_STATE: ThreadState = const {
        ThreadState { kept: Cell::new(None), checked: Cell::new(false) }
    };
}

/// Runs `f` attached to the interpreter (holding the GIL) on the calling thread.
///
/// The GIL is taken with `PyGILState_Ensure` before pyo3 sees the call. pyo3 keeps its own count
/// of a thread's attachments, and a process can hold two copies of pyo3 (the JNI library's and the
/// Python extension's): on a Java -> Python -> Java -> Python path the extension releases the GIL
/// around the Java call while this copy still counts the thread as attached, and would run Python
/// without the GIL. Ensure reads CPython's own state, so the GIL is held whatever pyo3 believes.
#[inline]
pub fn attach<F, R>(f: F) -> R
where
    F: for<'py> FnOnce(Python<'py>) -> R,
{
    keep_thread_state();
    struct Release(ffi::PyGILState_STATE);
    impl Drop for Release {
        fn drop(&mut self) {
            // SAFETY: matches the Ensure below, on the same thread, also when `f` panics.
            unsafe { ffi::PyGILState_Release(self.0) }
        }
    }
    // SAFETY: the interpreter is initialized (callers attach only after start).
    let _held = Release(unsafe { ffi::PyGILState_Ensure() });
    Python::attach(f)
}

#[inline]
fn keep_thread_state() {
    // Threads being torn down (no thread-local any more) fall back to PyGILState's own handling.
    let _ = THREAD_STATE.try_with(|state| {
        if state.checked.get() {
            return;
        }
        state.checked.set(true);
        // SAFETY: the interpreter is initialized (callers only attach after start); this thread
        // has no thread state of its own, so Ensure creates one and takes the GIL, and SaveThread
        // gives the GIL back while keeping the state.
        unsafe {
            if ffi::PyGILState_GetThisThreadState().is_null() {
                let gstate = ffi::PyGILState_Ensure();
                let tstate = ffi::PyEval_SaveThread();
                state.kept.set(Some((gstate, tstate)));
            }
        }
    });
}
