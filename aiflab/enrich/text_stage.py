"""`enrich.text`: language, length, readability and quality of free-text columns.

For each column named, new columns `<column>_<feature>`: `language` (ISO 639-1, by py3langid, whose
model ships with the package; by default only the 24 official EU languages are candidates) and
`language_score` (its probability), `chars` and `words`, `readability` (LIX) and `quality` (0-1);
see `aiflab.enrich.text_features` for the definitions.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from aiflab.clean.accounting import record_changes, require_columns
from aiflab.clean.codes import EU_LANGUAGES
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table

TextFeature = Literal["language", "language_score", "chars", "words", "readability", "quality"]
ALL_FEATURES: tuple[TextFeature, ...] = ("language", "language_score", "chars", "words", "readability",
                                         "quality")


class EnrichTextParams(Params):
    """The text columns and the features to add."""

    columns: list[str] = Field(min_length=1, description="free-text columns")
    features: list[TextFeature] = Field(default_factory=lambda: list(ALL_FEATURES),
                                        description="features to add, each as <column>_<feature>")
    languages: list[str] = Field(default_factory=lambda: list(EU_LANGUAGES),
                                 description="candidate languages, ISO 639-1 (default: the 24 EU languages)")
    min_chars: int = Field(20, ge=1, description="texts shorter than this get no language (null)")

    @field_validator("languages")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        from aiflab.enrich.text_features import check_languages

        check_languages(value)
        return value


class EnrichTextStage(Stage):
    """Identify the language of free text and measure its length, readability and quality."""

    name: ClassVar[str] = "enrich.text"
    summary: ClassVar[str] = ("language (24 EU languages), length, readability and quality of "
                              "free-text columns")
    Params: ClassVar[type[EnrichTextParams]] = EnrichTextParams
    row_local: ClassVar[bool] = True
    dependencies: ClassVar[tuple[str, ...]] = ("py3langid",)
    params: EnrichTextParams

    def reads(self) -> list[str]:
        return list(self.params.columns)

    def writes(self) -> list[str]:
        return [f"{c}_{f}" for c in self.params.columns for f in self.params.features]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        from aiflab.clean.distinct import as_text
        from aiflab.enrich import text_features as tf

        require_columns(table.df, self.params.columns)
        df = table.df.copy()
        features = set(self.params.features)
        languages: dict[str, dict[str, int]] = {}
        for column in self.params.columns:
            texts = as_text(df[column]).astype(object)
            if features & {"language", "language_score"}:
                language, score = tf.languages(texts, self.params.languages, self.params.min_chars)
                if "language" in features:
                    df[f"{column}_language"] = language
                if "language_score" in features:
                    df[f"{column}_language_score"] = score
                languages[column] = {str(k): int(v) for k, v in language.value_counts().items()}
            if features & {"chars", "words"}:
                chars, words = tf.lengths(texts)
                if "chars" in features:
                    df[f"{column}_chars"] = chars
                if "words" in features:
                    df[f"{column}_words"] = words
            if "readability" in features:
                df[f"{column}_readability"] = tf.readability(texts)
            if "quality" in features:
                df[f"{column}_quality"] = tf.quality(texts)
        record_changes(ctx, table.df, df)
        ctx.evidence.metrics["languages"] = languages
        found = "; ".join(f"{c}: " + ", ".join(f"{k} {v}" for k, v in list(counts.items())[:5])
                          for c, counts in languages.items())
        ctx.evidence.summary = (f"text features of {', '.join(self.params.columns)}"
                                + (f"; languages {found}" if found else ""))
        return table.with_df(df)
