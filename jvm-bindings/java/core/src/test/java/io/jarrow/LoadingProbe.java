package io.jarrow;

import java.nio.file.Path;

/** A program for {@link LoadingTest}: plain Java, a venv, and a scikit-learn model. */
public final class LoadingProbe {
    private LoadingProbe() {}

    public static void main(String[] args) {
        // Also the rest of the configuration: environment, working directory, output left alone.
        PythonConfig config = PythonConfig.builder().executable(Path.of(args[0])).redirectOutput(false)
                .environment("JARROW_PROBE", "set by PythonConfig").workingDirectory(Path.of(args[1])).build();
        try (PythonRuntime python = PythonRuntime.start(config)) {
            python.exec(String.join("\n",
                    "import numpy as np, pyarrow as pa",
                    "from sklearn.linear_model import LogisticRegression",
                    "X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])",
                    "accuracy = float(LogisticRegression().fit(X, y).score(X, y))",
                    ""));
            System.out.println("sklearn accuracy " + python.eval("accuracy"));
            python.exec("import os, sys\nprint('env', os.environ['JARROW_PROBE'], 'cwd', os.getcwd(), "
                    + "'first on sys.path', sys.path[0])\nsys.stdout.flush()");
        }
    }
}
