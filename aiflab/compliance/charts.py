"""Small inline SVG charts for the HTML report (no scripts, no network): before/after bars with
95% intervals and limits, used for risk, equivalence class sizes and marginal distributions."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from aiflab.compliance.sections.anonymisation import RiskMeasurement
from aiflab.compliance.sections.data_governance import ColumnExamination

BEFORE, AFTER, LIMIT, FLAG = "#9aa5b8", "#2f6fb0", "#c0392b", "#c0392b"
LABEL_W, BAR_W, ROW_H, BAR_H = 230, 360, 30, 10


@dataclass
class Row:
    """One label with a before and an after value (None: not measured), their intervals and a limit."""

    label: str
    before: float | None
    after: float | None
    before_ci: tuple[float, float] | None = None
    after_ci: tuple[float, float] | None = None
    limit: float | None = None
    flagged: bool = False


def bars(
    rows: list[Row],
    title: str,
    legend: tuple[str, str] = ("before", "after"),
    percent: bool = True,
    scale: float | None = None,
) -> str:
    """Horizontal paired bars, one pair per row; values on a 0..scale axis (default: the largest)."""
    top = scale or max([v for r in rows for v in (r.before, r.after, r.limit) if v is not None] + [1e-9])
    height = 46 + ROW_H * len(rows)
    width = LABEL_W + BAR_W + 120

    def x(value: float) -> float:
        return LABEL_W + BAR_W * min(value / top, 1.0)

    def text(value: float) -> str:
        return f"{value:.1%}" if percent else f"{value:,.0f}"

    parts = [
        f'<svg class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="14" class="ct">{escape(title)}</text>',
    ]
    for i, (name, colour) in enumerate(zip(legend, (BEFORE, AFTER), strict=True)):
        parts.append(
            f'<rect x="{LABEL_W + 170 * i}" y="22" width="10" height="10" fill="{colour}"/>'
            f'<text x="{LABEL_W + 14 + 170 * i}" y="31" class="cl">{escape(name)}</text>'
        )
    for i, row in enumerate(rows):
        y = 42 + ROW_H * i
        colour = FLAG if row.flagged else "#1d2330"
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + 14}" text-anchor="end" class="cl" fill="{colour}">'
            f"{escape(row.label[:38])}</text>"
        )
        for offset, value, ci, fill in (
            (0, row.before, row.before_ci, BEFORE),
            (BAR_H + 2, row.after, row.after_ci, AFTER),
        ):
            if value is None:
                continue
            parts.append(
                f'<rect x="{LABEL_W}" y="{y + offset}" width="{max(x(value) - LABEL_W, 1):.1f}" '
                f'height="{BAR_H}" fill="{fill}"/>'
            )
            if ci:
                mid = y + offset + BAR_H / 2
                parts.append(
                    f'<line x1="{x(ci[0]):.1f}" x2="{x(ci[1]):.1f}" y1="{mid}" y2="{mid}" '
                    f'stroke="#1d2330" stroke-width="1.5"/>'
                )
        shown = " → ".join(text(v) for v in (row.before, row.after) if v is not None)
        parts.append(f'<text x="{LABEL_W + BAR_W + 6}" y="{y + 14}" class="cl">{shown}</text>')
        if row.limit is not None:
            parts.append(
                f'<line x1="{x(row.limit):.1f}" x2="{x(row.limit):.1f}" y1="{y - 3}" '
                f'y2="{y + 2 * BAR_H + 5}" stroke="{LIMIT}" stroke-width="2" stroke-dasharray="3,2"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def risk_chart(first: RiskMeasurement, last: RiskMeasurement) -> str:
    """Risk measures of the first and last measurement, with intervals and the recipe's limits."""
    earlier = {m.name: m for m in first.measures}
    rows = [
        Row(
            m.label,
            earlier[m.name].value if m.name in earlier and first is not last else None,
            m.value,
            _ci(earlier.get(m.name)) if first is not last else None,
            _ci(m),
            m.limit,
            m.passed is False,
        )
        for m in last.measures
    ]
    legend = (f"step {first.step}", f"step {last.step}") if first is not last else ("", f"step {last.step}")
    return bars(
        rows, "Re-identification risk (bars: 95% intervals; dashed: the recipe's limit)", legend, scale=1.0
    )


def class_size_chart(first: RiskMeasurement, last: RiskMeasurement) -> str:
    """Share of records by the size of their equivalence class, first and last measurement."""

    def shares(r: RiskMeasurement) -> dict[str, float]:
        total = sum(r.records_by_class_size.values()) or 1
        return {band: n / total for band, n in r.records_by_class_size.items()}

    before, after = shares(first), shares(last)
    rows = [
        Row(f"class size {band}", before.get(band) if first is not last else None, after.get(band))
        for band in after
    ]
    return bars(
        rows, "Records by equivalence class size", (f"step {first.step}", f"step {last.step}"), scale=1.0
    )


def marginal_chart(exam: ColumnExamination) -> str:
    """Shares of each value of a column before the first and after the last step; flagged values in red."""
    first, last = exam.first or {}, exam.last or {}
    total_b, total_a = sum(first.values()) or 1, sum(last.values()) or 1
    flagged = {s.value for s in exam.shifts}
    values = sorted(set(first) | set(last), key=lambda v: -first.get(v, 0))
    rows = [
        Row(
            value,
            first.get(value, 0) / total_b if exam.first is not None else None,
            last.get(value, 0) / total_a if exam.last is not None else None,
            flagged=value in flagged,
        )
        for value in values
    ]
    return bars(
        rows, f"{exam.column}: share of rows per value", ("before the first step", "after the last step")
    )


def _ci(measure: object) -> tuple[float, float] | None:
    low, high = getattr(measure, "ci_low", None), getattr(measure, "ci_high", None)
    return (low, high) if low is not None and high is not None else None
