package io.jarrow;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes record values of a user type (a POJO, an Avro record, ...) into Arrow vectors, and reads
 * output values back from the rows of the Python function's result. Used with
 * {@link ValueFormat#mapper(RecordMapper)}.
 *
 * <pre>{@code
 * class TransactionMapper implements RecordMapper<Transaction, Score> {
 *     public Schema schema() { return new Schema(List.of(Field.nullable("amount", FLOAT8))); }
 *     public void write(Transaction t, VectorSchemaRoot batch, int row) {
 *         ((Float8Vector) batch.getVector("amount")).setSafe(row, t.amount());
 *     }
 *     public Score read(VectorSchemaRoot result, int row) {
 *         return new Score(((Float8Vector) result.getVector("score")).get(row));
 *     }
 * }
 * }</pre>
 *
 * @param <V> the input value type
 * @param <VR> the output value type
 */
public interface RecordMapper<V, VR> {
    /** The schema of the batches handed to the Python function. */
    Schema schema();

    /** Writes {@code value} into row {@code row} of {@code batch} (use the vectors' {@code setSafe}). */
    void write(V value, VectorSchemaRoot batch, int row);

    /** The output value for row {@code row} of the function's result. */
    VR read(VectorSchemaRoot result, int row);
}
