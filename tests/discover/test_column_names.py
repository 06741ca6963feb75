"""Column-name cues in six languages."""

from __future__ import annotations

import pytest

from aiflab.discover.column_names import name_cues, normalise


def _concepts(name: str) -> set[str]:
    return {m.concept.name for m in name_cues(name)}


def test_normalise_splits_camel_and_snake_case_and_strips_accents():
    assert normalise("dateDeNaissance") == ["date", "de", "naissance"]
    assert normalise("Código_Postal") == ["codigo", "postal"]
    assert normalise("Straße") == ["strasse"]


@pytest.mark.parametrize(("name", "concept"), [
    ("Nachname", "person_name"), ("nombre", "person_name"), ("cognome", "person_name"),
    ("achternaam", "person_name"), ("firstName", "person_name"),
    ("courriel", "email"), ("E-Mail", "email"), ("correo_electronico", "email"),
    ("téléphone", "phone"), ("Telefonnummer", "phone"), ("telefoon", "phone"),
    ("Anschrift", "address"), ("dirección", "address"), ("indirizzo", "address"),
    ("date de naissance", "birth_date"), ("Geburtsdatum", "birth_date"), ("data_di_nascita", "birth_date"),
    ("geboortedatum", "birth_date"), ("PLZ", "postcode"), ("CAP", "postcode"), ("código postal", "postcode"),
    ("ville", "city"), ("Ort", "city"), ("città", "city"), ("woonplaats", "city"),
    ("sexe", "gender"), ("Geschlecht", "gender"), ("âge", "age"), ("leeftijd", "age"), ("età", "age"),
    ("diagnostic", "health"), ("Diagnose", "health"), ("diagnóstico", "health"),
    ("religion", "religion"), ("ethnicity", "ethnicity"), ("political_party", "political"),
    ("trade_union", "trade_union"), ("sexual_orientation", "sexual_orientation"),
    ("genetic_marker", "genetic"), ("biometric_template", "biometric"), ("IBAN", "iban"),
    ("Sozialversicherungsnummer", "national_id"), ("Steuer-ID", "national_id"), ("DNI", "national_id"),
    ("codice_fiscale", "national_id"), ("BSN", "national_id"), ("PESEL", "national_id"),
    ("NIR", "national_id"),
    ("Bemerkungen", "free_text"), ("remarques", "free_text"), ("opmerkingen", "free_text"),
])
def test_cues(name, concept):
    assert concept in _concepts(name)


def test_longer_cue_wins_and_non_person_names_are_ignored():
    assert _concepts("adresse électronique") == {"email"}
    assert "person_name" not in _concepts("product_name")
    assert "age" not in _concepts("page_views")
    assert _concepts("amount") == set()
