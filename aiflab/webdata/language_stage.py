"""Stage `webdata.language`: language identification for the 24 EU languages, with a shipped model."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import Field, field_validator

from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.webdata.drops import drop
from aiflab.webdata.languages import EU_LANGUAGES


class WebLanguageParams(Params):
    languages: list[str] | None = Field(
        default_factory=lambda: list(EU_LANGUAGES),
        description="ISO 639-1 codes to keep (default: the 24 EU official languages); null keeps all",
    )
    min_score: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="least probability of the detected language; below it a page is dropped",
    )
    max_chars: int = Field(
        default=2000,
        ge=100,
        description="characters of each text the detector reads (its cost grows with length)",
    )

    @field_validator("languages")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            unknown = sorted(set(value) - set(identifier().labels))
            if unknown:
                raise ValueError(f"the language model does not know {', '.join(unknown)}")
        return value


@cache
def identifier() -> Any:
    """py3langid's naive Bayes identifier (97 languages, model shipped in the package), probabilities on."""
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True)


class LanguageStage(Stage):
    """Identify each document's language and keep the wanted ones.

    py3langid (a modern langid.py) ships its model in the package, covers all 24 EU official
    languages among 97, and needs no download. Over all 97 languages, a page in a language outside
    the pool is labelled as such rather than forced into an EU language. Writes `language` and
    `language_score`; drops `language-not-wanted` and `language-low-score`.
    """

    name = "webdata.language"
    summary = "Identify the language of each document (24 EU languages, model shipped); keep the wanted ones."
    Params = WebLanguageParams
    row_local = True
    dependencies = ("py3langid",)

    def reads(self) -> list[str]:
        return ["text"]

    def writes(self) -> list[str]:
        return ["language", "language_score"]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        import pandas as pd

        p, df = self.params, table.df
        classify = identifier().classify
        found = [classify(text[: p.max_chars]) for text in df["text"]]
        languages = [language for language, _ in found]
        scores = [round(score, 4) for _, score in found]
        out = df.assign(language=languages, language_score=scores)
        wanted = set(p.languages) if p.languages is not None else None
        reasons = [
            (
                "language-not-wanted"
                if wanted is not None and language not in wanted
                else "language-low-score"
                if score < p.min_score
                else None
            )
            for language, score in found
        ]
        result = drop(table.with_df(out), ctx, pd.Series(reasons, index=out.index, dtype=object))
        counts = result.df["language"].value_counts()
        ctx.evidence.metrics["languages"] = {str(k): int(v) for k, v in counts.items()}
        ctx.evidence.summary = f"identified languages; kept {len(result.df):,} of {len(df):,} documents"
        return result
