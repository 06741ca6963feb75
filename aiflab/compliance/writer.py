"""Staging the report files of a run for the runner's atomic commit: the exports first (their
hashes go into the report), then report.json (signed), report.html and report.pdf."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiflab.compliance.exports import build_exports
from aiflab.compliance.report import ComplianceReport, add_exports, report_json

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.recipe import ReportOptions
    from aiflab.pipeline.table_io import AtomicWrites


@dataclass
class ReportFiles:
    """Where the report and its companions will be once the writes are committed."""

    json: Path
    html: Path | None = None
    pdf: Path | None = None
    exports: list[Path] = field(default_factory=list)


def stage_reports(
    writes: AtomicWrites,
    report: ComplianceReport,
    options: ReportOptions,
    df: pd.DataFrame,
    output_format: str,
    folder: Path,
    signing_key: Any = None,
    browser: str | None = None,
) -> ReportFiles:
    """Stage every report file in `writes`; `report` gains the exports' hashes before it is signed."""
    exports = build_exports(report, df, output_format) if options.exports else []
    for export in exports:
        writes.bytes(export.content, folder / export.name)
    add_exports(report, [export.digest() for export in exports])
    files = ReportFiles(folder / "report.json", exports=[folder / e.name for e in exports])
    writes.bytes(report_json(report, signing_key), files.json)
    if options.html or browser:
        from aiflab.compliance.html import render_html

        html = render_html(report)
        if options.html:
            files.html = folder / "report.html"
            writes.bytes(html.encode(), files.html)
        if browser:
            from aiflab.compliance.pdf import render_pdf

            files.pdf = folder / "report.pdf"
            writes.bytes(render_pdf(html, browser), files.pdf)
    return files
