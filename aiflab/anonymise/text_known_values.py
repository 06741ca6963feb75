"""Known values: an entity found in one text is looked for again, as whole words, in every text.

NER finds "Marie Dupont" in one note and misses her in another where the sentence is different;
the residual check would then find her name surviving. Every value found is therefore searched
for in all treated texts, case and spacing ignored (as the residual check compares), and replaced
wherever it occurs. Values shorter than `min_length` characters are not searched (as in the residual
check). Texts are first screened by their words: only a text holding the first word of a value is
searched with that value's pattern.
"""

from __future__ import annotations

import re
from collections import defaultdict

from aiflab.anonymise.keyed_pseudonyms import normalise
from aiflab.anonymise.text_engine import Found

_WORD = re.compile(r"\w+")
_SCORE = 1.0


class KnownValues:
    """Values to look for (normalised value -> entity type), indexed by their first word."""

    def __init__(self, values: dict[str, str], min_length: int = 4) -> None:
        self.entity: dict[str, str] = {}
        self.by_word: dict[str, list[str]] = defaultdict(list)
        for value, entity in values.items():
            key = normalise(value)
            first = _WORD.search(key)
            if len(key) >= min_length and first and key not in self.entity:
                self.entity[key] = entity
                self.by_word[first.group()].append(key)
        self._patterns: dict[str, re.Pattern[str]] = {}

    def __len__(self) -> int:
        return len(self.entity)

    def find(self, text: str) -> list[Found]:
        """Whole-word occurrences of known values in `text`, as spans of the original text."""
        words = set(_WORD.findall(text.casefold())) & self.by_word.keys()
        found: list[Found] = []
        for word in words:
            for key in self.by_word[word]:
                entity = self.entity[key]
                found += [(m.start(), m.end(), entity, _SCORE) for m in self._pattern(key).finditer(text)]
        return found

    def _pattern(self, key: str) -> re.Pattern[str]:
        if key not in self._patterns:
            body = r"\s+".join(re.escape(part) for part in key.split(" "))
            self._patterns[key] = re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE)
        return self._patterns[key]
