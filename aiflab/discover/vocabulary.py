"""Values that reveal GDPR Art. 9 special categories: ICD-10 codes and words in six languages.

Words are folded (lowercase, no accents). A value matches a category when one of its tokens, or
two adjacent tokens, is in the category's vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from aiflab.discover.semantic_types import fold

ICD10 = r"[A-TV-Z]\d[0-9AB](?:\.?[0-9A-TV-Z]{1,4})?"
MIN_SHARE = 0.5            # share of distinct values that must match a category's words
ICD10_MIN_SHARE = 0.8
MAX_TOKENS = 6             # longer values are text, handled as free text
MAX_VALUES = 500


@dataclass(frozen=True)
class VocabularyMatch:
    special_category: str
    share: float
    detail: str


_WORDS: dict[str, str] = {
    "health": (
        "diabetes diabete asthma asthme asma astma cancer cancro kanker krebs depression depressione "
        "depresion depressie hypertension hypertonie hipertension ipertensione hypertensie bluthochdruck "
        "migraine migrane migrana emicrania migraine epilepsy epilepsie epilepsia epilessia obesity "
        "obesite adipositas obesidad obesita obesitas hiv aids covid influenza grippe gripe griep "
        "schizophrenia schizophrenie esquizofrenia schizofrenia schizofrenie alzheimer parkinson "
        "arthritis arthrite arthrose artritis artrite dementia demence demenz demencia demenza dementie "
        "stroke schlaganfall ictus beroerte avc tuberculosis tuberculose tuberkulose tubercolosi "
        "pregnant pregnancy schwanger enceinte embarazada incinta zwanger"),
    "religious_or_philosophical_beliefs": (
        "christian christianity catholic protestant muslim islam islamic jewish judaism buddhist "
        "buddhism hindu hinduism atheist agnostic orthodox evangelical sikh chretien chretienne "
        "catholique protestante musulman musulmane juif juive bouddhiste hindou hindoue athee "
        "agnostique orthodoxe christlich katholisch evangelisch protestantisch muslimisch islamisch "
        "judisch buddhistisch hinduistisch atheistisch konfessionslos cristiano cristiana catolico "
        "catolica musulmana judio judia budista ateo atea agnostico agnostica ortodoxo ortodoxa "
        "cattolico cattolica musulmano ebreo ebrea buddista induista ortodosso ortodossa christelijk "
        "christen katholiek protestants moslim islamitisch joods boeddhist boeddhistisch hindoe "
        "atheist agnost"),
    "racial_or_ethnic_origin": (
        "caucasian hispanic latino latina asian arab roma sinti afro african maghrebin maghrebine "
        "asiatique arabe metis metisse asiatisch arabisch afrikanisch hispano asiatico asiatica "
        "gitano gitana africano africana arabo araba marocchino surinaams marokkaans turks antilliaans"),
    "political_opinions": (
        "cdu csu spd afd fdp linke grune grunen psoe vox podemos sumar renaissance lfi reconquete pcf "
        "lega pd m5s vvd pvda d66 cda pvv groenlinks sp socialist socialiste sozialist socialista "
        "socialdemocrat conservative conservateur konservativ conservador conservatore liberal "
        "liberale communist communiste kommunist comunista green greens ecologiste verdi "
        "rassemblement national republicains partido popular fratelli d italia forza italia "
        "movimento 5 stelle die linke"),
    "trade_union_membership": (
        "cgt cfdt cgt fo unsa dgb verdi ig metall ccoo ugt cgil cisl uil fnv cnv unionised unionized "
        "syndique syndiquee gewerkschaftsmitglied sindicado sindacalizzato"),
    "sex_life_or_sexual_orientation": (
        "heterosexual homosexual gay lesbian bisexual asexual pansexual queer heterosexuel "
        "heterosexuelle homosexuel homosexuelle lesbienne bisexuel bisexuelle heterosexuell "
        "homosexuell schwul lesbisch bisexuell lesbiana eterosessuale omosessuale lesbica bisessuale "
        "heteroseksueel homoseksueel biseksueel hetero homo"),
}


def _vocabulary() -> dict[str, frozenset[str]]:
    return {category: frozenset(words.split()) | _bigrams(words) for category, words in _WORDS.items()}


def _bigrams(words: str) -> frozenset[str]:
    parts = words.split()
    return frozenset(f"{a} {b}" for a, b in pairwise(parts))


VOCABULARY = _vocabulary()


def match_vocabulary(values: pd.Series) -> VocabularyMatch | None:
    """The special category that the distinct string `values` reveal, if any (no values are reported)."""
    values = values.iloc[:MAX_VALUES].astype(str).str.strip()
    values = values[values != ""]
    if values.empty:
        return None
    icd = float(values.str.upper().str.fullmatch(ICD10).mean())
    if icd >= ICD10_MIN_SHARE:
        return VocabularyMatch("health", icd,
                               f"{icd:.0%} of sampled distinct values match the ICD-10 code pattern")
    tokens = fold(values).str.replace(r"[^a-z0-9]+", " ", regex=True).str.split()
    tokens = tokens[tokens.str.len() <= MAX_TOKENS]
    if tokens.empty:
        return None
    grams = tokens.map(lambda t: {*t, *(f"{a} {b}" for a, b in pairwise(t))})
    best: VocabularyMatch | None = None
    for category, words in VOCABULARY.items():
        share = float(grams.map(lambda g, w=words: not g.isdisjoint(w)).mean())
        if share >= MIN_SHARE and (best is None or share > best.share):
            what = category.replace("_", " ")
            detail = f"{share:.0%} of sampled distinct values are {what} terms"
            best = VocabularyMatch(category, share, detail)
    return best
