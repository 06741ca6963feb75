"""Errors that aiflab reports to its users.

Every error names where the problem is (a file, a line and column in it, a field or a column of
the table) and what was expected. Messages never contain secret values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, optionally a 1-based line and column, optionally a field path."""

    file: Path | str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [str(self.file) if self.file is not None else "<recipe>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        text = ":".join(parts)
        return f"{text} ({self.field})" if self.field else text


class AiflabError(Exception):
    """Base class of every error aiflab raises on purpose; `code` is a stable reason code."""

    code = "aiflab-error"

    def __init__(self, message: str, where: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class RecipeError(AiflabError):
    """The recipe is malformed or refers to something that does not exist."""

    code = "recipe-invalid"


class RecipeErrors(RecipeError):
    """Several recipe problems found at once (by `aiflab check`)."""

    def __init__(self, errors: list[RecipeError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors

    def __str__(self) -> str:
        return self.message


class InputError(AiflabError):
    """An input file is missing, unreadable, mis-encoded, corrupt or empty."""

    code = "input-invalid"


class OutputError(AiflabError):
    """An output cannot be written where the recipe says."""

    code = "output-invalid"


class SecretError(AiflabError):
    """A secret is referenced but not available. The message names the reference, never a value."""

    code = "secret-missing"


class StageError(AiflabError):
    """A stage could not do its work on this table (for example a column is missing)."""

    code = "stage-failed"


class ValidationFailed(StageError):
    """Expectations failed and the recipe says `on_failure: stop`."""

    code = "validation-failed"
