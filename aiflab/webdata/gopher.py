"""The Gopher quality and repetition heuristics (Rae et al. 2021, "Scaling Language Models", App. A.1.1).

Each check returns the reason a document fails, or None. Words are whitespace-separated tokens;
a symbol word has no letter or digit; stop words are per language (`languages.stop_words`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

DUP_LINE_FRAC, DUP_PARA_FRAC, DUP_LINE_CHAR_FRAC, DUP_PARA_CHAR_FRAC = 0.30, 0.30, 0.20, 0.20
TOP_NGRAM_CHAR_FRAC = ((2, 0.20), (3, 0.18), (4, 0.16))
DUP_NGRAM_CHAR_FRAC = ((5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10))
"""Table A1 of the Gopher paper."""

_PARAGRAPHS = re.compile(r"\n{2,}")
_LINES = re.compile(r"\n+")
_PUNCT_EDGES = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»„“”‘’‚…·–—¿¡"


@dataclass(frozen=True)
class GopherThresholds:
    min_words: int = 50
    max_words: int = 100_000
    min_mean_word_length: float = 3
    max_mean_word_length: float = 10
    max_symbol_word_ratio: float = 0.1
    max_bullet_lines_ratio: float = 0.9
    max_ellipsis_lines_ratio: float = 0.3
    min_alpha_words_ratio: float = 0.8
    min_stop_words: int = 2


def quality(text: str, stop_words: frozenset[str], t: GopherThresholds) -> str | None:
    """The Gopher quality rules: length, mean word length, symbols, bullets, ellipses, letters, stop words."""
    words = text.split()
    content = [w for w in words if any(c.isalnum() for c in w)]
    if len(content) < t.min_words:
        return "gopher:too-few-words"
    if len(content) > t.max_words:
        return "gopher:too-many-words"
    mean = sum(map(len, content)) / len(content)
    if mean < t.min_mean_word_length:
        return "gopher:short-words"
    if mean > t.max_mean_word_length:
        return "gopher:long-words"
    n = len(words)
    if text.count("#") / n > t.max_symbol_word_ratio:
        return "gopher:hash-ratio"
    if (text.count("...") + text.count("…")) / n > t.max_symbol_word_ratio:
        return "gopher:ellipsis-ratio"
    lines = [line for line in text.splitlines() if line.strip()]
    if lines:
        bullets = sum(line.lstrip().startswith(("•", "-", "*", "·", "–")) for line in lines)
        if bullets / len(lines) > t.max_bullet_lines_ratio:
            return "gopher:bullet-lines"
        ellipses = sum(line.rstrip().endswith(("...", "…")) for line in lines)
        if ellipses / len(lines) > t.max_ellipsis_lines_ratio:
            return "gopher:ellipsis-lines"
    if sum(any(c.isalpha() for c in w) for w in words) / n < t.min_alpha_words_ratio:
        return "gopher:few-alphabetic-words"
    if stop_words:
        present = {w.lower().strip(_PUNCT_EDGES) for w in words} & stop_words
        if len(present) < t.min_stop_words:
            return "gopher:few-stop-words"
    return None


def repetition(text: str) -> str | None:
    """The Gopher repetition rules: duplicate lines and paragraphs, top and duplicate n-grams."""
    size = len(text)
    if not size:
        return "gopher:empty"
    paragraphs = _PARAGRAPHS.split(text.strip())
    count, chars = _duplicates(paragraphs)
    if count / len(paragraphs) > DUP_PARA_FRAC:
        return "gopher:duplicate-paragraphs"
    if chars / size > DUP_PARA_CHAR_FRAC:
        return "gopher:duplicate-paragraph-chars"
    lines = _LINES.split(text)
    count, chars = _duplicates(lines)
    if count / len(lines) > DUP_LINE_FRAC:
        return "gopher:duplicate-lines"
    if chars / size > DUP_LINE_CHAR_FRAC:
        return "gopher:duplicate-line-chars"
    words = text.split()
    for n, limit in TOP_NGRAM_CHAR_FRAC:
        if len(words) >= n:
            grams = Counter(zip(*(words[i:] for i in range(n)), strict=False))
            gram, repeats = grams.most_common(1)[0]
            if repeats > 1 and (sum(map(len, gram)) + n - 1) * repeats / size > limit:
                return f"gopher:top-{n}-gram"
    for n, limit in DUP_NGRAM_CHAR_FRAC:
        if _duplicate_ngram_chars(words, n) / size > limit:
            return f"gopher:duplicate-{n}-grams"
    return None


def _duplicates(items: list[str]) -> tuple[int, int]:
    seen: set[str] = set()
    count = chars = 0
    for item in items:
        if item in seen:
            count += 1
            chars += len(item)
        else:
            seen.add(item)
    return count, chars


def _duplicate_ngram_chars(words: list[str], n: int) -> int:
    """Characters in n-grams that repeat an earlier n-gram (overlapping repeats counted once)."""
    seen: set[tuple[str, ...]] = set()
    chars, i, end = 0, 0, len(words) - n + 1
    while i < end:
        gram = tuple(words[i : i + n])
        if gram in seen:
            chars += sum(map(len, gram))
            i += n
        else:
            seen.add(gram)
            i += 1
    return chars
