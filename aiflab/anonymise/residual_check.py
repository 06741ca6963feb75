"""The residual check: no original value of a treated direct identifier may survive in the output.

Used after every anonymising stage. Values are compared normalised (NFKC, case-folded, whitespace
collapsed). Three checks, each on distinct values only:

- a treated column must not keep its own original value in any row (fixed points);
- no original value of a treated column may be a whole cell of another column;
- no original value of at least `min_substring` characters may occur as a whole word or words
  inside a text cell of an untreated column, except `skip_text` columns ("Anna" does not match
  "Annabelle", but does match "Anna's"). Candidates are found with a vectorised 4-gram filter (numpy over the
  code points of the joined texts, a hash-set membership test) and confirmed by exact lookup, so
  the cost grows with the text length, not with the number of originals.

Findings name the columns and count values and cells; they never quote a value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from aiflab.anonymise.keyed_pseudonyms import as_text, normalise_all
from aiflab.pipeline.evidence import Finding

if TYPE_CHECKING:
    import pandas as pd

CODE = "residual-identifier"
_GRAM = 4
_PRIME = np.uint64(1_000_003)
_CHUNK_CHARS = 4_000_000


@dataclass
class ResidualCheck:
    """What the residual check found."""

    findings: list[Finding] = field(default_factory=list)
    originals_checked: int = 0
    columns_scanned: int = 0

    @property
    def passed(self) -> bool:
        return not self.findings

    def metrics(self) -> dict[str, int | bool]:
        return {"passed": self.passed, "original_values_checked": self.originals_checked,
                "columns_scanned": self.columns_scanned,
                "findings": len(self.findings)}


def residual_check(output: pd.DataFrame, originals: Mapping[str, pd.Series], min_substring: int = 4,
                   skip_text: Collection[str] = (),
                   normalised: Mapping[str, AbstractSet[str]] | None = None) -> ResidualCheck:
    """Check `output` against `originals` (treated column -> its values before treatment, row-aligned).

    `normalised` may give, per treated column, its distinct original values already normalised (the
    pseudonymiser has them), so that they are not computed again.
    """
    result = ResidualCheck(columns_scanned=len(output.columns))
    known: dict[str, AbstractSet[str]] = {}
    for column, before in originals.items():
        given = (normalised or {}).get(column)
        if given is None:
            known[column] = _distinct_normalised(before)
        else:
            known[column] = given - {""} if "" in given else given
        result.originals_checked += len(known[column])
    needles: _Needles | None = None
    every = set().union(*known.values()) if len(known) > 1 else next(iter(known.values()), set())

    for column in output.columns:
        codes, texts = _distinct_texts(output[column])
        counts: np.ndarray | None = None
        distinct = set(texts) if not every.isdisjoint(texts) else set()
        for source, values in known.items():
            if values.isdisjoint(distinct):
                continue
            if source == column:
                kept = _same_cells(output[column], originals[column])
                if kept:
                    result.findings.append(_error(
                        f"{kept} cells of column {column!r} keep their original value", column))
                continue
            counts = np.bincount(codes[codes >= 0], minlength=len(texts)) if counts is None else counts
            found = [i for i, text in enumerate(texts) if text in values and counts[i]]
            if not found:
                continue
            result.findings.append(_error(
                f"{len(found)} original values of {source!r} appear as whole cells of column "
                f"{column!r} ({int(counts[found].sum())} cells)", column))
        searched = column not in originals and column not in skip_text and output[column].dtype.kind in "OUST"
        if not (searched and texts):
            continue
        if needles is None:
            needles = _Needles(known, min_substring)
        for source, hit in needles.search(texts).items():
            counts = np.bincount(codes[codes >= 0], minlength=len(texts)) if counts is None else counts
            cells = int(counts[sorted(hit)].sum())
            if cells:
                result.findings.append(_error(
                    f"original values of {source!r} occur inside text of column {column!r} ({cells} cells)",
                    column))
    return result


def _distinct_normalised(series: pd.Series) -> set[str]:
    import pandas as pd

    uniques = series.unique()
    uniques = uniques[~pd.isna(uniques)]
    return set(normalise_all([as_text(v) for v in uniques.tolist()])) - {""}


def _error(message: str, column: str) -> Finding:
    return Finding(severity="error", code=CODE, message=message, column=column)


def _same_cells(after: pd.Series, before: pd.Series) -> int:
    """Rows where a treated column still holds its original (non-null) value."""
    import pandas as pd

    left = pd.Series(after.to_numpy(dtype=object))
    right = pd.Series(before.to_numpy(dtype=object))
    return int((left == right).sum())


def _distinct_texts(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes of `series` (-1 for missing) and its distinct values as normalised text; a categorical
    series (pseudonyms) gives its categories, which may include some that no cell holds."""
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
    else:
        codes, uniques = pd.factorize(series)
    if uniques.dtype.kind == "f":
        return codes, normalise_all(float_texts(np.asarray(uniques)))
    values = uniques.tolist()
    if pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        values = [as_text(u) for u in values]
    return codes, normalise_all(values)


def float_texts(values: np.ndarray) -> list[str]:
    """`as_text` of each float of `values`, vectorised (numpy prints floats as Python does)."""
    integral = values == np.floor(values)  # infinities too: as_text prints them
    small = integral & (np.abs(values) < 2.0**53)
    texts = values.astype(str).astype(object)
    texts[small] = values[small].astype(np.int64).astype(str)
    large = integral & ~small
    texts[large] = [as_text(v) for v in values[large].tolist()]
    return texts.tolist()


def _gram_hash(codepoints: np.ndarray) -> np.ndarray:
    """A 64-bit hash of every window of `_GRAM` code points (wrapping arithmetic)."""
    h = codepoints[: len(codepoints) - _GRAM + 1].copy()
    for j in range(1, _GRAM):
        h = h * _PRIME + codepoints[j: len(codepoints) - _GRAM + 1 + j]
    return h


def _codepoints(text: str, dtype: type = np.uint64) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(dtype, copy=False)


class _Needles:
    """Original values to look for in text, by the hash of their first 4-gram.

    Only the needles whose first 4-gram occurs in a chunk of text are indexed in Python, so a
    million originals against a little text cost a few numpy passes, not a million dictionary entries.
    """

    def __init__(self, known: Mapping[str, AbstractSet[str]], min_length: int) -> None:
        if min_length < _GRAM:
            raise ValueError(f"originals shorter than {_GRAM} characters cannot be searched in text")
        self.known = known
        values, heads = [], []
        for column in known.values():
            if not column:
                continue
            texts = np.fromiter(column, dtype=object, count=len(column))
            # the first `_GRAM` characters of each long value (`min_length` >= `_GRAM`), read from the
            # code points of all values joined, without a string per value
            codepoints = _codepoints("\0".join(texts.tolist()), np.uint32)
            ends = np.flatnonzero(codepoints == 0)  # where each value but the last ends
            if len(ends) != len(texts) - 1:  # a value holds a nul
                lengths = np.fromiter(map(len, texts.tolist()), dtype=np.int64, count=len(texts))
                ends = np.cumsum(lengths + 1)[:-1] - 1
            starts = np.concatenate([[0], ends + 1])
            long = np.append(ends, len(codepoints)) - starts >= min_length
            starts = starts[long]
            hashes = codepoints[starts].astype(np.uint64)
            for j in range(1, _GRAM):
                hashes = hashes * _PRIME + codepoints[starts + j]
            values.append(texts[long])
            heads.append(hashes)
        self.values = np.concatenate(values) if values else np.empty(0, dtype=object)
        self.heads = np.concatenate(heads) if heads else np.empty(0, dtype=np.uint64)

    def source(self, value: str) -> str:
        """The treated column an original value comes from (the last, when several have it)."""
        return next(column for column in reversed(self.known) if value in self.known[column])

    def search(self, texts: list[str]) -> dict[str, set[int]]:
        """Source column -> indices of `texts` that contain one of its values as whole words."""
        hits: dict[str, set[int]] = defaultdict(set)
        ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1)
        start = 0
        while start < len(texts):  # chunks of about `_CHUNK_CHARS`, at least one text each
            before = int(ends[start - 1]) if start else 0
            stop = max(start + 1, int(np.searchsorted(ends, before + _CHUNK_CHARS, side="left")))
            self._search_chunk(texts[start:stop], start, hits)
            start = stop
        return hits

    def _search_chunk(self, chunk: list[str], first: int, hits: dict[str, set[int]]) -> None:
        import pandas as pd

        joined = "\0".join(chunk)
        if len(joined) < _GRAM or not len(self.values):
            return
        grams = _gram_hash(_codepoints(joined))
        candidates = np.flatnonzero(pd.Index(grams).unique().get_indexer(self.heads) >= 0)
        if not len(candidates):
            return
        by_gram: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        for i in candidates.tolist():
            by_gram[int(self.heads[i])][len(self.values[i])].add(self.values[i])
        index = pd.Index(np.fromiter(by_gram, np.uint64, len(by_gram)))
        positions = np.flatnonzero(index.get_indexer(grams) >= 0)
        offsets = np.cumsum([0] + [len(t) + 1 for t in chunk])
        owners = np.searchsorted(offsets, positions, side="right") - 1
        for pos, owner in zip(positions.tolist(), owners.tolist(), strict=True):
            for length, values in by_gram[int(grams[pos])].items():
                found = joined[pos: pos + length]
                end = pos + length
                whole_words = not (joined[pos - 1: pos].isalnum() or joined[end: end + 1].isalnum())
                if found in values and whole_words and found != chunk[owner]:
                    hits[self.source(found)].add(first + owner)
