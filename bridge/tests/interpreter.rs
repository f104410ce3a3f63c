//! Starting the embedded interpreter on the project venv, and what it then sees.

mod common;

use common::{config, python, venv_python};
use jarrow::{Error, Interpreter, PythonConfig, PythonInstall, Value};

#[test]
fn sees_the_venv_exactly_as_its_python_does() {
    let python = python();
    let probed = PythonInstall::probe(&venv_python()).unwrap();
    assert!(probed.is_venv(), "the project venv is a venv: {probed:?}");
    let prefix = python.eval("__import__('sys').prefix").unwrap();
    assert_eq!(prefix, Value::Str(probed.prefix.to_string_lossy().into_owned()));
    let base = python.eval("__import__('sys').base_prefix").unwrap();
    assert_eq!(base, Value::Str(probed.base_prefix.to_string_lossy().into_owned()));
    // sys.path: the configured extra entry first, then exactly what the venv's python sees.
    let Value::List(path) = python.eval("__import__('sys').path").unwrap() else { panic!() };
    let extra = config().python_path[0].to_string_lossy().into_owned();
    assert_eq!(path[0], Value::Str(extra));
    let expected: Vec<Value> =
        probed.sys_path.iter().map(|p| Value::Str(p.to_string_lossy().into_owned())).collect();
    assert_eq!(&path[1..], &expected[..]);
    assert!(
        expected
            .iter()
            .any(|p| matches!(p, Value::Str(s) if s.contains(".venv") && s.ends_with("site-packages"))),
        "venv site-packages on sys.path: {expected:?}"
    );
}

#[test]
fn probing_while_python_code_changes_the_environment() {
    // numpy's, scikit-learn's and joblib's imports set environment variables, each of which can
    // move the process's environment block; a child started meanwhile must get a whole one.
    let python = python();
    python
        .exec(
            "import os, threading\n\
             _churn_stop = threading.Event()\n\
             def _churn():\n    \
                 i = 0\n    \
                 while not _churn_stop.is_set():\n        \
                     os.environ[f'JARROW_CHURN_{i % 400}'] = 'x' * (i % 64)\n        \
                     if i % 400 == 399:\n            \
                         for j in range(400): del os.environ[f'JARROW_CHURN_{j}']\n        \
                     i += 1\n\
             _churner = threading.Thread(target=_churn, daemon=True)\n\
             _churner.start()\n",
        )
        .unwrap();
    let probes: Vec<_> = (0..30).map(|_| PythonInstall::probe(&venv_python())).collect();
    python
        .exec(
            "_churn_stop.set(); _churner.join()\n\
             for k in [k for k in os.environ if k.startswith('JARROW_CHURN_')]: del os.environ[k]\n",
        )
        .unwrap();
    for probe in probes {
        assert!(probe.unwrap().is_venv());
    }
}

#[test]
fn numpy_pyarrow_and_scikit_learn_import_and_work() {
    let python = python();
    python
        .exec(
            "import numpy as np, pyarrow as pa\n\
             from sklearn.linear_model import LogisticRegression\n\
             rng = np.random.default_rng(0)\n\
             X = rng.normal(size=(200, 3)); y = (X[:, 0] > 0).astype(int)\n\
             model = LogisticRegression().fit(X, y)\n\
             accuracy = float(model.score(X, y))\n\
             table_rows = pa.table({'x': np.arange(5)}).num_rows\n",
        )
        .unwrap();
    let Value::Float(accuracy) = python.eval("accuracy").unwrap() else { panic!() };
    assert!(accuracy > 0.9, "a separable problem is learned: {accuracy}");
    assert_eq!(python.eval("table_rows").unwrap(), Value::Int(5));
}

#[test]
fn signal_handlers_stay_with_the_host() {
    let python = python();
    // With install_signal_handlers = 1 CPython would ignore SIGXFSZ (and SIGPIPE) process-wide;
    // with 0 it leaves dispositions to the host. (SIGPIPE is not telling: Rust ignores it itself.)
    let ignored = python
        .eval("int([l for l in open('/proc/self/status') if l.startswith('SigIgn')][0].split()[1], 16)")
        .unwrap();
    let Value::Int(mask) = ignored else { panic!("{ignored:?}") };
    assert_eq!(mask & (1 << (SIGXFSZ - 1)), 0, "SIGXFSZ ignored: SigIgn={mask:x}");
}

const SIGXFSZ: i64 = 25;

#[test]
fn starting_again_returns_the_same_interpreter_or_refuses_another() {
    let first = python();
    let again = Interpreter::start(config()).unwrap();
    assert!(std::ptr::eq(first, again));
    let other = PythonConfig::new().executable("/usr/bin/python3").python_path("/elsewhere");
    let err = Interpreter::start(other).unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    assert!(err.to_string().contains("cannot be restarted"), "{err}");
}

#[test]
fn exec_and_eval_share_main() {
    let python = python();
    python.exec("def triple(x):\n    return 3 * x\n").unwrap();
    assert_eq!(python.eval("triple(14)").unwrap(), Value::Int(42));
    let f = python.function("__main__:triple").unwrap();
    assert_eq!(f.call_i64(5).unwrap(), 15);
}

#[test]
fn calls_from_threads_other_than_the_starting_one() {
    let python = python();
    let f = python.function("udfs:add_one").unwrap();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                let f = Interpreter::get().unwrap().function("udfs:add_one").unwrap();
                (0..10_000i64).map(|i| f.call_i64(i * t).unwrap() - 1 - i * t).sum::<i64>()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 0);
    }
    assert_eq!(f.call_i64(1).unwrap(), 2);
}
