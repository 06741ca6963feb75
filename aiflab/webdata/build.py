"""Building a pool: run a webdata recipe over WARC files, file by file, and keep the pool whole.

For each WARC file not yet in the pool (by sha256): its HTML responses are read in batches, each
batch runs through the recipe's steps (the dedup index persists across batches and files), and
then, in this order, the file's shards, dedup fingerprints and drop list are written atomically,
its documents are indexed (one transaction), and its completion marker is written. A build that
stops anywhere leaves the pool as it was plus whole files; the next build removes what a file
without a marker left and does that file again. A file whose records a step cannot process is
reported and left for the next build; the other files go on.
"""

from __future__ import annotations

import glob
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiflab.errors import AiflabError, Location, RecipeError
from aiflab.pipeline.evidence import StepEvidence
from aiflab.pipeline.progress import Progress, SilentProgress
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.stage import Stage
from aiflab.pipeline.table import Table
from aiflab.pipeline.table_io import sha256_file
from aiflab.webdata.context import PoolContext
from aiflab.webdata.dedup_index import DedupIndex
from aiflab.webdata.drops import DROPPED_PREFIX
from aiflab.webdata.pool import Pool, build_manifest, completed_dedup_files, write_atomic
from aiflab.webdata.warc import RECORD_COLUMNS, ReadStats, read_batches

READ_STAGE = "webdata.read"


@dataclass
class BuildResult:
    """What a build did."""

    pool: Path
    processed: list[str] = field(default_factory=list)
    already_in_pool: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    documents_added: int = 0
    documents_in_pool: int = 0
    read: ReadStats = field(default_factory=ReadStats)
    dropped: Counter[str] = field(default_factory=Counter)
    report_json: Path | None = None


def warc_inputs(recipe: Recipe, paths: list[Path] | None) -> list[Path]:
    """The WARC files to read: those given, else the recipe's `input.path` (a glob pattern)."""
    if paths:
        return sorted({p.resolve() for p in paths})
    pattern = str(recipe.resolve(recipe.input.path))
    return sorted(Path(p).resolve() for p in glob.glob(pattern))


def check_webdata_recipe(recipe: Recipe) -> None:
    if recipe.input.format != "warc":
        raise RecipeError(
            "a webdata recipe reads crawls: set 'input: {path: crawl/*.warc.gz, format: warc}'",
            Location(recipe.source, field="input.format"),
        )


def build(
    recipe: Recipe,
    pool_dir: Path | None = None,
    warcs: list[Path] | None = None,
    progress: Progress | None = None,
    batch_size: int = 1000,
    max_record_bytes: int = 16 << 20,
) -> BuildResult:
    """Add the documents of `warcs` (default: the recipe's input) to the pool (default: its output)."""
    check_webdata_recipe(recipe)
    progress = progress or SilentProgress()
    pool = Pool((pool_dir or recipe.resolve(recipe.output.path)).resolve())
    files = warc_inputs(recipe, warcs)
    if not files:
        raise AiflabError(
            f"no WARC files match {recipe.input.path}", Location(recipe.source, field="input.path")
        )
    stages = [step.build() for step in recipe.steps]
    result = BuildResult(pool.root)
    started = _now()
    with pool.locked():
        from aiflab.webdata.search_index import remove_files_except

        pool.remove_unfinished()
        remove_files_except(pool.index_path, {m["file_id"] for m in pool.markers()})
        ctx = PoolContext(
            seed=recipe.seed, secrets=dict(recipe.secrets), base_dir=recipe.base_dir, progress=progress
        )
        evidence: dict[int, StepEvidence] = {}
        inputs: list[dict[str, Any]] = []
        for path in files:
            digest = sha256_file(path)
            file_id = digest[:16]
            if pool.is_done(file_id):
                result.already_in_pool.append(str(path))
                continue
            if ctx.dedup is None:
                ctx.dedup = _pool_index(pool, stages)
            try:
                with progress.task(f"{path.name}", total=None):
                    added = _build_file(
                        pool,
                        recipe,
                        stages,
                        ctx,
                        path,
                        digest,
                        evidence,
                        result,
                        batch_size,
                        max_record_bytes,
                    )
            except AiflabError as exc:
                if ctx.dedup is not None:
                    ctx.dedup.rollback()
                result.failed[str(path)] = str(exc)
                continue
            result.processed.append(str(path))
            result.documents_added += added
            inputs.append({"path": str(path), "sha256": digest, "bytes": path.stat().st_size})
        manifest = _finish(pool, recipe, stages, evidence, result, inputs, started)
        result.documents_in_pool = manifest["documents"]
    return result


def _pool_index(pool: Pool, stages: list[Stage]) -> DedupIndex | None:
    """The dedup index of the pool's completed files, with the recipe's MinHash setting."""
    from aiflab.webdata.minhash import MinHashConfig

    for stage in stages:
        if stage.name == "webdata.dedup":
            p = stage.params
            index = DedupIndex(MinHashConfig(p.num_perm, p.bands, p.shingle_words))  # type: ignore[attr-defined]
            index.load(completed_dedup_files(pool.root), str(pool.root))
            return index
    return None


def _build_file(
    pool: Pool,
    recipe: Recipe,
    stages: list[Stage],
    ctx: PoolContext,
    path: Path,
    digest: str,
    evidence: dict[int, StepEvidence],
    result: BuildResult,
    batch_size: int,
    max_record_bytes: int,
) -> int:
    import pandas as pd

    file_id = digest[:16]
    stats = ReadStats()
    outputs: list[pd.DataFrame] = []
    dropped_lines: list[bytes] = []
    dropped: Counter[str] = Counter()
    file_evidence: dict[int, StepEvidence] = {}
    for rows in read_batches(path, file_id, stats, batch_size, max_record_bytes):
        table = Table(pd.DataFrame(rows, columns=list(RECORD_COLUMNS)))
        for index, stage in enumerate(stages, start=1):
            try:
                step = stage.run(table, ctx, index=index)
            except AiflabError as exc:
                exc.where = exc.where or Location(recipe.source, field=f"steps[{index - 1}] {stage.name}")
                raise
            except Exception as exc:
                raise AiflabError(
                    f"{stage.name} failed on {path.name}: {type(exc).__name__}: {exc}",
                    Location(recipe.source, field=f"steps[{index - 1}] {stage.name}"),
                ) from exc
            table = step.table
            _merge(file_evidence, index, step.evidence)
            dropped.update(step.evidence.rows_dropped)
            dropped_lines += [a.content for a in step.artefacts if a.name.startswith(DROPPED_PREFIX)]
            if table.df.empty:
                break
        outputs.append(table.df)
    df = pd.concat(outputs, ignore_index=True) if outputs else pd.DataFrame()
    if not df.empty:
        missing = [c for c in ("language", "domain", "text", "doc_id", "url") if c not in df.columns]
        if missing:
            raise RecipeError(
                f"a pool needs the columns {', '.join(missing)}: add webdata.language and "
                "webdata.domain steps",
                Location(recipe.source, field="steps"),
            )
    shards = pool.write_shards(df, file_id)
    if ctx.dedup is not None:
        kept = ctx.dedup.take_pending(set(df["doc_id"]) if not df.empty else set())
        write_atomic(pool.root / "dedup" / f"{file_id}.parquet", ctx.dedup.save(kept))
    write_atomic(pool.root / "dropped" / f"{file_id}.jsonl", b"".join(dropped_lines))
    if not df.empty:
        from aiflab.webdata.search_index import replace_file

        replace_file(pool.index_path, file_id, df)
    licences = Counter(df["licence"].dropna()) if "licence" in df else Counter()
    marker = {
        "file_id": file_id,
        "name": path.name,
        "sha256": digest,
        "bytes": path.stat().st_size,
        "recipe_sha256": recipe.sha256(),
        "built_at": _now(),
        "documents": len(df),
        "read": {
            "records": dict(stats.records),
            "responses": stats.responses,
            "skipped": dict(stats.skipped),
        },
        "dropped": dict(dropped),
        "licences": dict(licences),
        "shards": shards,
    }
    write_atomic(pool.marker(file_id), json.dumps(marker, indent=1, ensure_ascii=False).encode())
    for index, step in file_evidence.items():
        _merge(evidence, index, step)
    result.read.add(stats)
    result.dropped.update(dropped)
    return len(df)


def _merge(into: dict[int, StepEvidence], index: int, step: StepEvidence) -> None:
    """Add one batch's evidence of a step to the step's evidence so far."""
    if index not in into:
        into[index] = step.model_copy(deep=True)
        return
    total = into[index]
    total.rows_in += step.rows_in
    total.rows_out += step.rows_out
    total.duration_s = round((total.duration_s or 0) + (step.duration_s or 0), 3)
    for reason, count in step.rows_dropped.items():
        total.rows_dropped[reason] = total.rows_dropped.get(reason, 0) + count
    for column, count in step.cells_changed.items():
        total.cells_changed[column] = total.cells_changed.get(column, 0) + count
    total.metrics = _add_metrics(total.metrics, step.metrics)
    known = {(f.code, f.message) for f in total.findings}
    total.findings += [f for f in step.findings if (f.code, f.message) not in known]
    total.inputs_read.update(step.inputs_read)
    total.dependencies = list(dict.fromkeys([*total.dependencies, *step.dependencies]))
    if step.status != "ok":
        total.status = step.status
    total.summary = step.summary


def _add_metrics(a: Any, b: Any) -> Any:
    """Counts added, dictionaries merged key by key, anything else from the later batch."""
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _add_metrics(a[k], b[k]) if k in a and k in b else b.get(k, a.get(k)) for k in {**a, **b}}
    if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool):
        return a + b
    return b


def _finish(
    pool: Pool,
    recipe: Recipe,
    stages: list[Stage],
    evidence: dict[int, StepEvidence],
    result: BuildResult,
    inputs: list[dict[str, Any]],
    started: str,
) -> dict[str, Any]:
    """Write the manifest, the catalogue metadata and (when files were processed) the build's report."""
    from aiflab.compliance.dependencies import describe
    from aiflab.compliance.report import CORE_DISTRIBUTIONS, FileDigest, build_report, report_json
    from aiflab.webdata.metadata import croissant, dcat

    used = [
        *CORE_DISTRIBUTIONS,
        "fastwarc",
        "warcio",
        "pyarrow",
        *(d for s in stages for d in s.dependencies),
        *(d for e in evidence.values() for d in e.dependencies),
    ]
    dependencies = [d.model_dump(mode="json") for d in describe(list(dict.fromkeys(used)))]
    manifest = build_manifest(pool, recipe.to_dict(), recipe.sha256(), dependencies, recipe.name)
    write_atomic(pool.manifest_path, json.dumps(manifest, indent=1, ensure_ascii=False).encode())
    write_atomic(
        pool.root / "metadata" / "dcat.jsonld",
        json.dumps(dcat(manifest, recipe), indent=1, ensure_ascii=False).encode(),
    )
    write_atomic(
        pool.root / "metadata" / "croissant.json",
        json.dumps(croissant(manifest, recipe), indent=1, ensure_ascii=False).encode(),
    )
    if not evidence:
        return manifest
    read = StepEvidence(
        index=0,
        stage=READ_STAGE,
        params={},
        rows_in=result.read.responses,
        rows_out=result.read.responses - sum(result.read.skipped.values()),
        rows_dropped=dict(result.read.skipped),
        columns_out=list(RECORD_COLUMNS),
        metrics={"records": dict(result.read.records), "files": len(inputs)},
        dependencies=["fastwarc", "warcio"],
        summary=f"read {result.read.responses:,} HTTP responses from {len(inputs)} files",
    )
    steps = [read, *(evidence[i] for i in sorted(evidence))]
    for path, failure in result.failed.items():
        read.warn("file-failed", f"{Path(path).name}: {failure}")
    files = [FileDigest(role="input", path=i["path"], sha256=i["sha256"], bytes=i["bytes"]) for i in inputs]
    for marker in pool.markers():
        if marker["sha256"] in {i["sha256"] for i in inputs}:
            files += [
                FileDigest(role="output", path=s["path"], sha256=s["sha256"], bytes=s["bytes"])
                for s in marker["shards"]
            ]
    report = build_report(recipe, steps, files, started, _now())
    folder = pool.root / "reports" / started.replace(":", "")
    result.report_json = folder / "report.json"
    write_atomic(result.report_json, report_json(report))
    if recipe.report.html:
        from aiflab.compliance.html import render_html

        write_atomic(folder / "report.html", render_html(report).encode())
    return manifest


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
