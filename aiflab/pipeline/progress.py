"""Progress reporting: stages report work done; the CLI shows it as rich progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class ProgressTask(Protocol):
    def advance(self, amount: float = 1) -> None: ...


class Progress(Protocol):
    def task(self, description: str, total: float | None) -> Iterator[ProgressTask]: ...


class _SilentTask:
    def advance(self, amount: float = 1) -> None:
        pass


class SilentProgress:
    """Reports nothing: the default when aiflab is used from Python."""

    @contextmanager
    def task(self, description: str, total: float | None) -> Iterator[ProgressTask]:
        yield _SilentTask()


class RichProgress:
    """One rich progress bar per task, on standard error."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=Console(stderr=True), transient=False)

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    @contextmanager
    def task(self, description: str, total: float | None) -> Iterator[ProgressTask]:
        task_id = self._progress.add_task(description, total=total)
        progress = self._progress

        class _Task:
            def advance(self, amount: float = 1) -> None:
                progress.advance(task_id, amount)

        try:
            yield _Task()
        finally:
            if total is not None:
                progress.update(task_id, completed=total)
