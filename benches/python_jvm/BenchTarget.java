import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Java methods of the Python-side benchmark, called through jarrow, JPype and jpy. */
public final class BenchTarget {
    private BenchTarget() {}

    public static long addOne(long x) {
        return x + 1;
    }

    public static double half(double x) {
        return x / 2;
    }

    public static boolean negate(boolean b) {
        return !b;
    }

    public static String echo(String s) {
        return s;
    }

    /** The peers' way: the columns copied into Java arrays. */
    public static double total(double[][] columns) {
        double sum = 0;
        for (double[] column : columns) {
            for (double v : column) {
                sum += v;
            }
        }
        return sum;
    }

    /** jarrow's way: the columns arrive as Arrow vectors over Python's buffers. */
    public static VectorSchemaRoot totalBatch(VectorSchemaRoot in, BufferAllocator allocator) {
        double sum = 0;
        for (FieldVector v : in.getFieldVectors()) {
            Float8Vector f = (Float8Vector) v;
            for (int i = 0; i < f.getValueCount(); i++) {
                sum += f.get(i);
            }
        }
        Float8Vector out = new Float8Vector("total", allocator);
        out.allocateNew(1);
        out.set(0, sum);
        out.setValueCount(1);
        return new VectorSchemaRoot(List.of(out));
    }

    /** The row count: what handing a batch to Java costs, whatever its size. */
    public static VectorSchemaRoot rowCount(VectorSchemaRoot in, BufferAllocator allocator) {
        BigIntVector out = new BigIntVector("rows", allocator);
        out.allocateNew(1);
        out.set(0, in.getRowCount());
        out.setValueCount(1);
        return new VectorSchemaRoot(List.of(out));
    }

    /** The batch itself back: a hand-over each way. */
    public static VectorSchemaRoot identity(VectorSchemaRoot in) {
        return in;
    }
}
