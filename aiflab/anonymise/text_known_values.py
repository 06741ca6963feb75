"""Known values: an entity found in one text is looked for again, as whole words, in every text.

NER finds "Marie Dupont" in one note and misses her in another where the sentence is different;
the residual check would then find her name surviving. Every value found is therefore searched
for in all treated texts as the residual check compares them: NFKC-normalised and case-folded
("Preiß" matches "preiss"), spacing ignored, and with each earlier replacement read as one space
(so "Anna <PERSON> Maria" holds "Anna Maria"). Values shorter than `min_length` characters are not
searched (as in the residual check). Texts are first screened by their words: only a text holding
the first word of a value is searched with that value's pattern.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from aiflab.anonymise.keyed_pseudonyms import normalise
from aiflab.anonymise.text_engine import Found

_WORD = re.compile(r"\w+")
_SCORE = 1.0
Span = tuple[int, int]


def folded_view(text: str, inserted: Sequence[Span] = ()) -> tuple[str, list[int], list[int]]:
    """`text` as the residual check reads it (replacements as one space, NFKC, case-folded), and for
    each of its characters the start and end in `text` of what it came from."""
    view: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for a, b in [*sorted(inserted), (len(text), len(text))]:
        i = position
        while i < a:
            j = i + 1
            while j < a and unicodedata.combining(text[j]):
                j += 1
            piece = text[i:j] if text[i:j].isascii() else unicodedata.normalize("NFKC", text[i:j])
            for char in piece.casefold():
                view.append(char)
                starts.append(i)
                ends.append(j)
            i = j
        if b > a:
            view.append(" ")
            starts.append(a)
            ends.append(b)
        position = max(position, b)
    return "".join(view), starts, ends


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

    def find(self, text: str, inserted: Sequence[Span] = ()) -> list[Found]:
        """Whole-word occurrences of known values in `text` read with its `inserted` replacements as
        spaces, as spans of `text` (a span may cover a replacement: cut it out with `outside`)."""
        words = set(_WORD.findall(normalise(text))) & self.by_word.keys()
        if not words:
            return []
        view, starts, ends = folded_view(text, inserted)
        found: list[Found] = []
        for word in words:
            for key in self.by_word[word]:
                entity = self.entity[key]
                found += [(starts[m.start()], ends[m.end() - 1], entity, _SCORE)
                          for m in self._pattern(key).finditer(view)]
        return found

    def _pattern(self, key: str) -> re.Pattern[str]:
        if key not in self._patterns:
            body = r"\s+".join(re.escape(part) for part in key.split(" "))
            self._patterns[key] = re.compile(rf"(?<![^\W_]){body}(?![^\W_])")
        return self._patterns[key]
