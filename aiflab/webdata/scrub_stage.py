"""Stage `webdata.scrub`: remove personal data from the text of web documents."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import Field

from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table

WebEntity = Literal["EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "NATIONAL_ID", "VAT_CODE"]


class WebScrubParams(Params):
    entities: list[WebEntity] = Field(
        default_factory=lambda: ["EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "NATIONAL_ID", "VAT_CODE"],
        min_length=1,
        description="entity types found by pattern and checksum, and replaced",
    )
    names: bool = Field(
        default=False,
        description="also replace person names, in the languages with a spaCy NER "
        "model (English, French); slower (Presidio and spaCy)",
    )
    name_score: float = Field(
        default=0.6, ge=0.0, le=1.0, description="least NER score of a name that is replaced"
    )
    operator: Literal["tag", "redact"] = Field(
        default="tag", description="tag (<EMAIL_ADDRESS>) or redact (delete)"
    )


class ScrubStage(Stage):
    """Remove e-mail addresses, phone numbers, IBANs, national identifiers and VAT numbers from web text.

    Regular expressions propose candidates; the checks of `anonymise.text` decide (python-stdnum
    checksums for the national identifiers of the 27 member states, EU VAT and IBAN; phonenumbers
    for the regions of the document's language). With `names`, person names are found by the spaCy
    NER models `anonymise.text` uses (English, French) and other languages are reported as not
    covered. Writes `pii_replaced` (entities replaced per document); the evidence counts them per
    type, never the values.
    """

    name = "webdata.scrub"
    summary = (
        "Remove e-mails, phones, IBANs, national IDs and VAT numbers (checksums); names where NER exists."
    )
    Params = WebScrubParams
    row_local = True
    dependencies = ("python-stdnum", "phonenumbers")

    def reads(self) -> list[str]:
        return ["text", "language"]

    def writes(self) -> list[str]:
        return ["pii_replaced"]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        from aiflab.anonymise.text_operators import merge
        from aiflab.webdata.pii import find

        p, df = self.params, table.df
        wanted = frozenset(p.entities)
        texts = list(df["text"])
        languages = list(df["language"])
        spans = [find(text, language, wanted) for text, language in zip(texts, languages, strict=True)]
        if p.names:
            self._names(texts, languages, spans, ctx)
        counts: Counter[str] = Counter()
        out_texts, replaced = [], []
        for text, found in zip(texts, spans, strict=True):
            merged = merge(found)
            counts.update(entity for _, _, entity, _ in merged)
            out_texts.append(_replace(text, merged, p.operator))
            replaced.append(len(merged))
        out = df.assign(text=out_texts, pii_replaced=replaced)
        ctx.evidence.cells_changed["text"] = sum(1 for n in replaced if n)
        ctx.evidence.metrics["replaced"] = dict(sorted(counts.items()))
        ctx.evidence.summary = (
            f"replaced {sum(counts.values()):,} entities in "
            f"{ctx.evidence.cells_changed['text']:,} of {len(df):,} documents"
        )
        return table.with_df(out)

    def _names(self, texts: list[str], languages: list[str], spans: list[list], ctx: RunContext) -> None:
        from aiflab.anonymise.text_engine import NER_MODELS, analyse

        uncovered: Counter[str] = Counter()
        for language in sorted(set(languages)):
            positions = [i for i, lang in enumerate(languages) if lang == language]
            if language not in NER_MODELS:
                uncovered[language] += len(positions)
                continue
            ctx.evidence.dependencies.append(NER_MODELS[language][1])
            found = analyse(language, [texts[i] for i in positions], ["PERSON"], self.params.name_score)
            for i, names in zip(positions, found, strict=True):
                spans[i] += names
        if uncovered:
            ctx.evidence.warn(
                "no-ner-model",
                "names not looked for (no NER model) in "
                + ", ".join(f"{lang}: {n} documents" for lang, n in sorted(uncovered.items())),
            )


def _replace(text: str, spans: list, operator: str) -> str:
    if not spans:
        return text
    pieces, position = [], 0
    for start, end, entity, _ in spans:
        pieces += [text[position:start], f"<{entity}>" if operator == "tag" else ""]
        position = end
    return "".join([*pieces, text[position:]])
