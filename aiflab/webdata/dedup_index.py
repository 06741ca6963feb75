"""The dedup index of a pool: exact text hashes and MinHash band keys of the documents already kept.

Documents of earlier builds (and of other pools) are held in sorted arrays and looked up in bulk;
documents kept during this build are held in sets, pending until their WARC file is complete,
so that a failed file leaves no trace. Each completed file's fingerprints are stored beside the
pool's shards (`dedup/<file>.parquet`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aiflab.webdata.minhash import MinHashConfig

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

CONFIG_KEY = b"aiflab.minhash"


@dataclass
class DedupIndex:
    config: MinHashConfig = field(default_factory=MinHashConfig)
    sources: set[str] = field(default_factory=set)
    _base_exact: list[np.ndarray] = field(default_factory=list)
    _base_bands: list[np.ndarray] = field(default_factory=list)
    _exact: set[int] = field(default_factory=set)
    _bands: list[set[int]] = field(default_factory=list)
    _pending: list[tuple[str, int, np.ndarray]] = field(default_factory=list)
    _frozen: tuple[np.ndarray, np.ndarray] | None = None

    def __post_init__(self) -> None:
        self._bands = [set() for _ in range(self.config.bands)]

    def load(self, files: list[Path], source: str) -> int:
        """Add the fingerprints stored in `files` (skipping those made with another MinHash setting)."""
        import numpy as np
        import pyarrow.parquet as pq

        added = 0
        for path in files:
            table = pq.read_table(path)
            stored = json.loads((table.schema.metadata or {}).get(CONFIG_KEY, b"{}"))
            self._base_exact.append(table.column("text_hash").to_numpy())
            if stored == self.config.__dict__:
                self._base_bands.append(
                    np.stack([table.column(f"band_{j}").to_numpy() for j in range(self.config.bands)], axis=1)
                )
            added += table.num_rows
        self.sources.add(source)
        self._frozen = None
        return added

    def _frozen_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        if self._frozen is None:
            exact = np.unique(np.concatenate(self._base_exact)) if self._base_exact else np.zeros(0, np.int64)
            bands = (
                np.concatenate(self._base_bands)
                if self._base_bands
                else np.zeros((0, self.config.bands), np.int64)
            )
            self._frozen = (exact, np.sort(bands, axis=0))
        return self._frozen

    def check_and_add(
        self, doc_ids: list[str], hashes: np.ndarray, bands: np.ndarray | None, exact: bool = True
    ) -> list[str | None]:
        """For each document, 'exact-duplicate', 'near-duplicate' or None (then it joins the index).

        Without `bands` there is no near check; with `exact` False, no exact check.
        """
        import numpy as np

        base_exact, base_bands = self._frozen_arrays()
        exact_hit = _isin_sorted(hashes, base_exact)
        near_hit = np.zeros(len(hashes), dtype=bool)
        if bands is not None and len(base_bands):
            for j in range(self.config.bands):
                near_hit |= _isin_sorted(bands[:, j], base_bands[:, j])
        reasons: list[str | None] = []
        for i, doc_id in enumerate(doc_ids):
            h = int(hashes[i])
            if exact and (exact_hit[i] or h in self._exact):
                reasons.append("exact-duplicate")
                continue
            if bands is not None:
                row = bands[i].tolist()
                if near_hit[i] or any(key in self._bands[j] for j, key in enumerate(row)):
                    reasons.append("near-duplicate")
                    continue
                for j, key in enumerate(row):
                    self._bands[j].add(key)
            self._exact.add(h)
            self._pending.append((doc_id, h, bands[i] if bands is not None else None))
            reasons.append(None)
        return reasons

    def take_pending(self, kept: set[str]) -> pd.DataFrame:
        """The fingerprints added since the last call, of the documents in `kept` (then forgotten)."""
        import numpy as np
        import pandas as pd

        rows = [item for item in self._pending if item[0] in kept]
        self._pending = []
        data: dict[str, object] = {
            "doc_id": [r[0] for r in rows],
            "text_hash": np.asarray([r[1] for r in rows], dtype=np.int64),
        }
        for j in range(self.config.bands):
            data[f"band_{j}"] = np.asarray([r[2][j] if r[2] is not None else 0 for r in rows], dtype=np.int64)
        return pd.DataFrame(data)

    def rollback(self) -> None:
        """Forget the documents added since the last `take_pending` (their file failed)."""
        for _, h, bands in self._pending:
            self._exact.discard(h)
            if bands is not None:
                for j, key in enumerate(bands.tolist()):
                    self._bands[j].discard(key)
        self._pending = []

    def save(self, df: pd.DataFrame) -> bytes:
        """`take_pending`'s table as Parquet bytes, with the MinHash setting in its metadata."""
        import io

        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        table = table.replace_schema_metadata({CONFIG_KEY: json.dumps(self.config.__dict__).encode()})
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        return buffer.getvalue()


def _isin_sorted(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    import numpy as np

    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    positions = np.searchsorted(sorted_values, values).clip(max=len(sorted_values) - 1)
    return sorted_values[positions] == values
