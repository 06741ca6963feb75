"""The runner: reads the input, runs the steps, writes output, side files and report atomically."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiflab.compliance.distributions import step_distributions
from aiflab.compliance.pdf import pdf_browser
from aiflab.compliance.report import ComplianceReport, FileDigest, build_report
from aiflab.compliance.signing import fingerprint, load_private_key, public_key_of
from aiflab.compliance.writer import ReportFiles, stage_reports
from aiflab.errors import AiflabError, Location, OutputError, RecipeError, SecretError, StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.evidence import StepEvidence
from aiflab.pipeline.executors import Executor, InProcessExecutor
from aiflab.pipeline.progress import Progress, SilentProgress
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.table import Table
from aiflab.pipeline.table_io import AtomicWrites, read_table, sha256_file, table_format


@dataclass
class RunResult:
    """What a run produced: the final table, its report, and where everything was written."""

    table: Table
    report: ComplianceReport
    output: Path
    report_json: Path
    report_html: Path | None
    report_files: ReportFiles | None = None


def run(recipe: Recipe, progress: Progress | None = None, input_path: Path | None = None,
        output_path: Path | None = None, executor: Executor | None = None) -> RunResult:
    """Run `recipe`. Paths given here override the recipe's (relative to the working directory).

    `executor` decides where the steps run: in this process (the default) or on a Dask cluster.
    """
    progress = progress or SilentProgress()
    executor = executor or InProcessExecutor()
    if recipe.input.format == "warc" or recipe.output.format == "pool":
        raise RecipeError("this recipe reads a crawl into a web-data pool: run it with "
                          "`aiflab webdata build`", Location(recipe.source, field="input.format"))
    source = input_path or recipe.resolve(recipe.input.path)
    target = output_path or recipe.resolve(recipe.output.path)
    report_dir = recipe.resolve(recipe.output.report_dir) if recipe.output.report_dir else target.parent
    if source.resolve() == target.resolve():
        raise OutputError("the output would overwrite the input; choose another output path",
                          Location(recipe.source, field="output.path"))
    for ref in recipe.secrets.values():
        ref.resolve(recipe.base_dir)  # fail before any work when a secret is missing
    signing_key = _signing_key(recipe)
    browser, notes = pdf_browser(recipe.report.pdf)

    started_at = _now()
    stages = [step.build() for step in recipe.steps]
    with progress.task(f"read {source.name}", total=1):
        df = read_table(source, recipe.input.format, recipe.input.encoding,
                        recipe.input.delimiter, recipe.input.sheet)
    files = [FileDigest(role="input", path=_relative(source, report_dir), sha256=sha256_file(source),
                        bytes=source.stat().st_size)]

    table = Table(df)
    ctx = RunContext(seed=recipe.seed, secrets=dict(recipe.secrets), base_dir=recipe.base_dir,
                     progress=progress)
    evidence: list[StepEvidence] = []
    artefacts = []
    with executor:
        for index, stage in enumerate(stages, start=1):
            where = Location(recipe.source, field=f"steps[{index - 1}] {stage.name}")
            with progress.task(f"[{index}/{len(stages)}] {stage.name}", total=1):
                try:
                    result = executor.run_stage(stage, table, ctx, index)
                except AiflabError as exc:
                    if exc.where is None:
                        exc.where = where
                    raise
                except Exception as exc:
                    raise StageError(f"{type(exc).__name__}: {exc}", where) from exc
            result.evidence.distributions = step_distributions(table, result.table,
                                                               recipe.report.bias_columns)
            table = result.table
            evidence.append(result.evidence)
            artefacts.extend(result.artefacts)
            for artefact in result.evidence.artefacts:
                files.append(FileDigest(role="artefact", path=artefact.name,
                                        sha256=artefact.sha256, bytes=artefact.bytes))
            for aux, digest in result.evidence.inputs_read.items():
                files.append(FileDigest(role="auxiliary", path=aux, sha256=digest))

    with AtomicWrites() as writes:
        digest, size = writes.table(table.df, target, recipe.output.format)
        files.append(FileDigest(role="output", path=_relative(target, report_dir), sha256=digest,
                                bytes=size))
        for artefact in artefacts:
            writes.bytes(artefact.content, report_dir / artefact.name)
        key = fingerprint(public_key_of(signing_key)) if signing_key is not None else None
        report = build_report(recipe, evidence, files, started_at, _now(), key, notes)
        written = stage_reports(writes, report, recipe.report, table.df,
                                table_format(target, recipe.output.format), report_dir, signing_key, browser)
        writes.commit()
    return RunResult(table, report, target, written.json, written.html, written)


def _signing_key(recipe: Recipe) -> Any:
    name = recipe.report.signing_key
    if name is None:
        return None
    if name not in recipe.secrets:
        raise SecretError(f"the report's signing key {name!r} is not declared under 'secrets:'")
    return load_private_key(recipe.secrets[name].resolve(recipe.base_dir).reveal())


def _relative(path: Path, folder: Path) -> str:
    """`path` relative to the report's folder, so that a report and its files can move together."""
    return os.path.relpath(path.resolve(), folder.resolve())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
