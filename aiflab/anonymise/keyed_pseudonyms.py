"""Keyed pseudonyms: HMAC-SHA-256 under a per-domain key, shared by the table and text stages.

The same value, entity type, key and domain give the same pseudonym in every run, table and text;
another domain or key gives an unrelated one. The MAC input is ``ENTITY \\0 normalised value``:
values are normalised (NFKC, case-folded, whitespace collapsed) so that "Marie  DUPONT" and
"marie dupont" agree, and the entity type keeps the same string as a PERSON and as a LOCATION apart.

Formats: ``hex`` (the first `length` hex characters of the MAC), ``token`` (``PERSON_1a2b...``) and
``digits`` (format-preserving: a keyed permutation of the digits and letters, see
`aiflab.anonymise.format_preserving`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from aiflab.errors import SecretError
from aiflab.pipeline.secrets import Secret

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MIN_KEY_BYTES = 32
ENTITY_PATTERN = r"^[A-Z][A-Z0-9_]*$"
DOMAIN_LABEL = b"aiflab/pseudonym/v1/"
PseudonymFormat = Literal["hex", "token", "digits"]
_ENTITY = re.compile(ENTITY_PATTERN)
_ASCII_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"  # what str.isspace finds in ASCII, besides " "
_SPACES = re.compile(r"\s{2,}|[^\S ]")  # whitespace that is not one plain space
_BLOCK = 64  # SHA-256 block size in bytes


def normalise(value: str) -> str:
    """NFKC, case-folded, whitespace collapsed to single spaces and stripped."""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return _SPACES.sub(" ", value.casefold()).strip(" ")


def normalise_all(values: list[str]) -> list[str]:
    """`normalise` of each value, done on all of them joined (one C call per step, not per value)."""
    joined = "\0".join(values)
    if not values or joined.count("\0") != len(values) - 1:
        return [normalise(v) for v in values]
    folded = unicodedata.normalize("NFKC", joined).casefold() if not joined.isascii() else joined.casefold()
    if not folded.isascii() or "  " in folded or any(c in folded for c in _ASCII_SPACES):
        folded = _SPACES.sub(" ", folded)
    if folded[:1] == " " or folded[-1:] == " " or " \0" in folded or "\0 " in folded:
        return [part.strip(" ") for part in folded.split("\0")]
    return list(values) if folded == joined else folded.split("\0")  # already normalised: no new strings


def as_text(value: Any) -> str:
    """A cell as text: integral floats without '.0' (an ID read as float keeps its pseudonym)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_key(key: bytes | Secret, what: str = "the pseudonym key") -> bytes:
    """The key's bytes; SecretError (naming the reference, never the value) when under 32 bytes."""
    raw = key.reveal() if isinstance(key, Secret) else key
    if len(raw) < MIN_KEY_BYTES:
        where = f" ({key.reference})" if isinstance(key, Secret) else ""
        raise SecretError(
            f"{what}{where} has {len(raw)} bytes; at least {MIN_KEY_BYTES} are needed (generate one with "
            f"`python -c \"import secrets; print(secrets.token_hex(32))\"`)")
    return raw


@dataclass(frozen=True)
class PseudonymisedColumn:
    """A pseudonymised column and what the evidence needs about it."""

    values: pd.Series
    """categorical: each pseudonym stored once"""
    distinct_values: int
    collisions: int
    cells: int
    """non-null cells, each of which changed."""
    originals: frozenset[str]
    """the distinct originals, normalised, for the residual check (which then need not hash them again)."""
    first_originals: list[str]
    """for each pseudonym (in the order of the categories), the first original that produced it"""

    @property
    def mapping(self) -> dict[str, str]:
        """pseudonym -> the first original (as text) that produced it, for the token vault."""
        return dict(zip(self.values.cat.categories, self.first_originals, strict=True))


class KeyedPseudonymiser:
    """Pseudonyms under one key and domain. Holds only an HMAC keyed with the derived domain key."""

    def __init__(self, key: bytes | Secret, domain: str, memo: bool = False) -> None:
        """`memo`: remember hex pseudonyms in this process (a worker's later partitions reuse them)."""
        if not domain:
            raise ValueError("a pseudonym domain must not be empty")
        self.domain = domain
        domain_key = hmac.digest(check_key(key), DOMAIN_LABEL + domain.encode(), "sha256")
        # HMAC (RFC 2104) as two keyed SHA-256 states, copied per message: the same MAC as `hmac.new`,
        # without its Python wrapper around each call (twice as fast over a column's values)
        block = domain_key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._memo_id = hashlib.sha256(b"aiflab/memo\0" + domain_key).digest() if memo else None

    def __repr__(self) -> str:
        return f"KeyedPseudonymiser(domain={self.domain!r}, key=***)"

    def mac(self, message: bytes) -> bytes:
        """HMAC-SHA-256 of `message` under the domain key (a copy of the keyed state per message)."""
        inner, outer = self._inner.copy(), self._outer.copy()
        inner.update(message)
        outer.update(inner.digest())
        return outer.digest()

    def subkey(self, label: str) -> bytes:
        """A 32-byte key for another use of this domain (format-preserving permutation, date offsets)."""
        return self.mac(b"\0subkey\0" + label.encode())

    def pseudonym(self, value: str, entity: str, fmt: PseudonymFormat = "hex", length: int = 16,
                  keep_prefix: int = 0) -> str:
        """The pseudonym of one value (the text stage calls this for each entity it finds)."""
        if fmt == "digits":
            from aiflab.anonymise.format_preserving import permute

            return permute([value], self.subkey("fpe/" + _entity(entity)), keep_prefix)[0]
        digest = self.mac(_entity(entity).encode() + b"\0" + normalise(value).encode()).hex()[:length]
        return f"{entity}_{digest}" if fmt == "token" else digest

    def pseudonymise_series(self, series: pd.Series, entity: str, fmt: PseudonymFormat = "hex",
                            length: int = 16, keep_prefix: int = 0) -> PseudonymisedColumn:
        """Pseudonymise a column, computing each distinct value once; nulls stay null.

        The result is categorical (each pseudonym stored once), which later steps and the residual
        check read without hashing every cell again.
        """
        import numpy as np
        import pandas as pd

        if not 8 <= length <= 64:
            raise ValueError(f"length must be between 8 and 64 hex characters, got {length}")
        codes, uniques = pd.factorize(series)
        texts = np.asarray(uniques, dtype=object)
        if pd.api.types.infer_dtype(texts, skipna=False) != "string":
            texts = np.asarray([as_text(u) for u in texts.tolist()], dtype=object)
        if fmt == "digits":
            from aiflab.anonymise.format_preserving import permute

            # layout and case are kept, so variants are distinct values
            key = self.subkey("fpe/" + _entity(entity))
            keys = np.asarray(normalise_all(texts.tolist()), dtype=object)
            pseudonyms = np.asarray(permute(texts.tolist(), key, keep_prefix), dtype=object)
        else:
            keys, pseudonyms = self._macs(texts, _entity(entity), length)
            if fmt == "token":
                pseudonyms = np.asarray([f"{entity}_{p}" for p in pseudonyms.tolist()], dtype=object)
        originals = frozenset(keys.tolist())
        distinct = len(pd.unique(texts)) if fmt == "digits" else len(originals)
        categories, first = pd.Index(pseudonyms, dtype=object), texts  # the Index's hash table validates
        if not categories.is_unique:  # pseudonyms that collide become one category, of the first original
            recode, uniques = pd.factorize(pseudonyms)
            categories = pd.Index(uniques, dtype=object)
            at = np.empty(len(categories), dtype=np.intp)
            at[recode[::-1]] = np.arange(len(recode) - 1, -1, -1)
            codes, first = np.append(recode, -1)[codes], texts[at]
        values = pd.Categorical.from_codes(codes, categories=categories)
        return PseudonymisedColumn(pd.Series(values, index=series.index, name=series.name), distinct,
                                   distinct - len(categories), int((codes >= 0).sum()),
                                   originals - {""} if "" in originals else originals, first.tolist())

    def _macs(self, texts: np.ndarray, entity: str, length: int) -> tuple[np.ndarray, np.ndarray]:
        """Normalised keys and hex pseudonyms of the distinct `texts`; with the process memo, only
        the keys this process has not seen before are MACed."""
        import numpy as np

        keys = np.asarray(normalise_all(texts.tolist()), dtype=object)

        def compute(new: list[str]) -> list[str]:
            inner = self._inner.copy()
            inner.update(entity.encode() + b"\0")
            copy_inner, copy_outer = inner.copy, self._outer.copy
            pseudonyms = []
            for key in new:  # variants of a value normalised alike are rare: each is MACed
                mac, outer = copy_inner(), copy_outer()
                mac.update(key.encode())
                outer.update(mac.digest())
                pseudonyms.append(outer.hexdigest()[:length])
            return pseudonyms

        if self._memo_id is None:
            return keys, np.asarray(compute(keys.tolist()), dtype=object)
        from aiflab.pipeline.process_memo import process_memo

        return keys, process_memo(("pseudonyms", self._memo_id), (entity, length), width=length).results(
            keys, compute)

    def day_offsets(self, series: pd.Series, max_days: int) -> pd.Series:
        """A keyed offset in days, in [-max_days, -1] or [1, max_days], per person; null stays null."""
        import numpy as np
        import pandas as pd

        codes, uniques = pd.factorize(series)
        offsets = []
        for text in (as_text(u) for u in uniques.tolist()):
            draw = int.from_bytes(self.mac(b"DATE_SHIFT\0" + normalise(text).encode())[:8], "big")
            offsets.append((1 + (draw >> 1) % max_days) * (1 if draw & 1 else -1))
        values = np.asarray([*offsets, 0], dtype=np.float64)[codes]
        values[codes < 0] = np.nan
        return pd.Series(values, index=series.index)


def _entity(entity: str) -> str:
    if not _ENTITY.match(entity):
        raise ValueError(f"entity type {entity!r} must be upper case, like PERSON or EMAIL_ADDRESS")
    return entity
