package io.jarrow;

import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Arrow Java's C Data structs are reached through {@code java.nio} internals, which JDK 16 and
 * later open only with {@code --add-opens=java.base/java.nio=ALL-UNNAMED}. Without it the first
 * batch hand-over fails deep inside Arrow Java (and leaks the struct it was making); this check
 * fails first, and says what to add.
 */
final class NioAccess {
    private static volatile boolean checked;

    private NioAccess() {}

    static void require() {
        if (checked) {
            return;
        }
        try {
            MemoryUtil.directBuffer(0, 0);
        } catch (UnsupportedOperationException | IllegalStateException e) {
            throw new JarrowException("CONFIG", "Arrow batches need the JVM option "
                    + "--add-opens=java.base/java.nio=ALL-UNNAMED (Arrow Java's C Data Interface reads "
                    + "java.nio internals, which JDK " + Runtime.version().feature() + " keeps closed "
                    + "without it): add it to the java command line or JDK_JAVA_OPTIONS. Scalar calls "
                    + "work without it. (" + e.getMessage() + ")");
        }
        checked = true;
    }
}
