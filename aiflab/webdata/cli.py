"""`aiflab webdata`: build web-data pools from crawls, search them, and show what they hold."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from aiflab.errors import AiflabError, RecipeError

webdata_app = typer.Typer(
    help="Build web-data pools from WARC crawls, and search them.", no_args_is_help=True
)

EXIT_RUN, EXIT_RECIPE = 1, 2


def _fail(exc: AiflabError) -> NoReturn:
    errors = getattr(exc, "errors", None) or [exc]
    for error in errors:
        typer.echo(f"error {error}", err=True)
    raise typer.Exit(EXIT_RECIPE if isinstance(exc, RecipeError) else EXIT_RUN)


@webdata_app.command("build")
def build_command(
    warcs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="WARC or ARC files (.warc.gz, .warc, .arc.gz); default: the recipe's input.path pattern.",
            show_default=False,
        ),
    ] = None,
    recipe: Annotated[Path, typer.Option("--recipe", "-r", help="The webdata recipe.")] = Path("recipe.yaml"),
    pool: Annotated[
        Path | None, typer.Option("--pool", "-p", help="The pool folder; default: the recipe's output.path.")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Records per batch through the steps.", min=1)] = 1000,
    max_record_mb: Annotated[float, typer.Option(help="Skip larger records unread.", min=0.001)] = 16.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Add the documents of crawl files to a pool: only files not already in it, deduplicated against it.

    Each file is committed whole (shards, dedup fingerprints, index, then a completion marker), so an
    interrupted build resumes without duplicating documents. Exit code 0 when every file was added,
    1 when some failed (they are retried by the next build), 2 for an invalid recipe.
    """
    from aiflab.pipeline.progress import RichProgress
    from aiflab.pipeline.recipe import Recipe
    from aiflab.webdata.build import build

    try:
        parsed = Recipe.from_yaml(recipe)
        args = {
            "pool_dir": pool,
            "warcs": warcs,
            "batch_size": batch_size,
            "max_record_bytes": int(max_record_mb * (1 << 20)),
        }
        if quiet or not sys.stderr.isatty():
            result = build(parsed, **args)
        else:
            with RichProgress() as progress:
                result = build(parsed, progress=progress, **args)
    except AiflabError as exc:
        _fail(exc)
    typer.echo(
        f"pool {result.pool}: {result.documents_added:,} documents added from {len(result.processed)} "
        f"files, {result.documents_in_pool:,} in the pool"
    )
    if result.already_in_pool:
        typer.echo(f"  already in the pool: {len(result.already_in_pool)} files")
    skipped = dict(result.read.skipped)
    if skipped:
        typer.echo("  records skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))
    if result.dropped:
        typer.echo("  documents dropped: " + ", ".join(f"{k} {v}" for k, v in sorted(result.dropped.items())))
    if result.report_json:
        typer.echo(f"  report {result.report_json}")
    for path, message in result.failed.items():
        typer.echo(f"error {path}: {message}", err=True)
    if result.failed:
        raise typer.Exit(EXIT_RUN)


@webdata_app.command("search")
def search_command(
    pool: Annotated[Path, typer.Argument(help="The pool folder.", show_default=False)],
    query: Annotated[
        str, typer.Argument(help="Words to find (accents and case do not matter).", show_default=False)
    ],
    lang: Annotated[str | None, typer.Option("--lang", "-l", help="Only documents in this language.")] = None,
    domain: Annotated[
        str | None, typer.Option("--domain", "-d", help="Only documents of this sector.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most hits shown.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per hit.")] = False,
) -> None:
    """Full-text search of a pool (SQLite FTS5, BM25 ranking); every word must occur."""
    from dataclasses import asdict

    from aiflab.webdata.search_index import search

    if not (pool / "index.sqlite").is_file():
        typer.echo(f"error {pool}: not a pool with a search index (no index.sqlite)", err=True)
        raise typer.Exit(EXIT_RUN)
    hits = search(pool / "index.sqlite", query, lang, domain, limit)
    for hit in hits:
        if as_json:
            typer.echo(json.dumps(asdict(hit), ensure_ascii=False))
        else:
            typer.echo(
                f"{hit.score:7.2f}  [{hit.language}/{hit.domain}] {hit.title or '(no title)'}\n"
                f"         {hit.url}\n         {hit.snippet}"
            )
    if not as_json:
        typer.echo(f"{len(hits)} hits")


@webdata_app.command("info")
def info_command(pool: Annotated[Path, typer.Argument(help="The pool folder.", show_default=False)]) -> None:
    """What a pool holds: documents per language and sector, opt-outs, drops, inputs."""
    manifest_path = pool / "manifest.json"
    if not manifest_path.is_file():
        typer.echo(f"error {pool}: not a pool (no manifest.json)", err=True)
        raise typer.Exit(EXIT_RUN)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    typer.echo(
        f"{manifest['name']}: {manifest['documents']:,} documents from {len(manifest['inputs'])} files"
    )
    for key in ("language", "domain"):
        typer.echo(f"  {key}: " + ", ".join(f"{k} {v}" for k, v in manifest["counts"][key].items()))
    typer.echo(f"  opted-out pages excluded: {manifest['opt_outs']['total']}")
    typer.echo("  dropped: " + ", ".join(f"{k} {v}" for k, v in manifest["dropped"].items()))
    typer.echo(f"  recipe sha256 {manifest['recipe']['sha256']}")
