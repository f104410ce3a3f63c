package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A config travels with a job to an engine's workers: it survives Java serialization. */
class PythonConfigTest {
    static PythonConfig roundTrip(PythonConfig config) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(config);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (PythonConfig) in.readObject();
        }
    }

    @Test
    void everySettingSurvivesSerialization() throws Exception {
        PythonConfig config = PythonConfig.builder()
                .executable(Path.of("/opt/venv/bin/python"))
                .addPythonPath(Path.of("/opt/models/src"))
                .addPythonPath(Path.of("relative/dir"))
                .environment("OMP_NUM_THREADS", "1")
                .environment("MODEL", "fraud")
                .workingDirectory(Path.of("/srv"))
                .pythonHome(Path.of("/opt/python"))
                .redirectOutput(false)
                .build();
        PythonConfig copy = roundTrip(config);
        assertEquals(config, copy);
        assertEquals(config.pythonPath(), copy.pythonPath());
        assertEquals(config.environment().keySet().stream().toList(), copy.environment().keySet().stream().toList(),
                "the environment keeps its order");
        assertNotEquals(PythonConfig.defaults(), copy);
    }

    @Test
    void defaultsSurviveSerialization() throws Exception {
        assertEquals(PythonConfig.defaults(), roundTrip(PythonConfig.defaults()));
    }
}
