//! `jarrow.JavaFunction`: a Java method resolved once, called from Python with the conversions the
//! JVM applies to Python's calls, on scalars or on Arrow batches. Every Java call runs with the GIL
//! released.

use jarrow::arrow_ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use jarrow::jvm::codec;
use jni::objects::{Global, JByteArray, JObject, JValue};
use jni::{Env, jni_sig, jni_str};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::error::Error;
use crate::fast_path::{ScalarPaths, StaticPath, enable_vectorcall, vectorcall};
use crate::gil;
use crate::java_error::java_error;

/// A static Java method, called with the conversions the JVM applies to Python's calls.
#[pyclass(name = "JavaFunction", module = "jarrow", frozen)]
pub struct PyJavaFunction {
    pub(crate) name: String,
    target: Global<JObject<'static>>,
    /// The overloads common scalar calls reach directly.
    pub(crate) paths: ScalarPaths,
    /// Python calls the object through this (see `enable_vectorcall`).
    pub(crate) vectorcall: pyo3::ffi::vectorcallfunc,
}

impl PyJavaFunction {
    /// Resolves `"pkg.Class::method"` (see `io.jarrow.JavaFunction.resolve`) and the scalar fast
    /// paths its overloads allow.
    pub(crate) fn resolve<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyJavaFunction>> {
        let target = py
            .detach(|| {
                jarrow::jvm::with_env(|env| -> jni::errors::Result<(Global<JObject<'static>>, ScalarPaths)> {
                    let jname = env.new_string(name)?;
                    let function = env.call_static_method(
                        jni_str!("io/jarrow/JavaFunction"),
                        jni_str!("resolve"),
                        jni_sig!("(Ljava/lang/String;)Lio/jarrow/JavaFunction;"),
                        &[JValue::from(&jname)],
                    )?;
                    let function = function.l()?;
                    let mut path =
                        |getter: &'static jni::strings::JNIStr| -> jni::errors::Result<Option<StaticPath>> {
                            let method = env
                                .call_method(
                                    &function,
                                    getter,
                                    jni_sig!("()Ljava/lang/reflect/Method;"),
                                    &[],
                                )?
                                .l()?;
                            if method.is_null() { Ok(None) } else { StaticPath::new(env, &method).map(Some) }
                        };
                    let paths = ScalarPaths {
                        long: path(jni_str!("longPath"))?,
                        double: path(jni_str!("doublePath"))?,
                        boolean: path(jni_str!("booleanPath"))?,
                        string: path(jni_str!("stringPath"))?,
                    };
                    Ok((env.new_global_ref(function)?, paths))
                })
            })
            .map_err(|e| java_error(name, e))?;
        let (target, paths) = target;
        let function = Bound::new(py, PyJavaFunction { name: name.to_owned(), target, paths, vectorcall })?;
        enable_vectorcall(&function);
        Ok(function)
    }
}

#[pymethods]
impl PyJavaFunction {
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// Calls the method; the GIL is released while Java runs. (One exact int to a `long m(long)`
    /// takes the vectorcall's direct path; this is the general one.)
    #[pyo3(signature = (*args, **kwargs))]
    pub(crate) fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (args, kwargs) = crate::function::arguments(args, kwargs)?;
        let encoded = codec::encode_call(&args, &kwargs).map_err(Error)?;
        let result = gil::call_java(py, || self.invoke(&encoded).map_err(|e| java_error(&self.name, e)))?;
        let value = codec::decode_value(&result).map_err(Error)?;
        Ok(value.to_python(py).map_err(Error)?)
    }

    /// Calls a batch method (`VectorSchemaRoot m(VectorSchemaRoot)`, or with a `BufferAllocator`)
    /// on any Arrow-capable batch: Java sees the batch's buffers, Python the result's (no copy
    /// either way). Returns a `pyarrow.RecordBatch`; the GIL is released while Java runs.
    fn apply<'py>(&self, py: Python<'py>, batch: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        // The interpreter is adopted first, so that Python errors on the way carry tracebacks.
        crate::function::interpreter()?;
        let (mut array, mut schema) = jarrow::arrow::export_python_batch_for_java(batch).map_err(Error)?;
        let (mut out_array, mut out_schema) = (FFI_ArrowArray::empty(), FFI_ArrowSchema::empty());
        let addresses = [
            &raw mut array as usize as i64,
            &raw mut schema as usize as i64,
            &raw mut out_array as usize as i64,
            &raw mut out_schema as usize as i64,
        ];
        // Java imports the input (leaving the structs released, so dropping them here is a no-op)
        // and exports its result into the output structs.
        gil::call_java(py, || self.invoke_apply(addresses).map_err(|e| java_error(&self.name, e)))?;
        drop((array, schema));
        Ok(jarrow::arrow::to_pyarrow(py, out_array, out_schema).map_err(Error)?)
    }

    fn __repr__(&self) -> String {
        format!("jarrow.JavaFunction({:?})", self.name)
    }
}

impl PyJavaFunction {
    fn invoke_apply(
        &self,
        [in_array, in_schema, out_array, out_schema]: [i64; 4],
    ) -> jni::errors::Result<()> {
        jarrow::jvm::with_env(|env: &mut Env<'_>| {
            let target = env.new_local_ref(&self.target)?;
            env.call_method(
                target,
                jni_str!("apply"),
                jni_sig!("(JJJJ)V"),
                &[
                    JValue::Long(in_array),
                    JValue::Long(in_schema),
                    JValue::Long(out_array),
                    JValue::Long(out_schema),
                ],
            )?;
            Ok(())
        })
    }

    fn invoke(&self, encoded: &[u8]) -> jni::errors::Result<Vec<u8>> {
        jarrow::jvm::with_env(|env: &mut Env<'_>| {
            let args = env.byte_array_from_slice(encoded)?;
            let target = env.new_local_ref(&self.target)?;
            let result =
                env.call_method(target, jni_str!("call"), jni_sig!("([B)[B"), &[JValue::from(&args)])?;
            let result = env.cast_local::<JByteArray>(result.l()?)?;
            env.convert_byte_array(&result)
        })
    }
}
