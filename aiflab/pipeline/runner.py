"""The runner: reads the input, runs the steps, writes output, side files and report atomically."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiflab.compliance.pdf import pdf_browser
from aiflab.compliance.report import ComplianceReport, FileDigest, build_report
from aiflab.compliance.signing import fingerprint, load_private_key, public_key_of
from aiflab.compliance.writer import ReportFiles, stage_reports
from aiflab.errors import Location, OutputError, RecipeError, SecretError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.executors import Executor, InProcessExecutor
from aiflab.pipeline.executors.base import Plan
from aiflab.pipeline.progress import Progress, SilentProgress
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.table import Table
from aiflab.pipeline.table_io import AtomicWrites, sha256_file, table_format


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
    plan = Plan(stages=[step.build() for step in recipe.steps], source=source, input=recipe.input,
                target=target, output_format=table_format(target, recipe.output.format),
                bias_columns=recipe.report.bias_columns, where=recipe.source)
    ctx = RunContext(seed=recipe.seed, secrets=dict(recipe.secrets), base_dir=recipe.base_dir,
                     progress=progress)
    with AtomicWrites() as writes:
        with executor:
            done = executor.execute(plan, ctx, writes)
        files = [FileDigest(role="input", path=_relative(source, report_dir), sha256=sha256_file(source),
                            bytes=source.stat().st_size)]
        for step in done.evidence:
            files += [FileDigest(role="artefact", path=a.name, sha256=a.sha256, bytes=a.bytes)
                      for a in step.artefacts]
            files += [FileDigest(role="auxiliary", path=aux, sha256=digest)
                      for aux, digest in step.inputs_read.items()]
        files += [FileDigest(role="output", path=_relative(path, report_dir), sha256=digest, bytes=size)
                  for path, digest, size in done.outputs]
        for artefact in done.artefacts:
            writes.bytes(artefact.content, report_dir / artefact.name)
        key = fingerprint(public_key_of(signing_key)) if signing_key is not None else None
        report = build_report(recipe, done.evidence, files, started_at, _now(), key, notes)
        written = stage_reports(writes, report, recipe.report, done.table.df, plan.output_format, report_dir,
                                signing_key, browser)
        writes.commit()
    return RunResult(done.table, report, target, written.json, written.html, written)


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
