package io.jarrow;

/** A program for {@link CrashTest}: Python calls {@code os._exit(7)}. */
public final class OsExitProbe {
    private OsExitProbe() {}

    public static void main(String[] args) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook")));
        PythonRuntime python = TestPython.runtime();
        System.out.println("before os._exit");
        System.out.flush();
        python.function("os:_exit").call(7L);
        System.out.println("after os._exit");
    }
}
