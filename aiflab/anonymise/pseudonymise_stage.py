"""Stage `anonymise.pseudonymise`: keyed pseudonyms for direct identifiers, a vault, date shifting."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from aiflab.anonymise.keyed_pseudonyms import ENTITY_PATTERN, KeyedPseudonymiser, PseudonymFormat
from aiflab.errors import SecretError, StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import ColumnRole, Table

if TYPE_CHECKING:
    import pandas as pd

_TECHNIQUE = {"hex": "keyed pseudonym, HMAC-SHA-256 (hex prefix)",
              "token": "keyed pseudonym, HMAC-SHA-256 (entity token)",
              "digits": "format-preserving keyed permutation (AES-256 Feistel)"}


class ColumnSettings(Params):
    """How one column is pseudonymised; what is left out comes from the step's own settings."""

    entity: str | None = Field(
        default=None, pattern=ENTITY_PATTERN,
        description="entity type mixed into the pseudonym (PERSON, EMAIL_ADDRESS, PHONE_NUMBER, IBAN_CODE, "
                    "NATIONAL_ID, ...); default: the entity discover.pii found, else ID")
    format: PseudonymFormat | None = Field(default=None, description="hex, token or digits")
    length: int | None = Field(default=None, ge=8, le=64, description="hex characters (hex and token)")
    domain: str | None = Field(default=None, min_length=1, description="this column's pseudonym domain")
    keep_prefix: int = Field(
        default=0, ge=0, le=8,
        description="digits format: leading characters kept as they are (e.g. 2 for an IBAN's country)")


class VaultSpec(Params):
    """Reversible mode: every pseudonym and its original go to an encrypted token vault."""

    path: Path = Field(description="SQLite vault file, relative to the recipe; keep it apart from the output")
    key: str = Field(description="name of the recipe secret that encrypts the vault (not the pseudonym key)")


class DateShiftSpec(Params):
    """Per-person date shifting: every date of a person moves by the same keyed number of days."""

    person_column: str = Field(description="column that identifies the person (its original values)")
    date_columns: list[str] = Field(min_length=1, description="date columns to shift")
    max_days: int = Field(default=180, ge=1, le=3650, description="largest shift, in days, either way")


class PseudonymiseParams(Params):
    key: str = Field(description="name of the recipe secret holding the pseudonym key (at least 32 bytes)")
    domain: str = Field(min_length=1, description="pseudonym domain: only releases that share a domain (and "
                                                  "key) share pseudonyms")
    columns: list[str] | None = Field(
        default=None,
        description="columns to pseudonymise; default: the direct identifiers found by discover.pii")
    format: PseudonymFormat = Field(default="hex", description="hex, token (PERSON_1a2b...) or digits "
                                                               "(format-preserving)")
    length: int = Field(default=16, ge=8, le=64, description="hex characters of hex and token pseudonyms")
    per_column: dict[str, ColumnSettings] = Field(default_factory=dict,
                                                  description="settings of single columns, by column name")
    vault: VaultSpec | None = Field(default=None, description="keep originals in an encrypted token vault")
    date_shift: DateShiftSpec | None = Field(default=None,
                                             description="shift dates by a keyed offset per person")
    residual_skip_text: list[str] = Field(
        default_factory=list,
        description="columns whose text is not searched for original identifiers (e.g. a city column where "
                    "a name coincides with part of a place name); they are still checked for whole-cell "
                    "matches, and the report lists them")

    @model_validator(mode="after")
    def _consistent(self) -> PseudonymiseParams:
        if self.columns is not None:
            if not self.columns:
                raise ValueError("columns must not be empty; leave it out to take the direct identifiers")
            unknown = sorted(set(self.per_column) - set(self.columns))
            if unknown:
                raise ValueError(f"per_column names {unknown}, which are not in columns")
        if self.vault and self.vault.key == self.key:
            raise ValueError("the vault must be encrypted with another secret than the pseudonym key")
        if self.date_shift and self.columns and set(self.date_shift.date_columns) & set(self.columns):
            raise ValueError("a date column cannot be both pseudonymised and date-shifted")
        return self


class PseudonymiseStage(Stage):
    """Replace direct identifiers with keyed, deterministic pseudonyms.

    Each value becomes HMAC-SHA-256 of its entity type and normalised text under a key derived
    from the secret key and the domain: the same person gets the same pseudonym in every run,
    table and text of a domain, and an unrelated one in another domain. Formats: hex, token or
    format-preserving digits. Optionally the originals go to an encrypted token vault
    (`aiflab vault reidentify` logs each look-up), and dates are shifted per person. A residual
    check then fails the step if any original value is left anywhere in the table.
    """

    name = "anonymise.pseudonymise"
    summary = "Replace direct identifiers with keyed HMAC pseudonyms (optional vault, per-person date shift)."
    Params = PseudonymiseParams
    dependencies = ("cryptography", "numpy", "pandas")

    @property
    def row_local(self) -> bool:  # type: ignore[override]
        """Row-local (a pseudonym depends only on its value) unless it fills a vault, which one process
        writes. On partitions, distinct values and collisions are counted, and the residual check
        run, per partition."""
        return self.params.vault is None

    def reads(self) -> list[str]:
        p = self.params
        names = [*(p.columns or []), *p.per_column]
        if p.date_shift:
            names += [p.date_shift.person_column, *p.date_shift.date_columns]
        return list(dict.fromkeys(names))

    def secrets_used(self) -> list[str]:
        return [self.params.key, *([self.params.vault.key] if self.params.vault else [])]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        from aiflab.anonymise.residual_check import residual_check

        p, df, evidence = self.params, table.df, ctx.evidence
        columns = self._columns(table)
        key = ctx.secret(p.key)
        pseudonymisers: dict[str, KeyedPseudonymiser] = {}

        def pseudonymiser(domain: str) -> KeyedPseudonymiser:
            if domain not in pseudonymisers:
                pseudonymisers[domain] = KeyedPseudonymiser(key, domain, memo=ctx.partition)
            return pseudonymisers[domain]

        pseudonymiser(p.domain)  # a short key fails here, before any work
        out = df.copy()
        if p.date_shift:
            self._shift_dates(df, out, pseudonymiser(p.domain), ctx)

        report: dict[str, dict[str, Any]] = {}
        vault_rows: list[tuple[str, str, str, str]] = []
        normalised: dict[str, frozenset[str]] = {}
        for column in columns:
            settings = p.per_column.get(column, ColumnSettings())
            entity = settings.entity or next(iter(table.info(column).entities), "ID")
            fmt, length = settings.format or p.format, settings.length or p.length
            domain = settings.domain or p.domain
            try:
                result = pseudonymiser(domain).pseudonymise_series(df[column], entity, fmt, length,
                                                                    settings.keep_prefix)
            except ValueError as exc:
                raise StageError(f"column {column!r}: {exc}") from None
            out[column] = result.values
            normalised[column] = result.originals
            evidence.cells_changed[column] = result.cells
            report[column] = {"technique": _TECHNIQUE[fmt], "domain": domain, "format": fmt,
                              "length": length if fmt != "digits" else None, "entity": entity,
                              "distinct_values": result.distinct_values, "collisions": result.collisions}
            if result.collisions:
                evidence.warn("pseudonym-collision", f"{result.collisions} pseudonyms of column {column!r} "
                              f"stand for more than one value; use a longer length", column)
            if p.vault:
                vault_rows += [(token, original, domain, entity)
                               for token, original in result.mapping.items()]

        evidence.metrics["key"] = {"secret": p.key, "reference": key.reference}
        evidence.metrics["columns"] = report
        check = residual_check(out, {c: df[c] for c in columns}, skip_text=p.residual_skip_text,
                               normalised=normalised)
        evidence.metrics["residual_check"] = {**check.metrics(), "text_not_searched": p.residual_skip_text}
        evidence.findings.extend(check.findings)
        if not check.passed:
            evidence.status = "failed"
            raise StageError("original identifiers survive pseudonymisation: "
                             + "; ".join(f.message for f in check.findings))
        if p.vault:
            self._store(vault_rows, ctx, key.reveal())
        cells = sum(evidence.cells_changed.values())
        evidence.summary = (f"pseudonymised {len(columns)} columns ({cells:,} cells changed) with keyed "
                            f"HMAC-SHA-256 pseudonyms, domain {p.domain!r}; no original identifier remains")
        return table.with_df(out)

    def _columns(self, table: Table) -> list[str]:
        p = self.params
        columns = p.columns or list(dict.fromkeys(
            [*table.columns_with_role(ColumnRole.DIRECT_IDENTIFIER), *p.per_column]))
        if not columns:
            raise StageError("no column to pseudonymise: no column is known as a direct identifier; run "
                             "discover.pii before this step, or name the columns in 'columns:'")
        missing = [c for c in self.reads() + columns if c not in table.df.columns]
        if missing:
            raise StageError(f"the table has no column {', '.join(map(repr, dict.fromkeys(missing)))} "
                             f"(columns: {', '.join(map(str, table.df.columns))})")
        if p.date_shift and set(p.date_shift.date_columns) & set(columns):
            raise StageError("a date column cannot be both pseudonymised and date-shifted")
        return columns

    def _shift_dates(self, df: pd.DataFrame, out: pd.DataFrame, pseudonymiser: KeyedPseudonymiser,
                     ctx: RunContext) -> None:
        from aiflab.anonymise.date_shift import shift_dates

        spec = self.params.date_shift
        assert spec is not None
        days = pseudonymiser.day_offsets(df[spec.person_column], spec.max_days)
        no_person = int(days.isna().sum())
        for column in spec.date_columns:
            try:
                out[column] = shift_dates(df[column], days)
            except ValueError as exc:
                raise StageError(f"date_shift: column {column!r} {exc}") from None
            ctx.evidence.cells_changed[column] = int(df[column].notna().sum())
        if no_person:
            ctx.evidence.warn("date-blanked", f"{no_person} rows have no {spec.person_column!r}: their dates "
                              f"were blanked rather than kept", spec.person_column)
        ctx.evidence.metrics["date_shift"] = {
            "technique": "keyed per-person offset (HMAC-SHA-256), intervals within a person kept",
            "person_column": spec.person_column, "date_columns": spec.date_columns,
            "max_days": spec.max_days, "persons": int(df[spec.person_column].nunique())}

    def _store(self, rows: list[tuple[str, str, str, str]], ctx: RunContext, pseudonym_key: bytes) -> None:
        from aiflab.anonymise.token_vault import TokenVault

        spec = self.params.vault
        assert spec is not None
        vault_key = ctx.secret(spec.key)
        if hmac.compare_digest(vault_key.reveal(), pseudonym_key):
            raise SecretError(f"the secrets {self.params.key!r} and {spec.key!r} hold the same value; "
                              f"the vault key must be a different secret")
        path = ctx.resolve(spec.path)
        with TokenVault.open(path, vault_key, create=True) as vault:
            added = vault.store(rows)
        ctx.evidence.metrics["vault"] = {"path": str(spec.path), "key": {"secret": spec.key,
                                                                         "reference": vault_key.reference},
                                         "entries_added": added, "encryption": "AES-256-GCM"}
