"""Stage `webdata.extract`: main text and metadata of each HTML page."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.webdata.drops import drop

EXTRACTED = ["text", "title", "html_lang", "robots", "tdm_reservation", "tdm_policy", "licence", "media"]


class WebExtractParams(Params):
    extractor: Literal["resiliparse", "trafilatura"] = Field(
        default="resiliparse", description="resiliparse (fast) or trafilatura (slower, often cleaner)"
    )
    main_content: bool = Field(
        default=True,
        description="keep only the main content (drop navigation, footers and other boilerplate)",
    )
    max_replacement_ratio: float = Field(
        default=0.01,
        ge=0.0,
        le=1.0,
        description="largest share of undecodable characters before a page is dropped as invalid-encoding",
    )
    min_chars: int = Field(
        default=1, ge=1, description="pages with less extracted text are dropped as no-text"
    )


class ExtractStage(Stage):
    """Extract the main text and metadata of each HTML page.

    Reads the raw HTML and replaces it by: `text`, `title`, `html_lang` (the page's own language
    tag), `robots` (meta robots and X-Robots-Tag directives), `tdm_reservation` and `tdm_policy`
    (W3C TDM Reservation Protocol, meta tag or HTTP header), `licence` (rel=license link or licence
    meta tag) and `media` (images, audio and video as absolute URLs with their kind: pools are
    multi-modal by reference). Pages whose bytes do not decode, and pages without text, are dropped
    with their reason.
    """

    name = "webdata.extract"
    summary = "Extract main text, title, language tag, opt-out signals, licence and media links from HTML."
    Params = WebExtractParams
    row_local = True
    dependencies = ("resiliparse",)

    def reads(self) -> list[str]:
        return ["html", "charset", "url", "x_robots_tag", "tdm_reservation_header"]

    def writes(self) -> list[str]:
        return EXTRACTED

    def removes(self) -> list[str]:
        return ["html"]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        import pandas as pd

        from aiflab.webdata.html_page import parse_page

        p, df = self.params, table.df
        columns: dict[str, list[object]] = {name: [] for name in EXTRACTED}
        reasons: list[str | None] = []
        for html, charset, url, robots, tdm in zip(
            df["html"],
            df["charset"],
            df["url"],
            df["x_robots_tag"],
            df["tdm_reservation_header"],
            strict=True,
        ):
            reason = None
            try:
                page = parse_page(html, charset, url, robots, tdm, p.extractor, p.main_content)
            except Exception:  # a page the parser cannot read is dropped, never the build
                page = None
                reason = "unparsable-html"
            if page is not None and page.replacement_ratio > p.max_replacement_ratio:
                reason = "invalid-encoding"
            elif page is not None and len(page.text.strip()) < p.min_chars:
                reason = "no-text"
            reasons.append(reason)
            for name in EXTRACTED:
                columns[name].append(getattr(page, name) if page is not None else None)
        out = df.drop(columns=["html"]).assign(**columns)
        ctx.evidence.metrics["extractor"] = p.extractor
        if p.extractor == "trafilatura":
            ctx.evidence.dependencies.append("trafilatura")
        result = drop(table.with_df(out), ctx, pd.Series(reasons, index=out.index, dtype=object))
        ctx.evidence.summary = (
            f"extracted text and metadata of {len(result.df):,} pages with {p.extractor}; "
            f"dropped {len(df) - len(result.df):,}"
        )
        return result
