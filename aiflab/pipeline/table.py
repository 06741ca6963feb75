"""The table that flows through a recipe: a DataFrame plus what stages learned about its columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


class ColumnRole(StrEnum):
    """The privacy role of a column (WP29 Opinion 05/2014 and GDPR vocabulary)."""

    DIRECT_IDENTIFIER = "direct_identifier"
    QUASI_IDENTIFIER = "quasi_identifier"
    SENSITIVE = "sensitive"
    FREE_TEXT_PII = "free_text_pii"
    OTHER = "other"


@dataclass
class ColumnInfo:
    """Knowledge about one column, filled in by stages (discover first, used by later ones)."""

    semantic_type: str | None = None
    role: ColumnRole | None = None
    entities: list[str] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> ColumnInfo:
        return ColumnInfo(self.semantic_type, self.role, list(self.entities), dict(self.profile))


@dataclass
class Table:
    """A pandas DataFrame and the per-column knowledge that travels with it."""

    df: pd.DataFrame
    columns: dict[str, ColumnInfo] = field(default_factory=dict)

    def info(self, column: str) -> ColumnInfo:
        """The knowledge about `column`, created empty on first use."""
        return self.columns.setdefault(column, ColumnInfo())

    def with_df(self, df: pd.DataFrame) -> Table:
        """A new table over `df`, keeping the knowledge of the columns `df` still has."""
        kept = {name: info.copy() for name, info in self.columns.items() if name in df.columns}
        return Table(df, kept)

    def columns_with_role(self, role: ColumnRole) -> list[str]:
        return [name for name in self.df.columns if self.columns.get(name, ColumnInfo()).role == role]
