# Everything the project needs is set up by these targets on a fresh machine.
#   make demo    run the demo (examples/)
#   make demo-flink  run the Flink demo (examples/flink-fraud)
#   make test    run every test
#   make bench   run the benchmarks and print their summary
#   make bench-jvm  run the JVM benchmark against PemJa and JEP
#   make bench-python-jvm  run the Python benchmark against JPype and jpy
#   make install  install the io.jarrow Maven artifacts into the local repository

PYTHON ?= python3
# The project venv (.venv) and its Rust build (target/) are made with python3. Another Python
# given on the command line (make wheel PYTHON=python3.13, make test PYTHON=...) gets a venv and
# a Rust build of its own: the JNI library links the libpython of the version it is built for.
PYVER  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
ifeq ($(origin PYTHON),file)
VENV   := $(CURDIR)/.venv
TARGET := $(CURDIR)/target
REQUIREMENTS := requirements-dev.txt
else
VENV   := $(CURDIR)/.venv-$(PYVER)
TARGET := $(CURDIR)/target/py$(PYVER)
REQUIREMENTS := py-bindings/tests/requirements.txt
endif
PY     := $(VENV)/bin/python
# The wheel of the venv's Python: target/wheels holds one per Python built.
WHEEL   = target/wheels/jarrow-*-$(shell $(PY) -c 'import sys; print("cp%d%d" % sys.version_info[:2])')-*.whl

# The embedded interpreter, the crates' build (pyo3) and the tests all use the project venv.
export PYO3_PYTHON   := $(PY)
export JARROW_PYTHON := $(PY)
export CARGO_TARGET_DIR := $(TARGET)
# Every crate is built the way maturin builds the extension module (build_libpython.rs links
# libpython where CPython is embedded), so the JNI library, the tests and the wheel share one
# build of pyo3 and of everything under it, instead of rebuilding it for each.
export PYO3_BUILD_EXTENSION_MODULE := 1
export PYO3_ENVIRONMENT_SIGNATURE  := cpython-$(PYVER)-64bit

MVN    := mvn -B --no-transfer-progress -f jvm-bindings/java/pom.xml

SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: all venv build test rust-test java-test py-test py-test-system py-install wheel install examples-test smoke smoke-3.13 demo demo-flink demo-core bench bench-jvm bench-python-jvm bench-kafka bench-flink clean

all: build

venv: $(VENV)/.installed

$(VENV)/.installed: $(VENV)/.created $(REQUIREMENTS)
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS)
	@touch $@

# A venv with the build tool only: enough to build a wheel for its Python.
$(VENV)/.created:
	@$(PYTHON) -c 'import sysconfig, sys; sys.exit(0 if sysconfig.get_config_var("Py_ENABLE_SHARED") else "$(PYTHON) has no shared libpython; jarrow embeds CPython and needs one")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $$(grep '^maturin==' requirements-dev.txt)
	@touch $@

# Everything is built and tested in the release profile: one build serves the tests, the demo
# and the wheel (jarrow's crates keep overflow checks there; see Cargo.toml).
build: venv
	cargo build --release --workspace --all-targets

test: rust-test py-test py-test-system java-test examples-test smoke-3.13

rust-test: venv
	cargo test --release --workspace
	cargo run --quiet --release -p jarrow-examples --bin quickstart

# The Java suite finds the JNI library the way users' JVMs do, through the venv's jarrow package.
# It runs under -Xcheck:jni; any JNI warning fails it.
java-test: py-install
	$(MVN) test -Djarrow.python=$(PY) -Djni.check=-Xcheck:jni 2>&1 | tee target/java-test.log
	@! grep -q "WARNING in native method" target/java-test.log || \
		{ echo "JNI warnings under -Xcheck:jni (see target/java-test.log)"; exit 1; }

# Every io.jarrow artifact, the parent POM included, into the local Maven repository, where a
# user's own build finds them.
install:
	$(MVN) --quiet install -DskipTests -pl core,kafka,flink -am

# The README's Java, Kafka Streams and Python quick starts: examples/java-app, an application of
# its own (not a module of the build) that depends on the installed artifacts, run as a user runs
# it, with the venv (which has the jarrow wheel) as its Python.
APP     := examples/java-app
APP_RUN := java --add-opens=java.base/java.nio=ALL-UNNAMED -cp target/classes:$$(cat target/classpath.txt)
# Flink's Kryo reads java.util and java.lang internals on JDK 17.
APP_RUN_FLINK := java --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
	--add-opens=java.base/java.lang=ALL-UNNAMED -cp target/classes:$$(cat target/classpath.txt)

examples-test: install py-install
	mvn -B --no-transfer-progress --quiet -f $(APP)/pom.xml package dependency:build-classpath \
		-Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
	cd $(APP) && $(APP_RUN) com.example.QuickStart $(PY)
	cd $(APP) && $(APP_RUN) com.example.ScoreTopic $(PY)
	cd $(APP) && $(APP_RUN_FLINK) com.example.ScoreStream $(PY)
	cd $(APP) && $(APP_RUN_FLINK) com.example.PredictSql $(PY)
	cd $(APP) && $(PY) python/quickstart.py

# The fraud-scoring Kafka Streams demo (examples/kafka-fraud): it starts its own Kafka broker.
# DEMO_ARGS passes options, e.g. DEMO_ARGS="--transactions 100000 --bootstrap-servers host:9092".
demo: py-install
	$(MVN) --quiet package -DskipTests -pl ../../examples/kafka-fraud -am dependency:build-classpath \
		-Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
	java -Djarrow.python=$(PY) --add-opens=java.base/java.nio=ALL-UNNAMED \
		-cp examples/kafka-fraud/target/classes:$$(cat examples/kafka-fraud/target/classpath.txt) \
		io.jarrow.examples.fraud.FraudDemo $(DEMO_ARGS)

# The Flink demo (examples/flink-fraud): the same model scored by a Flink job, Kafka to Kafka,
# exactly once, in its DataStream and SQL (ML_PREDICT) forms, on a broker and a local Flink
# cluster it starts itself. DEMO_ARGS as for `make demo`, e.g. DEMO_ARGS="--form sql".
demo-flink: py-install
	$(MVN) --quiet package -DskipTests -pl ../../examples/flink-fraud -am dependency:build-classpath \
		-Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
	java -Djarrow.python=$(PY) --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
		--add-opens=java.base/java.lang=ALL-UNNAMED \
		-cp examples/flink-fraud/target/classes:$$(cat examples/flink-fraud/target/classpath.txt) \
		io.jarrow.examples.fraud.flink.FlinkFraudDemo $(DEMO_ARGS)

# The core's demo without Kafka: 1M transactions scored in batches through the Rust API.
demo-core: venv
	cargo run --quiet --release -p jarrow-examples --bin score_transactions

bench: venv
	cargo bench -p jarrow-benches
	$(PY) benches/summary.py target/criterion

# The wheel of the Python package for the venv's Python (make wheel PYTHON=python3.13 for
# another), carrying the JNI library built for that Python. The JNI library and the extension
# module share one Rust build. The package directory is shared by every Python's wheel: the
# steps that fill it and pack it hold a lock, so that wheels built at once get their own library.
wheel: $(VENV)/.created
	cargo build --release -p jarrow-jni
	@mkdir -p target
	flock target/.wheel.lock $(SHELL) -o pipefail -c '\
		cp $(TARGET)/release/libjarrow_jni.so py-bindings/python/jarrow/libjarrow_jni.so && \
		$(MVN) --quiet package -DskipTests -pl core && \
		cp jvm-bindings/java/core/target/jarrow-0.1.0-all.jar py-bindings/python/jarrow/jarrow.jar && \
		$(PY) -m maturin build --quiet --release -i $(PY) -m py-bindings/Cargo.toml -o target/wheels'

py-install: wheel venv
	$(PY) -m pip install --quiet --force-reinstall --no-deps $(WHEEL)

# The doctests run in their own process: a process has one JVM, and they start theirs.
py-test: py-install
	cd py-bindings && $(PY) -m pytest -q tests
	$(PY) -m pytest -q tests/contract
	cd py-bindings && $(PY) -m pytest -q --doctest-modules $$($(PY) -c 'import jarrow, os; print(os.path.dirname(jarrow.__file__))')

# The same Python tests under the system's python3 (Debian's is statically linked: nothing may
# load a second libpython into it), when it has the wheel's Python version.
SYSTEM_PYTHON ?= /usr/bin/python3
SYSTEM_VENV   := $(CURDIR)/.venv-system

py-test-system: wheel
	@if [ ! -x $(SYSTEM_PYTHON) ] || ! $(SYSTEM_PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
		echo "py-test-system: skipped, $(SYSTEM_PYTHON) is not a Python 3.11"; exit 0; fi; \
	test -x $(SYSTEM_VENV)/bin/python || $(SYSTEM_PYTHON) -m venv $(SYSTEM_VENV); \
	$(SYSTEM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r py-bindings/tests/requirements.txt; \
	$(SYSTEM_VENV)/bin/python -m pip install --quiet --force-reinstall --no-deps $(WHEEL); \
	cd py-bindings && JARROW_EXPECT_STATIC_PYTHON=$$($(SYSTEM_VENV)/bin/python -c 'import sysconfig; print("" if sysconfig.get_config_var("LDLIBRARY") in open("/proc/self/maps").read() else "1")') \
		$(SYSTEM_VENV)/bin/python -m pytest -q tests

# A smoke suite against another Python (its own venv, wheel and JNI library): Java calls Python,
# batches cross zero-copy, Python calls Java, and the Kafka processor runs on TopologyTestDriver.
# `make test` runs it against CPython 3.13 (pyenv's), when that is installed.
SMOKE_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13))

smoke-3.13:
	@if [ -z "$(SMOKE_PYTHON)" ]; then echo "smoke-3.13: skipped, no CPython 3.13 here (pyenv's)"; exit 0; fi; \
	$(MAKE) --no-print-directory smoke PYTHON=$(SMOKE_PYTHON)

smoke: py-install
	$(MVN) test -pl core,kafka -Djarrow.python=$(PY) -Djni.check=-Xcheck:jni \
		-Dtest=CallTest,ApplyTest,ContractTest,PythonProcessorTest -Dsurefire.failIfNoSpecifiedTests=false
	cd py-bindings && $(PY) -m pytest -q tests/test_jvm.py tests/test_jvm_batches.py tests/test_function.py
	$(PY) -m pytest -q tests/contract

bench-jvm: venv
	bash benches/jvm/run.sh

bench-kafka: py-install
	bash benches/kafka/run.sh

bench-flink: py-install
	bash benches/flink/run.sh

bench-python-jvm: py-install
	bash benches/python_jvm/run.sh

clean:
	cargo clean
	rm -rf $(VENV) $(SYSTEM_VENV) $(CURDIR)/.venv-*
