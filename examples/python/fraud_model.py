"""The demo's model: a scikit-learn fraud classifier that scores Arrow batches.

Transactions have 30 numeric features. Legitimate ones are standard normal; fraudulent ones
(0.5% of all) have the first FRAUD_SHIFTED features shifted by FRAUD_SHIFT. The Rust side of the
demo generates its transactions from the same description.
"""
import numpy as np
import pyarrow as pa
from sklearn.linear_model import LogisticRegression

N_FEATURES = 30
FRAUD_RATE = 0.005
FRAUD_SHIFTED = 6
FRAUD_SHIFT = 1.6


def synthetic_transactions(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < FRAUD_RATE
    X = rng.normal(size=(n, N_FEATURES))
    X[y, :FRAUD_SHIFTED] += FRAUD_SHIFT
    return X, y


class FraudModel:
    """Trained once, when jarrow resolves 'fraud_model:FraudModel.score'."""

    def __init__(self):
        X, y = synthetic_transactions(200_000, seed=7)
        self.model = LogisticRegression(class_weight="balanced", max_iter=500).fit(X, y)
        self.features = [f"f{i}" for i in range(N_FEATURES)]

    def score(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        # The columns are pyarrow views over the caller's buffers; numpy reads them in place.
        X = np.column_stack([batch.column(name).to_numpy() for name in self.features])
        p = self.model.predict_proba(X)[:, 1]
        return pa.RecordBatch.from_arrays([pa.array(p)], names=["fraud_probability"])

    def score_one(self, *features):
        return float(self.model.predict_proba(np.asarray([features]))[0, 1])
