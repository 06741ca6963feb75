"""`clean.dedup`: remove exact duplicates, then near duplicates found by record linkage.

Near duplicates: candidate pairs are rows that agree on all columns of at least one blocking pass
(`block_on`); each pair gets a weighted mean of per-column similarities (Jaro-Winkler and others,
on lower-cased, accent-free text; missing values score 0); pairs at or above `threshold` link their
rows, and linked rows form clusters (transitively: A~B and B~C put A and C together). One record per
cluster is kept by the stated rule; the removed rows, with their cluster, score and the kept row,
go to a side file that the report lists with its hash. That file holds the removed records as they
were, so it is as sensitive as the input.

On Dask, exact duplicates alone are found by a hash shuffle (`aiflab.clean.dedup_shuffle`); near
duplicates need the whole table.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from aiflab.clean.accounting import csv_bytes, drop_rows, require_columns
from aiflab.clean.dedup_shuffle import Bucket, Settled, bucket_rows, keep_values, keepers, meet, settle
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table


class DedupCompare(Params):
    """One compared column."""

    column: str = Field(description="the column to compare")
    method: Literal["jarowinkler", "jaro", "levenshtein", "damerau_levenshtein", "qgram", "cosine",
                    "exact"] = Field("jarowinkler", description="similarity measure (recordlinkage)")
    weight: float = Field(1.0, gt=0, description="weight of this column in the record score")


class DedupParams(Params):
    """Exact and near duplicate removal."""

    exact: bool = Field(True, description="remove rows equal to an earlier row first")
    exact_columns: list[str] | None = Field(None, description="columns compared for exact duplicates "
                                                              "(default: all)")
    compare: list[DedupCompare] = Field(default_factory=list,
                                        description="columns compared for near duplicates (none: exact only)")
    block_on: list[list[str]] = Field(
        default_factory=list, description="blocking passes: only rows agreeing on all columns of a pass "
                                          "are compared, e.g. [[birth_date], [last_name, postcode]]")
    threshold: float = Field(0.9, gt=0, le=1, description="record score at or above which rows are linked")
    keep: Literal["first", "most_complete", "latest"] = Field(
        "first", description="which record of a cluster stays: first in table order, most non-null cells, "
                             "or the largest `order_by` value")
    order_by: str | None = Field(None, description="keep latest: the column to order by (e.g. updated_at)")
    max_pairs: int = Field(5_000_000, ge=1, description="refuse to compare more candidate pairs than this")
    removed_file: str | None = Field(None, description="side file of removed rows (default: "
                                                       "step<N>-removed-duplicates.csv)")

    @model_validator(mode="after")
    def _consistent(self) -> DedupParams:
        if (self.keep == "latest") != (self.order_by is not None):
            raise ValueError("`order_by` is needed with keep: latest, and only there")
        if self.block_on and not self.compare:
            raise ValueError("`block_on` needs `compare` columns")
        if not (self.exact or self.compare):
            raise ValueError("nothing to do: set exact or compare")
        return self


class DedupStage(Stage):
    """Remove exact and near-duplicate records, keeping one per cluster by a stated rule."""

    name: ClassVar[str] = "clean.dedup"
    summary: ClassVar[str] = "remove exact and near duplicates (record linkage); removed rows to a side file"
    Params: ClassVar[type[DedupParams]] = DedupParams
    dependencies: ClassVar[tuple[str, ...]] = ("recordlinkage", "jellyfish")
    params: DedupParams

    def __init__(self, params: Params | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._settled = False

    def reads(self) -> list[str]:
        p = self.params
        columns = [*(p.exact_columns or []), *(c.column for c in p.compare),
                   *(c for b in p.block_on for c in b), *([p.order_by] if p.order_by else [])]
        return list(dict.fromkeys(columns))

    @property
    def shuffles(self) -> bool:  # type: ignore[override]
        """Exact duplicates only: on Dask, rows meet their equals by a hash shuffle."""
        return not self.params.compare and not self._settled

    @property
    def row_local(self) -> bool:  # type: ignore[override]
        """Row-local once the shuffle has settled which rows go (`settled`)."""
        return self._settled

    def bucket_part(self, table: Table, buckets: int) -> list[Bucket]:
        """On one partition: its rows' compared columns and keep-rule values, by hash bucket."""
        p, df = self.params, table.df
        require_columns(df, self.reads())
        return bucket_rows(df, p.exact_columns or list(df.columns), keep_values(df, p.keep, p.order_by),
                           buckets)

    def meet(self, pieces: list[Bucket]) -> pd.DataFrame:
        """On one bucket: the removed rows among those that reached it from every partition."""
        return meet(pieces, self.params.keep)

    @staticmethod
    def settle(met: list[pd.DataFrame]) -> Settled:
        """In the driver: the removed rows of the whole table, clusters numbered in table order."""
        return settle(met)

    def settled(self) -> DedupStage:
        """This step for partitions whose removed rows are settled: it reads them from `ctx.shared`."""
        stage = DedupStage(self.params)
        stage._settled = True
        return stage

    def apply(self, table: Table, ctx: RunContext) -> Table:
        df = table.df
        require_columns(df, self.reads())
        if self._settled:
            if not isinstance(ctx.shared, Settled):
                raise StageError("the settled duplicates did not reach this step")
            cluster, kept_rows = ctx.shared.of(df)
            removed_mask = cluster >= 0
            reason = np.where(removed_mask, "duplicate-exact", "")
            kept_row = pd.Series(kept_rows, index=cluster[removed_mask])
            return self._drop(table, ctx, cluster, removed_mask.astype(float), removed_mask, reason,
                              kept_row, ctx.shared.clusters, 0)
        cluster, score, reason, pairs = self._clusters(df)
        keep = self._keepers(df, cluster)
        removed_mask = (cluster >= 0) & ~keep
        heads = keep & (cluster >= 0)
        kept_row = pd.Series(df.index[heads], index=cluster[heads])
        return self._drop(table, ctx, cluster, score, removed_mask, reason, kept_row,
                          len(np.unique(cluster[cluster >= 0])), pairs)

    def _clusters(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """Each row's duplicate cluster (-1: none), score and reason; the candidate pairs compared."""
        from aiflab.clean.linkage import Comparison, link

        p = self.params
        n = len(df)
        cluster = np.full(n, -1)
        score = np.zeros(n)
        reason = np.full(n, "", dtype=object)
        next_cluster = 1
        if p.exact:
            subset = p.exact_columns or list(df.columns)
            dup = df.duplicated(subset=subset, keep=False).to_numpy()
            groups = df[dup].groupby(subset, dropna=False, sort=False).ngroup().to_numpy()
            cluster[dup] = groups + next_cluster
            score[dup] = 1.0
            reason[dup & ~self._keepers(df, cluster)] = "duplicate-exact"
            next_cluster += int(groups.max()) + 1 if len(groups) else 0
        pairs = 0
        if p.compare:
            rest = np.flatnonzero(~self._removed_after_exact(df, cluster))
            links = link(df.iloc[rest], [Comparison(c.column, c.method, c.weight) for c in p.compare],
                         p.block_on, p.threshold, p.max_pairs)
            pairs = links.pairs
            near = links.cluster >= 0
            for position, label, best in zip(rest[near], links.cluster[near], links.score[near], strict=True):
                if cluster[position] >= 0:  # a kept exact duplicate: its near cluster absorbs its exact one
                    cluster[cluster == cluster[position]] = label + next_cluster
                else:
                    cluster[position] = label + next_cluster
                score[position] = max(score[position], best)
                reason[position] = reason[position] or "duplicate-near"
        return cluster, score, reason, pairs

    def _drop(self, table: Table, ctx: RunContext, cluster: np.ndarray, score: np.ndarray,
              removed_mask: np.ndarray, reason: np.ndarray, kept_row: pd.Series, clusters: int,
              pairs: int) -> Table:
        """Drop the removed rows, write them to the side file with their cluster, score and the row
        kept in their place (`kept_row`, by cluster), and record the evidence."""
        p, df = self.params, table.df
        codes = {code: removed_mask & (reason == code) for code in ("duplicate-exact", "duplicate-near")}
        kept, removed = drop_rows(ctx, df, codes)
        if len(removed):
            where = removed_mask.nonzero()[0]
            removed.insert(1, "_cluster", cluster[where])
            removed.insert(2, "_score", np.round(score[where], 4))
            removed.insert(3, "_kept_row", kept_row[~kept_row.index.duplicated()].reindex(cluster[where])
                           .to_numpy())
            name = p.removed_file or f"step{ctx.evidence.index}-removed-duplicates.csv"
            ctx.emit(name, csv_bytes(removed), "removed duplicate rows with their reason, cluster, score "
                                               "and the row kept in their place")
        ctx.evidence.metrics.update(clusters=clusters, candidate_pairs=pairs, threshold=p.threshold,
                                    keep=p.keep)
        by_reason = ", ".join(f"{v:,} {k}" for k, v in ctx.evidence.rows_dropped.items()) or "none"
        ctx.evidence.summary = (f"{clusters:,} duplicate cluster(s); removed {len(removed):,} row(s) "
                                f"({by_reason}); {pairs:,} candidate pairs compared")
        return table.with_df(kept)

    def _removed_after_exact(self, df: pd.DataFrame, cluster: np.ndarray) -> np.ndarray:
        """Rows that the exact pass alone would remove (all but the kept one of each exact group)."""
        return (cluster >= 0) & ~self._keepers(df, cluster)

    def _keepers(self, df: pd.DataFrame, cluster: np.ndarray) -> np.ndarray:
        """One True per cluster (the record kept by the rule), True for every unclustered row."""
        return keepers(cluster, keep_values(df, self.params.keep, self.params.order_by), self.params.keep)

