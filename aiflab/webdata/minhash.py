"""Text fingerprints for dedup: a hash of the normalised text, and MinHash LSH band keys (rensa).

Normalisation folds case and accents and drops punctuation, so copies that differ only in those
are exact duplicates. Shingles are runs of `shingle_words` normalised words. A document's
`num_perm` MinHash values are cut into `bands` bands; each band is mixed into one 64-bit key, and
two documents sharing any band key are near duplicates (with 14 bands of 8 rows, documents of
Jaccard similarity 0.8 collide with probability 0.92, of 0.5 with probability 0.05).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiflab.webdata.folding import fold

if TYPE_CHECKING:
    import numpy as np

_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class MinHashConfig:
    num_perm: int = 112
    bands: int = 14
    shingle_words: int = 5
    seed: int = 1

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def exact_hash(normalised: str) -> int:
    """A signed 64-bit hash of normalised text (stable across processes and runs)."""
    return int.from_bytes(hashlib.blake2b(normalised.encode(), digest_size=8).digest(), "little", signed=True)


def band_keys(normalised: list[str], config: MinHashConfig) -> np.ndarray:
    """The (documents x bands) int64 LSH band keys of normalised texts."""
    import numpy as np
    from rensa import RMinHash

    k = config.shingle_words
    shingles = []
    for text in normalised:
        words = text.split()
        shingles.append([" ".join(words[i : i + k]) for i in range(max(1, len(words) - k + 1))])
    if not shingles:
        return np.zeros((0, config.bands), dtype=np.int64)
    matrix = RMinHash.digest_matrix_from_token_sets(shingles, config.num_perm, config.seed)
    signatures = np.asarray(matrix.to_rows(), dtype=np.uint64)
    usable = config.bands * config.rows
    bands = signatures[:, :usable].reshape(len(shingles), config.bands, config.rows)
    mix = np.random.default_rng(config.seed).integers(
        1, 2**63, size=config.rows, dtype=np.uint64
    ) | np.uint64(1)
    keys = (bands * mix).sum(axis=2, dtype=np.uint64)
    keys ^= keys >> np.uint64(29)
    return keys.view(np.int64)
