//! Stateful functions: the instance behind a `"pkg.module:Class.method"` keeps state between
//! calls; its snapshot (a pickle) restores into a new function, as an engine restores a task's
//! state.

mod common;

use common::python;
use jarrow::{Error, Value};

fn add(function: &jarrow::PythonFunction, n: i64) -> Value {
    function.call(&[Value::Int(n)], &[]).unwrap()
}

#[test]
fn a_restored_instance_goes_on_from_its_snapshot() {
    let counter = python().function("stateful:Counter.add").unwrap();
    assert_eq!(add(&counter, 2), Value::Int(2));
    let state = counter.snapshot().unwrap().expect("a method of an instance has state");
    assert_eq!(add(&counter, 3), Value::Int(5));
    let restored = counter.restored(&state).unwrap();
    assert_eq!(add(&restored, 1), Value::Int(3), "the snapshot's total, 2, plus 1");
    assert_eq!(add(&counter, 0), Value::Int(5), "the function restored from is left as it was");
    assert_eq!(restored.name(), "stateful:Counter.add");
    // The snapshot restores as often as asked, each time as it was.
    assert_eq!(add(&counter.restored(&state).unwrap(), 10), Value::Int(12));
    assert_eq!(add(&restored, 0), Value::Int(3), "each function has its own instance");
}

#[test]
fn getstate_and_setstate_decide_what_a_snapshot_holds() {
    // Its lock cannot be pickled: only its __getstate__ makes a snapshot, only its __setstate__
    // gives the restored instance the lock that add takes.
    let counter = python().function("stateful:CachedCounter.add").unwrap();
    add(&counter, 7);
    let state = counter.snapshot().unwrap().unwrap();
    assert_eq!(add(&counter.restored(&state).unwrap(), 1), Value::Int(8));
}

#[test]
fn functions_have_no_state_and_bad_state_is_refused_with_why() {
    let plain = python().function("math:sqrt").unwrap();
    assert_eq!(plain.snapshot().unwrap(), None, "a module's function has no instance");
    let counter = python().function("stateful:Counter.add").unwrap();
    let state = counter.snapshot().unwrap().unwrap();
    let Err(Error::Python { type_name, message, .. }) = plain.restored(&state) else {
        panic!("a function restored")
    };
    assert_eq!(
        (type_name.as_str(), message.contains("no state to restore")),
        ("TypeError", true),
        "{message}"
    );

    let cached = python().function("stateful:CachedCounter.add").unwrap();
    let Err(Error::Python { message, .. }) = cached.restored(&state) else {
        panic!("another class's state restored")
    };
    assert!(message.contains("of a Counter, not of a CachedCounter"), "{message}");
    let Err(Error::Python { type_name, .. }) = cached.restored(b"not a pickle") else {
        panic!("garbage restored")
    };
    assert_eq!(type_name, "_pickle.UnpicklingError");
    assert_eq!(add(&cached, 1), Value::Int(1));

    let unpicklable = python().function("stateful:Unpicklable.call").unwrap();
    let Err(Error::Python { type_name, message, .. }) = unpicklable.snapshot() else {
        panic!("a lock pickled")
    };
    assert_eq!(type_name, "TypeError", "{message}");
    assert!(message.contains("lock"), "{message}");
}
