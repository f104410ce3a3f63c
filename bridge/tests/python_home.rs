//! An explicit PYTHONHOME is honoured. (Its own test binary: one interpreter per process.)

mod common;

use jarrow::{Interpreter, PythonConfig, PythonInstall, Value};

#[test]
fn an_explicit_python_home_becomes_the_prefix() {
    let base = PythonInstall::probe(&common::venv_python()).unwrap();
    // A home that is not where the executable lives: a directory of links to the real one.
    let home = std::env::temp_dir().join(format!("jarrow-home-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    std::os::unix::fs::symlink(base.base_prefix.join("lib"), home.join("lib")).unwrap();
    let executable = PythonInstall::probe(&base.base_prefix.join("bin/python3")).unwrap().executable;
    let config = PythonConfig::new().executable(executable).python_home(&home);
    let interp = Interpreter::start(config).unwrap();
    let prefix = interp.eval("__import__('sys').prefix").unwrap();
    assert_eq!(prefix, Value::Str(home.to_string_lossy().into_owned()));
    // The standard library is found under that home.
    let json = interp.eval("__import__('json').__file__").unwrap();
    let Value::Str(json) = json else { panic!() };
    assert!(json.starts_with(home.to_string_lossy().as_ref()), "{json}");
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn a_missing_executable_is_a_clear_error() {
    let err = PythonInstall::probe(std::path::Path::new("/nonexistent/bin/python")).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("/nonexistent/bin/python") && message.contains("cannot run"), "{message}");
}
