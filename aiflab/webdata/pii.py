"""Fast PII finding in web text: regular expressions propose, checksums and libraries decide.

The deciders are those of `anonymise.text`: national identifiers of the 27 member states and EU VAT
numbers by python-stdnum (`aiflab.anonymise.text_recognisers`), IBANs by the ISO 13616 mod-97
check (stdnum), phone numbers by phonenumbers for the regions of the document's language. A bare
8- or 9-digit number that only passes a weak national check counts only with an identifier word
(`ID_CONTEXT`) just before it. Names come from the spaCy NER models `anonymise.text` uses, where
the language has one (English, French).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from aiflab.anonymise.text_engine import Found

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}(?![\w-])")
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
VAT = re.compile(
    r"(?<!\w)(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK)"
    r" ?[0-9A-Z]{0,2}(?:[ .-]?\d){6,12}(?:[.-]?[0-9A-Z]{1,3})?(?!\w)"
)
NATIONAL_ID = re.compile(
    r"(?<![\w.+/()-])(?:\d(?:[./-]?[0-9A-Z]){7,17}|[XYZ]-?\d{7}-?[A-Z]"
    r"|[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]"
    r"|[12] \d{2} \d{2} (?:\d{2}|2[AB]) \d{3} \d{3} \d{2})(?![\w])(?![./-]\w)"
)
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d ()./-]{5,18}\d(?!\w)")
ENTITIES = ("EMAIL_ADDRESS", "IBAN_CODE", "VAT_CODE", "NATIONAL_ID", "PHONE_NUMBER")
_CONTEXT_WINDOW = 40
_DIGIT = re.compile(r"\d")


@cache
def _id_context() -> re.Pattern[str]:
    from aiflab.anonymise.text_recognisers import ID_CONTEXT

    return re.compile(r"\b(?:" + "|".join(map(re.escape, ID_CONTEXT)) + r")\b", re.IGNORECASE)


def _iban_ok(text: str) -> bool:
    from stdnum import iban

    return bool(iban.is_valid(text))


def _vat_ok(text: str) -> bool:
    from aiflab.anonymise.text_recognisers import vat_validity

    return vat_validity(text)


def _national_ok(text: str, before: str) -> bool:
    from aiflab.anonymise.text_recognisers import national_id_validity

    valid = national_id_validity(text)
    return valid is True or (valid is None and bool(_id_context().search(before)))


@cache
def _phone_checker(language: str) -> Callable[[str], bool]:
    import phonenumbers

    from aiflab.anonymise.text_engine import PHONE_REGIONS

    regions = PHONE_REGIONS.get(language, ()) or ("GB",)

    def valid(text: str) -> bool:
        digits = sum(c.isdigit() for c in text)
        if digits < 7 or digits > 15:
            return False
        for region in (None,) if text.startswith(("+", "00")) else regions:
            try:
                number = phonenumbers.parse(
                    text.replace("00", "+", 1) if text.startswith("00") else text, region
                )
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True
        return False

    return valid


def find(text: str, language: str, entities: frozenset[str]) -> list[Found]:
    """Spans of the wanted entities in `text` (overlaps allowed; the caller merges them)."""
    found: list[Found] = []
    if "EMAIL_ADDRESS" in entities and "@" in text:
        found += [(m.start(), m.end(), "EMAIL_ADDRESS", 1.0) for m in EMAIL.finditer(text)]
    if not _DIGIT.search(text):
        return found
    if "IBAN_CODE" in entities:
        found += [
            (m.start(), m.end(), "IBAN_CODE", 1.0)
            for m in IBAN.finditer(text)
            if _iban_ok(m.group().replace(" ", ""))
        ]
    if "VAT_CODE" in entities:
        found += [(m.start(), m.end(), "VAT_CODE", 1.0) for m in VAT.finditer(text) if _vat_ok(m.group())]
    if "NATIONAL_ID" in entities:
        found += [
            (m.start(), m.end(), "NATIONAL_ID", 1.0)
            for m in NATIONAL_ID.finditer(text)
            if _national_ok(m.group(), text[max(0, m.start() - _CONTEXT_WINDOW) : m.start()])
        ]
    if "PHONE_NUMBER" in entities:
        valid = _phone_checker(language)
        taken = [(s, e) for s, e, _, _ in found]
        for m in PHONE.finditer(text):
            candidate = m.group().strip(" ()./-")
            start = m.start() + m.group().index(candidate)
            if any(s < start + len(candidate) and start < e for s, e in taken):
                continue
            if valid(candidate):
                found.append((start, start + len(candidate), "PHONE_NUMBER", 1.0))
    return found
