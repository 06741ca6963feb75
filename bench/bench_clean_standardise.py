"""`clean.standardise` against dateparser / phonenumbers / python-stdnum applied cell by cell, in one run.

Data: `--rows` rows (default 1,000,000) of `aiflab.fakedata.people` (seeded, six EU locales): one
row per person, so phone numbers and IBANs are (nearly) all distinct and only dates repeat. Birth
dates are rewritten in the national styles of the row's locale (ISO, 12.03.1985, 12/03/1985,
12-3-1985, and "12 marzo 1985" with month names in six languages); phones stay in fakedata's
national, international and spaced styles; IBANs are spaced, compact or lower-case.

aiflab: the stage with three typed columns (date with day-first and six languages, phone with each
row's region from its nationality, IBAN via schwifty), each distinct value parsed once, vectorised
where pandas can. Baseline, cell by cell: `dateparser.parse(v, languages=..., settings=DMY)`,
`phonenumbers.parse` + `is_valid_number` + `format_number(E164)`, `stdnum.iban.validate`. The baseline
is slow, so it runs on the first `--baseline-rows` rows and is extrapolated linearly to all rows
(the output says so). Target (issue 5): the stage at least 5x faster.

    python bench/bench_clean_standardise.py [--rows 1000000] [--baseline-rows 20000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["de", "fr", "it", "es", "nl", "pl"]
REGIONS = {"German": "DE", "French": "FR", "Italian": "IT", "Spanish": "ES", "Dutch": "NL", "Polish": "PL"}
TARGET = 5.0


def table(rows: int, seed: int) -> pd.DataFrame:
    """The benchmark table: birth_date (mixed styles), phone, region, iban (mixed styles)."""
    from aiflab.clean.messy import MONTHS
    from aiflab.fakedata import people

    df = people(rows, seed=seed)[["geburtsdatum", "telefono", "nationality", "iban"]]
    rng = np.random.default_rng(seed)
    region = df["nationality"].map(REGIONS).fillna("DE")
    born = pd.to_datetime(df["geburtsdatum"])
    style = rng.integers(0, 5, rows)
    dates = np.where(style == 0, born.dt.strftime("%Y-%m-%d"),
                     np.where(style == 1, born.dt.strftime("%d.%m.%Y"),
                              np.where(style == 2, born.dt.strftime("%d/%m/%Y"),
                                       born.dt.day.astype(str) + "-" + born.dt.month.astype(str) + "-"
                                       + born.dt.year.astype(str))))
    textual = style == 4
    language = region.str.lower().to_numpy()
    names = np.array([MONTHS[lang].split() for lang in LANGUAGES])
    lang_index = np.array([LANGUAGES.index(x) for x in language])
    month_names = names[lang_index, born.dt.month.to_numpy() - 1]
    dates[textual] = (born.dt.day.astype(str).to_numpy()[textual] + " " + month_names[textual] + " "
                      + born.dt.year.astype(str).to_numpy()[textual])
    iban = df["iban"].to_numpy(dtype=object)
    lower = rng.random(rows) < 0.2
    iban[lower] = np.char.lower(iban[lower].astype(str))
    return pd.DataFrame({"birth_date": dates, "phone": df["telefono"], "region": region, "iban": iban})


def time_aiflab(df: pd.DataFrame) -> tuple[float, dict]:
    from aiflab.clean.standardise_stage import StandardiseStage

    started = time.perf_counter()
    result = StandardiseStage.call(df, unicode=False, columns={
        "birth_date": {"type": "date", "day_first": True, "languages": LANGUAGES},
        "phone": {"type": "phone", "region_column": "region"}, "iban": {"type": "iban"}})
    return time.perf_counter() - started, result.evidence.metrics["columns"]


def time_baseline(df: pd.DataFrame) -> tuple[float, dict]:
    """Seconds for the cell-by-cell baseline on `df`, and its failures per column."""
    import dateparser
    import phonenumbers
    from stdnum import iban
    from stdnum.exceptions import ValidationError

    settings = {"DATE_ORDER": "DMY", "PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"]}
    failed = {"birth_date": 0, "phone": 0, "iban": 0}
    started = time.perf_counter()
    for value in df["birth_date"]:
        failed["birth_date"] += dateparser.parse(value, languages=LANGUAGES, settings=settings) is None
    for value, region in zip(df["phone"], df["region"], strict=True):
        if value is None:
            continue
        try:
            number = phonenumbers.parse(value, region)
            if phonenumbers.is_valid_number(number):
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                continue
        except phonenumbers.NumberParseException:
            pass
        failed["phone"] += 1
    for value in df["iban"]:
        try:
            iban.validate(value)
        except ValidationError:
            failed["iban"] += 1
    return time.perf_counter() - started, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "clean_standardise.json")
    args = parser.parse_args()

    started = time.perf_counter()
    df = table(args.rows, args.seed)
    print(f"table: {len(df):,} rows in {time.perf_counter() - started:.1f} s; distinct dates "
          f"{df['birth_date'].nunique():,}, phones {df['phone'].nunique():,}, IBANs {df['iban'].nunique():,}")
    aiflab_s, metrics = time_aiflab(df)
    print(f"aiflab clean.standardise, {len(df):,} rows: {aiflab_s:.1f} s "
          "(unparseable: " + ", ".join(f"{c} {m['unparseable']:,}" for c, m in metrics.items()) + ")")
    subset = df.iloc[: min(args.baseline_rows, len(df))]
    baseline_subset_s, failed = time_baseline(subset)
    baseline_s = baseline_subset_s * len(df) / len(subset)
    extrapolated = len(subset) < len(df)
    print(f"baseline cell by cell, {len(subset):,} rows: {baseline_subset_s:.1f} s"
          + (f" -> {baseline_s:.0f} s for {len(df):,} rows (extrapolated linearly)" if extrapolated else "")
          + f" (failed: {', '.join(f'{c} {n:,}' for c, n in failed.items())})")
    ratio = baseline_s / aiflab_s
    print(f"ratio: {ratio:.1f}x (target {TARGET:.0f}x): {'met' if ratio >= TARGET else 'NOT met'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "rows": len(df), "seed": args.seed, "aiflab_seconds": round(aiflab_s, 3),
        "baseline_rows": len(subset), "baseline_subset_seconds": round(baseline_subset_s, 3),
        "baseline_seconds": round(baseline_s, 3), "baseline_extrapolated": extrapolated,
        "ratio": round(ratio, 2), "target": TARGET, "aiflab_unparseable": {c: m["unparseable"]
                                                                          for c, m in metrics.items()},
        "baseline_failed_in_subset": failed}, indent=2) + "\n")


if __name__ == "__main__":
    main()
