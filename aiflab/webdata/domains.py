"""Domain rules: per sector, URL patterns and keywords in several languages, shipped as editable YAML.

A sector's points for a document: `url_weight` when a URL pattern matches, plus one per distinct
keyword of the document's language (or of `any`) found in its folded text. The score is
points / (points + saturation), between 0 and 1. See `domain_rules/README.md`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiflab.webdata.folding import fold

RULES_DIR = Path(__file__).parent / "domain_rules"
SECTORS = (
    "health",
    "manufacturing",
    "public_administration",
    "cybersecurity",
    "culture_languages",
    "science",
    "climate",
)
GENERAL = "general"
_WORD = re.compile(r"\w+(?:-\w+)*")


@dataclass(frozen=True)
class Keywords:
    """One language's keywords: whole words, word stems (``stem*``) and phrases, all folded."""

    words: frozenset[str]
    stems: tuple[str, ...]
    phrases: tuple[str, ...]

    @classmethod
    def of(cls, entries: list[str]) -> Keywords:
        folded = {" ".join(fold(e).split()) for e in entries if e.strip()}
        single = {w for w in folded if " " not in w}
        return cls(
            frozenset(w for w in single if not w.endswith("*")),
            tuple(sorted(w.rstrip("*") for w in single if w.endswith("*"))),
            tuple(sorted(" " + w.rstrip("*") + ("" if w.endswith("*") else " ") for w in folded - single)),
        )

    def found(self, words: frozenset[str], sorted_words: list[str], joined: str) -> int:
        """How many distinct keywords occur (`joined` is the words with a space either side of each)."""
        count = len(self.words & words)
        for stem in self.stems:
            at = bisect.bisect_left(sorted_words, stem)
            count += at < len(sorted_words) and sorted_words[at].startswith(stem)
        return count + sum(phrase in joined for phrase in self.phrases)


@dataclass(frozen=True)
class SectorRules:
    sector: str
    title: str
    url: re.Pattern[str] | None
    url_weight: float
    keywords: dict[str, Keywords]
    """Language (or 'any') -> its keywords."""

    def points(
        self, url: str, words: frozenset[str], sorted_words: list[str], joined: str, language: str
    ) -> float:
        points = self.url_weight if self.url and self.url.search(url.lower()) else 0.0
        for key in (language, "any"):
            keywords = self.keywords.get(key)
            if keywords is not None:
                points += keywords.found(words, sorted_words, joined)
        return points


def parse_rules(data: Any, origin: str) -> SectorRules:
    """Rules from one loaded YAML document; ValueError naming `origin` when malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("sector"), str):
        raise ValueError(f"{origin}: a rules file is a mapping with 'sector', 'url_patterns' and 'keywords'")
    try:
        url = "|".join(f"(?:{p})" for p in data.get("url_patterns") or [])
        keywords = {
            str(lang): Keywords.of([str(k) for k in words])
            for lang, words in (data.get("keywords") or {}).items()
            if words
        }
        return SectorRules(
            data["sector"],
            str(data.get("title", data["sector"])),
            re.compile(url) if url else None,
            float(data.get("url_weight", 3)),
            keywords,
        )
    except re.error as exc:
        raise ValueError(f"{origin}: invalid pattern: {exc}") from None


def load_rules_text(texts: dict[str, str]) -> list[SectorRules]:
    """Rules from YAML texts (name -> text)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    return [parse_rules(yaml.load(text), name) for name, text in sorted(texts.items())]


def shipped_rules_texts() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(RULES_DIR.glob("*.yaml"))}


def score(
    rules: list[SectorRules], url: str, text: str, language: str, saturation: float
) -> dict[str, float]:
    """Each sector's score for one document."""
    tokens = _WORD.findall(fold(text))
    words = frozenset(tokens)
    sorted_words = sorted(words)
    joined = " " + " ".join(tokens) + " "
    return {
        r.sector: round(p / (p + saturation), 4)
        if (p := r.points(url, words, sorted_words, joined, language))
        else 0.0
        for r in rules
    }
