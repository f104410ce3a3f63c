//! Rows of named values to one Arrow record batch and back: how many single-record calls become
//! one batch for one Python call, and how each caller gets its own row of the result.
//!
//! Column types are inferred from the values, so a host needs no schema to batch its records.
//! A row whose value does not fit its column's inferred type is left out with its own error
//! instead of failing every other row of the batch.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::temporal_conversions::{as_date, as_datetime, as_time};
use arrow::array::timezone::Tz;
use arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float64Array,
    Int64Array, ListArray, NullArray, RecordBatch, RecordBatchOptions, StringArray, Time64MicrosecondArray,
    TimestampMicrosecondArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::*;
use bigdecimal::num_bigint::BigInt;
use bigdecimal::{BigDecimal, ToPrimitive};
use chrono::{DateTime, FixedOffset, Offset, TimeDelta, TimeZone, Timelike, Utc};

use crate::error::{Error, Result};
use crate::value::Value;

/// One record: `(column name, value)` pairs. A name missing from a row is null in that row.
pub type Row = Vec<(ColumnName, Value)>;

/// A column name, shared: rows from one producer hold the same few names, so cloning one is a
/// reference-count increment, not an allocation.
pub type ColumnName = Arc<str>;

/// The batch built from rows, and which rows could not go in it.
#[derive(Debug, Clone)]
pub struct RowBatch {
    /// The rows that fit their columns, in input order.
    pub batch: RecordBatch,
    /// One entry per input row: `None` when the row is in `batch`, else why it was left out
    /// (an [`Error::Conversion`] naming the column, the value's kind and the column's type).
    pub rejected: Vec<Option<Error>>,
}

/// The widest precision Decimal128 holds.
const DECIMAL_PRECISION: u8 = 38;

/// Whether two column names are equal; the same shared name is recognised without comparing text.
fn same_name(a: &ColumnName, b: &ColumnName) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// Builds one batch from many rows.
///
/// Columns come in first-seen name order (the union of every row's names). A column's type is
/// inferred from its non-null values: Int -> Int64, Float -> Float64 (an Int and a Float mixed ->
/// Float64), Bool -> Boolean, Str -> Utf8, Bytes -> Binary, Date -> Date32, Time ->
/// Time64(µs), DateTime -> Timestamp(µs), DateTimeTz -> Timestamp(µs, offset of the first value)
/// holding UTC instants, Decimal -> Decimal128(38, largest scale seen), List -> List of its
/// items' type. A column of nulls only is of type Null. When values of a column disagree, the
/// first value's type wins and the rows that do not fit it are rejected, as are ints that have
/// no exact Float64, decimals that need more than 38 digits, and maps (a batch column holds
/// scalars or lists of them).
pub fn rows_to_batch(rows: &[Row]) -> Result<RowBatch> {
    let mut names: Vec<&ColumnName> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut kinds: Vec<Kind> = Vec::new();
    for row in rows {
        for (position, (name, value)) in row.iter().enumerate() {
            // Rows from one producer list their columns in the same order: compare in place
            // before hashing.
            let column = match names.get(position) {
                Some(known) if same_name(known, name) => position,
                _ => *index.entry(name).or_insert_with(|| {
                    names.push(name);
                    kinds.push(Kind::Null);
                    names.len() - 1
                }),
            };
            if let Some(kind) = Kind::of(value) {
                kinds[column] = std::mem::replace(&mut kinds[column], Kind::Null).merge(kind);
            }
        }
    }
    let mut columns: Vec<Column<'_>> = kinds.iter().map(Column::new).collect();
    let types: Vec<DataType> = kinds.iter().map(Kind::data_type).collect();
    let mut rejected = Vec::with_capacity(rows.len());
    let mut cells: Vec<Option<&Value>> = vec![None; names.len()];
    let mut accepted = 0;
    for row in rows {
        cells.iter_mut().for_each(|cell| *cell = None);
        for (position, (name, value)) in row.iter().enumerate() {
            // Every name was registered above; a row naming a column twice keeps its last value.
            let column = match names.get(position) {
                Some(known) if same_name(known, name) => Some(position),
                _ => index.get(name.as_ref()).copied(),
            };
            if let Some(i) = column {
                cells[i] = Some(value);
            }
        }
        let pushed = cells.iter().zip(columns.iter_mut()).enumerate().try_for_each(|(i, (cell, column))| {
            column.push(cell.unwrap_or(&Value::Null)).map_err(|misfit| misfit.error(names[i], &types[i]))
        });
        match pushed {
            Ok(()) => {
                accepted += 1;
                rejected.push(None);
            }
            Err(error) => {
                // Roll back the columns this row already reached.
                columns.iter_mut().for_each(|column| column.truncate(accepted));
                rejected.push(Some(error));
            }
        }
    }
    let fields: Vec<Field> = names
        .iter()
        .zip(&types)
        .map(|(name, data_type)| Field::new(name.as_ref(), data_type.clone(), true))
        .collect();
    let arrays = columns.into_iter().map(Column::finish).collect::<Result<Vec<_>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(accepted));
    let batch = RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options)?;
    Ok(RowBatch { batch, rejected })
}

/// Splits a batch into rows, one `(column name, value)` pair per column. Nulls become
/// [`Value::Null`].
///
/// Supported column types: Null, Boolean, signed and unsigned integers (a UInt64 above
/// `i64::MAX` is an error), Float16/32/64, Utf8, LargeUtf8, Utf8View, Binary, LargeBinary,
/// BinaryView, Date32/64, Time32/64, Timestamp (naive -> DateTime, with a time zone ->
/// DateTimeTz), Decimal128, List, LargeList, FixedSizeList (-> List), Struct (-> Map with Str
/// keys), Map (-> Map) and Dictionary (decoded). A timestamp's zone must be a fixed offset
/// ("+01:00") for its offset to be kept: this build carries no time-zone database, so a named
/// zone ("UTC", "Europe/Paris") gives the same instant at offset +00:00.
pub fn batch_to_rows(batch: &RecordBatch) -> Result<Vec<Row>> {
    let schema = batch.schema();
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, array) in schema.fields().iter().zip(batch.columns()) {
        let values = values(array.as_ref()).map_err(|e| match e {
            Error::Conversion(message) => Error::Conversion(format!("column {:?}: {message}", field.name())),
            other => other,
        })?;
        columns.push((ColumnName::from(field.name().as_str()), values.into_iter()));
    }
    let rows = (0..batch.num_rows())
        .map(|_| {
            columns
                .iter_mut()
                .map(|(name, values)| (ColumnName::clone(name), values.next().unwrap_or(Value::Null)))
                .collect()
        })
        .collect();
    Ok(rows)
}

/// A column's inferred type.
enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    Date,
    Time,
    DateTime,
    DateTimeTz(FixedOffset),
    /// The largest scale seen.
    Decimal(i64),
    List(Box<Kind>),
}

impl Kind {
    /// The kind a value asks for; `None` for a map, an integer beyond 64 bits or a duration, which
    /// no column type here holds.
    fn of(value: &Value) -> Option<Kind> {
        Some(match value {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Int(_) => Kind::Int,
            Value::Float(_) => Kind::Float,
            Value::Str(_) => Kind::Str,
            Value::Bytes(_) => Kind::Bytes,
            Value::Date(_) => Kind::Date,
            Value::Time(_) => Kind::Time,
            Value::DateTime(_) => Kind::DateTime,
            Value::DateTimeTz(dt) => Kind::DateTimeTz(*dt.offset()),
            Value::Decimal(d) => Kind::Decimal(d.fractional_digit_count()),
            Value::List(items) => {
                Kind::List(Box::new(items.iter().filter_map(Kind::of).fold(Kind::Null, Kind::merge)))
            }
            Value::Map(_) | Value::BigInt(_) | Value::Duration(_) => return None,
        })
    }

    /// The kind of a column holding values of both kinds. When they cannot share a column the
    /// first kind stays, and the rows of the other are rejected when the column is built.
    fn merge(self, other: Kind) -> Kind {
        match (self, other) {
            (Kind::Null, other) => other,
            (Kind::Int, Kind::Float) => Kind::Float,
            (Kind::Decimal(a), Kind::Decimal(b)) => Kind::Decimal(a.max(b)),
            (Kind::List(a), Kind::List(b)) => Kind::List(Box::new(a.merge(*b))),
            (kind, _) => kind,
        }
    }

    fn data_type(&self) -> DataType {
        match self {
            Kind::Null => DataType::Null,
            Kind::Bool => DataType::Boolean,
            Kind::Int => DataType::Int64,
            Kind::Float => DataType::Float64,
            Kind::Str => DataType::Utf8,
            Kind::Bytes => DataType::Binary,
            Kind::Date => DataType::Date32,
            Kind::Time => DataType::Time64(TimeUnit::Microsecond),
            Kind::DateTime => DataType::Timestamp(TimeUnit::Microsecond, None),
            Kind::DateTimeTz(offset) => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(offset_name(offset).into()))
            }
            Kind::Decimal(scale) => DataType::Decimal128(DECIMAL_PRECISION, decimal_scale(*scale)),
            Kind::List(item) => DataType::List(Arc::new(Field::new_list_field(item.data_type(), true))),
        }
    }
}

/// Decimal128 holds scales 0..=38; a decimal with more fractional digits fits only when the extra
/// ones are zeros.
fn decimal_scale(scale: i64) -> i8 {
    scale.clamp(0, i64::from(DECIMAL_PRECISION)) as i8
}

/// `+HH:MM`, the form Arrow gives fixed offsets.
fn offset_name(offset: &FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Why a value did not fit its column.
struct Misfit {
    kind: &'static str,
    detail: String,
}

impl Misfit {
    fn kind(value: &Value) -> Misfit {
        Misfit { kind: value.kind(), detail: String::new() }
    }

    fn error(self, column: &str, data_type: &DataType) -> Error {
        Error::Conversion(format!(
            "column {column:?} is {data_type}, and a {} value does not fit it{}",
            self.kind, self.detail
        ))
    }
}

/// A column being built, one row at a time. Rows can be rolled back, so a row is either in every
/// column or in none.
enum Column<'a> {
    Null(usize),
    Bool(Vec<Option<bool>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Str(Vec<Option<&'a str>>),
    Bytes(Vec<Option<&'a [u8]>>),
    Date(Vec<Option<i32>>),
    Time(Vec<Option<i64>>),
    Timestamp { micros: Vec<Option<i64>>, zone: Option<String> },
    Decimal { values: Vec<Option<i128>>, scale: i8 },
    List { item: FieldRef, offsets: Vec<i32>, valid: Vec<bool>, items: Box<Column<'a>> },
}

impl<'a> Column<'a> {
    fn new(kind: &Kind) -> Column<'a> {
        match kind {
            Kind::Null => Column::Null(0),
            Kind::Bool => Column::Bool(Vec::new()),
            Kind::Int => Column::Int(Vec::new()),
            Kind::Float => Column::Float(Vec::new()),
            Kind::Str => Column::Str(Vec::new()),
            Kind::Bytes => Column::Bytes(Vec::new()),
            Kind::Date => Column::Date(Vec::new()),
            Kind::Time => Column::Time(Vec::new()),
            Kind::DateTime => Column::Timestamp { micros: Vec::new(), zone: None },
            Kind::DateTimeTz(offset) => {
                Column::Timestamp { micros: Vec::new(), zone: Some(offset_name(offset)) }
            }
            Kind::Decimal(scale) => Column::Decimal { values: Vec::new(), scale: decimal_scale(*scale) },
            Kind::List(item) => Column::List {
                item: Arc::new(Field::new_list_field(item.data_type(), true)),
                offsets: vec![0],
                valid: Vec::new(),
                items: Box::new(Column::new(item)),
            },
        }
    }

    fn len(&self) -> usize {
        match self {
            Column::Null(len) => *len,
            Column::Bool(v) => v.len(),
            Column::Int(v) | Column::Time(v) | Column::Timestamp { micros: v, .. } => v.len(),
            Column::Float(v) => v.len(),
            Column::Str(v) => v.len(),
            Column::Bytes(v) => v.len(),
            Column::Date(v) => v.len(),
            Column::Decimal { values, .. } => values.len(),
            Column::List { valid, .. } => valid.len(),
        }
    }

    fn truncate(&mut self, len: usize) {
        match self {
            Column::Null(n) => *n = len.min(*n),
            Column::Bool(v) => v.truncate(len),
            Column::Int(v) | Column::Time(v) | Column::Timestamp { micros: v, .. } => v.truncate(len),
            Column::Float(v) => v.truncate(len),
            Column::Str(v) => v.truncate(len),
            Column::Bytes(v) => v.truncate(len),
            Column::Date(v) => v.truncate(len),
            Column::Decimal { values, .. } => values.truncate(len),
            Column::List { offsets, valid, items, .. } => {
                if len < valid.len() {
                    valid.truncate(len);
                    offsets.truncate(len + 1);
                    items.truncate(offsets[len] as usize);
                }
            }
        }
    }

    /// Appends one value, or says why it does not fit (and appends nothing).
    fn push(&mut self, value: &'a Value) -> Result<(), Misfit> {
        match (self, value) {
            (Column::Null(n), Value::Null) => *n += 1,
            (Column::Bool(v), Value::Null) => v.push(None),
            (Column::Int(v) | Column::Time(v) | Column::Timestamp { micros: v, .. }, Value::Null) => {
                v.push(None)
            }
            (Column::Float(v), Value::Null) => v.push(None),
            (Column::Str(v), Value::Null) => v.push(None),
            (Column::Bytes(v), Value::Null) => v.push(None),
            (Column::Date(v), Value::Null) => v.push(None),
            (Column::Decimal { values, .. }, Value::Null) => values.push(None),
            (Column::List { offsets, valid, .. }, Value::Null) => {
                offsets.push(offsets[offsets.len() - 1]);
                valid.push(false);
            }
            (Column::Bool(v), Value::Bool(b)) => v.push(Some(*b)),
            (Column::Int(v), Value::Int(i)) => v.push(Some(*i)),
            (Column::Float(v), Value::Float(f)) => v.push(Some(*f)),
            (Column::Float(v), Value::Int(i)) => {
                let f = *i as f64;
                // Compared in i128: `f as i64` saturates, which would take 2^63 for i64::MAX.
                if f as i128 != i128::from(*i) {
                    return Err(Misfit {
                        kind: value.kind(),
                        detail: format!(" ({i} has no exact float64 value)"),
                    });
                }
                v.push(Some(f));
            }
            (Column::Str(v), Value::Str(s)) => v.push(Some(s)),
            (Column::Bytes(v), Value::Bytes(b)) => v.push(Some(b)),
            (Column::Date(v), Value::Date(d)) => v.push(Some(Date32Type::from_naive_date(*d))),
            (Column::Time(v), Value::Time(t)) => v.push(Some(
                i64::from(t.num_seconds_from_midnight()) * 1_000_000 + i64::from(t.nanosecond() / 1_000),
            )),
            (Column::Timestamp { micros, zone: None }, Value::DateTime(dt)) => {
                micros.push(Some(dt.and_utc().timestamp_micros()))
            }
            (Column::Timestamp { micros, zone: Some(_) }, Value::DateTimeTz(dt)) => {
                micros.push(Some(dt.timestamp_micros()))
            }
            (Column::Decimal { values, scale }, Value::Decimal(d)) => match decimal128(d, *scale) {
                Some(unscaled) => values.push(Some(unscaled)),
                None => {
                    return Err(Misfit {
                        kind: value.kind(),
                        detail: format!(" ({d} needs more than {DECIMAL_PRECISION} digits at scale {scale})"),
                    });
                }
            },
            (Column::List { offsets, valid, items, .. }, Value::List(list)) => {
                let start = items.len();
                for item in list {
                    if let Err(misfit) = items.push(item) {
                        items.truncate(start);
                        return Err(Misfit {
                            kind: misfit.kind,
                            detail: format!(" (in a list){}", misfit.detail),
                        });
                    }
                }
                let Ok(end) = i32::try_from(items.len()) else {
                    items.truncate(start);
                    return Err(Misfit {
                        kind: value.kind(),
                        detail: " (a list column holds at most 2^31 - 1 items in all)".into(),
                    });
                };
                offsets.push(end);
                valid.push(true);
            }
            (_, value) => return Err(Misfit::kind(value)),
        }
        Ok(())
    }

    fn finish(self) -> Result<ArrayRef> {
        Ok(match self {
            Column::Null(len) => Arc::new(NullArray::new(len)),
            Column::Bool(v) => Arc::new(BooleanArray::from(v)),
            Column::Int(v) => Arc::new(Int64Array::from(v)),
            Column::Float(v) => Arc::new(Float64Array::from(v)),
            Column::Str(v) => Arc::new(StringArray::from(v)),
            Column::Bytes(v) => Arc::new(BinaryArray::from(v)),
            Column::Date(v) => Arc::new(Date32Array::from(v)),
            Column::Time(v) => Arc::new(Time64MicrosecondArray::from(v)),
            Column::Timestamp { micros, zone } => {
                Arc::new(TimestampMicrosecondArray::from(micros).with_timezone_opt(zone))
            }
            Column::Decimal { values, scale } => {
                Arc::new(Decimal128Array::from(values).with_precision_and_scale(DECIMAL_PRECISION, scale)?)
            }
            Column::List { item, offsets, valid, items } => {
                let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
                let nulls = NullBuffer::from(valid);
                Arc::new(ListArray::try_new(item, offsets, items.finish()?, Some(nulls))?)
            }
        })
    }
}

/// The unscaled value of `d` at `scale`, if it has no more fractional digits than that and at
/// most 38 digits in all.
fn decimal128(d: &BigDecimal, scale: i8) -> Option<i128> {
    let scaled = d.with_scale(i64::from(scale));
    if &scaled != d {
        return None;
    }
    let unscaled = scaled.into_bigint_and_exponent().0.to_i128()?;
    (unscaled.unsigned_abs() < 10u128.pow(u32::from(DECIMAL_PRECISION))).then_some(unscaled)
}

/// The values of one column, nulls included.
fn values(array: &dyn Array) -> Result<Vec<Value>> {
    let int = |v: i64| Ok(Value::Int(v));
    let values = match array.data_type() {
        DataType::Null => vec![Value::Null; array.len()],
        DataType::Boolean => array.as_boolean().iter().map(|b| b.map_or(Value::Null, Value::Bool)).collect(),
        DataType::Int8 => primitive::<Int8Type>(array, |v| int(v.into()))?,
        DataType::Int16 => primitive::<Int16Type>(array, |v| int(v.into()))?,
        DataType::Int32 => primitive::<Int32Type>(array, |v| int(v.into()))?,
        DataType::Int64 => primitive::<Int64Type>(array, int)?,
        DataType::UInt8 => primitive::<UInt8Type>(array, |v| int(v.into()))?,
        DataType::UInt16 => primitive::<UInt16Type>(array, |v| int(v.into()))?,
        DataType::UInt32 => primitive::<UInt32Type>(array, |v| int(v.into()))?,
        DataType::UInt64 => primitive::<UInt64Type>(array, |v| {
            Ok(i64::try_from(v).map(Value::Int).unwrap_or_else(|_| Value::BigInt(v.into())))
        })?,
        DataType::Float16 => primitive::<Float16Type>(array, |v| Ok(Value::Float(v.to_f64())))?,
        DataType::Float32 => primitive::<Float32Type>(array, |v| Ok(Value::Float(v.into())))?,
        DataType::Float64 => primitive::<Float64Type>(array, |v| Ok(Value::Float(v)))?,
        DataType::Utf8 => strings(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => strings(array.as_string::<i64>().iter()),
        DataType::Utf8View => strings(array.as_string_view().iter()),
        DataType::Binary => binaries(array.as_binary::<i32>().iter()),
        DataType::LargeBinary => binaries(array.as_binary::<i64>().iter()),
        DataType::BinaryView => binaries(array.as_binary_view().iter()),
        DataType::Date32 => temporal::<Date32Type>(array, |v| as_date::<Date32Type>(v).map(Value::Date))?,
        DataType::Date64 => temporal::<Date64Type>(array, |v| as_date::<Date64Type>(v).map(Value::Date))?,
        DataType::Time32(TimeUnit::Second) => temporal::<Time32SecondType>(array, time::<Time32SecondType>)?,
        DataType::Time32(TimeUnit::Millisecond) => {
            temporal::<Time32MillisecondType>(array, time::<Time32MillisecondType>)?
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            temporal::<Time64MicrosecondType>(array, time::<Time64MicrosecondType>)?
        }
        DataType::Time64(TimeUnit::Nanosecond) => {
            temporal::<Time64NanosecondType>(array, time::<Time64NanosecondType>)?
        }
        DataType::Timestamp(unit, zone) => {
            let zone = zone.as_deref();
            match unit {
                TimeUnit::Second => timestamps::<TimestampSecondType>(array, zone)?,
                TimeUnit::Millisecond => timestamps::<TimestampMillisecondType>(array, zone)?,
                TimeUnit::Microsecond => timestamps::<TimestampMicrosecondType>(array, zone)?,
                TimeUnit::Nanosecond => timestamps::<TimestampNanosecondType>(array, zone)?,
            }
        }
        DataType::Duration(unit) => {
            let delta = |v: i64| {
                match unit {
                    TimeUnit::Second => TimeDelta::try_seconds(v),
                    TimeUnit::Millisecond => TimeDelta::try_milliseconds(v),
                    TimeUnit::Microsecond => Some(TimeDelta::microseconds(v)),
                    TimeUnit::Nanosecond => Some(TimeDelta::nanoseconds(v)),
                }
                .map(Value::Duration)
                .ok_or_else(|| {
                    Error::Conversion(format!("duration {v} {unit:?}s is beyond what a duration holds"))
                })
            };
            match unit {
                TimeUnit::Second => primitive::<DurationSecondType>(array, delta)?,
                TimeUnit::Millisecond => primitive::<DurationMillisecondType>(array, delta)?,
                TimeUnit::Microsecond => primitive::<DurationMicrosecondType>(array, delta)?,
                TimeUnit::Nanosecond => primitive::<DurationNanosecondType>(array, delta)?,
            }
        }
        DataType::Decimal128(_, scale) => {
            let scale = i64::from(*scale);
            primitive::<Decimal128Type>(array, |v| {
                Ok(Value::Decimal(BigDecimal::new(BigInt::from(v), scale)))
            })?
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            lists(list, list.values(), |i| {
                (list.value_offsets()[i] as usize, list.value_offsets()[i + 1] as usize)
            })?
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            lists(list, list.values(), |i| {
                (list.value_offsets()[i] as usize, list.value_offsets()[i + 1] as usize)
            })?
        }
        DataType::FixedSizeList(_, size) => {
            let list = array.as_fixed_size_list();
            let size = *size as usize;
            lists(list, list.values(), |i| (list.value_offset_at(i), list.value_offset_at(i) + size))?
        }
        DataType::Struct(fields) => {
            let array = array.as_struct();
            let mut columns = array
                .columns()
                .iter()
                .map(|c| values(c.as_ref()).map(Vec::into_iter))
                .collect::<Result<Vec<_>>>()?;
            (0..array.len())
                .map(|i| {
                    let entries = fields
                        .iter()
                        .zip(columns.iter_mut())
                        .map(|(field, column)| {
                            (Value::Str(field.name().clone()), column.next().unwrap_or(Value::Null))
                        })
                        .collect();
                    if array.is_null(i) { Value::Null } else { Value::Map(entries) }
                })
                .collect()
        }
        DataType::Map(_, _) => {
            let map = array.as_map();
            let offsets = map.value_offsets();
            let (first, last) = (offsets[0] as usize, offsets[map.len()] as usize);
            let keys = values(map.keys().slice(first, last - first).as_ref())?;
            let items = values(map.values().slice(first, last - first).as_ref())?;
            (0..map.len())
                .map(|i| {
                    if map.is_null(i) {
                        return Value::Null;
                    }
                    let (start, end) = (offsets[i] as usize - first, offsets[i + 1] as usize - first);
                    Value::Map(
                        keys[start..end].iter().cloned().zip(items[start..end].iter().cloned()).collect(),
                    )
                })
                .collect()
        }
        DataType::Dictionary(_, value_type) => values(arrow::compute::cast(array, value_type)?.as_ref())?,
        other => {
            return Err(Error::Conversion(format!(
                "cannot convert an Arrow {other} column to values; supported: Null, Boolean, \
                 integers, floats, strings, binaries, dates, times, timestamps, Decimal128, \
                 lists, structs, maps and dictionaries of these"
            )));
        }
    };
    Ok(values)
}

fn primitive<T: ArrowPrimitiveType>(
    array: &dyn Array,
    convert: impl Fn(T::Native) -> Result<Value>,
) -> Result<Vec<Value>> {
    array.as_primitive::<T>().iter().map(|v| v.map_or(Ok(Value::Null), &convert)).collect()
}

/// Dates, times and timestamps: a raw value outside chrono's range is an error naming the type.
fn temporal<T: ArrowPrimitiveType>(
    array: &dyn Array,
    convert: impl Fn(i64) -> Option<Value>,
) -> Result<Vec<Value>>
where
    T::Native: Into<i64>,
{
    primitive::<T>(array, |v| {
        let v = v.into();
        convert(v).ok_or_else(|| Error::Conversion(format!("{} value {v} is out of range", T::DATA_TYPE)))
    })
}

fn time<T: ArrowPrimitiveType>(v: i64) -> Option<Value> {
    as_time::<T>(v).map(Value::Time)
}

fn timestamps<T: ArrowTimestampType>(array: &dyn Array, zone: Option<&str>) -> Result<Vec<Value>> {
    let Some(zone) = zone else {
        return temporal::<T>(array, |v| as_datetime::<T>(v).map(Value::DateTime));
    };
    // Without a time-zone database only fixed offsets parse; a named zone keeps the instant, in UTC.
    let zone: Option<Tz> = zone.parse().ok();
    temporal::<T>(array, |v| {
        let utc = as_datetime::<T>(v)?;
        let offset = zone.map_or(Utc.fix(), |zone| zone.offset_from_utc_datetime(&utc).fix());
        Some(Value::DateTimeTz(DateTime::from_naive_utc_and_offset(utc, offset)))
    })
}

fn strings<'s>(iter: impl Iterator<Item = Option<&'s str>>) -> Vec<Value> {
    iter.map(|s| s.map_or(Value::Null, |s| Value::Str(s.to_owned()))).collect()
}

fn binaries<'s>(iter: impl Iterator<Item = Option<&'s [u8]>>) -> Vec<Value> {
    iter.map(|b| b.map_or(Value::Null, |b| Value::Bytes(b.to_vec()))).collect()
}

/// List-like columns: each row's `(start, end)` in the child array; only the part of the child
/// the rows use is converted (a sliced list shares its child with the whole array).
fn lists(array: &dyn Array, items: &ArrayRef, range: impl Fn(usize) -> (usize, usize)) -> Result<Vec<Value>> {
    if array.is_empty() {
        return Ok(Vec::new());
    }
    let (first, last) = (range(0).0, range(array.len() - 1).1);
    let items = values(items.slice(first, last - first).as_ref())?;
    Ok((0..array.len())
        .map(|i| {
            if array.is_null(i) {
                return Value::Null;
            }
            let (start, end) = range(i);
            Value::List(items[start - first..end - first].to_vec())
        })
        .collect())
}
