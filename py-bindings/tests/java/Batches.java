import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Batch methods the Python tests call through jarrow.jvm(). */
public final class Batches {
    private Batches() {}

    /** The data addresses of every column as Java sees them, recorded by the last call. */
    public static List<Object> seen = new ArrayList<>();

    /** Returns the very batch it was given. */
    public static VectorSchemaRoot identity(VectorSchemaRoot in) {
        seen = new ArrayList<>();
        for (FieldVector v : in.getFieldVectors()) {
            List<Object> addresses = new ArrayList<>();
            for (ArrowBuf b : v.getFieldBuffers()) {
                addresses.add(b.memoryAddress());
            }
            seen.add(addresses);
        }
        return in;
    }

    public static List<Object> seen() {
        return seen;
    }

    /** A new batch: every float64 column doubled. */
    public static VectorSchemaRoot doubled(VectorSchemaRoot in, BufferAllocator allocator) {
        List<FieldVector> out = new ArrayList<>();
        for (FieldVector v : in.getFieldVectors()) {
            Float8Vector source = (Float8Vector) v;
            Float8Vector target = new Float8Vector(v.getName(), allocator);
            target.allocateNew(source.getValueCount());
            for (int i = 0; i < source.getValueCount(); i++) {
                if (source.isNull(i)) {
                    target.setNull(i);
                } else {
                    target.set(i, source.get(i) * 2);
                }
            }
            target.setValueCount(source.getValueCount());
            out.add(target);
        }
        return new VectorSchemaRoot(out);
    }

    public static VectorSchemaRoot fail(VectorSchemaRoot in) {
        throw new IllegalStateException("no batch today");
    }

    /** Hands the batch to Python's identity function (Java calling back into this interpreter). */
    public static VectorSchemaRoot throughPython(VectorSchemaRoot in, BufferAllocator allocator) {
        return io.jarrow.PythonRuntime.start().function("udfs:identity").apply(in, allocator);
    }
}
