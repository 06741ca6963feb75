"""EU identifier recognisers of `anonymise.text`: valid checksums are found, invalid ones are not."""

from __future__ import annotations

import importlib

import pytest

from aiflab.anonymise.text_engine import analyse
from aiflab.anonymise.text_recognisers import national_id_validity, vat_validity
from aiflab.discover.identifiers import countries

# One valid personal identifier per member state (the examples of python-stdnum's documentation).
NATIONAL_IDS = {
    "AT": ("at.vnr", "1237010180"), "BE": ("be.nn", "85.07.30-033.28"), "BG": ("bg.egn", "7523169263"),
    "CY": ("cy.vat", "10259033P"), "CZ": ("cz.rc", "710319/2745"), "DE": ("de.idnr", "36574261809"),
    "DK": ("dk.cpr", "211062-5629"), "EE": ("ee.ik", "36805280109"), "ES": ("es.dni", "54362315-K"),
    "FI": ("fi.hetu", "131052-308T"), "FR": ("fr.nir", "2 95 10 99 126 111 93"),
    "GR": ("gr.amka", "01013099997"), "HR": ("hr.oib", "33392005961"), "HU": ("hu.anum", "12892312"),
    "IE": ("ie.pps", "6433435F"), "IT": ("it.codicefiscale", "RCCMNL83S18D969H"),
    "LT": ("lt.asmens", "33309240064"), "LU": ("lu.tva", "15027442"), "LV": ("lv.pvn", "161175-19997"),
    "MT": ("mt.vat", "1167-9112"), "NL": ("nl.bsn", "1112.22.333"), "PL": ("pl.pesel", "44051401359"),
    "PT": ("pt.cc", "000000000ZZ4"), "RO": ("ro.cnp", "1630615123457"),
    "SE": ("se.personnummer", "880320-0016"),
    "SI": ("si.emso", "0101006500006"), "SK": ("sk.rc", "710319/2745"),
}
VAT_NUMBERS = ["FR40303265045", "NL004495445B01", "ATU13585627", "DE136695976", "BE0776091951",
               "ESB58378431", "IE6433435F"]
ENTITIES = ["NATIONAL_ID", "VAT_CODE", "IBAN_CODE", "EMAIL_ADDRESS"]


def invalid_variant(value: str) -> str:
    """`value` with one character changed (the last one that can be) so that no scheme accepts it
    (Danish CPR numbers have no check digit: only their date can be made invalid)."""
    for position in reversed(range(len(value))):
        alphabet = "0123456789" if value[position].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        for replacement in alphabet if value[position].isalnum() else "":
            variant = value[:position] + replacement + value[position + 1:]
            if national_id_validity(variant) is False:
                return variant
    raise AssertionError(f"no invalid variant of {value}")


def found(text: str, language: str = "de") -> list[tuple[str, str]]:
    results = analyse(language, [text], ENTITIES, 0.4)[0]
    return [(entity, text[start:end]) for start, end, entity, _ in results]


def test_every_member_state_has_an_example() -> None:
    assert sorted(NATIONAL_IDS) == sorted(countries()) and len(NATIONAL_IDS) == 27


@pytest.mark.parametrize("country", sorted(NATIONAL_IDS))
def test_valid_national_id_is_found_and_invalid_is_not(country: str) -> None:
    module, value = NATIONAL_IDS[country]
    assert importlib.import_module(f"stdnum.{module}").is_valid(value)
    assert ("NATIONAL_ID", value) in found(f"Her national ID number is {value}, checked today.")
    wrong = invalid_variant(value)
    assert not found(f"Her national ID number is {wrong}, checked today.")


def test_bare_short_numbers_need_context() -> None:
    """A valid 9-digit BSN is found beside an identity word, not alone in a sentence about an order."""
    assert found("BSN 111222333 op de kaart") == [("NATIONAL_ID", "111222333")]
    assert not found("Order 111222333 shipped")


@pytest.mark.parametrize("vat", VAT_NUMBERS)
def test_vat_numbers(vat: str) -> None:
    assert vat_validity(vat)
    assert ("VAT_CODE", vat) in found(f"Invoice to VAT {vat} sent.")
    wrong = vat[:-1] + ("0" if vat[-1] != "0" else "1")
    if not vat_validity(wrong):
        assert ("VAT_CODE", wrong) not in found(f"Invoice to VAT {wrong} sent.")


def test_iban_is_checked() -> None:
    iban = "DE89 3704 0044 0532 0130 00"
    assert found(f"Pay to {iban} please") == [("IBAN_CODE", iban)]
    assert not found("Pay to DE88 3704 0044 0532 0130 00 please")


def test_recognisers_run_in_english_and_french() -> None:
    for language in ("en", "fr"):
        assert ("NATIONAL_ID", "RCCMNL83S18D969H") in found("codice fiscale RCCMNL83S18D969H", language)


def test_international_numbers_outside_allocated_ranges_are_phones() -> None:
    """Faker's UK numbers fall in Ofcom's drama range: phonenumbers finds them possible, not valid."""
    def phones(text: str) -> list[str]:
        return [text[start:end] for start, end, _, _ in analyse("en", [text], ["PHONE_NUMBER"], 0.4)[0]]

    assert phones("Rappel au +44115 496 0907 demain.") == ["+44115 496 0907"]
    assert phones("Tel. +33 6 12 34 56 78") == ["+33 6 12 34 56 78"]
    assert phones("Order 4496 0907 shipped, ref +44 12") == []
