"""Features of free text: language (py3langid, restricted to the EU's 24 official languages by
default), length, a readability score and a quality score. All but the language are vectorised.

Readability is LIX (Björnsson 1968): words per sentence + 100 x share of words longer than six
letters. It needs no syllable rules, so it applies to every EU language alike; under 30 reads very
easily, over 60 is very hard. Quality is the share of five checks a text passes, after the
heuristics used to filter web text (Gopher, Rae et al. 2021): at least three words; mean word
length between 3 and 10 characters; at least 80% of words contain a letter; at most 10% of
characters are symbols other than letters, digits, spaces and punctuation; less than half of the
letters are upper case.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from aiflab.clean.distinct import map_distinct

_WORD = r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+(?:[.,]\d+)*"


@cache
def _identifier(languages: tuple[str, ...] | None):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if languages is not None:
        identifier.set_languages(list(languages))
    return identifier


def check_languages(languages: Sequence[str]) -> None:
    """ValueError naming the codes py3langid has no model for."""
    unknown = sorted(set(languages) - set(_identifier(None).labels))
    if unknown:
        raise ValueError(f"no language model for {', '.join(unknown)}")


def languages(texts: pd.Series, candidates: Sequence[str], min_chars: int) -> tuple[pd.Series, pd.Series]:
    """ISO 639-1 language and its probability per text (once per distinct text); null when shorter
    than `min_chars` characters."""
    identifier = _identifier(tuple(sorted(candidates)))
    usable = texts.where(texts.str.len() >= min_chars)
    found = map_distinct(usable, identifier.classify)
    language = found.map(lambda r: r[0], na_action="ignore")
    score = found.map(lambda r: round(float(r[1]), 4), na_action="ignore").astype("Float64")
    return language.astype(object), score


def lengths(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Characters and words per text."""
    return texts.str.len().astype("Int64"), texts.str.count(_WORD).astype("Int64")


def readability(texts: pd.Series) -> pd.Series:
    """LIX per text (null for texts without words)."""
    words = texts.str.count(_WORD)
    sentences = texts.str.count(r"[.!?…]+(?:\s|$)").clip(lower=1)
    long_words = texts.str.count(r"[^\W\d_]{7,}")
    lix = words / sentences + 100 * long_words / words.where(words > 0)
    return lix.round(2).astype("Float64")


def quality(texts: pd.Series) -> pd.Series:
    """Share of the five quality checks each text passes (0 to 1)."""
    words = texts.str.count(_WORD)
    letters_words = texts.str.count(r"\S*[^\W\d_]\S*")
    tokens = texts.str.count(r"\S+").where(lambda n: n > 0)
    mean_length = texts.str.count(r"[^\W\d_]") / words.where(words > 0)
    chars = texts.str.len().where(lambda n: n > 0)
    symbols = texts.str.count(r"[^\w\s.,;:!?'’\"()\-–—%/&]") / chars
    letters = texts.str.count(r"[^\W\d_]").where(lambda n: n > 0)
    upper = map_distinct(texts, lambda t: sum(map(str.isupper, t))).astype("float64") / letters
    checks = [words >= 3, mean_length.between(3, 10), letters_words / tokens >= 0.8, symbols <= 0.1,
              upper < 0.5]
    passed = np.sum([c.fillna(False).to_numpy(dtype=bool) for c in checks], axis=0) / len(checks)
    return pd.Series(passed, index=texts.index).where(texts.notna()).astype("Float64")
