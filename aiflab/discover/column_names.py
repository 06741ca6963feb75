"""What a column's name says about its content, in English, French, German, Spanish, Italian and Dutch.

Names are normalised (accents stripped, lowercase, snake_case and camelCase split into tokens) and
matched against cue phrases. A cue token ending in ``*`` matches any token it starts (German
compounds: ``telefon*`` matches ``telefonnummer``); other tokens must match whole.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from aiflab.pipeline.table import ColumnRole

DIRECT, QUASI, SENSITIVE = ColumnRole.DIRECT_IDENTIFIER, ColumnRole.QUASI_IDENTIFIER, ColumnRole.SENSITIVE


@dataclass(frozen=True)
class Concept:
    """What a cue means: a role (None when the name alone decides nothing), entity, Art. 9 category."""

    name: str
    role: ColumnRole | None
    entity: str | None = None
    special_category: str | None = None


@dataclass(frozen=True)
class CueMatch:
    concept: Concept
    cue: str


_CUES: dict[Concept, str] = {
    Concept("person_name", DIRECT, "PERSON"):
        "name|full name|fullname|first name|firstname|given name|forename|last name|lastname|surname|"
        "family name|maiden name|nom|prenom|prenoms|nom de famille|nom complet|vorname|nachname|"
        "familienname|geburtsname|nombre|nombres|nombre completo|apellido|apellidos|nome|cognome|"
        "nome completo|naam|voornaam|achternaam|familienaam|volledige naam|imie|nazwisko",
    Concept("username", DIRECT, "USERNAME"):
        "username|user name|login|benutzername|nom d utilisateur|nombre de usuario|gebruikersnaam",
    Concept("email", DIRECT, "EMAIL_ADDRESS"):
        "email|e mail|mail|courriel|adresse electronique|adresse mail|correo|correo electronico|"
        "posta elettronica|emailadres|e mailadres",
    Concept("phone", DIRECT, "PHONE_NUMBER"):
        "phone|telephone|tel|mobile|cellphone|telefon*|telefoon*|handy|portable|movil|cellulare|"
        "gsm|fax|mobiel*|mobilnummer|numero de telephone|phone number",
    Concept("address", DIRECT, "LOCATION"):
        "address|street|street address|home address|adresse|adresse postale|anschrift|strasse|"
        "wohnadresse|direccion|domicilio|calle|indirizzo|adres|straat|woonadres",
    Concept("iban", DIRECT, "IBAN_CODE"):
        "iban|bank account|account number|kontonummer|bankverbindung|numero de compte|rib|cuenta|"
        "cuenta bancaria|conto|conto corrente|rekeningnummer|bankrekening*",
    Concept("national_id", DIRECT, "NATIONAL_ID"):
        "ssn|social security|social security number|national id|national identifier|personal id|"
        "id card|identity card|passport*|nir|numero de securite sociale|securite sociale|insee|"
        "sozialversicherungsnummer|sozialversicherung*|versicherungsnummer|steuer id|steuerid|"
        "steueridentifikationsnummer|steuernummer|personalausweis*|ausweis*|dni|nie|nif|nss|"
        "seguridad social|codice fiscale|codicefiscale|tessera sanitaria|bsn|burgerservicenummer|"
        "sofinummer|pesel|tax id|tin|personnummer|hetu|cnp|oib|amka|egn|pps|rodne cislo|emso|"
        "personas kods|asmens kodas|isikukood|cpr",
    Concept("vat", DIRECT, "VAT_CODE"):
        "vat|vat number|vat id|tva|numero de tva|ust id|ustid|umsatzsteuer*|iva|partita iva|btw|btw nummer",
    Concept("ip_address", DIRECT, "IP_ADDRESS"):
        "ip|ip address|ipaddress|adresse ip|ip adresse|direccion ip|indirizzo ip|ip adres",
    Concept("record_id", None, "ID"):
        "id|identifier|uuid|guid|record id|mrn|medical record number|kundennummer|patientennummer|"
        "mitarbeiternummer|personalnummer|matricule|numero client|numero patient|klantnummer|"
        "patientnummer|codice cliente",
    Concept("birth_date", QUASI, "DATE_TIME"):
        "dob|birthdate|birthday|date of birth|birth date|naissance|date de naissance|geburtsdatum|"
        "geburtstag|geburts*|nacimiento|fecha de nacimiento|fecha nacimiento|nascita|data di nascita|"
        "data nascita|geboortedatum|geboorte*|data urodzenia",
    Concept("postcode", QUASI, "LOCATION"):
        "postcode|post code|postal code|postalcode|zip|zipcode|zip code|code postal|plz|postleitzahl|"
        "codigo postal|cp|cap|codice postale|postnummer|kod pocztowy",
    Concept("city", QUASI, "LOCATION"):
        "city|town|place of birth|birthplace|ville|commune|localite|lieu de naissance|stadt|ort|wohnort|"
        "gemeinde|geburtsort|ciudad|localidad|municipio|poblacion|lugar de nacimiento|citta|comune|"
        "localita|luogo di nascita|woonplaats|plaats|stad|gemeente|geboorteplaats|miasto",
    Concept("region", QUASI, "LOCATION"):
        "region|state|province|county|departement|bundesland|provincia|regione|provincie",
    Concept("country", QUASI, "LOCATION"):
        "country|country of residence|pays|land|staat|pais|paese|nazione",
    Concept("gender", QUASI, "GENDER"):
        "gender|sex|sexe|genre|geschlecht|sexo|genero|sesso|genere|geslacht|plec",
    Concept("age", QUASI, "AGE"):
        "age|age years|alter|edad|eta|leeftijd|wiek",
    Concept("nationality", QUASI, "NRP"):
        "nationality|citizenship|nationalite|staatsangehorigkeit|nationalitat|nacionalidad|"
        "nazionalita|cittadinanza|nationaliteit",
    Concept("occupation", QUASI, "OCCUPATION"):
        "occupation|profession|job|job title|employment|metier|emploi|beruf|taetigkeit|tatigkeit|"
        "ocupacion|profesion|empleo|professione|occupazione|lavoro|beroep|functie|zawod",
    Concept("marital_status", QUASI, "MARITAL_STATUS"):
        "marital status|civil status|situation familiale|etat civil|familienstand|estado civil|"
        "stato civile|burgerlijke staat",
    Concept("education", QUASI, "EDUCATION"):
        "education|education level|niveau d etudes|bildungsabschluss|bildung|educacion|"
        "nivel de estudios|istruzione|titolo di studio|opleiding|opleidingsniveau",
    Concept("health", SENSITIVE, "MEDICAL_CONDITION", "health"):
        "diagnosis|diagnoses|diagnostic|diagnose|diagnosen|diagnostico|diagnosi|icd|icd10|icd 10|"
        "condition|medical condition|disease|illness|maladie|pathologie|krankheit|erkrankung*|"
        "enfermedad|malattia|ziekte|health|health status|sante|gesundheit*|salud|salute|gezondheid|"
        "medication|medicament|medikament*|medicamento|farmaco|medicijn*|treatment|traitement|"
        "behandlung|tratamiento|trattamento|behandeling|symptom*|allergy|allergie|allergia|alergia|"
        "disability|handicap|behinderung|discapacidad|disabilita|blood type|blutgruppe|hiv",
    Concept("religion", SENSITIVE, "RELIGION", "religious_or_philosophical_beliefs"):
        "relig*|confession|konfession|faith|belief|croyance|glaube|creencia|fede|geloof|wyznanie",
    Concept("ethnicity", SENSITIVE, "ETHNICITY", "racial_or_ethnic_origin"):
        "ethni*|etni*|race|racial origin|origine ethnique|ethnische herkunft|origen etnico|afkomst",
    Concept("political", SENSITIVE, "POLITICAL_OPINION", "political_opinions"):
        "politi*|political party|party affiliation|parti politique|partei|parteizugehorigkeit|"
        "partido politico|partito|partito politico|politieke partij",
    Concept("trade_union", SENSITIVE, "TRADE_UNION", "trade_union_membership"):
        "trade union|union member*|union membership|labour union|labor union|syndica*|gewerkschaft*|"
        "sindica*|sindaca*|vakbond*|zwiazek zawodowy",
    Concept("sexual_orientation", SENSITIVE, "SEXUAL_ORIENTATION", "sex_life_or_sexual_orientation"):
        "sexual orientation|sexuality|sexualit*|orientation sexuelle|sexuelle orientierung|"
        "orientacion sexual|orientamento sessuale|seksuele orientatie|seksualiteit|lgbt*",
    Concept("genetic", SENSITIVE, "GENETIC_DATA", "genetic_data"):
        "genetic*|genetiq*|genetisch*|genetica|genetico|genotyp*|genom*|dna|adn",
    Concept("biometric", SENSITIVE, "BIOMETRIC_DATA", "biometric_data"):
        "biometr*|fingerprint|empreinte|empreinte digitale|fingerabdruck|huella|huella dactilar|"
        "impronta|impronta digitale|vingerafdruk|face template",
    # A notes column holds personal data only if Presidio finds some: the name alone decides nothing.
    Concept("free_text", None):
        "notes|note|comment*|remark*|remarque*|observation*|description|bemerkung*|anmerkung*|"
        "kommentar*|notiz*|nota|notas|comentario*|observacion*|osservazion*|commento|commenti|"
        "opmerking*|toelichting|free text|freitext|texte libre|message|nachricht|mensaje|messaggio|"
        "narrative|anamnes*|report|rapport|bericht|informe|relazione|verslag",
}

# Words that make a person-name cue about something else ("product_name", "Firmenname").
_NOT_A_PERSON = frozenset((
    "product", "item", "brand", "company", "firm", "business", "organisation", "organization", "file",
    "street", "city", "country", "drug", "medication", "hospital", "clinic", "department", "project",
    "dataset", "table", "column", "field", "domain", "host", "firma", "unternehmen", "produkt", "datei",
    "produit", "entreprise", "societe", "fichier", "rue", "empresa", "producto", "archivo", "calle",
    "azienda", "prodotto", "societa", "via", "bedrijf", "straat", "bestand"))


def normalise(name: object) -> list[str]:
    """Tokens of a column name: camelCase and snake_case split, accents stripped, lowercase."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", str(name))
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return [t for t in re.split(r"[^a-z0-9]+", text) if t]


@cache
def _patterns() -> list[tuple[Concept, str, tuple[str, ...]]]:
    patterns = [(concept, cue, tuple(cue.split()))
                for concept, cues in _CUES.items() for cue in cues.split("|")]
    return sorted(patterns, key=lambda p: -len(p[1]))


def _token_matches(pattern: str, token: str) -> bool:
    return token.startswith(pattern[:-1]) if pattern.endswith("*") else token == pattern


def name_cues(name: object) -> list[CueMatch]:
    """The concepts a column name expresses, longest cue first, one match per concept.

    A cue inside a longer matching cue is ignored (``adresse electronique`` is an e-mail, not an address).
    """
    tokens = normalise(name)
    taken: list[tuple[int, int]] = []
    found: dict[str, CueMatch] = {}
    for concept, cue, parts in _patterns():
        for start in range(len(tokens) - len(parts) + 1):
            end = start + len(parts)
            if not all(_token_matches(p, t) for p, t in zip(parts, tokens[start:end], strict=True)):
                continue
            if any(s <= start and end <= e for s, e in taken):
                continue
            if concept.name == "person_name" and _NOT_A_PERSON.intersection(tokens):
                continue
            taken.append((start, end))
            found.setdefault(concept.name, CueMatch(concept, cue))
    return list(found.values())


def has_concept(name: object, concept: str) -> bool:
    """Whether the column name expresses `concept` (e.g. ``postcode``)."""
    return any(m.concept.name == concept for m in name_cues(name))
