//! A venv created by the test, with a marker package, is embedded exactly as its python sees it.
//! (Its own test binary: one interpreter per process.)

mod common;

use std::process::Command;

use jarrow::{Interpreter, PythonConfig, PythonInstall, Value};

#[test]
fn a_new_venv_and_its_marker_package_are_seen() {
    let dir = std::env::temp_dir().join(format!("jarrow-fresh-venv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let status =
        Command::new(common::venv_python()).args(["-m", "venv", "--without-pip"]).arg(&dir).status().unwrap();
    assert!(status.success());
    let python = dir.join("bin/python");
    let install = PythonInstall::probe(&python).unwrap();
    let site = install.sys_path.iter().find(|p| p.ends_with("site-packages")).unwrap().clone();
    assert!(site.starts_with(&dir), "{site:?}");
    std::fs::create_dir_all(site.join("jarrow_marker")).unwrap();
    std::fs::write(site.join("jarrow_marker/__init__.py"), "MARKER = 'seen in the fresh venv'\n").unwrap();

    let interp = Interpreter::start(PythonConfig::new().executable(&python)).unwrap();
    assert_eq!(
        interp.eval("__import__('jarrow_marker').MARKER").unwrap(),
        Value::Str("seen in the fresh venv".into())
    );
    let prefix = interp.eval("__import__('sys').prefix").unwrap();
    assert_eq!(prefix, Value::Str(dir.to_string_lossy().into_owned()));
    // Only this venv's packages: the project venv's numpy is not visible here.
    let numpy = interp.eval("__import__('importlib.util').util.find_spec('numpy') is None").unwrap();
    assert_eq!(numpy, Value::Bool(true));
    let Value::List(path) = interp.eval("__import__('sys').path").unwrap() else { panic!() };
    let expected: Vec<Value> =
        install.sys_path.iter().map(|p| Value::Str(p.to_string_lossy().into_owned())).collect();
    assert_eq!(path, expected);
    std::fs::remove_dir_all(&dir).unwrap();
}
