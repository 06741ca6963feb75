"""report.pdf: the HTML report printed by headless Chromium (found on PATH), offline."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from aiflab.errors import OutputError
from aiflab.pipeline.evidence import Finding

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 120
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def find_browser() -> str | None:
    """The path of a Chromium-family browser, or None."""
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def render_pdf(html: str, browser: str) -> bytes:
    """Print `html` to PDF with `browser` (network disabled; the page loads nothing from outside)."""
    with tempfile.TemporaryDirectory(prefix="aiflab-pdf-") as folder:
        page, pdf = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise OutputError(f"{browser} did not print report.pdf within {TIMEOUT_S} s") from None
        if not pdf.is_file() or pdf.stat().st_size == 0:
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise OutputError(f"{browser} could not print report.pdf (exit {done.returncode}: {tail[0]})")
        return pdf.read_bytes()


def pdf_browser(wanted: bool) -> tuple[str | None, list[Finding]]:
    """The browser to print report.pdf with when the recipe asks for it, or a finding saying why not."""
    if not wanted:
        return None, []
    browser = find_browser()
    if browser:
        return browser, []
    return None, [
        Finding(
            severity="warning",
            code="report-pdf-not-rendered",
            message=(
                "report.pdf was not written: no Chromium browser found on PATH (install chromium, or set "
                "report: {pdf: false})"
            ),
        )
    ]
