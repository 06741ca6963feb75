"""Seeded messy citizen records from six EU locales, with known injected defects and their truth.

For tests, the benchmark and the shipped sample. ``messy_citizens(n, seed)`` returns the messy table
and a truth table aligned with it row by row: the canonical value of every defective cell, the
entity each row belongs to (near and exact duplicates share it), and which cells were made
unparseable on purpose. Defects: mojibake (UTF-8 read as cp1252) in names and cities; decimal commas
with dot or space thousands separators; weights in kg or lb; dates in national numeric styles and
with month names in the local language; phone numbers in national, international and 00 styles;
IBANs spaced, lower-cased or dashed; countries as codes or names in several languages; yes/no
in the local language; near duplicates with a typo in a name and differently written values;
exact duplicate rows. Faker (a development dependency) is imported lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

LOCALES = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL")
MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada "
          "grudnia",
}
DATE_STYLES = {"de": "{d:02d}.{m:02d}.{y}", "fr": "{d:02d}/{m:02d}/{y}", "it": "{d:02d}/{m:02d}/{y}",
               "es": "{d:02d}-{m:02d}-{y}", "nl": "{d}-{m}-{y}", "pl": "{d:02d}.{m:02d}.{y}"}
COUNTRY_NAMES = {"DE": ["Deutschland", "Germany", "Allemagne", "de", "DEU"],
                 "FR": ["France", "Frankreich", "fr", "FRA"],
                 "IT": ["Italia", "Italy", "Italien", "it", "ITA"],
                 "ES": ["España", "Spain", "Espagne", "es", "ESP"],
                 "NL": ["Nederland", "Netherlands", "Pays-Bas", "nl", "NLD"],
                 "PL": ["Polska", "Poland", "Pologne", "pl", "POL"]}
YES_NO = {"de": ("ja", "nein"), "fr": ("oui", "non"), "it": ("sì", "no"), "es": ("sí", "no"),
          "nl": ("ja", "nee"), "pl": ("tak", "nie")}
NOTES = {
    "de": ["Die Antragstellerin hat alle Unterlagen rechtzeitig beim Bürgeramt in {city} eingereicht.",
           "Der Bescheid wurde am Montag verschickt, eine Rückmeldung steht noch aus.",
           "Bitte die Adresse vor der nächsten Zahlung noch einmal überprüfen."],
    "fr": ["Le demandeur a déposé tous les documents à la mairie de {city} dans les délais.",
           "La décision a été envoyée lundi, nous attendons encore une réponse.",
           "Merci de vérifier l'adresse avant le prochain paiement."],
    "it": ["Il richiedente ha consegnato tutti i documenti al comune di {city} nei tempi previsti.",
           "La decisione è stata inviata lunedì, siamo ancora in attesa di una risposta.",
           "Si prega di verificare l'indirizzo prima del prossimo pagamento."],
    "es": ["La solicitante entregó todos los documentos en el ayuntamiento de {city} a tiempo.",
           "La resolución se envió el lunes y todavía esperamos una respuesta.",
           "Por favor, compruebe la dirección antes del próximo pago."],
    "nl": ["De aanvrager heeft alle documenten op tijd bij de gemeente {city} ingediend.",
           "Het besluit is maandag verstuurd, we wachten nog op een reactie.",
           "Controleer het adres alstublieft voor de volgende betaling."],
    "pl": ["Wnioskodawca złożył wszystkie dokumenty w urzędzie w {city} w terminie.",
           "Decyzja została wysłana w poniedziałek, nadal czekamy na odpowiedź.",
           "Proszę sprawdzić adres przed następną płatnością."],
}
REFERENCE_DAY = date(2025, 6, 30)


@dataclass
class Messy:
    """The messy table and its truth, row-aligned (same index)."""

    df: pd.DataFrame
    truth: pd.DataFrame


def mojibake(text: str) -> str:
    """`text` as it looks when its UTF-8 bytes are read as Windows-1252 ('Müller' -> 'MÃ¼ller'); bytes
    that code page leaves undefined pass through as control characters, as real decoders do."""
    import ftfy.bad_codecs  # noqa: F401 (registers sloppy-windows-1252)

    return text.encode("utf-8").decode("sloppy-windows-1252")


def _phone(rng: np.random.Generator, region: str) -> str:
    import phonenumbers

    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    digits = str(example.national_number)
    while True:
        candidate = digits[:-6] + "".join(map(str, rng.integers(0, 10, 6)))
        number = phonenumbers.parse(candidate, region)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone_style(rng: np.random.Generator, e164: str) -> str:
    import phonenumbers

    number = phonenumbers.parse(e164)
    style = rng.integers(0, 4)
    if style == 0:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    if style == 1:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if style == 2:
        return "00" + e164[1:]
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return national.replace(" ", "-") if rng.random() < 0.5 else national.replace(" ", "")


def _date_style(rng: np.random.Generator, day: date, language: str) -> str:
    style = rng.random()
    if style < 0.2:
        return day.isoformat()
    if style < 0.35:
        month = MONTHS[language].split()[day.month - 1]
        return f"{day.day} de {month} de {day.year}" if language == "es" else f"{day.day} {month} {day.year}"
    return DATE_STYLES[language].format(d=day.day, m=day.month, y=day.year)


def _iban_style(rng: np.random.Generator, iban: str) -> str:
    style = rng.integers(0, 4)
    grouped = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    return [iban, grouped, grouped.lower(), grouped.replace(" ", "-")][style]


def _amount_style(rng: np.random.Generator, amount: float) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    groups = f"{int(whole):,}"
    return [groups.replace(",", ".") + "," + cents, groups.replace(",", "\u00a0") + "," + cents,
            whole + "," + cents][rng.integers(0, 3)]


def _weight_style(rng: np.random.Generator, kg: float) -> str:
    if rng.random() < 0.2:
        return f"{kg / 0.45359237:.1f} lb".replace(".", ",")
    return f"{kg:.1f} kg".replace(".", ",") if rng.random() < 0.5 else f"{kg:.1f}".replace(".", ",")


def _typo(rng: np.random.Generator, text: str) -> str:
    """One typing error: a swapped, dropped, doubled or replaced letter (names of 4+ letters)."""
    if len(text) < 4:
        return text + text[-1]
    i = int(rng.integers(1, len(text) - 2))
    kind = rng.integers(0, 4)
    if kind == 0:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    return text[:i] + "aeiou"[int(rng.integers(0, 5))] + text[i + 1:]


def messy_citizens(n: int = 600, seed: int = 0, near_share: float = 0.06, exact_share: float = 0.02,
                   bad_share: float = 0.01) -> Messy:
    """`n` distinct people (evenly from `LOCALES`), then near duplicates (`near_share` of them, each with
    a typo in a name and other writings of its values) and exact duplicate rows (`exact_share`), shuffled.
    `bad_share` of the birth dates, phones and IBANs are made unparseable (kept in the truth as such)."""
    from faker import Faker

    rng = np.random.default_rng(seed)
    people = []
    for i in range(n):
        locale = LOCALES[i % len(LOCALES)]
        fake = Faker(locale)
        fake.seed_instance(seed * 100_003 + i)
        language, country = locale[:2], locale[-2:]
        born = REFERENCE_DAY - timedelta(days=int(rng.integers(18 * 365, 90 * 365)))
        people.append({
            "entity": i, "language": language, "country": country,
            "first_name": fake.first_name(), "last_name": fake.last_name(), "birth_date": born,
            "phone": _phone(rng, country), "iban": fake.iban(), "city": fake.city(),
            "postcode": fake.postcode(), "income": round(float(rng.gamma(4, 700)), 2),
            "weight_kg": round(float(rng.normal(75, 12)), 1), "consent": bool(rng.random() < 0.7),
            "note": " ".join(rng.choice(NOTES[language], 2, replace=False)).format(city=fake.city())})
    near = rng.choice(n, round(near_share * n), replace=False)
    rows = [dict(p, duplicate="") for p in people] + [dict(people[i], duplicate="near") for i in near]
    rows = [_render(rng, row, k, bad_share) for k, row in enumerate(rows)]
    exact = rng.choice(len(rows), round(exact_share * n), replace=False)
    rows += [dict(rows[i], duplicate="exact") for i in exact]
    order = rng.permutation(len(rows))
    table = pd.DataFrame([rows[i] for i in order]).reset_index(drop=True)
    messy_columns = ["record_id", "first_name", "last_name", "birth_date_raw", "phone_raw", "iban_raw",
                     "country_raw", "city_raw", "postcode", "income_raw", "weight_raw", "consent_raw", "note"]
    df = table[messy_columns].rename(columns=lambda c: c.removesuffix("_raw"))
    truth = table[["entity", "duplicate", "language", "country", "birth_date", "phone", "iban", "city",
                   "income", "weight_kg", "consent", "bad_birth_date", "bad_phone", "bad_iban",
                   "true_first_name", "true_last_name", "mojibake"]].copy()
    truth["birth_date"] = truth["birth_date"].map(date.isoformat)
    return Messy(df, truth)


def _render(rng: np.random.Generator, person: dict, k: int, bad_share: float) -> dict:
    """The person as a data entry clerk somewhere typed them in."""
    row = dict(person, record_id=f"R{k + 1:06d}", true_first_name=person["first_name"],
               true_last_name=person["last_name"])
    language = person["language"]
    if person["duplicate"] == "near":
        key = "first_name" if rng.random() < 0.5 else "last_name"
        row[key] = _typo(rng, row[key])
    accented = not (person["first_name"] + person["last_name"]).isascii()
    row["mojibake"] = bool(accented and rng.random() < 0.2)
    if row["mojibake"]:
        row["first_name"], row["last_name"] = mojibake(row["first_name"]), mojibake(row["last_name"])
    row["city_raw"] = mojibake(person["city"]) if rng.random() < 0.1 else person["city"]
    row["birth_date_raw"] = _date_style(rng, person["birth_date"], language)
    row["phone_raw"] = _phone_style(rng, person["phone"])
    row["iban_raw"] = _iban_style(rng, person["iban"])
    row["country_raw"] = str(rng.choice(COUNTRY_NAMES[person["country"]]))
    row["income_raw"] = _amount_style(rng, person["income"])
    row["weight_raw"] = _weight_style(rng, person["weight_kg"])
    row["consent_raw"] = YES_NO[language][0 if person["consent"] else 1]
    if rng.random() < 0.05:
        row["consent_raw"] = row["consent_raw"].upper()
    row["bad_birth_date"] = row["bad_phone"] = row["bad_iban"] = False
    if rng.random() < 3 * bad_share and person["duplicate"] == "":
        which = ["birth_date", "phone", "iban"][int(rng.integers(0, 3))]
        row[f"bad_{which}"] = True
        row[f"{which}_raw"] = {"birth_date": "31.02.1985", "phone": "12345",
                               "iban": row["iban_raw"][:-1] + str((int(row["iban_raw"][-1]) + 1) % 10)}[which]
    return row
