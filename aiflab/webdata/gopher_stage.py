"""Stage `webdata.gopher`: the Gopher quality and repetition filters."""

from __future__ import annotations

from pydantic import Field

from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.webdata.drops import drop
from aiflab.webdata.gopher import GopherThresholds, quality, repetition


class WebGopherParams(Params):
    min_words: int = Field(default=50, ge=0, description="fewest words (with a letter or digit)")
    max_words: int = Field(default=100_000, ge=1, description="most words")
    min_mean_word_length: float = Field(default=3, ge=0, description="least mean word length")
    max_mean_word_length: float = Field(default=10, ge=1, description="largest mean word length")
    max_symbol_word_ratio: float = Field(default=0.1, ge=0, description="most '#' or ellipses per word")
    max_bullet_lines_ratio: float = Field(
        default=0.9, ge=0, le=1, description="largest share of lines starting with a bullet"
    )
    max_ellipsis_lines_ratio: float = Field(
        default=0.3, ge=0, le=1, description="largest share of lines ending with an ellipsis"
    )
    min_alpha_words_ratio: float = Field(
        default=0.8, ge=0, le=1, description="least share of words with a letter"
    )
    min_stop_words: int = Field(
        default=2, ge=0, description="fewest distinct stop words of the document's language"
    )
    repetition: bool = Field(default=True, description="also apply the repetition rules (Gopher Table A1)")


class GopherStage(Stage):
    """Drop low-quality documents by the published Gopher heuristics (Rae et al. 2021).

    Quality rules: word count, mean word length, hash and ellipsis ratios, bullet and ellipsis
    lines, share of alphabetic words, and at least two stop words of the document's language
    (from `language`, lists shipped for the 24 EU languages). Repetition rules: duplicate lines and
    paragraphs, top 2-4-grams and duplicate 5-10-grams, with the thresholds of the paper's Table A1.
    Each drop names the rule, e.g. `gopher:too-few-words`.
    """

    name = "webdata.gopher"
    summary = (
        "Drop low-quality documents by the Gopher quality and repetition rules, with the rule as reason."
    )
    Params = WebGopherParams
    row_local = True

    def reads(self) -> list[str]:
        return ["text", "language"]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        import pandas as pd

        from aiflab.webdata.languages import stop_words

        p, df = self.params, table.df
        thresholds = GopherThresholds(**p.model_dump(exclude={"repetition"}))
        reasons = []
        for text, language in zip(df["text"], df["language"], strict=True):
            reason = quality(text, stop_words(language), thresholds)
            if reason is None and p.repetition:
                reason = repetition(text)
            reasons.append(reason)
        result = drop(table, ctx, pd.Series(reasons, index=df.index, dtype=object))
        ctx.evidence.summary = f"Gopher rules kept {len(result.df):,} of {len(df):,} documents"
        return result
