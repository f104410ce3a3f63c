//! Java exceptions as jarrow errors, in one place for every Java call made from Python: a
//! PythonException (Python code that Java called back into) becomes the Python error again, with
//! its traceback; jarrow's own errors keep their kind; anything else is a JavaError.

use jni::objects::{JObjectArray, JString, JThrowable, JValue};
use jni::{Env, jni_sig, jni_str};

use crate::error::Error;

/// A Java exception as a jarrow error: a PythonException (Python code that Java called back
/// into) becomes the Python error again, with its traceback; anything else a JavaError.
pub(crate) fn java_error(function: &str, error: jni::errors::Error) -> Error {
    let jni::errors::Error::CaughtJavaException { exception, name, msg, stack, .. } = error else {
        return Error(jarrow::Error::Config(format!("JNI call failed: {error}")));
    };
    let described = jarrow::jvm::with_env(|env| -> jni::errors::Result<Vec<String>> {
        let exception = env.new_local_ref(&exception)?;
        describe(env, &exception)
    });
    throwable_error(function, described, (name, msg, stack))
}

/// `JavaFunction.describe(throwable)`: class, message, stack, and Python details or a code.
pub(crate) fn describe(env: &mut Env<'_>, exception: &JThrowable<'_>) -> jni::errors::Result<Vec<String>> {
    let parts = env.call_static_method(
        jni_str!("io/jarrow/JavaFunction"),
        jni_str!("describe"),
        jni_sig!("(Ljava/lang/Throwable;)[Ljava/lang/String;"),
        &[JValue::from(exception)],
    )?;
    let parts = env.cast_local::<JObjectArray<JString>>(parts.l()?)?;
    let n = parts.len(env)?;
    (0..n).map(|i| parts.get_element(env, i)?.try_to_string(env)).collect()
}

/// The error for a described Java exception (`fallback` when it could not be described).
pub(crate) fn throwable_error(
    function: &str,
    described: jni::errors::Result<Vec<String>>,
    (name, msg, stack): (String, String, String),
) -> Error {
    let java = |class: &str, message: &str, stack: &str| jarrow::Error::Java {
        class: class.to_owned(),
        message: message.to_owned(),
        stack: stack.to_owned(),
    };
    Error(match described.as_deref() {
        Ok([_, _, _, type_name, message, traceback]) => jarrow::Error::Python {
            type_name: type_name.clone(),
            message: message.clone(),
            traceback: traceback.clone(),
        },
        // jarrow's own errors raised on the Java side keep their kind.
        Ok([_, message, _, code]) if code == "CONVERSION" => jarrow::Error::Conversion(message.clone()),
        Ok([_, message, _, code]) if code == "NOT_FOUND" => {
            jarrow::Error::NotFound { name: function.to_owned(), detail: message.clone() }
        }
        Ok([class, message, stack, ..]) => java(class, message, stack),
        _ => java(&name, &msg, &stack),
    })
}
