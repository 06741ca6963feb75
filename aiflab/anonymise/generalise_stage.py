"""anonymise.generalise: global recoding and record suppression with the least information loss.

The search runs on the table's distinct rows over the quasi-identifiers and sensitive columns, each
standing for its count of rows (`summarise_part`, `decide`); the chosen recoding is then applied to
the rows (`Generalisation.apply`). On Dask the partitions count their distinct rows where they lie,
the driver decides, and every partition applies the decision: the table never comes to the driver.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from aiflab.anonymise.generalise_classes import Classes, Encoded, encode_table
from aiflab.anonymise.generalise_loss import Objective
from aiflab.anonymise.generalise_models import OK, REASONS, Models
from aiflab.anonymise.generalise_search import MAX_NODES, Search, SearchResult
from aiflab.anonymise.hierarchies import Hierarchy, HierarchyKind, HierarchySpec, build, encode
from aiflab.anonymise.risk_measures import class_codes, class_sizes, merge_class_sizes
from aiflab.errors import InputError, StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.evidence import StepEvidence
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import ColumnRole, Table

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Problem:
    """A table ready for the search: encoded rows, the models, the suppression budget in rows."""

    encoded: Encoded
    models: Models
    budget: int
    hierarchies: list[Hierarchy]
    qi_codes: list[np.ndarray]
    sensitive: list[str]

    def search(self, objective: Objective, on_evaluate: Callable[[], None] | None = None) -> Search:
        return Search(self.encoded, self.models, objective, self.budget, on_evaluate)


@dataclass
class Generalisation:
    """The chosen recoding, for any rows of the table: by distinct row over `columns` (`keys`), the
    reason it is suppressed (OK: kept) and, per generalised quasi-identifier, its new value and whether
    that differs from the old; the evidence of the search."""

    columns: list[str]
    keys: pd.DataFrame
    reason: np.ndarray
    labels: dict[str, np.ndarray]
    changed: dict[str, np.ndarray]
    metrics: dict[str, Any]
    summary: str
    inputs_read: dict[str, str]

    def apply(self, table: Table, evidence: StepEvidence) -> Table:
        """The rows of `table` (all of it or a partition) generalised, the suppressed ones removed."""
        import pandas as pd

        df = table.df
        both = pd.concat([self.keys, df[self.columns]], ignore_index=True)
        codes = class_codes(both, self.columns)[len(self.keys):]
        reason = self.reason[codes]
        kept = reason == OK
        for code, name in REASONS.items():
            rows = int((reason == code).sum())
            if rows:
                evidence.rows_dropped[name] = rows
        out = df.loc[kept].copy()
        for column, labels in self.labels.items():
            out[column] = labels[codes[kept]]
            evidence.cells_changed[column] = int(self.changed[column][codes[kept]].sum())
        evidence.metrics.update(self.metrics)
        evidence.inputs_read.update(self.inputs_read)
        evidence.summary = self.summary
        return table.with_df(out)


class GeneraliseParams(Params):
    """The privacy models to meet, the columns they apply to and how far values may be generalised."""

    quasi_identifiers: list[str] | None = Field(
        default=None, description="columns to generalise (default: the columns discover.pii marked "
                                  "quasi_identifier)")
    sensitive: list[str] | None = Field(
        default=None, description="sensitive columns for l-diversity and t-closeness "
                                  "(default: those discover.pii marked sensitive)")
    k: int = Field(ge=1, description="k-anonymity: every released combination of quasi-identifier "
                                     "values is shared by at least k rows")
    l: int | None = Field(  # noqa: E741
        default=None, ge=2, description="l-diversity: every class holds at least l well-represented "
                                        "sensitive values")
    l_variant: Literal["distinct", "entropy"] = Field(
        default="distinct", description="distinct: at least l different values; entropy: exp(entropy) >= l")
    t: float | None = Field(default=None, gt=0, le=1, description="t-closeness: each class's sensitive "
                                                                   "distribution within t (EMD) of the "
                                                                   "released table's")
    t_distance: Literal["equal", "ordered"] | None = Field(
        default=None, description="ground distance of t-closeness (default: ordered for numbers and "
                                  "dates, equal for categories)")
    max_suppression: float = Field(default=0.05, ge=0, le=1,
                                   description="largest share of rows that may be removed (0.05 = 5%)")
    hierarchies: dict[str, HierarchySpec] = Field(
        default_factory=dict, description="per quasi-identifier: kind, widths, date_levels, truncate or a "
                                          "hierarchy file (default: built from the column's type)")
    loss: Literal["discernibility", "intensity", "entropy"] = Field(
        default="entropy", description="information loss to minimise: entropy (non-uniform entropy), "
                                       "discernibility or intensity (mean generalisation level)")


class GeneraliseStage(Stage):
    """Generalise quasi-identifiers through hierarchies (global recoding) and suppress the rows of
    classes that still violate k-anonymity, l-diversity or t-closeness, choosing the generalisation
    with the least information loss within the suppression budget."""

    name = "anonymise.generalise"
    summary = ("k-anonymity, l-diversity and t-closeness by generalisation and suppression, with the least "
               "information loss")
    Params = GeneraliseParams
    params: GeneraliseParams
    decides: ClassVar[bool] = True

    def __init__(self, params: Params | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._decided = False

    def reads(self) -> list[str]:
        return [*(self.params.quasi_identifiers or []), *(self.params.sensitive or [])]

    @property
    def row_local(self) -> bool:  # type: ignore[override]
        """Row-local once the generalisation is decided (`decided`)."""
        return self._decided

    def decided(self) -> GeneraliseStage:
        """This step for partitions of a table whose generalisation is decided (in `ctx.shared`)."""
        stage = GeneraliseStage(self.params)
        stage._decided = True
        return stage

    def apply(self, table: Table, ctx: RunContext) -> Table:
        if not self._decided:
            return self.decide([self.summarise_part(table)], table, ctx).apply(table, ctx.evidence)
        if not isinstance(ctx.shared, Generalisation):
            raise StageError("the decided generalisation did not reach this step")
        return ctx.shared.apply(table, ctx.evidence)

    def summarise_part(self, table: Table) -> tuple[pd.DataFrame, np.ndarray]:
        """The distinct rows of a table or partition over the quasi-identifiers and sensitive columns,
        with their counts."""
        qis, sensitive = self._columns(table)
        return class_sizes(table.df, [*qis, *sensitive])

    def decide(self, parts: Sequence[tuple[pd.DataFrame, np.ndarray]], table: Table,
               ctx: RunContext) -> Generalisation:
        """The generalisation of least loss of the table whose partitions have `parts` (their
        `summarise_part`; `table` gives the columns, its rows are not read)."""
        qis, sensitive = self._columns(table)
        keys, counts = merge_class_sizes(parts, [*qis, *sensitive])
        problem = self.prepare(table.with_df(keys), ctx, counts)
        with ctx.progress.task("anonymise.generalise: searching the lattice", total=None) as task:
            result = problem.search(self.params.loss, on_evaluate=task.advance).run()
        if result.best is None:
            raise StageError(self._no_solution(result, problem))
        classes, key_class = problem.encoded.row_classes(result.best.node)
        reasons = problem.models.reasons(classes)
        labels, changed = {}, {}
        for hierarchy, codes, level in zip(problem.hierarchies, problem.qi_codes, result.best.node,
                                           strict=True):
            if level:
                level_labels = hierarchy.labels[level]
                differs = [str(a) != str(b) for a, b in zip(level_labels, hierarchy.labels[0], strict=True)]
                labels[hierarchy.column] = level_labels[codes]
                changed[hierarchy.column] = np.array(differs, dtype=bool)[codes]
        metrics, summary = self._record(result, problem, classes, reasons)
        return Generalisation([*qis, *sensitive], keys, reasons[key_class], labels, changed, metrics, summary,
                              dict(ctx.evidence.inputs_read))

    def prepare(self, table: Table, ctx: RunContext, weights: np.ndarray | None = None) -> Problem:
        """Check the input and encode it for the search (hierarchies, codes, models, budget); each row
        stands for `weights` rows when given (distinct rows)."""
        p = self.params
        df = table.df
        qis, sensitive = self._columns(table)
        rows = len(df) if weights is None else int(weights.sum())
        if p.k > rows:
            raise StageError(f"k={p.k} is larger than the table ({rows} rows)")
        hierarchies, qi_codes = [], []
        for column in qis:
            codes, hierarchy = self._hierarchy(table, column, ctx)
            qi_codes.append(codes)
            hierarchies.append(hierarchy)
        lattice = math.prod(h.height + 1 for h in hierarchies)
        if lattice > MAX_NODES:
            raise StageError(f"the generalisation lattice has {lattice:,} nodes (more than {MAX_NODES:,}); "
                             "use fewer quasi-identifiers or hierarchies with fewer levels")
        sens_codes, sizes, ordered = [], [], []
        for column in sensitive:
            codes, size, is_ordered = _sensitive_codes(df[column], table.info(column).semantic_type)
            if p.l is not None and size < p.l:
                raise StageError(f"l={p.l} cannot be met: sensitive column {column!r} has only {size} "
                                 "distinct value(s)")
            sens_codes.append(codes)
            sizes.append(size)
            ordered.append(is_ordered if p.t_distance is None else p.t_distance == "ordered")
        return Problem(encode_table(hierarchies, qi_codes, sens_codes, sizes, weights),
                       Models(p.k, p.l, p.l_variant, p.t, tuple(ordered)),
                       math.floor(p.max_suppression * rows + 1e-9), hierarchies, qi_codes, sensitive)

    def _columns(self, table: Table) -> tuple[list[str], list[str]]:
        p = self.params
        df = table.df
        qis = list(p.quasi_identifiers) if p.quasi_identifiers is not None else table.columns_with_role(
            ColumnRole.QUASI_IDENTIFIER)
        if not qis:
            raise StageError("no quasi-identifiers known: run discover.pii before this step or name them "
                             "with 'quasi_identifiers'")
        sensitive = list(p.sensitive) if p.sensitive is not None else (
            table.columns_with_role(ColumnRole.SENSITIVE) if p.l is not None or p.t is not None else [])
        if (p.l is not None or p.t is not None) and not sensitive:
            raise StageError("l-diversity and t-closeness need sensitive columns: run discover.pii before "
                             "this step or name them with 'sensitive'")
        for kind, names in (("quasi-identifier", qis), ("sensitive", sensitive)):
            missing = [c for c in names if c not in df.columns]
            if missing:
                raise StageError(f"{kind} column(s) {', '.join(map(repr, missing))} not in the table")
        both = sorted(set(qis) & set(sensitive))
        if both:
            raise StageError(f"column(s) {', '.join(map(repr, both))} are both quasi-identifier and "
                             "sensitive")
        stray = sorted(set(p.hierarchies) - set(qis))
        if stray:
            raise StageError(f"hierarchies given for {', '.join(map(repr, stray))}, which is not a "
                             "quasi-identifier of this step")
        return qis, sensitive

    def _hierarchy(self, table: Table, column: str, ctx: RunContext) -> tuple[np.ndarray, Hierarchy]:
        spec = self.params.hierarchies.get(column, HierarchySpec())
        kind = spec.resolved_kind() or _default_kind(table.df[column], table.info(column).semantic_type)
        codes, values = encode(table.df[column])
        rows = _read_rows(ctx, spec.file) if spec.file else None
        return codes, build(column, values, kind, spec, rows, spec.file)

    def _no_solution(self, result: SearchResult, problem: Problem) -> str:
        p = self.params
        rows = problem.encoded.rows
        models = ", ".join(filter(None, [f"k={p.k}", p.l and f"{p.l_variant} l={p.l}", p.t and f"t={p.t}"]))
        closest = result.closest
        levels = ", ".join(f"{h.column}: {h.names[lv]}"
                           for h, lv in zip(problem.hierarchies, closest.node, strict=True))
        return (f"no generalisation meets {models} within max_suppression={p.max_suppression:g} "
                f"({problem.budget} of {rows} rows); the closest ({levels}) would suppress "
                f"{closest.suppressed} rows ({closest.suppressed / rows:.1%}): raise max_suppression, relax "
                "the models or use coarser hierarchies")

    def _record(self, result: SearchResult, problem: Problem, classes: Classes,
                reasons: np.ndarray) -> tuple[dict[str, Any], str]:
        """The metrics and summary of the search's choice."""
        assert result.best is not None
        kept = reasons == OK
        loss = result.best.loss
        levels = {h.column: {"level": lv, "height": h.height, "name": h.names[lv]}
                  for h, lv in zip(problem.hierarchies, result.best.node, strict=True)}
        metrics = dict(
            quasi_identifiers=[h.column for h in problem.hierarchies], sensitive=problem.sensitive,
            levels=levels, objective=self.params.loss,
            information_loss={"intensity": round(loss.intensity, 6),
                              "discernibility": loss.discernibility_raw,
                              "discernibility_normalised": round(loss.discernibility, 6),
                              "entropy": round(loss.entropy, 6),
                              "suppressed_share": round(loss.suppressed, 6)},
            suppressed_rows=result.best.suppressed, max_suppressed_rows=problem.budget,
            equivalence_classes=_size_distribution(classes.size[kept], self.params.k),
            achieved=problem.models.achieved(classes, kept),
            search={"nodes_evaluated": result.evaluated, "lattice_size": result.lattice_size,
                    "seconds": round(result.seconds, 3)})
        where = ", ".join(f"{c} → {v['name']}" for c, v in levels.items() if v["level"])
        return metrics, (f"generalised {where or 'nothing'}; suppressed {result.best.suppressed} rows; "
                         f"{int(kept.sum())} classes, k={self.params.k} met")


def _default_kind(series: pd.Series, semantic_type: str | None) -> HierarchyKind:
    import pandas as pd

    if semantic_type in ("date", "postcode", "number"):
        return semantic_type  # type: ignore[return-value]
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return "number"
    return "category"


def _sensitive_codes(series: pd.Series, semantic_type: str | None) -> tuple[np.ndarray, int, bool]:
    """Value codes in sorted order (missing last), the number of values, and whether they are ordered."""
    import pandas as pd

    codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    size = len(uniques)
    if (codes < 0).any():
        codes = np.where(codes < 0, size, codes)
        size += 1
    ordered = semantic_type in ("number", "date") or (
        (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series))
        and not pd.api.types.is_bool_dtype(series))
    return codes.astype(np.int64), size, ordered


def _size_distribution(sizes: np.ndarray, k: int) -> dict[str, Any]:
    """Count, min, median, max and a histogram of class sizes in bins k, 2k, 5k, 10k, …"""
    if not len(sizes):
        return {"count": 0}
    edges = [k * m for m in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)] + [math.inf]
    histogram = {}
    for low, high in itertools.pairwise(edges):
        count = int(((sizes >= low) & (sizes < high)).sum())
        if count:
            histogram[f"{low}-{high - 1}" if high != math.inf else f"{low}+"] = count
    return {"count": len(sizes), "min": int(sizes.min()), "median": float(np.median(sizes)),
            "max": int(sizes.max()), "histogram": histogram}


def _read_rows(ctx: RunContext, path: str) -> list[list[str]]:
    """Rows of a hierarchy file (CSV with ';' or ',', or JSON); its sha256 goes to the lineage."""
    if path.lower().endswith(".json"):
        data = ctx.read_json(path)
        if isinstance(data, dict):
            return [[str(value), *(str(p) for p in (parents if isinstance(parents, list) else [parents]))]
                    for value, parents in data.items()]
        if isinstance(data, list) and all(isinstance(row, list) for row in data):
            return [[str(cell) for cell in row] for row in data]
        raise InputError(f"{path}: a hierarchy file holds {{value: [parent, …]}} or [[value, parent, …], …]")
    data = ctx.read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{ctx.resolve(path)}: not UTF-8 (byte {exc.start})") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
