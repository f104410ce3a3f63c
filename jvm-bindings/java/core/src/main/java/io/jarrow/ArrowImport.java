package io.jarrow;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.CDataDictionaryProvider;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Imports a record batch from C Data Interface structs in time independent of its row count.
 * {@code Data.importVectorSchemaRoot} unloads and reloads the imported struct, counting every
 * column's nulls by scanning its validity bitmap; importing the struct and handing its columns to
 * a new root (a transfer, no copy) keeps the null counts the producer reported.
 *
 * <p>A {@link VectorSchemaRoot} has no place for dictionaries, so a dictionary-encoded column
 * (pandas categoricals, pyarrow's {@code dictionary_encode}) arrives decoded: a vector of its
 * values, of the dictionary's type. That column is copied; the others are not.
 */
final class ArrowImport {
    private ArrowImport() {}

    static VectorSchemaRoot importRoot(BufferAllocator allocator, ArrowArray array, ArrowSchema schema) {
        try (CDataDictionaryProvider dictionaries = new CDataDictionaryProvider();
             FieldVector struct = Data.importVector(allocator, array, schema, dictionaries)) {
            List<Field> fields = new ArrayList<>();
            List<FieldVector> columns = new ArrayList<>();
            try {
                for (FieldVector child : struct.getChildrenFromFields()) {
                    FieldVector column = own(allocator, child, dictionaries);
                    columns.add(column);
                    fields.add(column.getField());
                }
            } catch (RuntimeException e) {
                columns.forEach(FieldVector::close);
                throw e;
            }
            return new VectorSchemaRoot(fields, columns, struct.getValueCount());
        }
    }

    /** The column as a vector of the caller's: transferred, or decoded if dictionary-encoded. */
    private static FieldVector own(BufferAllocator allocator, FieldVector child, CDataDictionaryProvider dictionaries) {
        DictionaryEncoding encoding = child.getField().getDictionary();
        if (encoding == null) {
            // With the field, so that its metadata (an extension type's name, say) stays.
            TransferPair transfer = child.getTransferPair(child.getField(), allocator);
            transfer.transfer();
            return (FieldVector) transfer.getTo();
        }
        FieldVector decoded = (FieldVector) DictionaryEncoder.decode(child, dictionaries.lookup(encoding.getId()), allocator);
        // The decoded vector is named by the dictionary; the column keeps its own name and metadata.
        Field field = new Field(child.getName(), new org.apache.arrow.vector.types.pojo.FieldType(
                child.getField().isNullable(), decoded.getField().getType(), null, child.getField().getMetadata()),
                decoded.getField().getChildren());
        TransferPair renamed = decoded.getTransferPair(field, allocator);
        renamed.transfer();
        decoded.close();
        return (FieldVector) renamed.getTo();
    }
}
