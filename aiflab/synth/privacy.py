"""Privacy of synthetic data against the real rows it was made from, with the holdout as baseline.

- exact copies: synthetic rows equal to a real training row (and, as the chance level, to a
  holdout row the synthesizer never saw);
- distance to closest record (DCR): for sampled synthetic rows, the distance to the nearest
  training row against the distance to the nearest holdout row (see `distance_to_closest`).
  Distances are those of `anonymise.risk` (numbers scaled to [0, 1], categories by equality,
  summed over columns);
- the three WP29 attacks are `assess` of `anonymise.risk`, called by `synth.evaluate` with the
  training rows as targets, the synthetic table as the release and the holdout as control.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from aiflab.anonymise.risk_neighbours import encode, nearest
from aiflab.synth.constraints import comparable

if TYPE_CHECKING:
    import pandas as pd


def exact_copies(train: pd.DataFrame, holdout: pd.DataFrame | None, synthetic: pd.DataFrame,
                 sdtypes: dict[str, str]) -> dict[str, Any]:
    """Synthetic rows identical to a training row (missing equals missing), and the holdout baseline."""
    train_keys, synth_keys = _row_keys(train, sdtypes), _row_keys(synthetic, sdtypes)
    copies = int(np.isin(synth_keys, train_keys).sum())
    out: dict[str, Any] = {"synthetic_rows": len(synthetic), "copies_of_training_rows": copies,
                           "share": round(copies / len(synthetic), 6) if len(synthetic) else 0.0}
    if holdout is not None and len(holdout):
        baseline = int(np.isin(synth_keys, _row_keys(holdout, sdtypes)).sum())
        out.update(copies_of_holdout_rows=baseline, holdout_share=round(baseline / len(synthetic), 6))
    return out


def _row_keys(df: pd.DataFrame, sdtypes: dict[str, str]) -> np.ndarray:
    """One 64-bit hash per row over the synthesised columns, independent of storage types."""
    import pandas as pd

    normal = pd.DataFrame({c: comparable(df[c], t) if t in ("numerical", "datetime")
                           else df[c].astype(object).where(df[c].notna(), None).astype(str)
                           for c, t in sdtypes.items()})
    return pd.util.hash_pandas_object(normal, index=False).to_numpy()


def distance_to_closest(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame,
                        columns: list[str], rng: np.random.Generator, rows: int) -> dict[str, Any]:
    """DCR of up to `rows` sampled synthetic rows to the training rows and to the holdout.

    When the synthesizer did not memorise, training and holdout rows are alike to it, so the
    nearest real row of a synthetic row is a training row with probability ``n_train / (n_train +
    n_holdout)``. ``risk = (observed - expected) / (1 - expected)``, at least 0, is 0 for such a
    synthesizer and 1 when every synthetic row sits on a training row.
    """
    synth_part = synthetic.iloc[rng.choice(len(synthetic), min(rows, len(synthetic)), replace=False)]
    enc = encode([train, holdout, synth_part], columns)
    ref_train, ref_holdout, queries = enc.matrices
    to_train = _distances(queries, ref_train, enc.categorical)
    to_holdout = _distances(queries, ref_holdout, enc.categorical)
    observed = float(np.mean(to_train < to_holdout) + 0.5 * np.mean(to_train == to_holdout))
    expected = len(train) / (len(train) + len(holdout))
    return {"synthetic_rows": len(synth_part), "training_rows": len(train), "holdout_rows": len(holdout),
            "closer_to_training_share": round(observed, 4), "expected_share": round(expected, 4),
            "risk": round(max(0.0, (observed - expected) / (1 - expected)), 4),
            "median_to_training": round(float(np.median(to_train)), 4),
            "median_to_holdout": round(float(np.median(to_holdout)), 4),
            "p05_to_training": round(float(np.quantile(to_train, 0.05)), 4),
            "p05_to_holdout": round(float(np.quantile(to_holdout, 0.05)), 4)}


def _distances(queries: np.ndarray, reference: np.ndarray, categorical: np.ndarray) -> np.ndarray:
    """Distance from each query row to its nearest reference row."""
    found = reference[nearest(queries, reference, categorical)]
    diff = np.abs(queries - found)
    return np.where(categorical, diff > 0, np.minimum(diff, 1.0)).sum(axis=1)

