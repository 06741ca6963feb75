"""Secret references (`env:NAME`, `file:path`) and their resolution. Values are never shown."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from aiflab.errors import SecretError

REFERENCE_PATTERN = r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$"
_REFERENCE = re.compile(REFERENCE_PATTERN)


class Secret:
    """A secret value that does not print itself."""

    __slots__ = ("_value", "reference")

    def __init__(self, value: bytes, reference: str) -> None:
        self._value = value
        self.reference = reference

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.reference!r}, ***)"

    __str__ = __repr__


@dataclass(frozen=True)
class SecretRef:
    """A reference to a secret held in the environment or in a file, never the value itself."""

    reference: str

    def __post_init__(self) -> None:
        if not _REFERENCE.match(self.reference):
            raise SecretError("a secret is given by reference, 'env:NAME' or 'file:path', never by "
                              "value (the value written here is not shown)")

    def is_available(self, base_dir: Path | None = None) -> bool:
        try:
            self.resolve(base_dir)
        except SecretError:
            return False
        return True

    def resolve(self, base_dir: Path | None = None) -> Secret:
        kind, _, name = self.reference.partition(":")
        if kind == "env":
            value = os.environ.get(name)
            if not value:
                raise SecretError(f"secret {self.reference!r}: environment variable {name} is not set")
            return Secret(value.encode(), self.reference)
        path = Path(name).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        try:
            data = path.read_bytes().strip()
        except OSError as exc:
            raise SecretError(f"secret {self.reference!r}: cannot read {path}: {exc.strerror}") from None
        if not data:
            raise SecretError(f"secret {self.reference!r}: file {path} is empty")
        return Secret(data, self.reference)
