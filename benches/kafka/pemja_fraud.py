"""The way Kafka Streams users score with Python today: one call per record (through PemJa), the
JSON value parsed in Python, the model run on one row. Same model and output as fraud_model.score."""
import json

import numpy as np

import fraud_model


def prepare(path):
    return fraud_model.prepare(path)


def score_one(value):
    t = json.loads(value)
    x = np.array([[t[name] for name in fraud_model.PCA_FEATURES] + [np.log1p(t["amount"]), float(t["hour"] < 6)]])
    probability = float(fraud_model._model["model"].predict_proba(x)[0, 1])
    return json.dumps({"id": t["id"], "is_fraud": t["is_fraud"], "fraud_probability": round(probability, 5),
                       "flagged": probability >= fraud_model._model["threshold"]}, separators=(",", ":"))
