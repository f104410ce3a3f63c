package io.jarrow;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.c.jni.JniWrapper;
import org.apache.arrow.c.jni.PrivateData;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;

/**
 * Exports a {@link VectorSchemaRoot} into C Data Interface structs in time independent of its row
 * count. {@code Data.exportVectorSchemaRoot} unloads the root into a record batch, loads it into a
 * new struct vector (allocating and filling an all-set validity bitmap for every column without
 * nulls) and counts every column's nulls twice: three passes over every bitmap. Here the batch's
 * struct array is written directly, and each column without children or a dictionary (every
 * primitive, binary and string vector) hands over its own buffers with its null count left
 * unknown (-1, as the format allows), so nothing is scanned; the consumer counts nulls if it ever
 * asks. Other columns go through Arrow Java's exporter; a dictionary-encoded column's dictionary
 * comes from the provider given. The buffers are retained by the export and released, from
 * whichever thread, when the consumer releases the batch.
 */
final class BatchExport {
    private BatchExport() {}

    static void export(BufferAllocator allocator, VectorSchemaRoot root, DictionaryProvider dictionaries,
            ArrowArray array, ArrowSchema schema) {
        List<FieldVector> columns = root.getFieldVectors();
        for (FieldVector column : columns) {
            DictionaryEncoding encoding = column.getField().getDictionary();
            if (encoding != null && (dictionaries == null || dictionaries.lookup(encoding.getId()) == null)) {
                throw new JarrowException("ARROW", "column " + column.getName() + " is dictionary-encoded (dictionary "
                        + encoding.getId() + ") and its dictionary was not given: pass the DictionaryProvider that "
                        + "holds it, as in apply(input, dictionaries, allocator)");
            }
        }
        Data.exportSchema(allocator, root.getSchema(), dictionaries, schema);
        Exported batch = new Exported();
        try {
            batch.childPointers = allocator.buffer(Math.max(1, columns.size()) * 8L);
            for (int i = 0; i < columns.size(); i++) {
                ArrowArray child = ArrowArray.allocateNew(allocator);
                batch.children.add(child);
                batch.childPointers.setLong(i * 8L, child.memoryAddress());
                exportColumn(allocator, columns.get(i), dictionaries, child);
            }
            // The struct array of the batch: no validity bitmap (no row is null), one child per column.
            batch.bufferPointers = allocator.buffer(8);
            batch.bufferPointers.setLong(0, 0);
            ArrowArray.Snapshot snapshot = new ArrowArray.Snapshot();
            snapshot.length = root.getRowCount();
            snapshot.null_count = 0;
            snapshot.offset = 0;
            snapshot.n_buffers = 1;
            snapshot.n_children = columns.size();
            snapshot.buffers = batch.bufferPointers.memoryAddress();
            snapshot.children = batch.childPointers.memoryAddress();
            snapshot.dictionary = 0;
            array.save(snapshot);
            JniWrapper.get().exportArray(array.memoryAddress(), batch);
        } catch (RuntimeException e) {
            batch.close();
            schema.release();
            throw e;
        }
    }

    private static void exportColumn(BufferAllocator allocator, FieldVector column, DictionaryProvider dictionaries,
            ArrowArray out) {
        if (!column.getChildrenFromFields().isEmpty() || column.getField().getDictionary() != null) {
            Data.exportVector(allocator, column, dictionaries, out);
            return;
        }
        Exported exported = new Exported();
        try {
            int n = column.getExportedCDataBufferCount();
            exported.bufferPointers = allocator.buffer(Math.max(1, n) * 8L);
            column.exportCDataBuffers(exported.buffers, exported.bufferPointers, 0);
            ArrowArray.Snapshot snapshot = new ArrowArray.Snapshot();
            snapshot.length = column.getValueCount();
            snapshot.null_count = -1;
            snapshot.offset = 0;
            snapshot.n_buffers = n;
            snapshot.n_children = 0;
            snapshot.buffers = exported.bufferPointers.memoryAddress();
            snapshot.children = 0;
            snapshot.dictionary = 0;
            out.save(snapshot);
            JniWrapper.get().exportArray(out.memoryAddress(), exported);
        } catch (RuntimeException e) {
            exported.close();
            throw e;
        }
    }

    /** What one exported array holds on to until its consumer releases it. */
    private static final class Exported implements PrivateData {
        final List<ArrowBuf> buffers = new ArrayList<>();
        final List<ArrowArray> children = new ArrayList<>();
        ArrowBuf bufferPointers;
        ArrowBuf childPointers;

        @Override
        public void close() {
            for (ArrowArray child : children) {
                child.release();
                child.close();
            }
            for (ArrowBuf buffer : buffers) {
                if (buffer != null) {
                    buffer.getReferenceManager().release();
                }
            }
            if (bufferPointers != null) {
                bufferPointers.close();
            }
            if (childPointers != null) {
                childPointers.close();
            }
        }
    }
}
