"""Presidio recognisers for EU identifiers: a regular expression finds candidates, python-stdnum decides.

- ``NATIONAL_ID``: the personal identifiers of the 27 member states, with the stdnum schemes of
  `aiflab.discover.identifiers`. A candidate some scheme accepts scores 1.0, except a bare number
  of eight or nine digits (Dutch BSN, Hungarian, Luxembourg and Maltese numbers; about one random
  number in eleven passes one of their checks): it keeps a low score that context words raise.
- ``VAT_CODE``: EU VAT numbers with their country prefix, checked by `stdnum.eu.vat`.
- ``IBAN_CODE``: Presidio's own recogniser (country formats and the ISO 13616 mod-97 check).
- ``PHONE_NUMBER``: Presidio's phonenumbers-based recogniser, run on the digit runs of a text (with
  three characters either side, which is what the matcher's checks of neighbouring letters and time
  stamps look at) and on each distinct run once: people recur in notes, and so do their numbers.
  A run in international format (``+44 115 496 0907``) that phonenumbers finds possible but not
  valid (unallocated or fictional ranges, ranges newer than its metadata) still scores
  `INTERNATIONAL_SCORE`: the leading ``+`` and country code make it a phone number all the same.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from aiflab.discover.identifiers import SCHEMES

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer, PatternRecognizer, RecognizerResult
    from presidio_analyzer.nlp_engine import NlpArtifacts
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

WEAK_SCORE = 0.3
"""Score of a valid bare 8- or 9-digit number; context words add Presidio's 0.35."""

ID_CONTEXT = ["national", "identity", "identification", "id", "ssn", "social", "security", "insurance",
              "personal", "number", "numéro", "sécurité", "sociale", "identité", "insee", "nir", "bsn",
              "burgerservicenummer", "pesel", "personnummer", "cpr", "dni", "nie", "nif", "codice", "fiscale",
              "steuer", "idnr", "identifikationsnummer", "egn", "oib", "amka", "pps", "hetu", "henkilötunnus",
              "emso", "cnp", "isikukood", "asmens", "kodas", "personas", "rodné", "číslo", "rijksregister",
              "registre", "sozialversicherung", "vnr", "taj", "adóazonosító", "matricule", "tax"]
VAT_CONTEXT = ["vat", "tva", "iva", "btw", "mwst", "ust", "ustid", "moms", "alv", "áfa", "dph", "pvm", "nip",
               "tax", "taxe", "steuer"]

INTERNATIONAL_SCORE = 0.4
"""Score of a possible but not valid phone number written in international format."""

_SEPARATORS = re.compile(r"[\s./-]")
_PHONE_RUN = re.compile(r"[+(]?\d[\d\s()./-]*\d")
_PHONE_RUN_MIN_DIGITS = 5
_PHONE_MARGIN = 3
_PHONE_CACHE_SIZE = 200_000
_VAT_PREFIXES = "AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI"


@cache
def _schemes() -> tuple[tuple[re.Pattern[str], Callable[[str], bool]], ...]:
    """(compact pattern, stdnum is_valid) of every national identifier scheme."""
    return tuple((re.compile(s.pattern), importlib.import_module(f"stdnum.{s.module}").is_valid)
                 for s in SCHEMES)


def national_id_validity(text: str) -> bool | None:
    """True when a scheme accepts `text`; None when only a bare 8- or 9-digit number passes; else False."""
    compact = _SEPARATORS.sub("", text).upper()
    if not any(pattern.fullmatch(compact) and is_valid(text.upper()) for pattern, is_valid in _schemes()):
        return False
    return None if compact.isdigit() and len(compact) <= 9 else True


def vat_validity(text: str) -> bool:
    """Whether `text` is a valid EU VAT number (country prefix included)."""
    from stdnum.eu import vat

    return bool(vat.is_valid(_SEPARATORS.sub("", text).upper()))


def national_id_recogniser(language: str) -> PatternRecognizer:
    """Candidates: digit-led runs of 8-18 characters with single `./-` separators, the spaced French
    NIR, the Spanish NIE and the Italian codice fiscale; stdnum checksums decide."""
    from presidio_analyzer import Pattern, PatternRecognizer

    class NationalIdRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str) -> bool | None:
            return national_id_validity(pattern_text)

    patterns = [
        Pattern("digit-led identifier", r"(?<![\w.+/()-])\d(?:[./-]?[0-9A-Z]){7,17}(?![\w])(?![./-]\w)",
                WEAK_SCORE),
        Pattern("French NIR, spaced",
                r"(?<![\w.+/-])[12] \d{2} (?:0[1-9]|1[0-2]|[2-9]\d) (?:\d{2}|2[AB]) \d{3} \d{3} \d{2}(?!\w)",
                WEAK_SCORE),
        Pattern("Spanish NIE", r"(?<![\w.-])[XYZ]-?\d{7}-?[A-Z](?!\w)", WEAK_SCORE),
        Pattern("Italian codice fiscale", r"(?<!\w)[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}"
                                          r"[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?!\w)", WEAK_SCORE),
    ]
    return NationalIdRecognizer(supported_entity="NATIONAL_ID", name="EuNationalIdRecognizer",
                                supported_language=language, patterns=patterns, context=ID_CONTEXT)


def vat_recogniser(language: str) -> PatternRecognizer:
    """Candidates: an EU country prefix and 8-14 characters; `stdnum.eu.vat` decides."""
    from presidio_analyzer import Pattern, PatternRecognizer

    class VatRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return vat_validity(pattern_text)

    pattern = Pattern("EU VAT number", rf"(?<!\w)(?:{_VAT_PREFIXES}) ?[0-9A-Z]{{0,2}}(?:[ .-]?\d){{6,12}}"
                                       r"(?:[.-]?[0-9A-Z]{1,3})?(?!\w)", WEAK_SCORE)
    return VatRecognizer(supported_entity="VAT_CODE", name="EuVatRecognizer", supported_language=language,
                         patterns=[pattern], context=VAT_CONTEXT)


def eu_recognisers(language: str) -> list[EntityRecognizer]:
    """The EU identifier recognisers (national IDs, VAT, IBAN) for `language`."""
    from presidio_analyzer.predefined_recognizers import IbanRecognizer

    return [national_id_recogniser(language), vat_recogniser(language),
            IbanRecognizer(supported_language=language)]


def phone_recogniser(language: str, regions: tuple[str, ...], context: list[str] | None) -> PhoneRecognizer:
    """Presidio's phone recogniser for `regions`, run on each distinct digit run (with its margin) once."""
    import copy

    from presidio_analyzer import AnalysisExplanation, RecognizerResult
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    class DigitRunPhoneRecognizer(PhoneRecognizer):
        def __init__(self) -> None:
            super().__init__(supported_language=language, supported_regions=regions, context=context)
            self._runs: dict[str, list[RecognizerResult]] = {}

        def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None,
                    regex_flags: int | None = None) -> list[RecognizerResult]:
            results = []
            for run in _PHONE_RUN.finditer(text):
                if sum(c.isdigit() for c in run.group()) < _PHONE_RUN_MIN_DIGITS:
                    continue
                start = max(0, run.start() - _PHONE_MARGIN)
                window = text[start:run.end() + _PHONE_MARGIN]
                if window not in self._runs:
                    if len(self._runs) >= _PHONE_CACHE_SIZE:
                        self._runs.clear()
                    found = super().analyze(window, entities)
                    if not found and _possible_international(run.group()):
                        found = [self._international(run.start() - start, run.end() - start)]
                    self._runs[window] = found
                results += [RecognizerResult(r.entity_type, r.start + start, r.end + start, r.score,
                                             copy.copy(r.analysis_explanation), dict(r.recognition_metadata))
                            for r in self._runs[window]]
            return results

        def _international(self, start: int, end: int) -> RecognizerResult:
            explanation = AnalysisExplanation(
                recognizer=type(self).__name__, original_score=INTERNATIONAL_SCORE,
                textual_explanation="possible phone number in international format (not in a known range)")
            return RecognizerResult("PHONE_NUMBER", start, end, INTERNATIONAL_SCORE, explanation,
                                    {RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                     RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})

    return DigitRunPhoneRecognizer()


def _possible_international(run: str) -> bool:
    """A digit run written as +CC... that phonenumbers finds possible (right length for its country)."""
    import phonenumbers

    if not run.startswith("+"):
        return False
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(run, None))
    except phonenumbers.NumberParseException:
        return False
