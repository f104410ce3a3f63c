//! Calling into the JVM from threads Java did not start (jarrow's runtime, Python threads).
//!
//! Such threads attach as daemons: a thread attached the ordinary way counts as a live Java
//! thread, and the JVM's exit would wait for it forever. jni-rs attaches only the ordinary way,
//! so the daemon attachment is made here with the raw invocation interface; jni-rs then finds the
//! thread attached and uses that attachment.

use std::cell::Cell;
use std::ffi::c_void;

use jni::{Env, JavaVM};

thread_local! {
    static ATTACHED_AS_DAEMON: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with a JNI environment on the calling thread, attaching it as a daemon first if it is
/// not attached yet.
pub fn with_env<T>(f: impl FnOnce(&mut Env<'_>) -> jni::errors::Result<T>) -> jni::errors::Result<T> {
    let vm = JavaVM::singleton()?;
    if !ATTACHED_AS_DAEMON.get() && !vm.is_thread_attached()? {
        let raw = vm.get_raw();
        let mut env: *mut c_void = std::ptr::null_mut();
        // SAFETY: `raw` is the live JavaVM (the singleton is set by the first native call, and the
        // JVM outlives jarrow's threads); attaching the calling thread has no other precondition.
        let status =
            unsafe { ((**raw).v1_4.AttachCurrentThreadAsDaemon)(raw, &mut env, std::ptr::null_mut()) };
        if status != jni::sys::JNI_OK {
            return Err(jni::errors::Error::JniCall(jni::errors::JniError::Unknown));
        }
        ATTACHED_AS_DAEMON.set(true);
    }
    vm.attach_current_thread(f)
}
