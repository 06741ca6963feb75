"""Stage `webdata.c4`: the C4 line and document filters (Raffel et al. 2020)."""

from __future__ import annotations

import re

from pydantic import Field

from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.webdata.drops import drop

TERMINAL = (".", "?", "!", '"', "'", "。", "؟", ";", "»", "”")
"""Line endings C4 accepts (";" is the Greek question mark's look-alike, often typed for it)."""
POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")
_CITATION = re.compile(r"\[\d*\]|\[edit\]|\[citation needed\]")
_SENTENCE_END = re.compile(r"[.!?;。]+(?:\s|$)")


class WebC4Params(Params):
    terminal_punctuation: bool = Field(
        default=True, description="keep only lines ending in terminal punctuation"
    )
    min_words_per_line: int = Field(default=3, ge=0, description="drop lines with fewer words")
    max_word_length: int = Field(default=1000, ge=1, description="drop lines with a longer word")
    min_sentences: int = Field(
        default=5, ge=0, description="drop documents with fewer sentences after line filtering"
    )
    lorem_ipsum: bool = Field(default=True, description="drop documents containing 'lorem ipsum'")
    curly_bracket: bool = Field(default=True, description="drop documents containing '{' (code)")
    javascript: bool = Field(default=True, description="drop lines mentioning javascript")
    policy_phrases: list[str] = Field(
        default_factory=lambda: list(POLICY),
        description="drop lines containing one of these phrases (lower case)",
    )


class C4Stage(Stage):
    """Clean and filter documents with the C4 heuristics.

    Lines are kept only when they end in terminal punctuation, have at least three words, no word
    over 1,000 characters, no mention of javascript and no cookie or terms-of-use phrase; wiki
    citation marks are removed. Documents with 'lorem ipsum' or a curly bracket, or fewer than five
    sentences left, are dropped (`c4:lorem-ipsum`, `c4:curly-bracket`, `c4:too-few-sentences`).
    The text is replaced by its kept lines.
    """

    name = "webdata.c4"
    summary = (
        "Keep C4-quality lines and drop documents failing the C4 rules (lorem ipsum, code, few sentences)."
    )
    Params = WebC4Params
    row_local = True

    def reads(self) -> list[str]:
        return ["text"]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        import pandas as pd

        df = table.df
        texts, reasons = [], []
        for text in df["text"]:
            kept, reason = self._filter(text)
            texts.append(kept)
            reasons.append(reason)
        out = df.assign(text=texts)
        ctx.evidence.cells_changed["text"] = int((out["text"] != df["text"]).sum())
        result = drop(table.with_df(out), ctx, pd.Series(reasons, index=out.index, dtype=object))
        ctx.evidence.summary = f"C4 rules kept {len(result.df):,} of {len(df):,} documents"
        return result

    def _filter(self, text: str) -> tuple[str, str | None]:
        p = self.params
        kept: list[str] = []
        sentences = 0
        for raw in text.splitlines():
            line = _CITATION.sub("", raw.strip())
            words = line.split()
            if any(len(word) > p.max_word_length for word in words):
                continue
            if p.terminal_punctuation and (not line.endswith(TERMINAL) or line.endswith(("...", "…"))):
                continue
            if len(words) < p.min_words_per_line:
                continue
            lower = line.lower()
            if p.lorem_ipsum and "lorem ipsum" in lower:
                return text, "c4:lorem-ipsum"
            if p.javascript and "javascript" in lower:
                continue
            if p.curly_bracket and "{" in line:
                return text, "c4:curly-bracket"
            if any(phrase in lower for phrase in p.policy_phrases):
                continue
            sentences += max(1, len(_SENTENCE_END.findall(line)))
            kept.append(line)
        if sentences < p.min_sentences:
            return text, "c4:too-few-sentences"
        return "\n".join(kept), None
