"""Seeded, realistic European person-level data with known truth, for tests, benchmarks and samples.

``people(n, seed)`` returns a health-register-like table whose columns have a known privacy role
(``PEOPLE_TRUTH``). Faker (a development dependency, imported lazily) draws a pool of a few
thousand values per column and locale once; rows are then assembled with numpy indexing, so a
million rows take under a minute. Identifiers that should be unique (IBAN, national ID, phone)
are built per row from random digits; national-ID check digits are computed by python-stdnum
(IBAN check digits by a vectorised mod 97-10), and national IDs agree with the row's birth date,
gender and (in Italy) name where the scheme encodes them.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from aiflab.pipeline.table import ColumnRole

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXTRACTION_DATE", "PEOPLE_TRUTH", "SUPPORTED_LOCALES", "people"]

EXTRACTION_DATE = date(2025, 6, 30)
"""The day the register was extracted: `age` is the age in whole years on this day."""

_D, _Q, _S, _F, _O = (ColumnRole.DIRECT_IDENTIFIER, ColumnRole.QUASI_IDENTIFIER, ColumnRole.SENSITIVE,
                      ColumnRole.FREE_TEXT_PII, ColumnRole.OTHER)

PEOPLE_TRUTH: dict[str, str] = {
    "patient_id": _D, "nom": _D, "email": _D, "telefono": _D, "iban": _D, "national_id": _D,
    "geburtsdatum": _Q, "code_postal": _Q, "city": _Q, "gender": _Q, "age": _Q, "nationality": _Q,
    "occupation": _Q,
    "diagnosis": _S, "religion": _S,
    "notes": _F,
    "visit_count": _O, "weight_kg": _O, "department": _O, "comment": _O,
}
"""The true `ColumnRole` of every column of `people()`, in column order.

- direct identifiers single a person out on their own: the register key, the name, contact data,
  the bank account and the national identifier;
- quasi-identifiers (WP29 Opinion 05/2014) re-identify in combination: birth date, postcode, city,
  gender, age, nationality and occupation;
- sensitive: GDPR Art. 9 special categories, health (ICD-10 diagnosis) and religion;
- free_text_pii: clinical notes that mention the patient's name, sometimes a city or phone;
- other: counts and measures that do not identify (`visit_count`, `weight_kg`), the treating
  department and facility remarks without personal data. Body weight and department are health
  data in a strict reading; they are kept as "other" because they neither identify nor reveal a
  diagnosis on their own, which is the line the benchmark draws between sensitive and other.
"""

_POOL_SIZE = 3000
_PUNCT = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "œ": "oe",
                        "đ": "d", "'": "", "-": "", " ": ""})


def _ascii(text: str) -> str:
    """`text` without accents, apostrophes, hyphens or spaces ("D'Ángelo-Ruiz" -> "DAngeloRuiz")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PUNCT))
    return decomposed.encode("ascii", "ignore").decode()


def _digits(rng: np.random.Generator, m: int, k: int) -> np.ndarray:
    """`m` strings of `k` random decimal digits."""
    return (rng.integers(0, 10, (m, k), dtype=np.uint8) + 48).view(f"S{k}").ravel().astype(f"U{k}")


def _zfill(values: np.ndarray, width: int) -> np.ndarray:
    return np.strings.zfill(values.astype(str), width)


def _cat(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise concatenation of string arrays and scalars."""
    out = np.asarray(parts[0])
    for part in parts[1:]:
        out = np.strings.add(out, part)
    return out


def _with_check(bodies: np.ndarray, calc: Callable[[str], str]) -> list[str]:
    """Each body followed by the check digits python-stdnum computes for it."""
    return [body + calc(body) for body in bodies.tolist()]


def _pick(rng: np.random.Generator, values: Sequence[str], m: int) -> np.ndarray:
    """`m` values drawn uniformly from `values`."""
    return np.asarray(values)[rng.integers(0, len(values), m)]


def _choice(rng: np.random.Generator, weighted: Sequence[tuple[str, float]], m: int) -> np.ndarray:
    values, weights = zip(*weighted, strict=True)
    p = np.asarray(weights, dtype=float)
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=m, p=p / p.sum())]


@dataclass
class _Rows:
    """The rows of one locale: what their identifiers must agree with."""

    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    female: np.ndarray
    first: np.ndarray
    last: np.ndarray

    def take(self, mask: np.ndarray) -> _Rows:
        return _Rows(self.year[mask], self.month[mask], self.day[mask], self.female[mask], self.first[mask],
                     self.last[mask])


# --- national identifiers (validated by stdnum in tests) -------------------------------------------

def _de_idnr(rng: np.random.Generator, r: _Rows) -> list[str]:
    """Steuer-IdNr: in the first 10 digits exactly one digit twice, none zero-led; ISO 7064 mod 11,10."""
    from stdnum.iso7064 import mod_11_10

    m = len(r.year)
    perm = rng.permuted(np.tile(np.arange(10, dtype=np.uint8), (m, 1)), axis=1)[:, :9]
    twice = perm[np.arange(m), rng.integers(0, 9, m)]
    first10 = rng.permuted(np.column_stack([perm, twice]), axis=1)
    zero_led = np.flatnonzero(first10[:, 0] == 0)
    swap = np.argmax(first10[zero_led] != 0, axis=1)
    first10[zero_led, 0], first10[zero_led, swap] = first10[zero_led, swap], 0
    return _with_check((first10 + 48).view("S10").ravel().astype("U10"), mod_11_10.calc_check_digit)


def _fr_nir(rng: np.random.Generator, r: _Rows) -> list[str]:
    """NIR: sex, year, month, département, commune, order number, key 97 - (n mod 97)."""
    from stdnum.fr import nir

    m = len(r.year)
    dept = rng.integers(1, 96, m)
    dept[dept == 20] = 75  # 20 was split into 2A/2B (Corsica)
    body = (np.where(r.female, 2, 1) * 10**12 + (r.year % 100) * 10**10 + r.month * 10**8 + dept * 10**6
            + rng.integers(1, 1000, m) * 1000 + rng.integers(1, 1000, m))
    return _with_check(_zfill(body, 13), nir.calc_check_digits)


_CF_MONTHS = np.array(list("ABCDEHLMPRST"))
_BELFIORE = ("H501", "F205", "F839", "L219", "G273", "D969", "A944", "D612", "A662", "L736", "C351",
             "L424", "B157", "G224", "E506", "I452", "L781", "H224", "D548", "C933")


def _cf_letters(name: str, first_name: bool) -> str:
    """The three letters of a name in a codice fiscale (consonants, then vowels, then X)."""
    letters = [c for c in _ascii(name).upper() if c.isalpha()]
    consonants = [c for c in letters if c not in "AEIOU"]
    if first_name and len(consonants) >= 4:
        consonants = [consonants[0], consonants[2], consonants[3]]
    return ("".join(consonants) + "".join(c for c in letters if c in "AEIOU") + "XXX")[:3]


def _it_codicefiscale(rng: np.random.Generator, r: _Rows) -> list[str]:
    """Codice fiscale from the row's name, birth date and gender, with its control letter."""
    from stdnum.it import codicefiscale

    surname = np.array([_cf_letters(s, False) for s in r.last.tolist()], dtype="U3")
    given = np.array([_cf_letters(s, True) for s in r.first.tolist()], dtype="U3")
    body = _cat(surname, given, _zfill(r.year % 100, 2), _CF_MONTHS[r.month - 1],
                _zfill(r.day + 40 * r.female, 2), _pick(rng, _BELFIORE, len(surname)))
    return _with_check(body, codicefiscale.calc_check_digit)


def _es_dni(rng: np.random.Generator, r: _Rows) -> list[str]:
    from stdnum.es import dni

    return _with_check(_zfill(rng.integers(1_000_000, 80_000_000, len(r.year)), 8), dni.calc_check_digit)


def _nl_bsn(rng: np.random.Generator, r: _Rows) -> list[str]:
    """BSN: 9 digits passing the 11-test (stdnum has no generator; rows whose check would be 10 redraw)."""
    m = len(r.year)
    d = rng.integers(0, 10, (m, 9))
    d[:, 0] = rng.integers(1, 7, m)
    weights = np.arange(9, 1, -1)
    while True:
        check = (d[:, :8] @ weights) % 11
        bad = check == 10
        if not bad.any():
            break
        d[bad, 1:8] = rng.integers(0, 10, (int(bad.sum()), 7))
    d[:, 8] = check
    return (d.astype(np.uint8) + 48).view("S9").ravel().astype("U9").tolist()


def _pl_pesel(rng: np.random.Generator, r: _Rows) -> list[str]:
    """PESEL: birth date (month + 20 after 1999), serial, gender digit (even for women), check digit."""
    from stdnum.pl import pesel

    m = len(r.year)
    month = r.month + 20 * (r.year >= 2000)
    sex = 2 * rng.integers(0, 5, m) + (~r.female)
    body = (r.year % 100) * 10**8 + month * 10**6 + r.day * 10**4 + rng.integers(0, 1000, m) * 10 + sex
    return _with_check(_zfill(body, 10), pesel.calc_check_digit)


def _unique_ids(rng: np.random.Generator, country: _Country, rows: _Rows) -> np.ndarray:
    """National IDs for `rows`, redrawing the few that collide (real registers hold each ID once)."""
    import pandas as pd

    ids = np.asarray(country.national_id(rng, rows), dtype=object)
    while (dup := pd.Series(ids).duplicated().to_numpy()).any():
        ids[dup] = country.national_id(rng, rows.take(dup))
    return ids


# --- bank accounts ----------------------------------------------------------------------------------

def _bban_de(rng: np.random.Generator, m: int) -> np.ndarray:
    blz = ("10010010", "37040044", "50010517", "70150000", "20050550", "12030000", "43060967", "60050101")
    return _cat(_pick(rng, blz, m), _digits(rng, m, 10))


def _bban_fr(rng: np.random.Generator, m: int) -> np.ndarray:
    """Bank, branch, account and the RIB key 97 - (89 bank + 15 branch + 3 account) mod 97."""
    bank = np.asarray((30004, 30003, 20041, 30002, 30006, 10278, 17515))[rng.integers(0, 7, m)]
    branch = rng.integers(0, 100_000, m)
    account = rng.integers(0, 10**11, m)
    key = 97 - (89 * bank + 15 * branch + 3 * account) % 97
    return _cat(_zfill(bank, 5), _zfill(branch, 5), _zfill(account, 11), _zfill(key, 2))


def _bban_it(rng: np.random.Generator, m: int) -> np.ndarray:
    """CIN letter, ABI, CAB, account; the CIN uses the codice fiscale control-character tables."""
    from stdnum.it import codicefiscale

    rest = _cat(_pick(rng, ("03069", "02008", "05034", "01030", "05696", "03062"), m), _digits(rng, m, 5),
                _digits(rng, m, 12))
    return np.asarray([codicefiscale.calc_check_digit(x) + x for x in rest.tolist()])


def _bban_es(rng: np.random.Generator, m: int) -> np.ndarray:
    """Bank, branch, the two CCC check digits (stdnum), account."""
    from stdnum.es import ccc

    bank_branch = _cat(_pick(rng, ("0049", "0182", "2100", "0081", "0128", "2085", "0487"), m),
                       _digits(rng, m, 4))
    account = _digits(rng, m, 10)
    checks = [ccc.calc_check_digits(b + "00" + a) for b, a in zip(bank_branch.tolist(), account.tolist(),
                                                                   strict=True)]
    return _cat(bank_branch, np.asarray(checks), account)


def _bban_nl(rng: np.random.Generator, m: int) -> np.ndarray:
    return _cat(_pick(rng, ("ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ"), m),
                _digits(rng, m, 10))


def _bban_pl(rng: np.random.Generator, m: int) -> np.ndarray:
    return _cat(_pick(rng, ("102", "105", "109", "114", "124", "116", "249"), m), _digits(rng, m, 21))


def _iban(rng: np.random.Generator, country: str, bban: np.ndarray) -> np.ndarray:
    """IBANs of one country (`bban` of equal lengths); two thirds printed in groups of four.

    The ISO 7064 mod 97-10 check digits are computed column by column over the whole array
    (stdnum's per-string function would dominate the run time at a million rows); tests validate
    the result with stdnum.
    """
    m = len(bban)
    chars = np.ascontiguousarray(bban.astype("S")).view(np.uint8).reshape(m, -1)
    rest = np.frombuffer((country + "00").encode(), dtype=np.uint8)
    remainder = np.zeros(m, dtype=np.int64)
    for column in [*chars.T, *(np.full(m, c) for c in rest)]:
        letter = column >= 65
        remainder = np.where(letter, remainder * 100 + column - 55, remainder * 10 + column - 48) % 97
    number = _cat(country, _zfill(98 - remainder, 2), bban)
    width = number.dtype.itemsize // 4
    grouped = np.full((m, width + (width - 1) // 4), 32, dtype=np.uint8)
    grouped[:, np.arange(width) + np.arange(width) // 4] = number.astype("S").view(np.uint8).reshape(m, width)
    spaced = grouped.view(f"S{grouped.shape[1]}").ravel().astype(str)
    return np.where(rng.random(m) < 2 / 3, spaced, number).astype(object)


# --- per-country vocabulary -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Country:
    code: str
    demonym: str
    national_id: Callable[[np.random.Generator, _Rows], list[str]]
    bban: Callable[[np.random.Generator, int], np.ndarray]
    religions: tuple[tuple[str, float], ...]
    pupil: tuple[str, str]
    retired: tuple[str, str]


_COUNTRIES: dict[str, _Country] = {
    "de_DE": _Country("DE", "German", _de_idnr, _bban_de,
                      (("römisch-katholisch", 27), ("evangelisch", 23), ("konfessionslos", 40),
                       ("muslimisch", 6), ("orthodox", 2), ("jüdisch", 0.5)),
                      ("Schüler", "Schülerin"), ("Rentner", "Rentnerin")),
    "fr_FR": _Country("FR", "French", _fr_nir, _bban_fr,
                      (("catholique", 45), ("sans religion", 34), ("musulmane", 9), ("protestante", 3),
                       ("juive", 1), ("orthodoxe", 1), ("bouddhiste", 1)),
                      ("élève", "élève"), ("retraité", "retraitée")),
    "it_IT": _Country("IT", "Italian", _it_codicefiscale, _bban_it,
                      (("cattolica", 74), ("nessuna", 18), ("musulmana", 3), ("ortodossa", 3),
                       ("evangelica", 1), ("ebraica", 0.3)),
                      ("studente", "studentessa"), ("pensionato", "pensionata")),
    "es_ES": _Country("ES", "Spanish", _es_dni, _bban_es,
                      (("católica", 56), ("ninguna", 26), ("agnóstica", 10), ("musulmana", 3),
                       ("evangélica", 2), ("judía", 0.2)),
                      ("estudiante", "estudiante"), ("jubilado", "jubilada")),
    "nl_NL": _Country("NL", "Dutch", _nl_bsn, _bban_nl,
                      (("geen", 55), ("rooms-katholiek", 18), ("protestants", 14), ("islamitisch", 5),
                       ("hindoeïstisch", 1), ("joods", 0.2)),
                      ("scholier", "scholier"), ("gepensioneerd", "gepensioneerd")),
    "pl_PL": _Country("PL", "Polish", _pl_pesel, _bban_pl,
                      (("rzymskokatolickie", 85), ("bezwyznaniowe", 7), ("prawosławne", 1.5),
                       ("ewangelickie", 0.5), ("Świadkowie Jehowy", 0.3), ("muzułmańskie", 0.1)),
                      ("uczeń", "uczennica"), ("emeryt", "emerytka")),
}
SUPPORTED_LOCALES = tuple(_COUNTRIES)

_FOREIGN_NATIONALITIES = ("Romanian", "Portuguese", "Turkish", "Ukrainian", "Moroccan", "Belgian",
                          "Austrian", "Greek", "Syrian", "Bulgarian", "Croatian", "Irish")

# the primary diagnosis: one ICD-10 code per row, with rough prevalence weights
_ICD10 = (("I10", 14), ("E11.9", 9), ("E78.5", 7), ("J45.9", 5), ("M54.5", 6), ("F32.9", 5),
          ("F41.1", 4), ("K21.9", 4), ("J44.9", 4), ("I25.1", 4), ("I48.9", 3), ("N18.3", 2),
          ("E03.9", 3), ("G43.9", 3), ("M17.1", 3), ("C50.9", 2), ("C34.9", 1), ("C61", 1),
          ("J06.9", 5), ("J18.9", 2), ("K29.7", 2), ("N39.0", 3), ("R51", 2), ("Z00.0", 3),
          ("O80", 1), ("S82.2", 1), ("E66.9", 3), ("G47.3", 2), ("L40.0", 1), ("B18.2", 0.5))

_DEPARTMENTS = (("emergency", 26), ("cardiology", 20), ("oncology", 12), ("orthopaedics", 14),
                ("neurology", 10), ("psychiatry", 9), ("dermatology", 6), ("paediatrics", 3))

# --- free text --------------------------------------------------------------------------------------

_NOTE_TEMPLATES = (
    "{name} ({age} y) seen in clinic for {complaint}. {finding}. Plan: {plan}.",
    "Pt {name} reports {complaint} for {weeks} weeks. {finding}. {plan_s}.",
    "Follow-up call with {title} {last} on {phone}: {finding_l}; {plan}.",
    "{title} {last} admitted via ED with {complaint}. {finding}. Next of kin reachable on {phone}.",
    "Discussed results with {first} and family. {finding}. {plan_s}.",
    "Referral from GP in {city} for {complaint}. {name} consents to {procedure}.",
    "{name} did not attend today's appointment; letter sent. Rebook in {weeks} weeks.",
    "{first} tolerating {drug} well, no side effects reported. {plan_s}.",
    "Telephone consultation ({phone}) with {name} about {complaint}; advised to {advice}.",
    "{title} {last} moved to {city}; records to be transferred to the local practice.",
    "Home visit in {city}. {name} mobilising with a frame. {finding}.",
    "{name}, {age} years, {procedure} performed without complications. {plan_s}.",
    "Spoke to {title} {last}: {complaint} improved since starting {drug}. {plan_s}.",
    "Pre-op assessment for {first} {last}. {finding}. Fit for {procedure}.",
    "{title} {last} asks for a copy of the discharge letter to be sent to {city}.",
    "Reviewed by on-call team overnight. {name} settled, {finding_l}.",
)
_NOTE_SLOTS = {
    "complaint": ("chest pain", "shortness of breath", "persistent cough", "lower back pain", "headaches",
                  "fatigue", "dizziness", "abdominal pain", "knee pain", "poor sleep", "palpitations",
                  "low mood", "a rash on both arms", "reflux symptoms", "frequent urination"),
    "finding": ("BP 142/88, HR 76", "Chest clear on auscultation", "ECG shows sinus rhythm", "HbA1c 7.4%",
                "No focal neurological deficit", "Mild pitting oedema of both ankles", "SpO2 96% on air",
                "Abdomen soft, non-tender", "Temperature 38.2 C", "Bloods within normal limits",
                "Reduced range of movement in the right knee", "Weight stable since last visit"),
    "plan": ("repeat bloods in 3 months", "increase dose and review in 2 weeks", "refer to physiotherapy",
             "start statin", "arrange echocardiogram", "continue current medication", "book MRI",
             "dietitian referral", "review in clinic after results", "stop NSAIDs"),
    "drug": ("metformin", "ramipril", "atorvastatin", "salbutamol", "sertraline", "omeprazole",
             "levothyroxine", "apixaban", "amlodipine", "ibuprofen"),
    "procedure": ("colonoscopy", "knee arthroscopy", "cataract surgery", "a biopsy", "an MRI scan",
                  "a flu vaccination", "a stress test", "minor skin surgery"),
    "advice": ("rest and increase fluids", "attend the ED if symptoms worsen", "keep a symptom diary",
               "reduce salt intake", "take paracetamol as needed"),
}

_COMMENT_TEMPLATES = (
    "{equipment} {status}.",
    "Waiting time at reception about {minutes} minutes today.",
    "Sample sent to the central lab; {lab}.",
    "Form version {version} used for this visit.",
    "Batch {batch} of {product} used.",
    "Room {room} cleaned and restocked after the procedure.",
    "{equipment} booked for next week, {status}.",
    "Patient information leaflet {version} handed out.",
    "Appointment system was down for {minutes} minutes.",
    "Out of stock: {product}, substitute used.",
)
_COMMENT_SLOTS = {
    "equipment": ("Blood pressure monitor", "ECG machine", "Infusion pump", "Ultrasound unit", "Scale",
                  "Spirometer", "Thermometer", "Wheelchair"),
    "status": ("recalibrated", "replaced", "working normally", "due for maintenance", "reported faulty"),
    "lab": ("results expected in 48 h", "courier delayed", "sample haemolysed, repeat requested"),
    "product": ("saline 0.9%", "flu vaccine", "gauze dressing", "insulin pen needles", "nitrile gloves"),
    "room": ("2", "3B", "12", "104", "7"),
}


def _fill(rng: np.random.Generator, templates: Sequence[str], slots: dict[str, np.ndarray]) -> np.ndarray:
    """One template per row, its fields taken from the row's entry of each slot array."""
    n = len(next(iter(slots.values())))
    which = rng.integers(0, len(templates), n)
    out = np.empty(n, dtype=object)
    for t, template in enumerate(templates):
        rows = np.flatnonzero(which == t)
        text = np.full(len(rows), "", dtype=object)
        for literal, field, _, _ in string.Formatter().parse(template):
            text = text + literal
            if field is not None:
                text = text + slots[field][rows]
        out[rows] = text
    return out


def _vocab(rng: np.random.Generator, vocab: dict[str, tuple[str, ...]], n: int) -> dict[str, np.ndarray]:
    return {k: np.asarray(v, dtype=object)[rng.integers(0, len(v), n)] for k, v in vocab.items()}


# --- Faker pools ------------------------------------------------------------------------------------

@dataclass
class _Pool:
    """Pools of values for several groups (locale, or locale and gender), concatenated."""

    values: np.ndarray
    offsets: np.ndarray
    sizes: np.ndarray

    @classmethod
    def of(cls, groups: list[list[str]]) -> _Pool:
        sizes = np.array([len(g) for g in groups])
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        return cls(np.asarray([v for g in groups for v in g], dtype=object), offsets, sizes)

    def draw(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """Indexes into `values`: for each row, a uniformly drawn entry of the row's group."""
        return self.offsets[group] + (rng.random(len(group)) * self.sizes[group]).astype(np.int64)


def _faker_pools(locales: Sequence[str], seed: int, size: int) -> dict[str, _Pool]:
    """Draw `size` Faker values per locale (and gender, for names) for each pooled column."""
    from faker import Faker

    fakers = []
    for locale in locales:
        fake = Faker(locale)
        fake.seed_instance(f"{seed}:{locale}")
        for provider in fake.get_providers():  # it_IT builds `cities` from a set: order varies by process
            if isinstance(getattr(provider, "cities", None), list):
                provider.cities = sorted(provider.cities)
        fakers.append(fake)

    def pool(method: str) -> list[list[str]]:
        return [[getattr(f, method)() for _ in range(size)] for f in fakers]

    def by_gender(male: str, female: str) -> _Pool:
        return _Pool.of([g for m, f in zip(pool(male), pool(female), strict=True) for g in (m, f)])

    postcodes = pool("postcode")
    for i, locale in enumerate(locales):
        if locale == "nl_NL":  # Faker writes "1234AB"; the Dutch style is "1234 AB"
            postcodes[i] = [p[:4] + " " + p[4:] if " " not in p else p for p in postcodes[i]]
    return {"first": by_gender("first_name_male", "first_name_female"),
            "last": by_gender("last_name_male", "last_name_female"),
            "phone": _Pool.of(pool("phone_number")), "postcode": _Pool.of(postcodes),
            "city": _Pool.of(pool("city")), "job": _Pool.of(pool("job")),
            "domain": _Pool.of(pool("free_email_domain"))}


def _scramble_last_digits(rng: np.random.Generator, values: np.ndarray, k: int) -> np.ndarray:
    """Replace the last `k` digits of each ASCII string with random digits (keeps the layout)."""
    raw = values.astype("S")
    width = raw.dtype.itemsize
    chars = raw.view(np.uint8).reshape(len(raw), width).copy()
    is_digit = (chars >= 48) & (chars <= 57)
    from_end = np.cumsum(is_digit[:, ::-1], axis=1)[:, ::-1]
    hit = is_digit & (from_end <= k)
    chars[hit] = rng.integers(48, 58, int(hit.sum()), dtype=np.uint8)
    return chars.view(f"S{width}").ravel().astype(str).astype(object)


def _emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray, year: np.ndarray,
            domain: np.ndarray) -> np.ndarray:
    """Addresses derived from the name in one of several common patterns."""
    n = len(first)
    f, surname = first.astype(str), last.astype(str)
    two_digits = _zfill(rng.integers(0, 100, n), 2)
    patterns = (
        _cat(f, ".", surname), _cat(f.astype("U1"), ".", surname), _cat(f, surname, two_digits),
        _cat(surname, ".", f), _cat(f, "_", surname, _zfill(year % 100, 2)), _cat(surname, f, two_digits),
    )
    which = rng.integers(0, len(patterns), n)
    local = np.choose(which, patterns)
    return np.strings.add(np.strings.add(np.strings.lower(local), "@"), domain.astype(str)).astype(object)


def _blank(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    """`values` as an object array with about `share` of the entries set to None."""
    out = values.astype(object)
    out[rng.random(len(out)) < share] = None
    return out


def people(n: int, seed: int = 0, locales: Sequence[str] = SUPPORTED_LOCALES) -> pd.DataFrame:
    """A health-register-like table of `n` people from `locales`, 20 columns (see `PEOPLE_TRUTH`).

    Each row belongs to one locale (drawn uniformly): its name, phone style, postcode, city,
    occupation, IBAN, national ID and religion vocabulary come from that country; `notes` are
    English clinical notes naming the patient. The same `n`, `seed` and `locales` give the same
    frame. Missing values: email, telefono, occupation, diagnosis, religion, notes, weight_kg, comment.
    """
    import pandas as pd

    unknown = [loc for loc in locales if loc not in _COUNTRIES]
    if unknown or not locales:
        raise ValueError(f"unsupported locale(s) {unknown or list(locales)}; "
                         f"supported: {list(SUPPORTED_LOCALES)}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n == 0:  # numpy's string functions reject empty arrays; keep the columns and dtypes
        return people(1, seed, locales).iloc[:0]
    locales = list(locales)
    rng = np.random.default_rng(seed)
    pools = _faker_pools(locales, seed, min(_POOL_SIZE, max(n, 50)))

    loc = rng.integers(0, len(locales), n)
    female = rng.random(n) < 0.51
    by_gender = 2 * loc + female

    # birth date and age on the extraction date
    ref = np.datetime64(EXTRACTION_DATE, "D")
    years = np.where(rng.random(n) < 0.15, rng.uniform(0, 18, n), np.clip(rng.normal(55, 18, n), 18, 99.9))
    age_days = (years * 365.25).astype(np.int64)
    birth = ref - age_days
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    ref_month, ref_day = EXTRACTION_DATE.month, EXTRACTION_DATE.day
    age = EXTRACTION_DATE.year - year - ((month > ref_month) | ((month == ref_month) & (day > ref_day)))

    # names: Spanish rows carry two surnames
    slug = {k: np.asarray([_ascii(v) for v in pools[k].values], dtype=object) for k in ("first", "last")}
    first_idx, last_idx = pools["first"].draw(rng, by_gender), pools["last"].draw(rng, by_gender)
    first, last = pools["first"].values[first_idx], pools["last"].values[last_idx]
    surname = last.copy()
    if "es_ES" in locales:
        es = np.flatnonzero(loc == locales.index("es_ES"))
        second = pools["last"].values[pools["last"].draw(rng, by_gender[es])]
        surname[es] = surname[es] + " " + second
    full_name = first + " " + surname

    email = _emails(rng, slug["first"][first_idx], slug["last"][last_idx], year,
                    pools["domain"].values[pools["domain"].draw(rng, loc)])
    phone = _scramble_last_digits(rng, pools["phone"].values[pools["phone"].draw(rng, loc)], 4)
    city = pools["city"].values[pools["city"].draw(rng, loc)]

    national_id = np.empty(n, dtype=object)
    iban = np.empty(n, dtype=object)
    religion = np.empty(n, dtype=object)
    nationality = np.empty(n, dtype=object)
    occupation = pools["job"].values[pools["job"].draw(rng, loc)]
    for i, locale in enumerate(locales):
        country = _COUNTRIES[locale]
        rows = np.flatnonzero(loc == i)
        m = len(rows)
        if m == 0:
            continue
        sub = _Rows(year[rows], month[rows], day[rows], female[rows], first[rows], last[rows])
        national_id[rows] = _unique_ids(rng, country, sub)
        iban[rows] = _iban(rng, country.code, country.bban(rng, m))
        religion[rows] = _choice(rng, country.religions, m)
        foreign = rng.random(m) < 0.1
        nationality[rows] = np.where(foreign, _pick(rng, _FOREIGN_NATIONALITIES, m), country.demonym)
        a, f = age[rows], female[rows]
        pupil = (a >= 6) & (a < 18)
        occupation[rows[pupil]] = np.asarray(country.pupil, dtype=object)[f[pupil].astype(int)]
        retired = (a >= 67) & (rng.random(m) < 0.9)
        occupation[rows[retired]] = np.asarray(country.retired, dtype=object)[f[retired].astype(int)]
        occupation[rows[a < 6]] = None

    diagnosis = _choice(rng, _ICD10, n)
    department = _choice(rng, _DEPARTMENTS, n)
    department[age < 16] = "paediatrics"

    adult_kg = np.where(female, rng.normal(68, 13, n), rng.normal(82, 14, n))
    child_kg = 3.5 + np.minimum(age, 17) * 3.3 * rng.normal(1, 0.12, n)
    weight = np.round(np.clip(np.where(age < 18, child_kg, adult_kg), 2.5, 220), 1)

    title = np.where(female, np.where(rng.random(n) < 0.8, "Ms", "Mrs"), "Mr").astype(object)
    note_slots = {"name": full_name, "first": first, "last": surname, "title": title, "city": city,
                  "phone": phone, "age": age.astype(str).astype(object),
                  "weeks": rng.integers(1, 9, n).astype(str).astype(object), **_vocab(rng, _NOTE_SLOTS, n)}
    note_slots["finding_l"] = np.asarray([s[0].lower() + s[1:] if s[1].islower() else s
                                          for s in note_slots["finding"]], dtype=object)
    note_slots["plan_s"] = np.asarray([s[0].upper() + s[1:] for s in note_slots["plan"]], dtype=object)
    notes = _fill(rng, _NOTE_TEMPLATES, note_slots)
    comment_slots = {"minutes": rng.integers(5, 90, n).astype(str).astype(object),
                     "version": _cat("v", rng.integers(1, 6, n).astype(str), ".",
                                     rng.integers(0, 10, n).astype(str)).astype(object),
                     "batch": _cat(rng.integers(1, 10, n).astype(str), _digits(rng, n, 5)).astype(object),
                     **_vocab(rng, _COMMENT_SLOTS, n)}
    comment = _fill(rng, _COMMENT_TEMPLATES, comment_slots)

    id_space = max(10**7, 10 * n)
    patient_id = _cat("P", _zfill(rng.choice(id_space, size=n, replace=False), len(str(id_space - 1))))
    weight_kg = np.where(rng.random(n) < 0.05, np.nan, weight)
    return pd.DataFrame({
        "patient_id": patient_id.astype(object),
        "nom": full_name,
        "email": _blank(rng, email, 0.06),
        "telefono": _blank(rng, phone, 0.10),
        "iban": iban,
        "national_id": national_id,
        "geburtsdatum": birth.astype(str).astype(object),
        "code_postal": pools["postcode"].values[pools["postcode"].draw(rng, loc)],
        "city": city,
        "gender": np.where(female, "F", "M").astype(object),
        "age": age,
        "nationality": nationality,
        "occupation": _blank(rng, occupation, 0.08),
        "diagnosis": _blank(rng, diagnosis, 0.03),
        "religion": _blank(rng, religion, 0.45),
        "notes": _blank(rng, notes, 0.05),
        "visit_count": rng.poisson(2.5, n) + 1,
        "weight_kg": weight_kg,
        "department": department,
        "comment": _blank(rng, comment, 0.40),
    })
