"""Python functions the Kafka Streams tests score records with."""
import time

import pyarrow as pa
import pyarrow.compute as pc

calls = []


def score(batch):
    """Each transaction's id and a score of twice its amount; records the batch sizes seen."""
    calls.append(batch.num_rows)
    return pa.RecordBatch.from_arrays(
        [batch.column("id"), pc.multiply(batch.column("amount"), 2.0)], names=["id", "score"]
    )


def batch_sizes():
    sizes = list(calls)
    calls.clear()
    return sizes


def reject_poison(batch):
    """Fails any batch holding a transaction marked poison, as a model does on input it cannot take."""
    if "poison" in batch.schema.names and pc.any(pc.fill_null(batch.column("poison"), False)).as_py():
        raise ValueError("poisoned transaction in the batch")
    return pa.RecordBatch.from_arrays([batch.column("id")], names=["id"])


def drop_one(batch):
    return batch.slice(0, batch.num_rows - 1)


def amount_times_ten(batch):
    return pa.RecordBatch.from_arrays([pc.multiply(batch.column("amount"), 10.0)], names=["score"])


def score_slowly(batch):
    """score, at a model's pace: 20 ms a call, whatever its size."""
    time.sleep(0.02)
    return score(batch)
