//! Rows of values to one Arrow batch and back: inferred column types, nulls and missing columns,
//! rows that do not fit their column, and every Arrow type rows are read from.

use std::str::FromStr;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, AsArray, BinaryViewArray, Date64Array, DictionaryArray, DurationSecondArray,
    FixedSizeListArray, Float32Array, Int8Array, Int16Array, Int32Array, Int64Array, Int64Builder,
    LargeBinaryArray, LargeListArray, LargeStringArray, ListArray, MapBuilder, RecordBatch, StringArray,
    StringBuilder, StringViewArray, StructArray, Time32MillisecondArray, Time32SecondArray,
    Time64NanosecondArray, TimestampMicrosecondArray, TimestampMillisecondArray, TimestampNanosecondArray,
    TimestampSecondArray, UInt8Array, UInt16Array, UInt32Array, UInt64Array,
};
use arrow::datatypes::{DataType, Field, Int32Type, Int64Type, TimeUnit};
use bigdecimal::BigDecimal;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use jarrow::arrow::rows::{Row, batch_to_rows, rows_to_batch};
use jarrow::{Error, Value};

fn row(cells: &[(&str, Value)]) -> Row {
    cells.iter().map(|(name, value)| ((*name).into(), value.clone())).collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn time(h: u32, m: u32, s: u32, micro: u32) -> NaiveTime {
    NaiveTime::from_hms_micro_opt(h, m, s, micro).unwrap()
}

fn datetime(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").unwrap()
}

fn datetime_tz(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn decimal(s: &str) -> Value {
    Value::Decimal(BigDecimal::from_str(s).unwrap())
}

fn ints(values: &[i64]) -> Value {
    Value::List(values.iter().map(|&v| Value::Int(v)).collect())
}

fn column_types(batch: &RecordBatch) -> Vec<(String, DataType)> {
    batch.schema().fields().iter().map(|f| (f.name().clone(), f.data_type().clone())).collect()
}

fn get<'r>(row: &'r Row, name: &str) -> &'r Value {
    &row.iter().find(|(n, _)| n.as_ref() == name).unwrap_or_else(|| panic!("no {name:?} in {row:?}")).1
}

#[test]
fn every_value_type_round_trips_with_nulls_and_missing_columns() {
    let full = row(&[
        ("int", Value::Int(-7)),
        ("float", Value::Float(1.5)),
        ("bool", Value::Bool(true)),
        ("str", Value::Str("héllo".into())),
        ("bytes", Value::Bytes(vec![0, 1, 255])),
        ("date", Value::Date(date(2024, 2, 29))),
        ("time", Value::Time(time(12, 34, 56, 789_012))),
        ("datetime", Value::DateTime(datetime("2024-01-02T03:04:05.123456"))),
        ("datetime_tz", Value::DateTimeTz(datetime_tz("2024-01-02T03:04:05.5+02:00"))),
        ("decimal", decimal("-12345.678")),
        ("list", ints(&[1, 2, 3])),
        ("nothing", Value::Null),
    ]);
    // Nulls everywhere, "str" and "list" missing, a column of its own, another column order.
    let sparse = row(&[
        ("late", Value::Str("only here".into())),
        ("float", Value::Null),
        ("int", Value::Null),
        ("bool", Value::Null),
        ("bytes", Value::Null),
        ("date", Value::Null),
        ("time", Value::Null),
        ("datetime", Value::Null),
        ("datetime_tz", Value::Null),
        ("decimal", Value::Null),
        ("nothing", Value::Null),
    ]);
    let lists =
        row(&[("list", Value::List(vec![Value::Int(4), Value::Null])), ("str", Value::Str(String::new()))]);
    let empty_list = row(&[("list", Value::List(vec![]))]);
    let rows = vec![full.clone(), sparse, lists, empty_list];
    let built = rows_to_batch(&rows).unwrap();
    assert!(built.rejected.iter().all(Option::is_none), "{:?}", built.rejected);
    let batch = built.batch;
    assert_eq!(batch.num_rows(), 4);
    let list = |item: DataType| DataType::List(Arc::new(Field::new_list_field(item, true)));
    let expected_types = [
        ("int", DataType::Int64),
        ("float", DataType::Float64),
        ("bool", DataType::Boolean),
        ("str", DataType::Utf8),
        ("bytes", DataType::Binary),
        ("date", DataType::Date32),
        ("time", DataType::Time64(TimeUnit::Microsecond)),
        ("datetime", DataType::Timestamp(TimeUnit::Microsecond, None)),
        ("datetime_tz", DataType::Timestamp(TimeUnit::Microsecond, Some("+02:00".into()))),
        ("decimal", DataType::Decimal128(38, 3)),
        ("list", list(DataType::Int64)),
        ("nothing", DataType::Null),
        ("late", DataType::Utf8),
    ];
    let expected_types: Vec<_> = expected_types.into_iter().map(|(n, t)| (n.to_string(), t)).collect();
    assert_eq!(column_types(&batch), expected_types);

    let back = batch_to_rows(&batch).unwrap();
    assert_eq!(back.len(), 4);
    let names: Vec<&str> = expected_types.iter().map(|(n, _)| n.as_str()).collect();
    for row in &back {
        assert_eq!(row.iter().map(|(n, _)| n.as_ref()).collect::<Vec<_>>(), names);
    }
    // The full row comes back as it went, "late" (missing from it) as null.
    for (name, value) in &full {
        assert_eq!(get(&back[0], name), value, "{name}");
    }
    assert_eq!(get(&back[0], "late"), &Value::Null);
    let Value::DateTimeTz(dt) = get(&back[0], "datetime_tz") else { panic!() };
    assert_eq!(dt.offset(), &FixedOffset::east_opt(2 * 3600).unwrap());
    // The sparse row: nulls, and nulls for the columns it did not name.
    for name in names.iter().filter(|n| **n != "late") {
        assert_eq!(get(&back[1], name), &Value::Null, "{name}");
    }
    assert_eq!(get(&back[1], "late"), &Value::Str("only here".into()));
    assert_eq!(get(&back[2], "list"), &Value::List(vec![Value::Int(4), Value::Null]));
    assert_eq!(get(&back[2], "str"), &Value::Str(String::new()));
    assert_eq!(get(&back[3], "list"), &Value::List(vec![]));
    assert_eq!(get(&back[3], "int"), &Value::Null);
}

#[test]
fn ints_and_floats_mixed_make_a_float64_column() {
    let rows: Vec<Row> = [Value::Int(1), Value::Float(2.5), Value::Int(-3), Value::Null]
        .into_iter()
        .map(|v| row(&[("x", v)]))
        .collect();
    let built = rows_to_batch(&rows).unwrap();
    assert_eq!(column_types(&built.batch), [("x".to_string(), DataType::Float64)]);
    let back: Vec<Value> = batch_to_rows(&built.batch).unwrap().iter().map(|r| get(r, "x").clone()).collect();
    assert_eq!(back, [Value::Float(1.0), Value::Float(2.5), Value::Float(-3.0), Value::Null]);
    // Also inside lists.
    let rows = vec![row(&[("l", ints(&[1]))]), row(&[("l", Value::List(vec![Value::Float(0.5)]))])];
    let built = rows_to_batch(&rows).unwrap();
    assert_eq!(
        built.batch.schema().field(0).data_type(),
        &DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true)))
    );
    assert_eq!(get(&batch_to_rows(&built.batch).unwrap()[0], "l"), &Value::List(vec![Value::Float(1.0)]));
}

fn conversion_message(error: &Option<Error>) -> &str {
    match error {
        Some(Error::Conversion(message)) => message,
        other => panic!("expected a conversion error, got {other:?}"),
    }
}

#[test]
fn a_row_that_does_not_fit_gets_its_own_error_and_the_rest_go_on() {
    let rows = vec![
        row(&[("x", Value::Int(1)), ("y", Value::Int(10))]),
        // "y" fits, "x" does not: the row is left out of both columns.
        row(&[("y", Value::Int(20)), ("x", Value::Str("two".into()))]),
        row(&[("x", Value::Int(3)), ("y", Value::Int(30))]),
        row(&[("x", Value::Map(vec![(Value::Str("k".into()), Value::Int(1))]))]),
    ];
    let built = rows_to_batch(&rows).unwrap();
    assert_eq!(built.batch.num_rows(), 2);
    assert!(built.rejected[0].is_none() && built.rejected[2].is_none());
    let message = conversion_message(&built.rejected[1]);
    assert!(
        message.contains("\"x\"") && message.contains("string") && message.contains("Int64"),
        "{message}"
    );
    let message = conversion_message(&built.rejected[3]);
    assert!(message.contains("\"x\"") && message.contains("map"), "{message}");
    let back = batch_to_rows(&built.batch).unwrap();
    assert_eq!(
        back,
        vec![
            row(&[("x", Value::Int(1)), ("y", Value::Int(10))]),
            row(&[("x", Value::Int(3)), ("y", Value::Int(30))])
        ]
    );
}

#[test]
fn list_items_that_do_not_fit_reject_their_row() {
    let rows = vec![
        row(&[("l", ints(&[1, 2]))]),
        row(&[("l", Value::List(vec![Value::Int(3), Value::Str("x".into())]))]),
        row(&[("l", ints(&[5]))]),
    ];
    let built = rows_to_batch(&rows).unwrap();
    let message = conversion_message(&built.rejected[1]);
    assert!(message.contains("\"l\"") && message.contains("string") && message.contains("List"), "{message}");
    let back: Vec<Value> = batch_to_rows(&built.batch).unwrap().iter().map(|r| get(r, "l").clone()).collect();
    assert_eq!(back, [ints(&[1, 2]), ints(&[5])]);
}

#[test]
fn an_int_with_no_exact_float_does_not_fit_a_float_column() {
    let rows = vec![
        row(&[("x", Value::Float(0.5))]),
        row(&[("x", Value::Int((1 << 53) + 1))]),
        row(&[("x", Value::Int(i64::MAX))]),
    ];
    let built = rows_to_batch(&rows).unwrap();
    assert_eq!(built.batch.num_rows(), 1);
    assert!(conversion_message(&built.rejected[1]).contains("9007199254740993"));
    assert!(conversion_message(&built.rejected[2]).contains(&i64::MAX.to_string()));
}

#[test]
fn decimals_take_the_largest_scale_and_must_fit_38_digits() {
    let rows = vec![
        row(&[("d", decimal("1.5"))]),
        row(&[("d", decimal("-2.25"))]),
        row(&[("d", decimal("1E+3"))]),
        row(&[("d", decimal("1e40"))]),
        row(&[("d", decimal("123456789012345678901234567890123456.78"))]),
    ];
    let built = rows_to_batch(&rows).unwrap();
    assert_eq!(built.batch.schema().field(0).data_type(), &DataType::Decimal128(38, 2));
    let message = conversion_message(&built.rejected[3]);
    assert!(
        message.contains("\"d\"") && message.contains("decimal") && message.contains("38 digits"),
        "{message}"
    );
    assert!(built.rejected[4].is_none(), "38 digits fit: {:?}", built.rejected[4]);
    let back: Vec<Value> = batch_to_rows(&built.batch).unwrap().iter().map(|r| get(r, "d").clone()).collect();
    let expected = ["1.5", "-2.25", "1000", "123456789012345678901234567890123456.78"].map(decimal);
    assert_eq!(back, expected);
}

#[test]
fn datetimes_with_offsets_are_utc_instants_shown_at_the_first_offset() {
    let rows = vec![
        row(&[("t", Value::DateTimeTz(datetime_tz("2024-06-01T12:00:00+02:00")))]),
        row(&[("t", Value::DateTimeTz(datetime_tz("2024-06-01T12:00:00-05:00")))]),
        row(&[("t", Value::DateTime(datetime("2024-06-01T12:00:00")))]),
    ];
    let built = rows_to_batch(&rows).unwrap();
    let zone = Some("+02:00".into());
    assert_eq!(built.batch.schema().field(0).data_type(), &DataType::Timestamp(TimeUnit::Microsecond, zone));
    let micros = built.batch.column(0).as_primitive::<arrow::datatypes::TimestampMicrosecondType>();
    assert_eq!(micros.value(0), datetime_tz("2024-06-01T10:00:00Z").timestamp_micros());
    assert_eq!(micros.value(1), datetime_tz("2024-06-01T17:00:00Z").timestamp_micros());
    let message = conversion_message(&built.rejected[2]);
    assert!(message.contains("datetime") && message.contains("Timestamp"), "{message}");
    let back = batch_to_rows(&built.batch).unwrap();
    let Value::DateTimeTz(second) = get(&back[1], "t") else { panic!() };
    assert_eq!(second, &datetime_tz("2024-06-01T19:00:00+02:00"));
    assert_eq!(second.offset().local_minus_utc(), 2 * 3600);
}

#[test]
fn null_only_columns_and_empty_input() {
    let built = rows_to_batch(&[row(&[("n", Value::Null)]), row(&[])]).unwrap();
    assert_eq!(column_types(&built.batch), [("n".to_string(), DataType::Null)]);
    assert_eq!(batch_to_rows(&built.batch).unwrap(), vec![row(&[("n", Value::Null)]); 2]);
    let empty = rows_to_batch(&[]).unwrap();
    assert_eq!((empty.batch.num_rows(), empty.batch.num_columns()), (0, 0));
    assert!(batch_to_rows(&empty.batch).unwrap().is_empty());
    let no_columns = rows_to_batch(&[row(&[]), row(&[]), row(&[])]).unwrap();
    assert_eq!((no_columns.batch.num_rows(), no_columns.batch.num_columns()), (3, 0));
    assert_eq!(batch_to_rows(&no_columns.batch).unwrap(), vec![Row::new(); 3]);
}

fn values_of(array: ArrayRef) -> Vec<Value> {
    let batch = RecordBatch::try_from_iter([("c", array)]).unwrap();
    batch_to_rows(&batch).unwrap().into_iter().map(|mut row| row.remove(0).1).collect()
}

#[test]
fn integer_and_float_types_become_int_and_float() {
    assert_eq!(values_of(Arc::new(Int8Array::from(vec![Some(-8), None]))), [Value::Int(-8), Value::Null]);
    assert_eq!(values_of(Arc::new(Int16Array::from(vec![Some(-16)]))), [Value::Int(-16)]);
    assert_eq!(values_of(Arc::new(Int32Array::from(vec![Some(-32)]))), [Value::Int(-32)]);
    assert_eq!(values_of(Arc::new(UInt8Array::from(vec![Some(255), None]))), [Value::Int(255), Value::Null]);
    assert_eq!(values_of(Arc::new(UInt16Array::from(vec![65535]))), [Value::Int(65535)]);
    assert_eq!(values_of(Arc::new(UInt32Array::from(vec![u32::MAX]))), [Value::Int(u32::MAX.into())]);
    let max = i64::MAX as u64;
    assert_eq!(values_of(Arc::new(UInt64Array::from(vec![max]))), [Value::Int(i64::MAX)]);
    let half = arrow::compute::cast(&Float32Array::from(vec![Some(1.5), None]), &DataType::Float16).unwrap();
    assert_eq!(values_of(half), [Value::Float(1.5), Value::Null]);
    assert_eq!(values_of(Arc::new(Float32Array::from(vec![0.25]))), [Value::Float(0.25)]);
}

#[test]
fn string_and_binary_types() {
    let expected = [Value::Str("a".into()), Value::Null];
    assert_eq!(values_of(Arc::new(LargeStringArray::from(vec![Some("a"), None]))), expected);
    assert_eq!(values_of(Arc::new(StringViewArray::from(vec![Some("a"), None]))), expected);
    let expected = [Value::Bytes(vec![1, 2]), Value::Null];
    assert_eq!(values_of(Arc::new(LargeBinaryArray::from(vec![Some(&[1u8, 2][..]), None]))), expected);
    assert_eq!(values_of(Arc::new(BinaryViewArray::from(vec![Some(&[1u8, 2][..]), None]))), expected);
}

#[test]
fn date_time_and_timestamp_types() {
    let day = date(2024, 3, 1);
    let midnight_ms = day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis();
    assert_eq!(
        values_of(Arc::new(Date64Array::from(vec![Some(midnight_ms), None]))),
        [Value::Date(day), Value::Null]
    );
    assert_eq!(values_of(Arc::new(Time32SecondArray::from(vec![3661]))), [Value::Time(time(1, 1, 1, 0))]);
    assert_eq!(
        values_of(Arc::new(Time32MillisecondArray::from(vec![3_661_250]))),
        [Value::Time(time(1, 1, 1, 250_000))]
    );
    let nanos = 3_661_000_001_000i64;
    assert_eq!(
        values_of(Arc::new(Time64NanosecondArray::from(vec![nanos]))),
        [Value::Time(time(1, 1, 1, 1))]
    );

    let instant = datetime("2024-03-01T10:20:30.123456");
    let utc = instant.and_utc();
    assert_eq!(
        values_of(Arc::new(TimestampSecondArray::from(vec![utc.timestamp()]))),
        [Value::DateTime(datetime("2024-03-01T10:20:30"))]
    );
    assert_eq!(
        values_of(Arc::new(TimestampMillisecondArray::from(vec![utc.timestamp_millis()]))),
        [Value::DateTime(datetime("2024-03-01T10:20:30.123"))]
    );
    let nanos = utc.timestamp_nanos_opt().unwrap();
    assert_eq!(
        values_of(Arc::new(TimestampNanosecondArray::from(vec![Some(nanos), None]))),
        [Value::DateTime(instant), Value::Null]
    );

    // A fixed-offset zone keeps its offset; a named one (no tz database here) keeps the instant.
    let india = TimestampMillisecondArray::from(vec![utc.timestamp_millis()]).with_timezone("+05:30");
    let Value::DateTimeTz(dt) = &values_of(Arc::new(india))[0] else { panic!() };
    assert_eq!(dt, &datetime_tz("2024-03-01T15:50:30.123+05:30"));
    assert_eq!(dt.offset().local_minus_utc(), 5 * 3600 + 30 * 60);
    let named = TimestampMicrosecondArray::from(vec![utc.timestamp_micros()]).with_timezone("UTC");
    let Value::DateTimeTz(dt) = &values_of(Arc::new(named))[0] else { panic!() };
    assert_eq!(dt.naive_utc(), instant);
    assert_eq!(dt.offset().local_minus_utc(), 0);
}

#[test]
fn list_types_become_lists() {
    let data = vec![Some(vec![Some(1), None]), None, Some(vec![]), Some(vec![Some(4)])];
    let expected = [Value::List(vec![Value::Int(1), Value::Null]), Value::Null, ints(&[]), ints(&[4])];
    let list = ListArray::from_iter_primitive::<Int64Type, _, _>(data.clone());
    assert_eq!(values_of(Arc::new(list.clone())), expected);
    assert_eq!(values_of(Arc::new(LargeListArray::from_iter_primitive::<Int64Type, _, _>(data))), expected);
    // A slice shares its child array with the whole list.
    assert_eq!(values_of(Arc::new(list.slice(2, 2))), expected[2..]);
    let fixed = FixedSizeListArray::from_iter_primitive::<Int32Type, _, _>(
        vec![Some(vec![Some(1), Some(2)]), None, Some(vec![Some(5), None])],
        2,
    );
    let expected = [ints(&[1, 2]), Value::Null, Value::List(vec![Value::Int(5), Value::Null])];
    assert_eq!(values_of(Arc::new(fixed.clone())), expected);
    assert_eq!(values_of(Arc::new(fixed.slice(1, 2))), expected[1..]);
}

#[test]
fn structs_and_maps_become_maps() {
    let a = Arc::new(Int64Array::from(vec![Some(1), None])) as ArrayRef;
    let b = Arc::new(StringArray::from(vec!["x", "y"])) as ArrayRef;
    let fields = vec![Field::new("a", DataType::Int64, true), Field::new("b", DataType::Utf8, false)];
    let nulls = arrow::buffer::NullBuffer::from(vec![true, false]);
    let structs = StructArray::try_new(fields.into(), vec![a, b], Some(nulls)).unwrap();
    let entries =
        vec![(Value::Str("a".into()), Value::Int(1)), (Value::Str("b".into()), Value::Str("x".into()))];
    assert_eq!(values_of(Arc::new(structs)), [Value::Map(entries), Value::Null]);

    let mut maps = MapBuilder::new(None, StringBuilder::new(), Int64Builder::new());
    maps.keys().append_value("k");
    maps.values().append_value(7);
    maps.append(true).unwrap();
    maps.append(false).unwrap();
    let expected = [Value::Map(vec![(Value::Str("k".into()), Value::Int(7))]), Value::Null];
    assert_eq!(values_of(Arc::new(maps.finish())), expected);
}

#[test]
fn dictionaries_are_decoded() {
    let dictionary: DictionaryArray<Int32Type> =
        vec![Some("red"), None, Some("blue"), Some("red")].into_iter().collect();
    let expected =
        ["red", "", "blue", "red"].map(|s| if s.is_empty() { Value::Null } else { Value::Str(s.into()) });
    assert_eq!(values_of(Arc::new(dictionary)), expected);
}

#[test]
fn unsupported_types_are_named() {
    let batch = RecordBatch::try_from_iter([(
        "d",
        Arc::new(arrow::array::IntervalYearMonthArray::from(vec![1])) as ArrayRef,
    )])
    .unwrap();
    match batch_to_rows(&batch) {
        Err(Error::Conversion(message)) => {
            assert!(message.contains("\"d\"") && message.contains("Interval"), "{message}")
        }
        other => panic!("expected a conversion error, got {other:?}"),
    }
}

#[test]
fn durations_and_unsigned_64_bit_integers_come_back_exactly() {
    use arrow::array::DurationNanosecondArray;
    let batch = RecordBatch::try_from_iter([
        ("big", Arc::new(UInt64Array::from(vec![Some(u64::MAX), Some(7), None])) as ArrayRef),
        (
            "ns",
            Arc::new(DurationNanosecondArray::from(vec![Some(-1_500), Some(86_400_000_000_123), None]))
                as ArrayRef,
        ),
        ("s", Arc::new(DurationSecondArray::from(vec![Some(3), Some(i64::MAX), Some(0)])) as ArrayRef),
    ]);
    let batch = batch.unwrap();
    let err = batch_to_rows(&batch).unwrap_err();
    assert!(matches!(&err, Error::Conversion(m) if m.contains("beyond what a duration holds")), "{err}");
    let rows = batch_to_rows(&batch.slice(0, 1)).unwrap();
    assert_eq!(get(&rows[0], "big"), &Value::BigInt(u64::MAX.into()));
    assert_eq!(get(&rows[0], "ns"), &Value::Duration(chrono::TimeDelta::nanoseconds(-1_500)));
    assert_eq!(get(&rows[0], "s"), &Value::Duration(chrono::TimeDelta::seconds(3)));
    let rows = batch_to_rows(&batch.slice(2, 1)).unwrap();
    assert_eq!((get(&rows[0], "big"), get(&rows[0], "ns")), (&Value::Null, &Value::Null));
}
