package io.jarrow;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Imports a record batch from C Data Interface structs in time independent of its row count.
 * {@code Data.importVectorSchemaRoot} unloads and reloads the imported struct, counting every
 * column's nulls by scanning its validity bitmap; importing the struct and handing its columns to
 * a new root (a transfer, no copy) keeps the null counts the producer reported.
 */
final class ArrowImport {
    private ArrowImport() {}

    static VectorSchemaRoot importRoot(BufferAllocator allocator, ArrowArray array, ArrowSchema schema) {
        try (FieldVector struct = Data.importVector(allocator, array, schema, null)) {
            List<Field> fields = new ArrayList<>();
            List<FieldVector> columns = new ArrayList<>();
            for (FieldVector child : struct.getChildrenFromFields()) {
                TransferPair transfer = child.getTransferPair(allocator);
                transfer.transfer();
                FieldVector column = (FieldVector) transfer.getTo();
                fields.add(column.getField());
                columns.add(column);
            }
            return new VectorSchemaRoot(fields, columns, struct.getValueCount());
        }
    }
}
