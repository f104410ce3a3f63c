//! The native objects behind the `long` handles Java holds (`io.jarrow.NativeHandle`): made,
//! borrowed and freed in one way, so that no entry point casts a handle by hand.

use jni::sys::jlong;

/// Moves `value` to the heap and returns its handle for Java, which frees it once with [`free`].
pub(crate) fn into_handle<T>(value: T) -> jlong {
    Box::into_raw(Box::new(value)) as jlong
}

/// The object behind a handle.
///
/// # Safety
/// `handle` must come from [`into_handle`] with this `T` and not be freed yet; Java keeps it open
/// for the call (its calls in flight end before the free).
pub(crate) unsafe fn borrow<'a, T>(handle: jlong) -> &'a T {
    // SAFETY: per the function contract, a live Box<T>.
    unsafe { &*(handle as *const T) }
}

/// Frees the object behind a handle.
///
/// # Safety
/// As for [`borrow`], and no call may use the handle any more: Java frees each handle once, after
/// its calls in flight returned.
pub(crate) unsafe fn free<T>(handle: jlong) {
    // SAFETY: per the function contract, a live Box<T> given up by its only owner.
    drop(unsafe { Box::from_raw(handle as *mut T) });
}
