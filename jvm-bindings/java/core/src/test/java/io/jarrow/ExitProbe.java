package io.jarrow;

import java.util.Map;

/**
 * A program for {@link ExitTest}: leaves Python threads running, jarrow's own threads attached to
 * the JVM, and a request in flight, then returns from main. The JVM must exit anyway.
 */
public final class ExitProbe {
    private ExitProbe() {}

    public static void main(String[] args) throws Exception {
        PythonRuntime python = TestPython.runtime();
        python.exec(String.join("\n",
                "import threading, time, logging",
                "def forever():",
                "    while True:",
                "        logging.getLogger('probe').info('still running')",
                "        time.sleep(0.05)",
                "threading.Thread(target=forever, name='python-forever').start()",
                "def busy():",
                "    while True:",
                "        sum(range(10000))",
                "        time.sleep(0.001)",
                "threading.Thread(target=busy, name='python-busy').start()",
                ""));
        BatchedFunction score = python.function("batching:score_rows").batched(BatchOptions.defaults());
        System.out.println("scored " + score.submit(Map.of("id", 1L)).get().get("score"));
        score.submit(Map.of("id", 2L));
        Thread.sleep(200);
        System.out.println("main returns");
    }
}
