"""Stage `webdata.dedup`: exact and near (MinHash LSH) dedup within the pool and against other pools."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.pipeline.table_io import sha256_file
from aiflab.webdata.drops import drop
from aiflab.webdata.minhash import MinHashConfig

if TYPE_CHECKING:
    from aiflab.webdata.dedup_index import DedupIndex


class WebDedupParams(Params):
    exact: bool = Field(default=True, description="drop documents whose normalised text was seen before")
    near: bool = Field(default=True, description="drop near duplicates found by MinHash LSH")
    num_perm: int = Field(default=112, ge=8, le=1024, description="MinHash permutations")
    bands: int = Field(default=14, ge=1, description="LSH bands (rows per band = num_perm // bands)")
    shingle_words: int = Field(default=5, ge=1, le=32, description="words per shingle")
    against: list[Path] = Field(
        default_factory=list, description="pools already built (folders) whose documents also count as seen"
    )


class DedupStage(Stage):
    """Drop exact and near duplicates, keeping the first document seen.

    Exact: a 64-bit hash of the text folded to lower case without accents and punctuation. Near:
    MinHash signatures of word shingles (rensa) cut into LSH bands; a shared band is a duplicate
    (the FineWeb setting: 112 permutations in 14 bands of 8, word 5-grams). In a pool build the
    index holds the pool's earlier documents and persists across batches and files; `against`
    adds pools already built. Writes `text_hash`; drops `exact-duplicate` and `near-duplicate`.
    """

    name = "webdata.dedup"
    summary = "Drop exact and near duplicates (MinHash LSH) within the pool and against pools already built."
    Params = WebDedupParams

    def reads(self) -> list[str]:
        return ["text", "doc_id"]

    def writes(self) -> list[str]:
        return ["text_hash"]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        import numpy as np
        import pandas as pd

        from aiflab.webdata.context import PoolContext
        from aiflab.webdata.dedup_index import DedupIndex
        from aiflab.webdata.minhash import band_keys, exact_hash, normalise

        p, df = self.params, table.df
        if p.num_perm % p.bands:
            raise StageError(f"num_perm ({p.num_perm}) must be a multiple of bands ({p.bands})")
        config = MinHashConfig(p.num_perm, p.bands, p.shingle_words)
        pooled = isinstance(ctx, PoolContext)
        if pooled and (ctx.dedup is None or ctx.dedup.config != config):
            ctx.dedup = DedupIndex(config)
        index = ctx.dedup if pooled and ctx.dedup is not None else DedupIndex(config)
        self._load_against(index, ctx)
        normalised = [normalise(text) for text in df["text"]]
        hashes = np.fromiter((exact_hash(t) for t in normalised), dtype=np.int64, count=len(normalised))
        bands = band_keys(normalised, config) if p.near else None
        reasons = index.check_and_add([str(d) for d in df["doc_id"]], hashes, bands, exact=p.exact)
        out = df.assign(text_hash=hashes)
        result = drop(table.with_df(out), ctx, pd.Series(reasons, index=out.index, dtype=object))
        ctx.evidence.metrics["minhash"] = {
            "num_perm": p.num_perm,
            "bands": p.bands,
            "rows_per_band": config.rows,
            "shingle_words": p.shingle_words,
        }
        ctx.evidence.summary = f"dedup kept {len(result.df):,} of {len(df):,} documents"
        return result

    def _load_against(self, index: DedupIndex, ctx: RunContext) -> None:
        from aiflab.webdata.pool import completed_dedup_files

        for pool in self.params.against:
            folder = ctx.resolve(pool)
            if str(folder) in index.sources:
                continue
            if not (folder / "manifest.json").is_file():
                raise StageError(f"{folder} is not a pool (no manifest.json)")
            files = completed_dedup_files(folder)
            count = index.load(files, str(folder))
            ctx.evidence.inputs_read[f"{pool}/manifest.json"] = sha256_file(folder / "manifest.json")
            ctx.evidence.metrics.setdefault("against", {})[str(pool)] = count

