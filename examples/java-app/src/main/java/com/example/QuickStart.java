package com.example;

import io.jarrow.PythonConfig;
import io.jarrow.PythonFunction;
import io.jarrow.PythonRuntime;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Scores transactions with scoring.py: {@code java ... com.example.QuickStart /path/to/venv/bin/python}. */
public final class QuickStart {
    public static void main(String[] args) {
        try (PythonRuntime python = PythonRuntime.start(PythonConfig.builder()
                 .executable(Path.of(args[0]))          // a venv with jarrow and the model's packages
                 .addPythonPath(Path.of("python"))      // where scoring.py lives
                 .build());
             PythonFunction score = python.function("scoring:score");   // resolved once
             PythonFunction risk = python.function("scoring:risk");
             BufferAllocator allocator = new RootAllocator();
             Float8Vector amount = new Float8Vector("amount", allocator);
             Float8Vector hour = new Float8Vector("hour", allocator)) {
            System.out.printf("risk of 900.0 at 3 a.m.: %.3f%n", risk.callDouble(900.0));  // scalars

            double[][] transactions = {{12.5, 14}, {990.0, 3}, {40.0, 23}};
            amount.allocateNew(transactions.length);
            hour.allocateNew(transactions.length);
            for (int row = 0; row < transactions.length; row++) {
                amount.set(row, transactions[row][0]);
                hour.set(row, transactions[row][1]);
            }
            amount.setValueCount(transactions.length);
            hour.setValueCount(transactions.length);
            VectorSchemaRoot batch = VectorSchemaRoot.of(amount, hour);   // the vectors' rows
            try (VectorSchemaRoot scores = score.apply(batch, allocator)) {  // zero-copy batches
                Float8Vector p = (Float8Vector) scores.getVector("fraud_probability");
                for (int row = 0; row < scores.getRowCount(); row++) {
                    System.out.printf("transaction %d: %.3f%n", row, p.get(row));
                }
            }   // the result belongs to the caller: closing it frees it, on both sides
        }
    }
}
