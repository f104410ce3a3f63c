//! The Java classes the native side names, looked up once through jarrow's own class loader.
//!
//! A class named by its name is looked up through the calling thread's context class loader
//! first (the jni crate's rule), and that loader is not always one that sees jarrow: a Flink task
//! thread's is its job's, closed when the job ends (a thread of a pool made in one job and reused
//! in the next has it still), and a thread attached from native code has the system loader,
//! which does not see a job jar's classes. So the classes are looked up once, through the loader
//! of `io.jarrow.PythonRuntime` when the interpreter starts, and named by reference afterwards.

use std::sync::OnceLock;

use jni::objects::{Global, JClass};
use jni::refs::LoaderContext;
use jni::{Env, jni_str};

/// jarrow's classes the native side uses.
pub struct Classes {
    pub python_exception: Global<JClass<'static>>,
    pub jarrow_exception: Global<JClass<'static>>,
    pub illegal_state: Global<JClass<'static>>,
    pub python_logging: Global<JClass<'static>>,
}

static CLASSES: OnceLock<Classes> = OnceLock::new();

/// Looks the classes up through the loader of `runtime` (`io.jarrow.PythonRuntime`), once.
pub fn remember(env: &mut Env<'_>, runtime: &JClass<'_>) -> jni::errors::Result<()> {
    if CLASSES.get().is_some() {
        return Ok(());
    }
    let loader = runtime.get_class_loader(env)?;
    let context = LoaderContext::Loader(&loader);
    let global = |env: &mut Env<'_>, name| -> jni::errors::Result<Global<JClass<'static>>> {
        let class = context.find_class(env, name, false)?;
        env.new_global_ref(&class)
    };
    let classes = Classes {
        python_exception: global(env, jni_str!("io/jarrow/PythonException"))?,
        jarrow_exception: global(env, jni_str!("io/jarrow/JarrowException"))?,
        illegal_state: global(env, jni_str!("java/lang/IllegalStateException"))?,
        python_logging: global(env, jni_str!("io/jarrow/PythonLogging"))?,
    };
    let _ = CLASSES.set(classes);
    Ok(())
}

/// The classes, once the interpreter started (before that, errors name their classes).
pub fn get() -> Option<&'static Classes> {
    CLASSES.get()
}
