package io.jarrow;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** {@link ValueFormat#mapper}: values written into Arrow Java vectors, handed over zero-copy. */
final class MapperFormat<V, VR> implements ValueFormat<V, VR> {
    private final RecordMapper<V, VR> mapper;

    MapperFormat(RecordMapper<V, VR> mapper) {
        this.mapper = mapper;
    }

    @Override
    public Scorer<V, VR> open(PythonFunction function) {
        BufferAllocator allocator = new RootAllocator();
        return new Scorer<>() {
            @Override
            public List<VR> score(List<V> values, List<byte[]> serialized) {
                try (VectorSchemaRoot batch = VectorSchemaRoot.create(mapper.schema(), allocator)) {
                    for (FieldVector vector : batch.getFieldVectors()) {
                        vector.setInitialCapacity(values.size());
                        vector.allocateNew();
                    }
                    for (int row = 0; row < values.size(); row++) {
                        V value = values.get(row);
                        if (value == null) {
                            throw new JarrowException("CONVERSION", "a null value cannot be written by " + mapper.getClass().getName());
                        }
                        mapper.write(value, batch, row);
                    }
                    batch.setRowCount(values.size());
                    try (VectorSchemaRoot result = function.apply(batch, allocator)) {
                        if (result.getRowCount() != values.size()) {
                            throw new JarrowException("CONVERSION", function.name() + " returned " + result.getRowCount()
                                    + " rows for " + values.size() + " input rows; expected one result row per input row");
                        }
                        List<VR> out = new ArrayList<>(values.size());
                        for (int row = 0; row < values.size(); row++) {
                            out.add(mapper.read(result, row));
                        }
                        return out;
                    }
                }
            }

            @Override
            public void close() {
                allocator.close();
            }
        };
    }

    @Override
    public String toString() {
        return "mapper " + mapper.getClass().getName();
    }
}
