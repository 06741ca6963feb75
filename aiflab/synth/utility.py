"""Utility of synthetic data: train on synthetic, test on real (TSTR) against train on real (TRTR).

Two random forests (scikit-learn; each tree on at most 10,000 bootstrapped rows, which keeps large
tables fast) predict the target column, one trained on the real
training rows, one on the synthetic rows; both are tested on the real holdout that neither saw.
Categories are ordinal codes shared across the three tables, dates are days.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING, Any, Literal

from aiflab.errors import StageError
from aiflab.synth.constraints import comparable

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Task = Literal["auto", "classification", "regression"]
MIN_TEST_ROWS = 10
TREES, DEPTH, TREE_ROWS = 50, 12, 10_000


def utility(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, target: str,
            sdtypes: dict[str, str], task: Task, seed: int) -> dict[str, Any]:
    """Scores of the model trained on real and on synthetic rows, and their ratio (1 is as useful)."""
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.metrics import accuracy_score, f1_score, r2_score

    if task == "auto":
        task = "regression" if sdtypes[target] in ("numerical", "datetime") else "classification"
    features = [c for c in sdtypes if c != target]
    if not features:
        raise StageError(f"utility: no column besides the target {target!r} to predict it from")
    frames = [f[f[target].notna()] for f in (train, holdout, synthetic)]
    if len(frames[1]) < MIN_TEST_ROWS:
        raise StageError(f"utility: the holdout has {len(frames[1])} rows with a {target!r} value; at least "
                         f"{MIN_TEST_ROWS} are needed (raise holdout_share in synth.generate)")
    x_real, x_test, x_synth = _encode(frames, features, sdtypes)
    y_real, y_test, y_synth = (_target(f[target], sdtypes[target], task) for f in frames)
    scores: dict[str, dict[str, float]] = {}
    for name, x, y in (("train_real", x_real, y_real), ("train_synthetic", x_synth, y_synth)):
        if task == "classification":
            if len(set(y)) < 2:
                raise StageError(f"utility: the {name.split('_')[1]} rows hold one value of {target!r} only")
            model = RandomForestClassifier(**_forest(len(x), seed)).fit(x, y)
            predicted = model.predict(x_test)
            scores[name] = {"accuracy": round(float(accuracy_score(y_test, predicted)), 4),
                            "macro_f1": round(float(f1_score(y_test, predicted, average="macro")), 4)}
        else:
            model = RandomForestRegressor(**_forest(len(x), seed)).fit(x, y)
            scores[name] = {"r2": round(float(r2_score(y_test, model.predict(x_test))), 4)}
    metric = "macro_f1" if task == "classification" else "r2"
    real, synth = scores["train_real"][metric], scores["train_synthetic"][metric]
    return {"target": target, "task": task, "metric": metric, "tested_on": f"{len(frames[1]):,} holdout rows",
            **scores, "ratio": round(synth / real, 4) if real > 0 else None}


def _forest(rows: int, seed: int) -> dict[str, Any]:
    return {"n_estimators": TREES, "max_depth": DEPTH, "max_samples": min(rows, TREE_ROWS), "n_jobs": 1,
            "random_state": seed}


def _encode(frames: list[pd.DataFrame], features: list[str], sdtypes: dict[str, str]) -> list[np.ndarray]:
    import numpy as np
    import pandas as pd

    sizes = np.cumsum([0, *(len(f) for f in frames)])
    columns = []
    for column in features:
        values = pd.concat([f[column] for f in frames], ignore_index=True)
        if sdtypes[column] in ("numerical", "datetime"):
            columns.append(comparable(values, sdtypes[column]).to_numpy())
        else:
            codes, _ = pd.factorize(values.astype(object))
            columns.append(np.where(codes < 0, np.nan, codes).astype(float))
    matrix = np.column_stack(columns)
    return [matrix[a:b] for a, b in pairwise(sizes)]


def _target(values: pd.Series, sdtype: str, task: str) -> np.ndarray:
    if task == "regression":
        return comparable(values, sdtype).to_numpy()
    return values.astype(str).to_numpy()
