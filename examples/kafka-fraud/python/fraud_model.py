"""The fraud-scoring demo's Python side: synthetic card transactions, a scikit-learn model trained on
them, and `score`, the function the Kafka Streams app and the Flink job call through jarrow, and `predict`,
the model of the Flink demo's SQL form (ML_PREDICT).

Run by the demo through jarrow; the same functions work from Python (and from its tests):

>>> import pyarrow as pa
>>> batch = pa.RecordBatch.from_pylist([json.loads(v) for v in transactions_json(0, 3, seed=1).split(b"\\n")])
>>> sorted(batch.schema.names)[:3], batch.num_rows
(['amount', 'card', 'hour'], 3)
"""
import json
import os
import pickle
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FRAUD_RATE = 0.005
PCA_FEATURES = [f"v{i}" for i in range(28)]
FEATURES = PCA_FEATURES + ["amount", "hour"]  # 30 numeric features

_model = None


def _draw(start_id, n, seed):
    """Transactions start_id .. start_id + n - 1: 28 anonymised features, amount, hour, card and
    label. About 0.5% are fraud, which shifts some features, favours the night and larger amounts."""
    rng = np.random.default_rng(seed)
    fraud = rng.random(n) < FRAUD_RATE
    v = rng.normal(size=(n, 28))
    k = int(fraud.sum())
    v[fraud, :6] += rng.normal(1.6, 0.7, size=(k, 6))
    v[fraud, 6:10] -= rng.normal(1.2, 0.6, size=(k, 4))
    amount = rng.lognormal(3.5, 1.0, size=n)
    amount[fraud] = rng.lognormal(5.0, 1.2, size=k)
    hour = rng.integers(0, 24, size=n)
    hour[fraud] = np.where(rng.random(k) < 0.6, rng.integers(0, 6, size=k), rng.integers(0, 24, size=k))
    return {
        "id": np.arange(start_id, start_id + n, dtype=np.int64),
        "card": rng.integers(0, 50_000, size=n),
        "v": np.round(v, 4),
        "amount": np.round(amount, 2),
        "hour": hour,
        "is_fraud": fraud,
    }


def transactions_json(start_id, n, seed):
    """n transactions as JSON objects, one per line (the values the demo produces to Kafka)."""
    d = _draw(start_id, n, seed)
    names = ", ".join(f'"{name}": {{}}' for name in PCA_FEATURES)
    template = '{{"id": {}, "card": "card-{}", ' + names + ', "amount": {}, "hour": {}, "is_fraud": {}}}'
    lines = [
        template.format(d["id"][i], d["card"][i], *d["v"][i].tolist(), d["amount"][i], d["hour"][i],
                        "true" if d["is_fraud"][i] else "false")
        for i in range(n)
    ]
    return "\n".join(lines).encode()


def _matrix(columns):
    return np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])


def prepare(path, training_rows=200_000):
    """Loads the model from `path`, training it there first if the file does not exist. Returns a
    one-line description."""
    global _model
    path = Path(path)
    if not path.exists():
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        d = _draw(10**9, training_rows, seed=7)
        x = np.column_stack([d["v"], np.log1p(d["amount"]), (d["hour"] < 6).astype(np.float64)])
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        model.fit(x, d["is_fraud"])
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps({"model": model, "threshold": 0.2, "rows": training_rows}))
        tmp.replace(path)
    saved = pickle.loads(path.read_bytes())
    _model = saved
    return (f"LogisticRegression on {len(FEATURES)} features, trained on {saved['rows']:,} synthetic "
            f"transactions ({path})")


def _loaded():
    """The model: the one `prepare` loaded, else the file named by $FRAUD_MODEL (how a Flink
    TaskManager, whose interpreter the job does not set up, finds it)."""
    if _model is None:
        path = os.environ.get("FRAUD_MODEL")
        if not path:
            raise RuntimeError("no model loaded: call fraud_model.prepare(path) first, or set FRAUD_MODEL")
        prepare(path)
    return _model


def _probabilities(batch):
    x = np.column_stack(
        [batch.column(name).to_numpy(zero_copy_only=False) for name in PCA_FEATURES]
        + [np.log1p(batch.column("amount").to_numpy(zero_copy_only=False)),
           (batch.column("hour").to_numpy(zero_copy_only=False) < 6).astype(np.float64)]
    )
    return _loaded()["model"].predict_proba(x)[:, 1]


def score(batch):
    """The scoring UDF: one row per transaction with its id, label, fraud probability and flag."""
    probability = _probabilities(batch)
    return pa.RecordBatch.from_arrays(
        [batch.column("id"), batch.column("is_fraud"), pa.array(np.round(probability, 5)),
         pa.array(probability >= _model["threshold"])],
        names=["id", "is_fraud", "fraud_probability", "flagged"],
    )


def predict(batch):
    """The model for Flink SQL's ML_PREDICT: the 30 features in, the fraud probability and flag out
    (the query keeps the id and label beside them)."""
    probability = _probabilities(batch)
    return pa.RecordBatch.from_arrays(
        [pa.array(np.round(probability, 5)), pa.array(probability >= _model["threshold"])],
        names=["fraud_probability", "flagged"],
    )
