"""Fidelity of synthetic data with SDMetrics (MIT): the quality and the diagnostic report.

SDMetrics' category comparisons grow with the square of a column's distinct values (thousands of
postcodes or cities take minutes), so for the quality report the categories of a column beyond its
`CATEGORY_CAP` most frequent real ones are pooled into one; the result says which columns were
pooled. The diagnostic report (category adherence) sees the values unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

_WORST = 5
CATEGORY_CAP = 50
_POOLED = "\x00other"


def fidelity(real: pd.DataFrame, synthetic: pd.DataFrame, metadata: dict[str, Any]) -> dict[str, Any]:
    """`metadata` holds the ``columns`` of SDV's single-table metadata.

    SDMetrics' quality report (column shapes, column pair trends) and diagnostic report (data
    validity, data structure), with the per-column scores and the worst column pairs."""
    import warnings

    from sdmetrics.reports import DiagnosticReport, QualityReport

    columns = list(metadata["columns"])
    tables = {"tables": {"table": metadata}}
    pooled_real, pooled_synthetic, pooled = _pool(real[columns], synthetic[columns], metadata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quality, diagnostic = QualityReport(), DiagnosticReport()
        quality.generate({"table": pooled_real}, {"table": pooled_synthetic}, tables, verbose=False)
        diagnostic.generate({"table": real[columns]}, {"table": synthetic[columns]}, tables, verbose=False)
    shapes = quality.get_details("Column Shapes")
    pairs = quality.get_details("Column Pair Trends").dropna(subset=["Score"])
    validity = diagnostic.get_details("Data Validity")
    return {
        "quality_score": _number(quality.get_score()),
        "column_shapes": _property(quality, "Column Shapes"),
        "column_pair_trends": _property(quality, "Column Pair Trends"),
        "diagnostic_score": _number(diagnostic.get_score()),
        "data_validity": _property(diagnostic, "Data Validity"),
        "data_structure": _property(diagnostic, "Data Structure"),
        "column_shape_scores": {str(r["Column"]): {"metric": r["Metric"], "score": _number(r["Score"])}
                                for _, r in shapes.iterrows()},
        "validity_scores": {f"{r['Column']}:{r['Metric']}": _number(r["Score"])
                            for _, r in validity.iterrows()},
        "worst_column_pairs": [{"columns": [str(r["Column 1"]), str(r["Column 2"])], "metric": r["Metric"],
                                "score": _number(r["Score"])}
                               for _, r in pairs.nsmallest(_WORST, "Score").iterrows()],
        "pooled_categories": {"cap": CATEGORY_CAP, "columns": pooled},
        "sdmetrics_version": quality.get_info()["sdmetrics_version"],
    }


def _pool(real: pd.DataFrame, synthetic: pd.DataFrame,
          metadata: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Copies in which categories beyond the `CATEGORY_CAP` most frequent real ones are pooled."""
    real, synthetic = real.copy(), synthetic.copy()
    pooled = {}
    for column, spec in metadata["columns"].items():
        if spec["sdtype"] != "categorical":
            continue
        counts = real[column].value_counts()
        if len(counts) <= CATEGORY_CAP:
            continue
        keep = set(counts.index[:CATEGORY_CAP])
        for frame in (real, synthetic):
            values = frame[column].astype(object)
            frame[column] = values.where(values.isna() | values.isin(keep), _POOLED)
        pooled[column] = len(counts)
    return real, synthetic, pooled


def _property(report: Any, name: str) -> float | None:
    scores = report.get_properties().set_index("Property")["Score"]
    return _number(scores.get(name))


def _number(value: Any) -> float | None:
    import math

    return None if value is None or math.isnan(float(value)) else round(float(value), 4)
