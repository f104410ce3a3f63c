//! Scalar values that cross between the host and Python.

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDate, PyDateTime, PyDelta, PyDict, PyFloat, PyInt, PyList, PyString,
    PyTime, PyTuple,
};

use crate::error::{Error, Result};

/// Keyword arguments of a call, in order.
pub type Kwargs = Vec<(String, Value)>;

/// A scalar (or nested) value: what a host passes to a Python function and gets back.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A Python int that fits in 64 bits.
    Int(i64),
    /// A Python int that does not fit in 64 bits (Java's `BigInteger`).
    BigInt(BigInt),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    /// A dict, in insertion order.
    Map(Vec<(Value, Value)>),
    Date(NaiveDate),
    /// A time of day; Python keeps microseconds, so finer digits are dropped on the way in.
    Time(NaiveTime),
    /// A naive datetime (no time zone), to the nanosecond (numpy and pandas keep nanoseconds;
    /// Python's own datetime keeps microseconds, so finer digits are dropped on the way in).
    DateTime(NaiveDateTime),
    /// A datetime with a fixed UTC offset.
    DateTimeTz(DateTime<FixedOffset>),
    /// A duration (`timedelta`, `numpy.timedelta64`, `pandas.Timedelta`; Java's `Duration`).
    Duration(TimeDelta),
    Decimal(BigDecimal),
}

const SUPPORTED: &str = "None, bool, int, float, str, bytes, bytearray, list, tuple, dict, \
                         datetime.date, datetime.time, datetime.datetime, datetime.timedelta, \
                         decimal.Decimal, a pandas Timestamp, Timedelta or NaT, or a numpy scalar";

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
            return match obj.extract::<i64>() {
                Ok(i) => Ok(Value::Int(i)),
                Err(_) => obj.extract::<BigInt>().map(Value::BigInt).map_err(conversion),
            };
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
            return datetime(obj);
        }
        if obj.is_instance_of::<PyDelta>() {
            return duration(obj);
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
        if type_name == "numpy.datetime64" || type_name == "numpy.timedelta64" {
            return numpy_time(obj, type_name == "numpy.datetime64");
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
            Value::BigInt(i) => i.into_pyobject(py).map_err(conversion)?.into_any(),
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
            Value::Duration(d) => d.into_pyobject(py).map_err(conversion)?.into_any(),
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
            Value::BigInt(_) => "integer beyond 64 bits",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::DateTime(_) => "datetime",
            Value::DateTimeTz(_) => "datetime with offset",
            Value::Duration(_) => "duration",
            Value::Decimal(_) => "decimal",
        }
    }
}

/// A `datetime.datetime` or a subclass of it: pandas' `Timestamp` keeps nanoseconds beyond the
/// microseconds Python's datetime has, and pandas' `NaT` (a datetime too) is a missing value.
fn datetime(obj: &Bound<'_, PyAny>) -> Result<Value> {
    let exact = obj.is_exact_instance_of::<PyDateTime>();
    if !exact && python_type_name(obj).ends_with("NaTType") {
        return Ok(Value::Null);
    }
    let has_tz = !obj.getattr("tzinfo").map_err(conversion)?.is_none();
    let extra = if exact { 0 } else { extra_nanos(obj, "nanosecond")? };
    Ok(if has_tz {
        let dt = obj.extract::<DateTime<FixedOffset>>().map_err(conversion)?;
        Value::DateTimeTz(dt + TimeDelta::nanoseconds(extra))
    } else {
        let dt = obj.extract::<NaiveDateTime>().map_err(conversion)?;
        Value::DateTime(dt + TimeDelta::nanoseconds(extra))
    })
}

/// A `datetime.timedelta` or a subclass of it (pandas' `Timedelta` keeps nanoseconds).
fn duration(obj: &Bound<'_, PyAny>) -> Result<Value> {
    let delta = obj.extract::<TimeDelta>().map_err(conversion)?;
    let extra = if obj.is_exact_instance_of::<PyDelta>() { 0 } else { extra_nanos(obj, "nanoseconds")? };
    Ok(Value::Duration(delta + TimeDelta::nanoseconds(extra)))
}

/// The nanoseconds below the microsecond a subclass keeps in `attr` (0 when it has none).
fn extra_nanos(obj: &Bound<'_, PyAny>, attr: &str) -> Result<i64> {
    match obj.getattr(attr) {
        Ok(n) => n.extract::<i64>().map_err(conversion),
        Err(_) => Ok(0),
    }
}

/// A `numpy.datetime64` or `numpy.timedelta64` at any unit: `NaT` is a missing value; a value
/// whose unit is finer than nanoseconds must be a whole number of nanoseconds; a duration in
/// years or months has no fixed length.
fn numpy_time(obj: &Bound<'_, PyAny>, is_datetime: bool) -> Result<Value> {
    let py = obj.py();
    let numpy = py.import("numpy").map_err(conversion)?;
    if numpy.call_method1("isnat", (obj,)).and_then(|nat| nat.is_truthy()).map_err(conversion)? {
        return Ok(Value::Null);
    }
    let (unit, count): (String, i64) = numpy
        .call_method1("datetime_data", (obj.getattr("dtype").map_err(conversion)?,))
        .and_then(|d| d.extract())
        .map_err(conversion)?;
    let what = if is_datetime { "datetime64" } else { "timedelta64" };
    // Nanoseconds per unit, or the units of one nanosecond for finer units.
    let (per_unit, per_nano): (i128, i128) = match unit.as_str() {
        // Calendar units: a datetime64 of these is a date, as numpy itself says (`item()`).
        "Y" | "M" | "W" | "D" if is_datetime => {
            let date = obj.call_method0("item").map_err(conversion)?;
            return date.extract::<NaiveDate>().map(Value::Date).map_err(|_| {
                Error::Conversion(format!("numpy.{what} {obj} is outside the range of a date"))
            });
        }
        "W" => (7 * 86_400_000_000_000, 1),
        "D" => (86_400_000_000_000, 1),
        "h" => (3_600_000_000_000, 1),
        "m" => (60_000_000_000, 1),
        "s" => (1_000_000_000, 1),
        "ms" => (1_000_000, 1),
        "us" => (1_000, 1),
        "ns" => (1, 1),
        "ps" => (1, 1_000),
        "fs" => (1, 1_000_000),
        "as" => (1, 1_000_000_000),
        _ => {
            return Err(Error::Conversion(format!(
                "numpy.{what} {obj} is in {unit}, which has no fixed length; expected a unit \
                 from weeks to nanoseconds"
            )));
        }
    };
    let raw: i64 = obj.call_method1("astype", ("int64",)).and_then(|v| v.extract()).map_err(conversion)?;
    let units = i128::from(raw) * i128::from(count);
    if units % per_nano != 0 {
        return Err(Error::Conversion(format!(
            "numpy.{what} {obj} has digits below the nanosecond, which Java's time types cannot hold"
        )));
    }
    let nanos = units / per_nano * per_unit;
    let out_of_range =
        || Error::Conversion(format!("numpy.{what} {obj} is outside the range jarrow can pass on"));
    let (secs, nano) = (nanos.div_euclid(1_000_000_000), nanos.rem_euclid(1_000_000_000) as u32);
    let secs = i64::try_from(secs).map_err(|_| out_of_range())?;
    if is_datetime {
        DateTime::from_timestamp(secs, nano)
            .map(|dt| Value::DateTime(dt.naive_utc()))
            .ok_or_else(out_of_range)
    } else {
        TimeDelta::new(secs, nano).map(Value::Duration).ok_or_else(out_of_range)
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
