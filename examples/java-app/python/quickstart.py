"""The README's Python quick start: `python python/quickstart.py`, from examples/java-app after
`make install` built it (its classes are the Java rules called below)."""
import jarrow
import pyarrow as pa

# A UDF exactly as the JVM will call it: same resolution, conversions, batch contract and errors.
score = jarrow.function("scoring:score")
batch = pa.record_batch({"amount": [12.5, 990.0, 40.0], "hour": [14.0, 3.0, 23.0]})
print(score.apply(batch))                                   # -> pyarrow.RecordBatch

# Java in-process: jarrow's jar (with Arrow Java) joins the classpath by itself.
jvm = jarrow.start_jvm(classpath=["target/classes"])        # your jars or class directories
print(jvm.function("java.lang.Math::max")(3, 7))            # 7, the GIL released while Java runs
print(jvm.function("com.example.Rules::large").apply(batch))  # VectorSchemaRoot large(VectorSchemaRoot, BufferAllocator)
