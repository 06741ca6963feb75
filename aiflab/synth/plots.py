"""Small inline SVG plots for the HTML report: marginals real vs synthetic, correlations side by side."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import numpy as np

from aiflab.synth.constraints import comparable

if TYPE_CHECKING:
    import pandas as pd

REAL, SYNTHETIC = "#1f77b4", "#ff7f0e"
_W, _H, _PAD = 220, 110, 16
_BINS = 16
_TOP = 8
_CELL = 14


def marginal(real: pd.Series, synthetic: pd.Series, sdtype: str) -> str:
    """Real (blue) and synthetic (orange) distribution of one column as paired bars."""
    if sdtype in ("numerical", "datetime"):
        r, s = comparable(real, sdtype).dropna().to_numpy(), comparable(synthetic, sdtype).dropna().to_numpy()
        both = np.concatenate([r, s])
        if both.size == 0:
            return ""
        edges = np.histogram_bin_edges(both, bins=_BINS)
        shares = [np.histogram(v, edges)[0] / max(len(v), 1) for v in (r, s)]
        labels = ["", ""]
        if sdtype == "numerical":
            labels = [f"{edges[0]:.4g}", f"{edges[-1]:.4g}"]
    else:
        counts = real.astype(object).fillna("∅").value_counts()
        top = list(counts.index[:_TOP])
        shares = [v.astype(object).fillna("∅").value_counts(normalize=True).reindex(top, fill_value=0)
                  .to_numpy() for v in (real, synthetic)]
        labels = [str(top[0])[:12], str(top[-1])[:12]] if top else ["", ""]
    return _bars(str(real.name), shares[0], shares[1], labels)


def _bars(title: str, real: np.ndarray, synthetic: np.ndarray, labels: list[str]) -> str:
    n = len(real)
    top = max(float(np.max(real, initial=0)), float(np.max(synthetic, initial=0))) or 1.0
    slot = (_W - 2 * _PAD) / max(n, 1)
    height = _H - 2 * _PAD
    rects = []
    for i in range(n):
        for k, (values, colour) in enumerate(((real, REAL), (synthetic, SYNTHETIC))):
            h = values[i] / top * height
            rects.append(f'<rect x="{_PAD + i * slot + k * slot / 2:.1f}" y="{_H - _PAD - h:.1f}" '
                         f'width="{slot / 2 * 0.9:.1f}" height="{h:.1f}" fill="{colour}"/>')
    return (f'<svg class="chart" width="{_W}" height="{_H}" font-size="9">'
            f'<title>{escape(title)}: real (blue) vs synthetic (orange)</title>'
            f'<text x="{_PAD}" y="10">{escape(title)}</text>{"".join(rects)}'
            f'<text x="{_PAD}" y="{_H - 3}">{escape(labels[0])}</text>'
            f'<text x="{_W - _PAD}" y="{_H - 3}" text-anchor="end">{escape(labels[1])}</text></svg>')


def correlations(real: pd.DataFrame, synthetic: pd.DataFrame, sdtypes: dict[str, str], limit: int) -> str:
    """Spearman correlation matrices of the numeric and date columns, real left and synthetic right."""
    import pandas as pd

    columns = [c for c, t in sdtypes.items() if t in ("numerical", "datetime")][:limit]
    if len(columns) < 2:
        return ""
    matrices = [pd.DataFrame({c: comparable(f[c], sdtypes[c]) for c in columns}).corr("spearman").to_numpy()
                for f in (real, synthetic)]
    size = len(columns) * _CELL
    width = 2 * size + 3 * _PAD
    cells = []
    for m, (matrix, label) in enumerate(zip(matrices, ("real", "synthetic"), strict=True)):
        left = _PAD + m * (size + _PAD)
        cells.append(f'<text x="{left}" y="12">{label}</text>')
        for i in range(len(columns)):
            for j in range(len(columns)):
                value = 0.0 if np.isnan(matrix[i, j]) else float(matrix[i, j])
                cells.append(f'<rect x="{left + j * _CELL}" y="{18 + i * _CELL}" width="{_CELL}" '
                             f'height="{_CELL}" fill="{_colour(value)}"><title>{escape(columns[i])} / '
                             f'{escape(columns[j])}: {value:.2f}</title></rect>')
    return (f'<svg class="chart" width="{width}" height="{size + 24}" font-size="9">'
            f'<title>Spearman correlations of {escape(", ".join(columns))}</title>{"".join(cells)}</svg>')


def _colour(value: float) -> str:
    """Blue for -1, white for 0, red for +1."""
    v = max(-1.0, min(1.0, value))
    fade = round(255 * (1 - abs(v)))
    return f"#ff{fade:02x}{fade:02x}" if v >= 0 else f"#{fade:02x}{fade:02x}ff"
