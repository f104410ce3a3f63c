# Everything the project needs is set up by these targets on a fresh machine.
#   make demo    run the demo (examples/)
#   make test    run every test
#   make bench   run the benchmarks and print their summary
#   make bench-jvm  run the JVM benchmark against PemJa and JEP
#   make bench-python-jvm  run the Python benchmark against JPype and jpy
#   make install  install the io.jarrow Maven artifacts into the local repository

PYTHON ?= python3
VENV   := $(CURDIR)/.venv
PY     := $(VENV)/bin/python

# The embedded interpreter, the crates' build (pyo3) and the tests all use the project venv.
export PYO3_PYTHON   := $(PY)
export JARROW_PYTHON := $(PY)

MVN    := mvn -B --no-transfer-progress -f jvm-bindings/java/pom.xml

SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: all venv build test rust-test java-test py-test py-test-system py-install wheel install examples-test demo demo-core bench bench-jvm bench-python-jvm bench-kafka clean

all: build

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt
	@$(PYTHON) -c 'import sysconfig, sys; sys.exit(0 if sysconfig.get_config_var("Py_ENABLE_SHARED") else "$(PYTHON) has no shared libpython; jarrow embeds CPython and needs one")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

build: venv
	cargo build --workspace --all-targets

test: rust-test py-test py-test-system java-test examples-test

rust-test: venv
	cargo test --workspace
	cargo run --quiet -p jarrow-examples --bin quickstart

# The Java suite finds the JNI library the way users' JVMs do, through the venv's jarrow package.
# It runs under -Xcheck:jni; any JNI warning fails it.
java-test: py-install
	$(MVN) test -Djarrow.python=$(PY) -Djni.check=-Xcheck:jni 2>&1 | tee target/java-test.log
	@! grep -q "WARNING in native method" target/java-test.log || \
		{ echo "JNI warnings under -Xcheck:jni (see target/java-test.log)"; exit 1; }

# Every io.jarrow artifact, the parent POM included, into the local Maven repository, where a
# user's own build finds them.
install:
	$(MVN) --quiet install -DskipTests -pl core,kafka -am

# The README's Java, Kafka Streams and Python quick starts: examples/java-app, an application of
# its own (not a module of the build) that depends on the installed artifacts, run as a user runs
# it, with the venv (which has the jarrow wheel) as its Python.
APP     := examples/java-app
APP_RUN := java --add-opens=java.base/java.nio=ALL-UNNAMED -cp target/classes:$$(cat target/classpath.txt)

examples-test: install py-install
	mvn -B --no-transfer-progress --quiet -f $(APP)/pom.xml package dependency:build-classpath \
		-Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
	cd $(APP) && $(APP_RUN) com.example.QuickStart $(PY)
	cd $(APP) && $(APP_RUN) com.example.ScoreTopic $(PY)
	cd $(APP) && $(PY) python/quickstart.py

# The fraud-scoring Kafka Streams demo (examples/kafka-fraud): it starts its own Kafka broker.
# DEMO_ARGS passes options, e.g. DEMO_ARGS="--transactions 100000 --bootstrap-servers host:9092".
demo: py-install
	$(MVN) --quiet package -DskipTests -pl ../../examples/kafka-fraud -am dependency:build-classpath \
		-Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
	java -Djarrow.python=$(PY) --add-opens=java.base/java.nio=ALL-UNNAMED \
		-cp examples/kafka-fraud/target/classes:$$(cat examples/kafka-fraud/target/classpath.txt) \
		io.jarrow.examples.fraud.FraudDemo $(DEMO_ARGS)

# The core's demo without Kafka: 1M transactions scored in batches through the Rust API.
demo-core: venv
	cargo run --quiet --release -p jarrow-examples --bin score_transactions

bench: venv
	cargo bench -p jarrow-benches
	$(PY) benches/summary.py target/criterion

# The wheel of the Python package, carrying the JNI library built for the venv's Python.
wheel: venv
	cargo build --release -p jarrow-jni
	cp target/release/libjarrow_jni.so py-bindings/python/jarrow/libjarrow_jni.so
	$(MVN) --quiet package -DskipTests
	cp jvm-bindings/java/core/target/jarrow-0.1.0-all.jar py-bindings/python/jarrow/jarrow.jar
	CARGO_TARGET_DIR=$(CURDIR)/target/maturin $(PY) -m maturin build --quiet --release \
		-m py-bindings/Cargo.toml -o target/wheels

py-install: wheel
	$(PY) -m pip install --quiet --force-reinstall --no-deps target/wheels/jarrow-*.whl

# The doctests run in their own process: a process has one JVM, and they start theirs.
py-test: py-install
	cd py-bindings && $(PY) -m pytest -q tests
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
	$(SYSTEM_VENV)/bin/python -m pip install --quiet --force-reinstall --no-deps target/wheels/jarrow-*.whl; \
	cd py-bindings && JARROW_EXPECT_STATIC_PYTHON=$$($(SYSTEM_VENV)/bin/python -c 'import sysconfig; print("" if sysconfig.get_config_var("LDLIBRARY") in open("/proc/self/maps").read() else "1")') \
		$(SYSTEM_VENV)/bin/python -m pytest -q tests

bench-jvm: venv
	bash benches/jvm/run.sh

bench-kafka: py-install
	bash benches/kafka/run.sh

bench-python-jvm: py-install
	bash benches/python_jvm/run.sh

clean:
	cargo clean
	rm -rf $(VENV) $(SYSTEM_VENV)
