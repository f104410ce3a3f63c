//! Resolving function names, Python exceptions with their tracebacks, and recovery.

mod common;

use common::python;
use jarrow::{Error, Value};

fn not_found(name: &str) -> String {
    match python().function(name).unwrap_err() {
        Error::NotFound { name: n, detail } => {
            assert_eq!(n, name);
            detail
        }
        other => panic!("{name}: expected NotFound, got {other:?}"),
    }
}

#[test]
fn a_missing_module_names_what_was_looked_for_and_sys_path() {
    let detail = not_found("no_such_module.sub:f");
    assert!(detail.contains("no module named 'no_such_module'"), "{detail}");
    assert!(detail.contains("sys.path is [") && detail.contains("site-packages"), "{detail}");
}

#[test]
fn a_missing_attribute_names_the_module_and_attribute() {
    let detail = not_found("udfs:no_such_function");
    assert!(detail.contains("'udfs'") && detail.contains("'no_such_function'"), "{detail}");
    assert!(detail.contains("udfs.py"), "{detail}");
    let detail = not_found("udfs:Scorer.no_such_method");
    assert!(detail.contains("'Scorer.no_such_method'"), "{detail}");
}

#[test]
fn malformed_names_and_non_callables_are_refused() {
    assert!(not_found("udfs").contains("package.module:function"));
    assert!(not_found(":f").contains("package.module:function"));
    assert!(not_found("udfs:").contains("package.module:function"));
    assert!(not_found("udfs:not_callable").contains("not callable"));
}

#[test]
fn a_module_failing_to_import_reports_its_own_error() {
    // The module exists but one of its imports does not: that is the module's error, not a
    // missing function, and it keeps its traceback.
    let err = python().function("broken_dependency:f").unwrap_err();
    let Error::Python { type_name, message, traceback } = err else { panic!("{err:?}") };
    assert_eq!(type_name, "ModuleNotFoundError");
    assert!(message.contains("definitely_not_installed_package"), "{message}");
    assert!(traceback.contains("broken_dependency.py"), "{traceback}");
}

#[test]
fn exceptions_carry_type_message_and_full_traceback() {
    let f = python().function("udfs:raise_value_error_from_inner").unwrap();
    let err = f.call(&[Value::Str("x".into())], &[]).unwrap_err();
    let text = err.to_string();
    let Error::Python { type_name, message, traceback } = err else { panic!("{err:?}") };
    assert_eq!(type_name, "ValueError");
    assert_eq!(message, "bad input: expected a positive number");
    assert!(traceback.starts_with("Traceback (most recent call last):"), "{traceback}");
    assert!(
        traceback.contains("in raise_value_error_from_inner") && traceback.contains("in inner"),
        "{traceback}"
    );
    assert!(traceback.contains("udfs.py"), "{traceback}");
    assert!(text.starts_with("ValueError: bad input") && text.contains("in inner"), "{text}");
}

#[test]
fn chained_and_user_defined_exceptions() {
    let err = python().function("udfs:chained").unwrap().call(&[], &[]).unwrap_err();
    let Error::Python { type_name, traceback, .. } = err else { panic!("{err:?}") };
    assert_eq!(type_name, "RuntimeError");
    assert!(traceback.contains("KeyError: 'missing'"), "{traceback}");
    assert!(traceback.contains("direct cause of the following exception"), "{traceback}");
    let err = python().function("udfs:raise_score_error").unwrap().call(&[], &[]).unwrap_err();
    assert!(matches!(&err, Error::Python { type_name, .. } if type_name == "udfs.ScoreError"), "{err:?}");
    assert_eq!(err.code(), "PYTHON");
}

#[test]
fn the_next_call_works_after_an_exception() {
    let python = python();
    let f = python.function("udfs:raise_value_error_from_inner").unwrap();
    let ok = python.function("udfs:add_one").unwrap();
    for i in 0..100 {
        assert!(f.call(&[Value::Int(i)], &[]).is_err());
        assert_eq!(ok.call_i64(i).unwrap(), i + 1);
    }
    assert_eq!(python.eval("__import__('sys').exc_info()[0] is None").unwrap(), Value::Bool(true));
}

#[test]
fn eight_threads_of_mixed_calls_and_errors() {
    let python = python();
    let threads: Vec<_> = (0..8i64)
        .map(|t| {
            std::thread::spawn(move || {
                let add_one = python.function("udfs:add_one").unwrap();
                let echo = python.function("udfs:echo").unwrap();
                let fail = python.function("udfs:raise_value_error_from_inner").unwrap();
                for i in 0..2_000i64 {
                    let x = t * 1_000_000 + i;
                    assert_eq!(add_one.call_i64(x).unwrap(), x + 1);
                    let v = echo.call(&[Value::Int(x)], &[]).unwrap();
                    assert_eq!(v, Value::List(vec![Value::List(vec![Value::Int(x)]), Value::Map(vec![])]));
                    if i % 100 == 0 {
                        assert!(matches!(fail.call(&[], &[]), Err(Error::Python { .. })));
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
