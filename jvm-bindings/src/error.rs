//! The one place where errors become Java exceptions (`io.jarrow.JarrowException` and its
//! subclass `PythonException`; `IllegalStateException` for a closed object).

use jarrow::Error;
use jni::errors::ErrorPolicy;
use jni::objects::{JObject, JThrowable, JValue};
use jni::{Env, jni_sig, jni_str};

use crate::classes;

/// What a native entry point can fail with: the core's error, or JNI itself.
#[derive(Debug)]
pub enum JniError {
    Core(Error),
    Jni(jni::errors::Error),
}

impl std::fmt::Display for JniError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JniError::Core(e) => e.fmt(f),
            JniError::Jni(e) => write!(f, "JNI error: {e}"),
        }
    }
}

impl std::error::Error for JniError {}

impl From<Error> for JniError {
    fn from(e: Error) -> Self {
        JniError::Core(e)
    }
}

impl From<jni::errors::Error> for JniError {
    fn from(e: jni::errors::Error) -> Self {
        JniError::Jni(e)
    }
}

impl JniError {
    /// The core error Java is told of: a failed JNI call is a configuration problem.
    pub fn into_core(self) -> Error {
        match self {
            JniError::Core(e) => e,
            JniError::Jni(e) => Error::Config(format!("JNI call failed: {e}")),
        }
    }
}

pub type Result<T, E = JniError> = std::result::Result<T, E>;

/// The Java exception for a core error, not yet thrown.
pub fn to_throwable<'local>(env: &mut Env<'local>, error: &Error) -> jni::errors::Result<JThrowable<'local>> {
    let object: JObject<'local> = match error {
        Error::Python { type_name, message, traceback } => {
            let (t, m, tb) =
                (env.new_string(type_name)?, env.new_string(message)?, env.new_string(traceback)?);
            new_exception(
                env,
                |c| &c.python_exception,
                jni_str!("io/jarrow/PythonException"),
                jni_sig!("(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V"),
                &[JValue::from(&t), JValue::from(&m), JValue::from(&tb)],
            )?
        }
        Error::Closed(_) => {
            let message = env.new_string(error.to_string())?;
            new_exception(
                env,
                |c| &c.illegal_state,
                jni_str!("java/lang/IllegalStateException"),
                jni_sig!("(Ljava/lang/String;)V"),
                &[JValue::from(&message)],
            )?
        }
        other => new_jarrow_exception(env, other.code(), &other.to_string())?,
    };
    env.cast_local::<JThrowable>(object)
}

/// A new `io.jarrow.JarrowException` with this code and message.
fn new_jarrow_exception<'local>(
    env: &mut Env<'local>,
    code: &str,
    message: &str,
) -> jni::errors::Result<JObject<'local>> {
    let (code, message) = (env.new_string(code)?, env.new_string(message)?);
    new_exception(
        env,
        |c| &c.jarrow_exception,
        jni_str!("io/jarrow/JarrowException"),
        jni_sig!("(Ljava/lang/String;Ljava/lang/String;)V"),
        &[JValue::from(&code), JValue::from(&message)],
    )
}

/// A new exception of the class `class` picks from the remembered ones, or (before the
/// interpreter started, when none are remembered) of the class named `name`.
fn new_exception<'local, S: AsRef<jni::signature::MethodSignature<'static, 'static>>>(
    env: &mut Env<'local>,
    class: fn(&classes::Classes) -> &jni::objects::Global<jni::objects::JClass<'static>>,
    name: &'static jni::strings::JNIStr,
    sig: S,
    args: &[JValue<'_>],
) -> jni::errors::Result<JObject<'local>> {
    match classes::get() {
        Some(c) => env.new_object(class(c), sig, args),
        None => env.new_object(name, sig, args),
    }
}

/// Throws errors as `io.jarrow` exceptions and returns the type's default to Java (the value is
/// ignored: the exception is pending).
#[derive(Debug, Default)]
pub struct ThrowJarrowException;

impl<T: Default> ErrorPolicy<T, JniError> for ThrowJarrowException {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut (),
        err: JniError,
    ) -> jni::errors::Result<T> {
        if env.exception_check() {
            // A Java exception raised inside a JNI call is already pending: let it propagate.
            return Ok(T::default());
        }
        let throwable = to_throwable(env, &err.into_core())?;
        let _ = env.throw(throwable);
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut (),
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        std::mem::forget(payload);
        let throwable = new_jarrow_exception(env, "PANIC", &format!("jarrow bug: {message}"))?;
        let throwable = env.cast_local::<JThrowable>(throwable)?;
        let _ = env.throw(throwable);
        Ok(T::default())
    }
}
