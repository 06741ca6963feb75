"""Render a run's report.html and report.pdf to PNG images, to look at them.

    python scripts/render_report_images.py out/health [--into /tmp/report_images]

The HTML page is shot by headless Chromium (its first screen, and the whole page in one tall
image); the PDF (printed from the HTML when the run wrote none) is rasterised page by page with
pdftoppm (poppler-utils). Prints the paths of the images written.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiflab.compliance.pdf import FLAGS, find_browser, render_pdf  # noqa: E402

SCREEN = (1280, 2000)
FULL_HEIGHT = 12000


def shoot(browser: str, page: Path, target: Path, height: int) -> Path:
    with tempfile.TemporaryDirectory(prefix="report_chr_") as profile:
        subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--hide-scrollbars",
                f"--window-size={SCREEN[0]},{height}",
                f"--screenshot={target}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            check=True,
            timeout=120,
        )
    return target


def rasterise(pdf: Path, into: Path, dpi: int = 80) -> list[Path]:
    if not shutil.which("pdftoppm"):
        sys.exit("pdftoppm not found: install poppler-utils to rasterise the PDF")
    prefix = into / f"{pdf.parent.name}-pdf"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=300)
    return sorted(into.glob(f"{prefix.name}-*.png"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the folder holding report.html (and report.pdf)")
    parser.add_argument("--into", type=Path, default=Path(tempfile.gettempdir()) / "report_images")
    args = parser.parse_args()
    browser = find_browser()
    if browser is None:
        sys.exit("no Chromium browser found on PATH: install chromium")
    page = args.folder / "report.html"
    if not page.is_file():
        sys.exit(f"{page} not found: run the recipe with report: {{html: true}}")
    args.into.mkdir(parents=True, exist_ok=True)
    name = args.folder.name
    images = [
        shoot(browser, page, args.into / f"{name}-html-top.png", SCREEN[1]),
        shoot(browser, page, args.into / f"{name}-html-full.png", FULL_HEIGHT),
    ]
    pdf = args.folder / "report.pdf"
    if not pdf.is_file():
        pdf = args.into / name / "report.pdf"
        pdf.parent.mkdir(exist_ok=True)
        pdf.write_bytes(render_pdf(page.read_text(encoding="utf-8"), browser))
    images += rasterise(pdf, args.into)
    print("\n".join(map(str, images)))


if __name__ == "__main__":
    main()
