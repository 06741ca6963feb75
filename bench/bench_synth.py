"""Benchmark: aiflab's synthetic-data stages against the plain libraries, in one run.

    .venv/bin/python bench/bench_synth.py [--rows 100000] [--eval-rows 50000] [--repeat 2]

(a) `synth.generate` (GaussianCopula) against calling SDV directly (same metadata, same table of
    `--rows` rows from `aiflab.fakedata.people`, fit on all rows and sample as many): the wrapper's
    overhead must stay within 10%. Runs alternate; the minimum of `--repeat` runs counts.
(b) `synth.evaluate` on `--eval-rows` real training rows, 10,000 holdout rows and `--eval-rows`
    synthetic rows × 15 columns (the synthetic rows are an independent draw of the same generator:
    evaluation cost does not depend on how they were made), against the separate tools: SDMetrics'
    quality and diagnostic reports plus anonymeter's three evaluators (singling out, linkability,
    inference). synth.evaluate pools categories beyond the 50 most frequent for SDMetrics' quality
    report (see aiflab.synth.fidelity); the separate SDMetrics run gets the values unchanged, as a
    user calling it would. anonymeter 1.1.0 pins numpy<1.27 and cannot share this environment, so
    its published approach is re-implemented naively here (one boolean mask per singling-out
    predicate, one distance scan per attacked record, as anonymeter does) with the same attack
    counts.
Figures go to bench/results/synth.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aiflab.fakedata import PEOPLE_TRUTH, people
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.table import ColumnRole, Table
from aiflab.synth.evaluate_stage import EvaluateStage
from aiflab.synth.generate_stage import GenerateStage
from aiflab.synth.handover import SyntheticTable
from aiflab.synth.sdv_backend import sdv_environment

RESULTS = Path(__file__).resolve().parent / "results" / "synth.json"
GENERATE_COLUMNS = ["geburtsdatum", "gender", "age", "nationality", "diagnosis", "religion", "visit_count",
                    "weight_kg", "department", "city"]
EVAL_COLUMNS = ["geburtsdatum", "code_postal", "city", "gender", "age", "nationality", "occupation",
                "diagnosis", "religion", "visit_count", "weight_kg", "department", "systolic_bp", "stay_days",
                "admitted"]
SEMANTIC = {"geburtsdatum": "date", "admitted": "date", "age": "number", "visit_count": "number",
            "weight_kg": "number", "systolic_bp": "number", "stay_days": "number"}
ATTACKS = 1000


def register(rows: int, seed: int) -> pd.DataFrame:
    """`people` plus three measures, so that the evaluation table has 15 columns."""
    df = people(rows, seed=seed)
    rng = np.random.default_rng(seed)
    df["systolic_bp"] = np.round(rng.normal(125, 15, rows))
    df["stay_days"] = rng.poisson(4, rows)
    df["admitted"] = (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
                      ).strftime("%Y-%m-%d")
    return df


def discovered(df: pd.DataFrame) -> Table:
    table = Table(df)
    for column in df.columns:
        table.info(column).role = ColumnRole(PEOPLE_TRUTH.get(column, ColumnRole.OTHER))
        table.info(column).semantic_type = SEMANTIC.get(column, "category")
    return table


# (a) generate -----------------------------------------------------------------------------------

def aiflab_generate(df: pd.DataFrame) -> float:
    started = time.perf_counter()
    GenerateStage.call(discovered(df), seed=1, direct_identifiers=[], holdout_share=0.0)
    return time.perf_counter() - started


def sdv_generate(df: pd.DataFrame) -> float:
    started = time.perf_counter()
    with sdv_environment():
        from sdv.metadata import Metadata
        from sdv.single_table import GaussianCopulaSynthesizer

        columns = {c: {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"} if SEMANTIC.get(c) == "date"
                   else {"sdtype": "numerical" if c in SEMANTIC else "categorical"} for c in df.columns}
        metadata = Metadata.load_from_dict({"tables": {"t": {"columns": columns}}})
        synthesizer = GaussianCopulaSynthesizer(metadata)
        synthesizer.fit({"t": df})
        synthesizer.sample(len(df))
    return time.perf_counter() - started


# (b) evaluate: the separate tools ------------------------------------------------------------------

def sdmetrics_reports(real: pd.DataFrame, synthetic: pd.DataFrame, metadata: dict[str, Any]) -> None:
    import warnings

    from sdmetrics.reports import DiagnosticReport, QualityReport

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for report in (QualityReport(), DiagnosticReport()):
            report.generate({"t": real}, {"t": synthetic}, {"tables": {"t": metadata}}, verbose=False)


def naive_anonymeter(train: pd.DataFrame, control: pd.DataFrame, synthetic: pd.DataFrame, qis: list[str],
                     secrets: list[str], rng: np.random.Generator) -> dict[str, float]:
    """Anonymeter's three evaluators as published, written plainly (pandas queries, per-record scans)."""
    numeric = [c for c in qis + secrets if pd.api.types.is_numeric_dtype(train[c])]

    def singling_out() -> float:
        hits = 0
        for _ in range(ATTACKS):
            row = synthetic.iloc[rng.integers(len(synthetic))]
            cols = rng.choice(qis, 3, replace=False)
            mask_syn = np.ones(len(synthetic), bool)
            mask_train = np.ones(len(train), bool)
            for c in cols:
                mask_syn &= (synthetic[c] == row[c]).to_numpy()
                mask_train &= (train[c] == row[c]).to_numpy()
            if mask_syn.sum() == 1:
                hits += int(mask_train.sum() == 1)
        return hits / ATTACKS

    scale = {c: (pd.concat([train[c], synthetic[c]]).max() - pd.concat([train[c], synthetic[c]]).min()) or 1
             for c in numeric}

    def distances(target: pd.Series, columns: list[str]) -> np.ndarray:
        total = np.zeros(len(synthetic))
        for c in columns:
            if c in numeric:
                total += np.minimum(np.abs(synthetic[c].to_numpy(float) - float(target[c])) / scale[c], 1)
            else:
                total += (synthetic[c].to_numpy() != target[c])
        return total

    def linkability(frame: pd.DataFrame) -> float:
        half = (len(qis) + 1) // 2
        targets = frame.iloc[rng.choice(len(frame), min(ATTACKS, len(frame)), replace=False)]
        linked = sum(int(distances(t, qis[:half]).argmin() == distances(t, qis[half:]).argmin())
                     for _, t in targets.iterrows())
        return linked / len(targets)

    def inference(frame: pd.DataFrame, secret: str) -> float:
        targets = frame.iloc[rng.choice(len(frame), min(ATTACKS, len(frame)), replace=False)]
        right = sum(int(synthetic[secret].iloc[distances(t, qis).argmin()] == t[secret])
                    for _, t in targets.iterrows())
        return right / len(targets)

    out = {"singling_out": singling_out(), "linkability_train": linkability(train),
           "linkability_control": linkability(control)}
    for secret in secrets:
        out[f"inference_{secret}_train"] = inference(train, secret)
        out[f"inference_{secret}_control"] = inference(control, secret)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--eval-rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    with sdv_environment():  # imports are not what is measured
        import sdmetrics.reports  # noqa: F401
        import sdv.single_table  # noqa: F401
        import sklearn.ensemble  # noqa: F401

    df = people(args.rows, seed=0)[GENERATE_COLUMNS]
    aiflab_s, sdv_s = [], []
    for _ in range(args.repeat):
        sdv_s.append(sdv_generate(df))
        aiflab_s.append(aiflab_generate(df))
        print(f"generate {args.rows:,} rows: aiflab {aiflab_s[-1]:.1f} s, SDV {sdv_s[-1]:.1f} s")
    overhead = min(aiflab_s) / min(sdv_s) - 1
    print(f"(a) synth.generate overhead over SDV: {overhead:+.1%} (limit +10%)")

    real = register(args.eval_rows + 10_000, seed=1)
    synthetic = register(args.eval_rows, seed=2)[EVAL_COLUMNS]
    table = discovered(real)
    train, holdout = real.iloc[:args.eval_rows][EVAL_COLUMNS], real.iloc[args.eval_rows:][EVAL_COLUMNS]
    handed = SyntheticTable.beside(Table(synthetic, {c: table.info(c) for c in EVAL_COLUMNS}), train, holdout)
    qis = [c for c in EVAL_COLUMNS if table.info(c).role == ColumnRole.QUASI_IDENTIFIER]
    secrets = [c for c in EVAL_COLUMNS if table.info(c).role == ColumnRole.SENSITIVE]

    started = time.perf_counter()
    result = EvaluateStage(target="department", attacks=ATTACKS).run(handed, RunContext(seed=1))
    evaluate_s = time.perf_counter() - started
    started = time.perf_counter()
    sdmetrics_reports(train, synthetic, handed.metadata())
    sdmetrics_s = time.perf_counter() - started
    started = time.perf_counter()
    naive_anonymeter(train, holdout, synthetic, qis, secrets, np.random.default_rng(1))
    anonymeter_s = time.perf_counter() - started
    separate_s = sdmetrics_s + anonymeter_s
    print(f"(b) synth.evaluate {args.eval_rows:,}+{args.eval_rows:,} rows x {len(EVAL_COLUMNS)} columns: "
          f"{evaluate_s:.1f} s (limit 120 s); SDMetrics reports {sdmetrics_s:.1f} s + naive anonymeter "
          f"{anonymeter_s:.1f} s = {separate_s:.1f} s; ratio {evaluate_s / separate_s:.2f}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "machine": platform.platform(), "python": platform.python_version(),
        "generate": {"rows": args.rows, "columns": len(GENERATE_COLUMNS), "aiflab_s": aiflab_s,
                     "sdv_s": sdv_s, "overhead": round(overhead, 4), "limit": 0.10},
        "evaluate": {"real_rows": args.eval_rows, "holdout_rows": 10_000, "synthetic_rows": args.eval_rows,
                     "columns": len(EVAL_COLUMNS), "attacks": ATTACKS, "aiflab_s": round(evaluate_s, 2),
                     "sdmetrics_s": round(sdmetrics_s, 2), "naive_anonymeter_s": round(anonymeter_s, 2),
                     "ratio": round(evaluate_s / separate_s, 3), "limit_s": 120,
                     "aiflab_summary": result.evidence.summary,
                     "note": "anonymeter 1.1.0 pins numpy<1.27: its approach is re-implemented naively"}},
                                    indent=2))
    print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()
