//! Scalar values that cross between the host and Python.

use bigdecimal::BigDecimal;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTime,
    PyTuple,
};

use crate::error::{Error, Result};

/// Keyword arguments of a call, in order.
pub type Kwargs = Vec<(String, Value)>;

/// A scalar (or nested) value: what a host passes to a Python function and gets back.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A Python int that fits in 64 bits; a larger one is a conversion error, never a wrap.
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    /// A dict, in insertion order.
    Map(Vec<(Value, Value)>),
    Date(NaiveDate),
    /// A time of day; Python keeps microseconds, so finer digits are dropped on the way in.
    Time(NaiveTime),
    /// A naive datetime (no time zone).
    DateTime(NaiveDateTime),
    /// A datetime with a fixed UTC offset.
    DateTimeTz(DateTime<FixedOffset>),
    Decimal(BigDecimal),
}

const SUPPORTED: &str = "None, bool, int, float, str, bytes, bytearray, list, tuple, dict, \
                         datetime.date, datetime.time, datetime.datetime, decimal.Decimal, or a \
                         numpy scalar";

impl Value {
    /// Converts a Python object.
    pub fn from_python(obj: &Bound<'_, PyAny>) -> Result<Value> {
        if obj.is_none() {
            return Ok(Value::Null);
        }
        // Exact type checks first: they are the common case and the cheapest.
        if let Ok(b) = obj.cast::<PyBool>() {
            return Ok(Value::Bool(b.is_true()));
        }
        if obj.is_instance_of::<PyInt>() {
            return obj.extract::<i64>().map(Value::Int).map_err(|_| {
                Error::Conversion(format!(
                    "Python int {} does not fit in a 64-bit signed integer \
                     (range -9223372036854775808..=9223372036854775807)",
                    obj
                ))
            });
        }
        if let Ok(f) = obj.cast::<PyFloat>() {
            return Ok(Value::Float(f.value()));
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return Ok(Value::Str(s.to_str().map_err(conversion)?.to_owned()));
        }
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Value::Bytes(b.as_bytes().to_vec()));
        }
        if let Ok(b) = obj.cast::<PyByteArray>() {
            return Ok(Value::Bytes(b.to_vec()));
        }
        if let Ok(list) = obj.cast::<PyList>() {
            return list.iter().map(|item| Value::from_python(&item)).collect::<Result<_>>().map(Value::List);
        }
        if let Ok(tuple) = obj.cast::<PyTuple>() {
            return tuple
                .iter()
                .map(|item| Value::from_python(&item))
                .collect::<Result<_>>()
                .map(Value::List);
        }
        if let Ok(dict) = obj.cast::<PyDict>() {
            return dict
                .iter()
                .map(|(k, v)| Ok((Value::from_python(&k)?, Value::from_python(&v)?)))
                .collect::<Result<_>>()
                .map(Value::Map);
        }
        // datetime is a subclass of date: test it first.
        if obj.is_instance_of::<PyDateTime>() {
            let has_tz = !obj.getattr("tzinfo").map_err(conversion)?.is_none();
            return if has_tz {
                obj.extract::<DateTime<FixedOffset>>().map(Value::DateTimeTz).map_err(conversion)
            } else {
                obj.extract::<NaiveDateTime>().map(Value::DateTime).map_err(conversion)
            };
        }
        if obj.is_instance_of::<PyDate>() {
            return obj.extract::<NaiveDate>().map(Value::Date).map_err(conversion);
        }
        if obj.is_instance_of::<PyTime>() {
            return obj.extract::<NaiveTime>().map(Value::Time).map_err(conversion);
        }
        let type_name = python_type_name(obj);
        if type_name == "decimal.Decimal" {
            return obj
                .extract::<BigDecimal>()
                .map(Value::Decimal)
                .map_err(|e| Error::Conversion(format!("Decimal {obj} has no exact value ({e})")));
        }
        if type_name.starts_with("numpy.") && obj.hasattr("item").unwrap_or(false) {
            let item = obj.call_method0("item").map_err(conversion)?;
            if !item.is(obj) && !python_type_name(&item).starts_with("numpy.") {
                return Value::from_python(&item);
            }
        }
        Err(Error::Conversion(format!(
            "cannot convert a Python value of type {type_name}; supported: {SUPPORTED}"
        )))
    }

    /// Builds the Python object for this value.
    pub fn to_python<'py>(&self, py: Python<'py>) -> Result<Bound<'py, PyAny>> {
        let obj = match self {
            Value::Null => py.None().into_bound(py),
            Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
            Value::Int(i) => i.into_pyobject(py).map_err(conversion)?.into_any(),
            Value::Float(f) => PyFloat::new(py, *f).into_any(),
            Value::Str(s) => PyString::new(py, s).into_any(),
            Value::Bytes(b) => PyBytes::new(py, b).into_any(),
            Value::List(items) => {
                let items = items.iter().map(|v| v.to_python(py)).collect::<Result<Vec<_>>>()?;
                PyList::new(py, items).map_err(conversion)?.into_any()
            }
            Value::Map(entries) => {
                let dict = PyDict::new(py);
                for (k, v) in entries {
                    dict.set_item(k.to_python(py)?, v.to_python(py)?).map_err(|e| {
                        Error::Conversion(format!("cannot use {k:?} as a Python dict key: {e}"))
                    })?;
                }
                dict.into_any()
            }
            Value::Date(d) => d.into_pyobject(py).map_err(conversion)?.into_any(),
            Value::Time(t) => t.into_pyobject(py).map_err(conversion)?.into_any(),
            Value::DateTime(dt) => dt.into_pyobject(py).map_err(conversion)?.into_any(),
            Value::DateTimeTz(dt) => dt.into_pyobject(py).map_err(conversion)?.into_any(),
            Value::Decimal(d) => d.clone().into_pyobject(py).map_err(conversion)?.into_any(),
        };
        Ok(obj)
    }

    /// The name of this value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::DateTime(_) => "datetime",
            Value::DateTimeTz(_) => "datetime with offset",
            Value::Decimal(_) => "decimal",
        }
    }
}

/// `module.QualName` of an object's type (`int` and friends without the `builtins.` prefix).
pub(crate) fn python_type_name(obj: &Bound<'_, PyAny>) -> String {
    let ty = obj.get_type();
    match ty.fully_qualified_name() {
        Ok(name) => name.to_string(),
        Err(_) => "<unknown type>".to_string(),
    }
}

fn conversion(e: impl std::fmt::Display) -> Error {
    Error::Conversion(e.to_string())
}
