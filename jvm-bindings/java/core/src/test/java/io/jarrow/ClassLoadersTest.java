package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * jarrow's classes loaded a second time, by a class loader of their own, in a JVM whose first
 * copy runs Python already: what a Flink session cluster does with a job jar that carries jarrow.
 */
class ClassLoadersTest {
    @Test
    void aSecondCopyOfJarrowsClassesGetsAnErrorThatSaysWhatToDo() throws Exception {
        TestPython.runtime().eval("1 + 1");
        URL[] classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> {
                    try {
                        return Path.of(entry).toUri().toURL();
                    } catch (java.net.MalformedURLException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toArray(URL[]::new);
        try (URLClassLoader job = new URLClassLoader("a job's classes", classpath, ClassLoader.getPlatformClassLoader())) {
            Class<?> runtime = job.loadClass("io.jarrow.PythonRuntime");
            assertNotSame(PythonRuntime.class, runtime, "a second copy of the class");
            Class<?> config = job.loadClass("io.jarrow.PythonConfig");
            Object defaults = config.getMethod("defaults").invoke(null);
            InvocationTargetException thrown = org.junit.jupiter.api.Assertions.assertThrows(InvocationTargetException.class,
                    () -> runtime.getMethod("start", config).invoke(null, defaults));
            Throwable error = thrown.getCause();
            assertEquals("io.jarrow.JarrowException", error.getClass().getName(), String.valueOf(error));
            assertEquals("CONFIG", error.getClass().getMethod("code").invoke(error));
            assertTrue(error.getMessage().contains("loaded a second time")
                    && error.getMessage().contains("classloader.parent-first-patterns.additional"), error.getMessage());
            assertInstanceOf(UnsatisfiedLinkError.class, error.getCause());
        }
        assertEquals(2L, TestPython.runtime().eval("1 + 1"), "the first copy goes on");
    }
}
