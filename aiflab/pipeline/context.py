"""The run context: seed, secrets, progress and the evidence of the step being run."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from aiflab.errors import InputError, Location, SecretError
from aiflab.pipeline.evidence import Artefact, StepEvidence
from aiflab.pipeline.progress import Progress, SilentProgress
from aiflab.pipeline.secrets import Secret, SecretRef

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.table_view import TableView


@dataclass
class PendingArtefact:
    """A side file a step produced; the runner writes it atomically next to the output."""

    name: str
    content: bytes


@dataclass
class RunContext:
    """What a stage may use besides its table. Stages do no I/O of their own: they ask the context."""

    seed: int = 0
    secrets: dict[str, SecretRef] = field(default_factory=dict)
    base_dir: Path = field(default_factory=Path.cwd)
    progress: Progress = field(default_factory=SilentProgress)
    evidence: StepEvidence = field(default_factory=lambda: StepEvidence(index=0, stage="", params={}))
    artefacts: list[PendingArtefact] = field(default_factory=list)
    partition: bool = False
    """running on one partition of the table (a Dask worker): stages may keep per-process caches"""
    shared: Any = None
    """what the partitions of the table found and share with each other for this step (Dask)"""
    view: TableView | None = None
    """the whole table's rows when the step's table holds none (Dask): see `aiflab.pipeline.table_view`"""

    def rng(self) -> np.random.Generator:
        """A random generator seeded from the run's seed and the step index (reproducible)."""
        return np.random.default_rng([self.seed, self.evidence.index])

    def secret(self, name: str) -> Secret:
        """The value of the recipe's secret `name`. Raise SecretError naming the reference only."""
        if name not in self.secrets:
            raise SecretError(f"the recipe declares no secret named {name!r} (add it under 'secrets:')")
        return self.secrets[name].resolve(self.base_dir)

    def resolve(self, path: Path | str) -> Path:
        """A path from the recipe, relative to the recipe's folder unless absolute."""
        return Path(path) if Path(path).is_absolute() else self.base_dir / path

    def read_bytes(self, path: Path | str) -> bytes:
        """Read an auxiliary file (relative to the recipe) and record its sha256 as lineage."""
        resolved = self.resolve(path)
        try:
            data = resolved.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {resolved}: {exc.strerror}", Location(resolved)) from None
        self.evidence.inputs_read[str(path)] = hashlib.sha256(data).hexdigest()
        return data

    def read_json(self, path: Path | str) -> Any:
        """Read an auxiliary JSON file (relative to the recipe) and record its sha256 as lineage."""
        data = self.read_bytes(path)
        try:
            return json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}",
                             Location(self.resolve(path), exc.lineno, exc.colno)) from None

    def read_table(self, path: Path | str) -> pd.DataFrame:
        """Read an auxiliary table (e.g. a population or lookup table) and record its sha256."""
        from aiflab.pipeline.table_io import read_table, sha256_file

        resolved = self.resolve(path)
        df = read_table(resolved)
        self.evidence.inputs_read[str(path)] = sha256_file(resolved)
        return df

    def emit(self, name: str, content: bytes | str, description: str) -> None:
        """Hand a side file (e.g. a suggested suite) to the runner, which writes it next to the output."""
        data = content.encode() if isinstance(content, str) else content
        self.artefacts.append(PendingArtefact(name, data))
        self.evidence.artefacts.append(Artefact(
            name=name, description=description, sha256=hashlib.sha256(data).hexdigest(),
            bytes=len(data)))
