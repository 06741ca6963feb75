"""Known values: an entity found in one text is looked for again, as whole words, in every text.

NER finds "Marie Dupont" in one note and misses her in another where the sentence is different;
the residual check would then find her name surviving. Every value found is therefore searched
for in all treated texts as the residual check compares them: NFKC-normalised and case-folded
("Preiß" matches "preiss"), spacing ignored, and with each earlier replacement read as one space
(so "Anna <PERSON> Maria" holds "Anna Maria"). Values shorter than `min_length` characters are not
searched (as in the residual check). Texts are first screened by their words: only a text holding
the first word of a value is searched for that value, by string comparison where the word begins
(no regular expression per value: a table's names number hundreds of thousands). A matcher
remembers what it found in texts without replacements (up to `MEMO_LIMIT` texts): on Dask one
matcher serves all the partitions a worker runs, and their texts repeat.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from aiflab.anonymise.keyed_pseudonyms import normalise
from aiflab.anonymise.text_engine import Found

_WORD = re.compile(r"[^\W_]+")
_INNER = re.compile(r"[^\W_]")
"""a character that continues a word: a value matches only where none is just before or after it"""
_SPACES = re.compile(r"\s{2,}|[^\S ]")
_SCORE = 1.0
MEMO_LIMIT = 200_000
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
    """Values to look for (normalised value -> entity type), indexed by their first word (with where
    it begins in the value: "33" begins "+33 6 12" at 1)."""

    def __init__(self, values: dict[str, str], min_length: int = 4) -> None:
        self.entity: dict[str, str] = {}
        self.by_word: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for value, entity in values.items():
            key = normalise(value)
            first = _WORD.search(key)
            if len(key) >= min_length and first and key not in self.entity:
                self.entity[key] = entity
                self.by_word[first.group()].append((key, first.start()))
        self._memo: dict[str, list[Found]] = {}

    def __len__(self) -> int:
        return len(self.entity)

    def find(self, text: str, inserted: Sequence[Span] = ()) -> list[Found]:
        """Whole-word occurrences of known values in `text` read with its `inserted` replacements as
        spaces, as spans of `text` (a span may cover a replacement: cut it out with `outside`)."""
        if inserted:
            return self._find(text, inserted)
        if text not in self._memo:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[text] = self._find(text, ())
        return self._memo[text]

    def _find(self, text: str, inserted: Sequence[Span]) -> list[Found]:
        words = set(_WORD.findall(normalise(text))) & self.by_word.keys()
        if not words:
            return []
        view, starts, ends = folded_view(text, inserted)
        compact, at = _single_spaced(view)
        found: list[Found] = []
        for word in words:
            after: dict[str, int] = {}  # where each value's last occurrence ends: occurrences do not overlap
            position = compact.find(word)
            while position >= 0:
                for key, offset in self.by_word[word]:
                    begin, end = position - offset, position - offset + len(key)
                    if (after.get(key, 0) <= begin and compact.startswith(key, begin)
                            and not _INNER.match(compact, end)
                            and (begin == 0 or not _INNER.match(compact, begin - 1))):
                        found.append((starts[at[begin]], ends[at[end - 1]], self.entity[key], _SCORE))
                        after[key] = end
                position = compact.find(word, position + 1)
        return found


def _single_spaced(view: str) -> tuple[str, list[int]]:
    """`view` with each run of white space as one space (as values are normalised), and for each of
    its characters the position in `view` of the character it came from."""
    if not _SPACES.search(view):
        return view, list(range(len(view)))
    pieces: list[str] = []
    at: list[int] = []
    position = 0
    for match in _SPACES.finditer(view):
        pieces += [view[position:match.start()], " "]
        at += [*range(position, match.start()), match.start()]
        position = match.end()
    pieces.append(view[position:])
    at += range(position, len(view))
    return "".join(pieces), at
