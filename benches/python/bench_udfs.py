"""Functions the core's benchmarks call, and the Python-side loops that time the same functions
called from Python itself (the baseline each jarrow figure is compared with, in the same run)."""
import numpy as np
import pyarrow.compute as pc
from sklearn.linear_model import LogisticRegression

# --- scalar ------------------------------------------------------------------------------------


def add_one(x):
    return x + 1


def half(x):
    return x / 2


def add3(a, b, c):
    return a + b + c


def loop(n):
    """Calls add_one n times from Python: the per-call baseline of `call_i64`."""
    f = add_one
    for _ in range(n):
        f(41)
    return n


# --- batch -------------------------------------------------------------------------------------


def identity(batch):
    return batch


def sum_columns(batch):
    """The row-wise sum of every column: one float64 value per row."""
    columns = batch.columns
    total = columns[0]
    for column in columns[1:]:
        total = pc.add(total, column)
    return total


_kept = {}


def keep(batch):
    """Keeps the batch jarrow handed over (the very same buffers), for `loop_batch`."""
    _kept[batch.num_rows] = batch
    return batch


def loop_batch(name, rows, n):
    """Calls the batch function `name` n times from Python on the batch `keep` kept for `rows`."""
    f = globals()[name]
    batch = _kept[rows]
    for _ in range(n):
        f(batch)
    return n


# --- coalescer: a scikit-learn model, trained once at import -------------------------------------

FEATURES = [f"f{i}" for i in range(30)]


def _train():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(5000, len(FEATURES)))
    weights = rng.normal(size=len(FEATURES))
    y = (X @ weights + rng.normal(scale=0.5, size=len(X)) > 0).astype(int)
    return LogisticRegression(max_iter=1000).fit(X, y)


model = _train()


def predict_batch(batch):
    """P(class 1) for every row of a batch of the feature columns: a 1-D numpy array."""
    X = np.column_stack([batch.column(name).to_numpy() for name in FEATURES])
    return model.predict_proba(X)[:, 1]


def predict_row(*features):
    """P(class 1) for one row, its features given as arguments."""
    return float(model.predict_proba(np.array([features]))[0, 1])

