//! The Rust side of the cross-language contract: every call in `cases.json`, made through the core
//! (`Interpreter::function`, `PythonFunction::call` and `apply`), gives the result or the error the
//! file says; ContractTest (Java) and test_contract.py (Python) check the same file.

use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use jarrow::{Error, Interpreter, PythonConfig, Value};
use serde_json::Value as Json;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> &'static Interpreter {
    let executable = std::env::var_os("JARROW_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../.venv/bin/python"));
    Interpreter::start(PythonConfig::new().executable(executable).python_path(root().join("fixtures")))
        .expect("the embedded interpreter starts on the project venv")
}

fn cases() -> Json {
    let text = std::fs::read_to_string(root().join("contract/cases.json")).expect("cases.json is readable");
    serde_json::from_str(&text).expect("cases.json is JSON")
}

fn value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            n.as_i64().map_or_else(|| Value::Float(n.as_f64().expect("a finite number")), Value::Int)
        }
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(items) => Value::List(items.iter().map(value).collect()),
        Json::Object(fields) => {
            Value::Map(fields.iter().map(|(k, v)| (Value::Str(k.clone()), value(v))).collect())
        }
    }
}

fn column(name: &str, typed: &Json) -> (String, ArrayRef) {
    let (kind, values) = typed.as_object().and_then(|o| o.iter().next()).expect("a column is {type: values}");
    let values = values.as_array().expect("a column's values are a list");
    let array: ArrayRef = match kind.as_str() {
        "int64" => Arc::new(values.iter().map(Json::as_i64).collect::<Int64Array>()),
        "float64" => Arc::new(values.iter().map(Json::as_f64).collect::<Float64Array>()),
        "utf8" => Arc::new(values.iter().map(Json::as_str).collect::<StringArray>()),
        other => panic!("cases.json: unknown column type {other}"),
    };
    (name.to_string(), array)
}

fn batch(columns: &Json) -> RecordBatch {
    let columns = columns.as_object().expect("columns are {name: column}");
    RecordBatch::try_from_iter(columns.iter().map(|(name, typed)| column(name, typed)))
        .expect("a valid batch")
}

/// A value of a result column as the file writes it; null for a null.
fn json<T: Into<Json>>(value: Option<T>) -> Json {
    value.map_or(Json::Null, Into::into)
}

/// The batch as the file writes it: {name: {type: values}}.
fn columns_of(batch: &RecordBatch) -> Json {
    let mut out = serde_json::Map::new();
    for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
        let (kind, values): (&str, Vec<Json>) = match field.data_type() {
            DataType::Int64 => ("int64", array.as_primitive::<Int64Type>().iter().map(json).collect()),
            DataType::Float64 => ("float64", array.as_primitive::<Float64Type>().iter().map(json).collect()),
            DataType::Utf8 => ("utf8", array.as_string::<i32>().iter().map(json).collect()),
            other => panic!("a result column of type {other}, which cases.json cannot say"),
        };
        out.insert(field.name().clone(), serde_json::json!({ kind: values }));
    }
    Json::Object(out)
}

/// Checks an error against the file's `raises`.
fn check_error(case: &Json, error: &Error) {
    let raises = &case["raises"];
    assert_eq!(error.code(), raises["code"], "{case}: {error}");
    if let Error::Python { type_name, message, traceback } = error {
        assert_eq!(type_name, &raises["type"], "{case}");
        assert_eq!(message, &raises["message"], "{case}");
        if let Some(part) = raises["traceback_has"].as_str() {
            assert!(traceback.contains(part), "{case}: the traceback names {part}: {traceback}");
        }
    }
}

#[test]
fn every_call_gives_what_the_contract_says() {
    let python = python();
    for case in cases()["calls"].as_array().expect("calls") {
        let name = case["call"].as_str().expect("a name");
        let outcome = python.function(name).and_then(|function| {
            let args: Vec<Value> = case["args"].as_array().expect("args").iter().map(value).collect();
            let kwargs: Vec<(String, Value)> = case["kwargs"]
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), value(v))).collect())
                .unwrap_or_default();
            function.call(&args, &kwargs)
        });
        match outcome {
            Ok(result) => {
                assert!(case.get("returns").is_some(), "{case}: expected an error, got {result:?}");
                assert_eq!(result, value(&case["returns"]), "{case}");
            }
            Err(error) => {
                assert!(case.get("raises").is_some(), "{case}: unexpected error {error}");
                check_error(case, &error);
            }
        }
    }
}

#[test]
fn every_batch_gives_what_the_contract_says() {
    let python = python();
    for case in cases()["batches"].as_array().expect("batches") {
        let function =
            python.function(case["apply"].as_str().expect("a name")).expect("the function resolves");
        match function.apply(&batch(&case["columns"])) {
            Ok(result) => {
                assert!(case.get("returns").is_some(), "{case}: expected an error, got {result:?}");
                assert_eq!(columns_of(&result), case["returns"], "{case}");
            }
            Err(error) => {
                assert!(case.get("raises").is_some(), "{case}: unexpected error {error}");
                check_error(case, &error);
            }
        }
    }
}
