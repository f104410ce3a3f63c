//! Scalar conversions both ways, call shapes and the primitive fast paths.

mod common;

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{FixedOffset, NaiveDate, NaiveTime, TimeZone};
use common::python;
use jarrow::{Error, Value};

fn round_trip(value: Value) -> Value {
    python().function("udfs:identity").unwrap().call(&[value], &[]).unwrap()
}

fn assert_round_trips(value: Value) {
    assert_eq!(round_trip(value.clone()), value);
}

#[test]
fn integers_at_their_boundaries() {
    for i in [0, 1, -1, 255, 256, -5, 257, i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX - 1] {
        assert_round_trips(Value::Int(i));
    }
}

#[test]
fn floats_including_nan_infinities_and_signed_zero() {
    for f in [
        0.0,
        1.5,
        -2.25,
        f64::MIN,
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::EPSILON,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        assert_round_trips(Value::Float(f));
    }
    let Value::Float(nan) = round_trip(Value::Float(f64::NAN)) else { panic!() };
    assert!(nan.is_nan());
    let Value::Float(zero) = round_trip(Value::Float(-0.0)) else { panic!() };
    assert!(zero == 0.0 && zero.is_sign_negative());
}

#[test]
fn null_bool_strings_and_bytes() {
    assert_round_trips(Value::Null);
    assert_round_trips(Value::Bool(true));
    assert_round_trips(Value::Bool(false));
    for s in ["", "a", "héllo wörld", "日本語のテキスト", "emoji 🎉 and \u{0}nul", "\u{10FFFF}"] {
        assert_round_trips(Value::Str(s.to_owned()));
    }
    assert_round_trips(Value::Bytes(vec![]));
    assert_round_trips(Value::Bytes((0..=255).collect()));
}

#[test]
fn nested_lists_and_dicts() {
    let nested = Value::Map(vec![
        (Value::Str("ids".into()), Value::List(vec![Value::Int(1), Value::Int(2), Value::Null])),
        (Value::Int(7), Value::List(vec![])),
        (
            Value::Str("inner".into()),
            Value::Map(vec![(
                Value::Str("deep".into()),
                Value::List(vec![Value::List(vec![Value::Float(0.5)])]),
            )]),
        ),
        (Value::Str("empty".into()), Value::Map(vec![])),
    ]);
    assert_round_trips(nested);
    assert_round_trips(Value::List(vec![Value::Str("ü".into()), Value::Bytes(vec![1]), Value::Bool(false)]));
}

#[test]
fn dates_times_and_decimals() {
    assert_round_trips(Value::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()));
    assert_round_trips(Value::Date(NaiveDate::from_ymd_opt(1, 1, 1).unwrap()));
    assert_round_trips(Value::Date(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()));
    assert_round_trips(Value::Time(NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap()));
    let dt = NaiveDate::from_ymd_opt(1969, 12, 31).unwrap().and_hms_micro_opt(23, 59, 59, 123_456).unwrap();
    assert_round_trips(Value::DateTime(dt));
    let offset = FixedOffset::east_opt(5 * 3600 + 30 * 60).unwrap();
    assert_round_trips(Value::DateTimeTz(offset.from_local_datetime(&dt).unwrap()));
    for d in
        ["0", "-1.5", "12345678901234567890.0123456789", "1E-30", "-99999999999999999999999999999999999999"]
    {
        assert_round_trips(Value::Decimal(BigDecimal::from_str(d).unwrap()));
    }
}

#[test]
fn values_arrive_as_the_python_types_a_udf_expects() {
    let type_name = python().function("udfs:type_name").unwrap();
    let cases = [
        (Value::Int(1), "int"),
        (Value::Float(1.0), "float"),
        (Value::Bool(true), "bool"),
        (Value::Bytes(vec![1]), "bytes"),
        (Value::List(vec![]), "list"),
        (Value::Map(vec![]), "dict"),
        (Value::Date(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()), "date"),
        (Value::Time(NaiveTime::from_hms_opt(1, 2, 3).unwrap()), "time"),
        (Value::Decimal(BigDecimal::from_str("1.25").unwrap()), "Decimal"),
        (Value::Null, "NoneType"),
    ];
    for (value, expected) in cases {
        assert_eq!(
            type_name.call(std::slice::from_ref(&value), &[]).unwrap(),
            Value::Str(expected.into()),
            "{value:?}"
        );
    }
}

#[test]
fn python_only_types_convert_or_fail_clearly() {
    let python = python();
    assert_eq!(python.eval("__import__('numpy').int64(7)").unwrap(), Value::Int(7));
    assert_eq!(python.eval("__import__('numpy').float32(1.5)").unwrap(), Value::Float(1.5));
    assert_eq!(python.eval("__import__('numpy').bool_(True)").unwrap(), Value::Bool(true));
    assert_eq!(python.eval("(1, 'a')").unwrap(), Value::List(vec![Value::Int(1), Value::Str("a".into())]));
    assert_eq!(python.eval("bytearray(b'xy')").unwrap(), Value::Bytes(b"xy".to_vec()));
    let err = python.eval("object()").unwrap_err();
    assert!(
        matches!(&err, Error::Conversion(m) if m.contains("of type object;") && m.contains("supported")),
        "{err}"
    );
    let err = python.eval("__import__('decimal').Decimal('NaN')").unwrap_err();
    assert!(matches!(err, Error::Conversion(_)), "{err}");
}

#[test]
fn an_int_beyond_64_bits_is_exact_and_call_i64_refuses_it() {
    let huge = python().function("udfs:two_to_the_70").unwrap().call(&[], &[]).unwrap();
    let expected: jarrow::BigInt = "1180591620717411303424".parse().unwrap();
    assert_eq!(huge, Value::BigInt(expected.clone()));
    let echoed =
        python().function("udfs:identity").unwrap().call(&[Value::BigInt(-expected.clone())], &[]).unwrap();
    assert_eq!(echoed, Value::BigInt(-expected));
    let err = python().function("udfs:add_one").unwrap().call_i64(i64::MAX).unwrap_err();
    assert!(matches!(&err, Error::Conversion(m) if m.contains("9223372036854775808")), "{err}");
}

#[test]
fn args_kwargs_and_no_args() {
    let echo = python().function("udfs:echo").unwrap();
    let result = echo
        .call(&[Value::Int(1), Value::Str("two".into())], &[("three".into(), Value::Float(3.0))])
        .unwrap();
    let expected = Value::List(vec![
        Value::List(vec![Value::Int(1), Value::Str("two".into())]),
        Value::Map(vec![(Value::Str("three".into()), Value::Float(3.0))]),
    ]);
    assert_eq!(result, expected);
    let empty = echo.call(&[], &[]).unwrap();
    assert_eq!(empty, Value::List(vec![Value::List(vec![]), Value::Map(vec![])]));
}

#[test]
fn instance_static_and_class_methods() {
    let python = python();
    let score = python.function("udfs:Scorer.score").unwrap();
    assert_eq!(score.call_i64(1).unwrap(), 101);
    assert_eq!(score.call_i64(2).unwrap(), 102);
    // One instance per resolution, not per call.
    assert_eq!(python.function("udfs:Scorer.count").unwrap().call(&[], &[]).unwrap(), Value::Int(1));
    let double = python.function("udfs:Scorer.static_double").unwrap();
    assert_eq!(double.call_i64(21).unwrap(), 42);
}

#[test]
fn primitive_fast_paths() {
    let python = python();
    let add_one = python.function("udfs:add_one").unwrap();
    assert_eq!(add_one.call_i64(41).unwrap(), 42);
    assert_eq!(add_one.call_i64(i64::MIN).unwrap(), i64::MIN + 1);
    let half = python.function("udfs:half").unwrap();
    assert_eq!(half.call_f64(3.0).unwrap(), 1.5);
    assert!(half.call_f64(f64::NAN).unwrap().is_nan());
    // An int result is widened for call_f64; anything else names the type received.
    assert_eq!(python.function("udfs:add_one").unwrap().call_f64(1.0).unwrap(), 2.0);
    let err = python.function("udfs:returns_str").unwrap().call_i64(1).unwrap_err();
    assert!(matches!(&err, Error::Conversion(m) if m.contains("str") && m.contains("expected int")), "{err}");
    let err = half.call_i64(3).unwrap_err();
    assert!(
        matches!(&err, Error::Conversion(m) if m.contains("float") && m.contains("expected int")),
        "{err}"
    );
}
