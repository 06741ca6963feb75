"""Replacing found entities in a text in one pass: redact, entity tag, mask or keyed pseudonym.

Overlapping spans are merged first (the union is replaced, so no part of either survives) and take
the entity type of their highest-scoring part. The output remembers where replacements were put, so
that a later look at it (the rescan, known values) leaves them alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from aiflab.anonymise.text_engine import Found

if TYPE_CHECKING:
    from aiflab.anonymise.keyed_pseudonyms import KeyedPseudonymiser

Operator = Literal["redact", "tag", "mask", "pseudonym"]
Span = tuple[int, int]


@dataclass
class Treated:
    """A text after replacement, where its replacements are, and what they replaced (entity, value)."""

    text: str
    inserted: list[Span] = field(default_factory=list)
    replaced: list[tuple[str, str]] = field(default_factory=list)

    def blanked(self) -> str:
        """The text with each replacement made a space: what is left of the original."""
        pieces, position = [], 0
        for start, end in sorted(self.inserted):
            pieces += [self.text[position:start], " "]
            position = end
        return "".join([*pieces, self.text[position:]])


def merge(found: Sequence[Found]) -> list[Found]:
    """Overlapping spans as one span over their union, typed by the best part (score, then length)."""
    merged: list[Found] = []
    for start, end, entity, score in sorted(found):
        if merged and start < merged[-1][1]:
            m_start, m_end, m_entity, m_score = merged[-1]
            better = (score, end - start) > (m_score, m_end - m_start)
            merged[-1] = (m_start, max(end, m_end), entity if better else m_entity, max(score, m_score))
        else:
            merged.append((start, end, entity, score))
    return merged


def outside(found: Sequence[Found], inserted: Sequence[Span], text: str) -> list[Found]:
    """The parts of `found` spans that are not replacements already made, trimmed to letters and digits."""
    if not inserted:
        return list(found)
    kept: list[Found] = []
    for start, end, entity, score in found:
        pieces = [(start, end)]
        for i_start, i_end in inserted:
            pieces = [p for a, b in pieces for p in ((a, min(b, i_start)), (max(a, i_end), b)) if p[0] < p[1]]
        for a, b in pieces:
            while a < b and not text[a].isalnum():
                a += 1
            while b > a and not text[b - 1].isalnum():
                b -= 1
            if b - a >= 2:
                kept.append((a, b, entity, score))
    return kept


class Replacer:
    """Renders the replacement of each entity under one operator (pseudonyms computed once per value)."""

    def __init__(self, operator: Operator, pseudonymiser: KeyedPseudonymiser | None = None,
                 fmt: Literal["token", "hex"] = "token", length: int = 16) -> None:
        if operator == "pseudonym" and pseudonymiser is None:
            raise ValueError("the pseudonym operator needs a keyed pseudonymiser")
        self.operator, self.pseudonymiser, self.fmt, self.length = operator, pseudonymiser, fmt, length
        self._pseudonyms: dict[tuple[str, str], str] = {}

    def render(self, value: str, entity: str) -> str:
        if self.operator == "redact":
            return ""
        if self.operator == "tag":
            return f"<{entity}>"
        if self.operator == "mask":
            return "*" * len(value)
        key = (value, entity)
        if key not in self._pseudonyms:
            assert self.pseudonymiser is not None
            self._pseudonyms[key] = self.pseudonymiser.pseudonym(value, entity, self.fmt, self.length)
        return self._pseudonyms[key]

    def apply(self, treated: Treated, found: Sequence[Found]) -> Treated:
        """`treated` with the (merged) `found` spans replaced; spans must not overlap earlier replacements."""
        if not found:
            return treated
        text, pieces, inserted, replaced = treated.text, [], [], list(treated.replaced)
        earlier = iter(sorted(treated.inserted))
        pending = next(earlier, None)
        position, shift = 0, 0
        for start, end, entity, _ in merge(found):
            while pending is not None and pending[0] < start:
                inserted.append((pending[0] + shift, pending[1] + shift))
                pending = next(earlier, None)
            value = text[start:end]
            new = self.render(value, entity)
            pieces += [text[position:start], new]
            inserted.append((start + shift, start + shift + len(new)))
            replaced.append((entity, value))
            shift += len(new) - (end - start)
            position = end
        while pending is not None:
            inserted.append((pending[0] + shift, pending[1] + shift))
            pending = next(earlier, None)
        pieces.append(text[position:])
        return Treated("".join(pieces), inserted, replaced)
