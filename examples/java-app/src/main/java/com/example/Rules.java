package com.example;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Java rules the Python quick start calls on an Arrow batch. */
public final class Rules {
    private Rules() {}

    /** One column, {@code large}: whether each transaction's amount is over 500. */
    public static VectorSchemaRoot large(VectorSchemaRoot transactions, BufferAllocator allocator) {
        Float8Vector amount = (Float8Vector) transactions.getVector("amount");
        BitVector large = new BitVector("large", allocator);
        large.allocateNew(transactions.getRowCount());
        for (int row = 0; row < transactions.getRowCount(); row++) {
            large.set(row, amount.get(row) > 500 ? 1 : 0);
        }
        large.setValueCount(transactions.getRowCount());
        return VectorSchemaRoot.of(large);
    }
}
