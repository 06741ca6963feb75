"""Stage `webdata.domain`: label each document with a data-space sector by transparent rules."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.webdata.drops import drop


class WebDomainParams(Params):
    rules: Path | None = Field(
        default=None,
        description="folder of rules files (*.yaml) replacing the shipped ones (aiflab/webdata/domain_rules)",
    )
    min_score: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="least score for a sector label; below it the label is 'general'",
    )
    saturation: float = Field(default=4.0, gt=0.0, description="points at which a score reaches 0.5")
    keep: list[str] | None = Field(
        default=None,
        min_length=1,
        description="labels to keep (e.g. [health]); others are dropped as "
        "domain-not-wanted. Default: keep all",
    )


class DomainStage(Stage):
    """Assign each document a sector of the Common European Data Spaces, with a score.

    Sectors: health, manufacturing, public administration, cybersecurity, culture and languages,
    science, climate. The rules are editable YAML files (URL patterns, and keywords in several
    languages matched on accent-folded text); the shipped ones are in `aiflab/webdata/domain_rules`.
    Writes `domain` (the best sector, or `general` below `min_score`) and `domain_score`; with
    `keep`, other documents are dropped as `domain-not-wanted`. The rule files' hashes are
    recorded as lineage.
    """

    name = "webdata.domain"
    summary = "Label each document with a sector (health, science, ...) by editable keyword and URL rules."
    Params = WebDomainParams
    row_local = True

    def reads(self) -> list[str]:
        return ["text", "url", "language"]

    def writes(self) -> list[str]:
        return ["domain", "domain_score"]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        import pandas as pd

        from aiflab.webdata.domains import GENERAL, load_rules_text, score, shipped_rules_texts

        p, df = self.params, table.df
        if p.rules is None:
            texts = shipped_rules_texts()
        else:
            folder = ctx.resolve(p.rules)
            files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
            if not files:
                raise StageError(f"no rules files (*.yaml) in {folder}")
            texts = {f.name: ctx.read_bytes(folder / f.name).decode("utf-8") for f in files}
        try:
            rules = load_rules_text(texts)
        except ValueError as exc:
            raise StageError(str(exc)) from None
        labels, best_scores = [], []
        for url, text, language in zip(df["url"], df["text"], df["language"], strict=True):
            scores = score(rules, url, text, language, p.saturation)
            sector, best = max(scores.items(), key=lambda item: item[1]) if scores else (GENERAL, 0.0)
            labels.append(sector if best >= p.min_score else GENERAL)
            best_scores.append(best)
        out = df.assign(domain=labels, domain_score=best_scores)
        reasons = [None if p.keep is None or label in p.keep else "domain-not-wanted" for label in labels]
        result = drop(table.with_df(out), ctx, pd.Series(reasons, index=out.index, dtype=object))
        counts = out["domain"].value_counts()
        ctx.evidence.metrics["domains"] = {str(k): int(v) for k, v in counts.items()}
        ctx.evidence.metrics["sectors"] = [r.sector for r in rules]
        ctx.evidence.summary = f"labelled {len(df):,} documents by sector; kept {len(result.df):,}"
        return result
