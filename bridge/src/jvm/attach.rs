//! Calling into the JVM from threads Java did not start (jarrow's runtime, Python threads), for
//! both bindings: the JNI library's callbacks into Java and the Python extension's Java calls.
//!
//! Such threads attach as daemons: a thread attached the ordinary way counts as a live Java
//! thread, and the JVM's exit would wait for it forever. jni-rs attaches only the ordinary way,
//! so the daemon attachment is made here with the raw invocation interface; jni-rs then finds the
//! thread attached and uses that attachment. The thread detaches when it ends (a thread-local's
//! destructor), so short-lived threads leave no Java thread behind.

use std::cell::Cell;
use std::ffi::c_void;

use jni::{Env, JavaVM};

/// The calling thread's daemon attachment, if this module made one; dropped as the thread ends.
struct DaemonAttachment {
    vm: Cell<*mut jni::sys::JavaVM>,
}

impl Drop for DaemonAttachment {
    fn drop(&mut self) {
        let raw = self.vm.get();
        if !raw.is_null() {
            // SAFETY: the JVM this thread attached to is alive (it outlives jarrow's threads), and
            // the thread is ending with no Java frames of its own on its stack.
            unsafe { ((**raw).v1_4.DetachCurrentThread)(raw) };
        }
    }
}

thread_local! {
    static ATTACHMENT: DaemonAttachment = const { DaemonAttachment { vm: Cell::new(std::ptr::null_mut()) } };
}

/// Runs `f` with a JNI environment on the calling thread, attaching it as a daemon first if it is
/// not attached yet.
pub fn with_env<T>(f: impl FnOnce(&mut Env<'_>) -> jni::errors::Result<T>) -> jni::errors::Result<T> {
    let vm = JavaVM::singleton()?;
    let attached_here = ATTACHMENT.try_with(|a| !a.vm.get().is_null()).unwrap_or(false);
    if !attached_here && !vm.is_thread_attached()? {
        let raw = vm.get_raw();
        let mut env: *mut c_void = std::ptr::null_mut();
        // SAFETY: `raw` is the live JavaVM (the singleton is set by the first native call, and the
        // JVM outlives jarrow's threads); attaching the calling thread has no other precondition.
        let status =
            unsafe { ((**raw).v1_4.AttachCurrentThreadAsDaemon)(raw, &mut env, std::ptr::null_mut()) };
        if status != jni::sys::JNI_OK {
            return Err(jni::errors::Error::JniCall(jni::errors::JniError::Unknown));
        }
        // A thread past its thread-locals' destruction cannot record the attachment: it stays
        // attached, as before, rather than failing the call.
        let _ = ATTACHMENT.try_with(|a| a.vm.set(raw));
    }
    vm.attach_current_thread(f)
}
