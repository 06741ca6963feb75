"""The three criteria of WP29 Opinion 05/2014 (singling out, linkability, inference) as attacks.

In the manner of anonymeter (Giomi et al., 2022), implemented here: the `original` records a
release was made from (the *training* records) are attacked through the `released` table, and
the same attack is run against a held-out *control* set of records that were never released.
What the attack achieves beyond the control is what the release leaks:
``risk = (attack - control) / (1 - control)``, each rate with a Wilson interval. The attacker's
background knowledge is the quasi-identifiers; the secrets are the sensitive columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field

from aiflab.anonymise.risk_neighbours import encode, nearest
from aiflab.anonymise.risk_stats import AttackResult, Rate, attack_result, wilson
from aiflab.errors import StageError

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_ATTACKS = 1000
PREDICATE_COLUMNS = 3
NUMERIC_TOLERANCE = 0.05
_EQ, _LE, _GE = 0, 1, 2
_QUERY_CELLS = 1 << 22
_MAX_ATTEMPTS = 10


class RiskAssessment(BaseModel):
    """The outcome of the three WP29 attacks on one release."""

    quasi_identifiers: list[str]
    sensitive: list[str]
    rows_training: int
    rows_control: int
    rows_released: int
    singling_out_univariate: AttackResult
    singling_out_multivariate: AttackResult
    linkability: AttackResult | None = Field(description="None when fewer than two quasi-identifiers")
    inference: list[AttackResult] = Field(description="one attack per sensitive column")
    attacker_model: str

    def worst(self) -> dict[str, AttackResult | None]:
        """The riskiest attack per WP29 criterion (None when the criterion could not be attacked)."""
        singling = max(self.singling_out_univariate, self.singling_out_multivariate, key=lambda r: r.risk)
        inference = max(self.inference, key=lambda r: r.risk) if self.inference else None
        return {"singling_out": singling, "linkability": self.linkability, "inference": inference}


def assess(original: pd.DataFrame, released: pd.DataFrame, control: pd.DataFrame,
           quasi_identifiers: Sequence[str], sensitive: Sequence[str], rng: np.random.Generator,
           attacks: int = DEFAULT_ATTACKS) -> RiskAssessment:
    """Attack `released` for singling out, linkability and inference of `original` against `control`.

    `original` holds the training records (those the release was made from), `control` records
    from the same population that were not (best as many as `original`, see `_attacker_model`);
    `sensitive` columns are the secrets inferred from the `quasi_identifiers` (a column that is
    both is used as a quasi-identifier). Raises StageError naming a missing column or an empty table.
    """
    qis = list(dict.fromkeys(quasi_identifiers))
    secrets = [s for s in dict.fromkeys(sensitive) if s not in qis]
    if not qis:
        raise StageError("no quasi-identifiers to attack with: declare them or run discover.pii first")
    if attacks < 1:
        raise StageError(f"the number of attacks must be at least 1, got {attacks}")
    for name, frame in (("original", original), ("released", released), ("control", control)):
        missing = [c for c in [*qis, *secrets] if c not in frame.columns]
        if missing:
            raise StageError(f"the {name} table has no column {', '.join(map(repr, missing))}")
        if frame.empty:
            raise StageError(f"the {name} table has no rows")
    enc = encode([original, control, released], [*qis, *secrets])
    train, ctrl, rel = enc.matrices
    q = len(qis)
    cat = enc.categorical
    train_targets = rng.choice(len(train), min(attacks, len(train)), replace=False)
    ctrl_targets = rng.choice(len(ctrl), min(attacks, len(ctrl)), replace=False)

    singling = [_singling_out(mode, train[:, :q], ctrl[:, :q], rel[:, :q], cat[:q], rng, attacks)
                for mode in ("univariate", "multivariate")]
    linkability = None
    if q >= 2:
        half = (q + 1) // 2
        linkability = _linkability(train[train_targets, :q], ctrl[ctrl_targets, :q], rel[:, :q], cat[:q],
                                   half, rng)
    inference: list[AttackResult] = []
    if secrets:
        main_nn = nearest(train[train_targets, :q], rel[:, :q], cat[:q])
        ctrl_nn = nearest(ctrl[ctrl_targets, :q], rel[:, :q], cat[:q])
        inference = [_inference(secret, train[train_targets, q + i], ctrl[ctrl_targets, q + i],
                                rel[:, q + i], main_nn, ctrl_nn, bool(cat[q + i]), rng)
                     for i, secret in enumerate(secrets)]
    return RiskAssessment(
        quasi_identifiers=qis, sensitive=secrets, rows_training=len(original), rows_control=len(control),
        rows_released=len(released), singling_out_univariate=singling[0],
        singling_out_multivariate=singling[1], linkability=linkability, inference=inference,
        attacker_model=_attacker_model(qis, secrets))


def _attacker_model(qis: list[str], secrets: list[str]) -> str:
    half = (len(qis) + 1) // 2
    return (
        f"The attacker holds the released table and knows the quasi-identifiers ({', '.join(qis)}) of "
        "some people. Singling out: predicates over the quasi-identifiers built from released records "
        "(univariate: a value held by one released record, or the column's extreme; multivariate: "
        f"conditions on {PREDICATE_COLUMNS} random quasi-identifiers of one released record, '=' for "
        "categories and '<=' or '>=' towards the median for numbers) that isolate exactly one released "
        "record; success when the predicate isolates exactly one training record, against the share "
        "isolating exactly one control record. When the two sets differ in size, both rates are the exact "
        "expectation on a random subset as large as the smaller set: the comparison stays fair, but a "
        "control set smaller than the training set understates a leaky release's risk by up to that ratio. "
        f"Linkability: for training targets, the nearest released record on ({', '.join(qis[:half])}) and "
        f"on ({', '.join(qis[half:]) or '-'}) is the same record. Inference: the secret ("
        f"{', '.join(secrets) or 'none'}) of the nearest released record on all quasi-identifiers is the "
        f"target's (numbers within {NUMERIC_TOLERANCE:.0%} of the column's range). Distances: numbers "
        "scaled to [0, 1], categories by equality, missing equals missing. Baselines: predicates, links "
        "and guesses built from random released values.")


def _singling_out(mode: str, train: np.ndarray, ctrl: np.ndarray, rel: np.ndarray, cat: np.ndarray,
                  rng: np.random.Generator, attacks: int) -> AttackResult:
    """Singling-out predicates from `rel`, scored on `train` against `ctrl` and random predicates."""
    if mode == "univariate":
        cols, ops, vals = _univariate_queries(rel, cat)
        keep = rng.permutation(len(cols))[:attacks]
        cols, ops, vals = cols[keep], ops[keep], vals[keep]
    else:
        cols, ops, vals = _multivariate_queries(rel, cat, _medians(rel, cat), rng, attacks)
    name = f"singling_out_{mode}"
    n = len(cols)
    if n == 0:
        empty = Rate(rate=0.0, ci_low=0.0, ci_high=0.0, trials=0)
        return attack_result(name, empty, empty, empty,
                             note="no predicate of this kind isolates a single released record")
    size = min(len(train), len(ctrl))
    main = _isolation_rate(_counts(train, cols, ops, vals), len(train), size)
    control = _isolation_rate(_counts(ctrl, cols, ops, vals), len(ctrl), size)
    random_vals = rel[rng.integers(0, len(rel), cols.shape), cols]
    baseline = _isolation_rate(_counts(train, cols, ops, random_vals), len(train), size)
    note = "" if len(train) == len(ctrl) else f"rates compared on {size} rows of each set (exact expectation)"
    return attack_result(name, wilson(main * n, n), wilson(control * n, n), wilson(baseline * n, n), note)


def _medians(rel: np.ndarray, cat: np.ndarray) -> np.ndarray:
    """Median of each numeric column's present values (0 for categories and empty columns)."""
    out = np.zeros(rel.shape[1])
    for j in np.flatnonzero(~cat):
        present = rel[rel[:, j] >= 0, j]
        out[j] = np.median(present) if len(present) else 0.0
    return out


def _univariate_queries(rel: np.ndarray, cat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-column predicates isolating one released record: '=' a value held by one record, and
    '<=' the minimum or '>=' the maximum of a numeric column when one record holds it."""
    cols: list[np.ndarray] = []
    ops: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for j in range(rel.shape[1]):
        values, counts = np.unique(rel[:, j], return_counts=True)
        rare = values[counts == 1]
        extremes: list[tuple[int, float]] = []
        present = values >= 0
        if not cat[j] and present.any():
            low, high = np.flatnonzero(present)[[0, -1]]
            extremes = [(op, values[i]) for op, i in ((_LE, low), (_GE, high)) if counts[i] == 1]
        cols.append(np.full(len(rare) + len(extremes), j))
        ops.append(np.array([_EQ] * len(rare) + [op for op, _ in extremes], dtype=np.int8))
        vals.append(np.concatenate([rare, [v for _, v in extremes]]))
    return (np.concatenate(cols)[:, None], np.concatenate(ops)[:, None],
            np.concatenate(vals).astype(np.float32)[:, None])


def _multivariate_queries(rel: np.ndarray, cat: np.ndarray, medians: np.ndarray, rng: np.random.Generator,
                          attacks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Up to `attacks` distinct predicates on a few columns of one released record that isolate it."""
    width = min(PREDICATE_COLUMNS, rel.shape[1])
    found: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    batch = max(attacks, 256)
    for _ in range(_MAX_ATTEMPTS * math.ceil(attacks / batch)):
        rows = rng.integers(0, len(rel), batch)
        cols = np.sort(np.argsort(rng.random((batch, rel.shape[1])), axis=1)[:, :width], axis=1)
        vals = rel[rows[:, None], cols]
        ops = _operators(cols, vals, cat, medians)
        for i in np.flatnonzero(_counts(rel, cols, ops, vals) == 1):
            key = cols[i].tobytes() + ops[i].tobytes() + vals[i].tobytes()
            found.setdefault(key, (cols[i], ops[i], vals[i]))
        if len(found) >= attacks:
            break
    if not found:
        return np.empty((0, width), int), np.empty((0, width), np.int8), np.empty((0, width), np.float32)
    chosen = list(found.values())[:attacks]
    return tuple(np.stack([q[k] for q in chosen]) for k in range(3))  # type: ignore[return-value]


def _operators(cols: np.ndarray, vals: np.ndarray, cat: np.ndarray, medians: np.ndarray) -> np.ndarray:
    """'=' for categories and missing values; '<=' or '>=' towards the column's median for numbers."""
    numeric = ~cat[cols] & (vals >= 0)
    return np.where(numeric, np.where(vals > medians[cols], _GE, _LE), _EQ).astype(np.int8)


def _counts(data: np.ndarray, cols: np.ndarray, ops: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """How many rows of `data` each conjunctive predicate (one row of cols/ops/vals) matches.

    Each condition is an interval: '=' is ``[v, v]``, '<=' is ``[0, v]`` (present numbers only:
    missing ones are encoded below 0) and '>=' is ``[v, inf]``.
    """
    low = np.where(ops == _LE, 0.0, vals).astype(np.float32)
    high = np.where(ops == _GE, np.inf, vals).astype(np.float32)
    out = np.zeros(len(cols), dtype=np.int64)
    by_column = np.ascontiguousarray(data.T)
    block = max(1, _QUERY_CELLS // max(1, len(data)))
    for start in range(0, len(cols), block):
        stop = start + block
        match = np.ones((len(cols[start:stop]), len(data)), dtype=bool)
        for s in range(cols.shape[1]):
            x = by_column[cols[start:stop, s]]
            match &= x >= low[start:stop, s, None]
            match &= x <= high[start:stop, s, None]
        out[start:stop] = match.sum(axis=1)
    return out


def _isolation_rate(counts: np.ndarray, rows: int, size: int) -> float:
    """Expected share of predicates matching exactly one row of a random `size`-row subset of `rows` rows.

    `counts` are the predicates' matches among all `rows`; drawing without replacement makes this
    the mean hypergeometric probability of one match (the plain share when `size == rows`).
    """
    from scipy.special import gammaln

    def log_choose(n: np.ndarray | int, k: np.ndarray | int) -> np.ndarray:
        return gammaln(np.add(n, 1)) - gammaln(np.add(k, 1)) - gammaln(np.subtract(n, k) + 1)

    counts = np.asarray(counts)
    possible = (counts >= 1) & (rows - counts >= size - 1)
    k = np.where(possible, counts, 1)
    log_p = np.log(k) + log_choose(rows - k, size - 1) - log_choose(rows, size)
    return float(np.where(possible, np.exp(log_p), 0.0).mean())


def _linkability(main: np.ndarray, ctrl: np.ndarray, rel: np.ndarray, cat: np.ndarray, half: int,
                 rng: np.random.Generator) -> AttackResult:
    """Targets are linked when the nearest released record on each half of the columns is the same."""
    def linked(targets: np.ndarray) -> int:
        first = nearest(targets[:, :half], rel[:, :half], cat[:half])
        second = nearest(targets[:, half:], rel[:, half:], cat[half:])
        return int((first == second).sum())

    guesses = rng.integers(0, len(rel), (len(main), 2))
    baseline = wilson(int((guesses[:, 0] == guesses[:, 1]).sum()), len(main))
    return attack_result("linkability", wilson(linked(main), len(main)), wilson(linked(ctrl), len(ctrl)),
                         baseline)


def _inference(secret: str, main: np.ndarray, ctrl: np.ndarray, rel: np.ndarray, main_nn: np.ndarray,
               ctrl_nn: np.ndarray, categorical: bool, rng: np.random.Generator) -> AttackResult:
    """Guess each target's secret as that of its nearest released record on the quasi-identifiers."""
    def correct(guess: np.ndarray, truth: np.ndarray) -> int:
        if categorical:
            return int((guess == truth).sum())
        return int((np.abs(guess - truth) <= NUMERIC_TOLERANCE).sum())

    baseline = wilson(correct(rel[rng.integers(0, len(rel), len(main))], main), len(main))
    return attack_result(f"inference:{secret}", wilson(correct(rel[main_nn], main), len(main)),
                         wilson(correct(rel[ctrl_nn], ctrl), len(ctrl)), baseline)
