//! What both bindings share about the JVM: attaching threads to it (as daemons) and the value wire
//! codec that scalars cross JNI with. The JNI glue itself (`Java_*` entry points, registering
//! natives) stays in the binding crates.

mod attach;
pub mod codec;

pub use attach::with_env;
