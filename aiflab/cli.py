"""The `aiflab` command. Heavy libraries are imported inside commands so that `--help` is instant."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from aiflab import __version__
from aiflab.anonymise.vault_cli import vault_app
from aiflab.errors import AiflabError, RecipeError
from aiflab.federation.cli import register as register_federation
from aiflab.pipeline.executors import ExecutorName
from aiflab.webdata.cli import webdata_app

if TYPE_CHECKING:
    from aiflab.pipeline.runner import RunResult

app = typer.Typer(
    name="aiflab",
    help="Prepare data for AI, lawfully: discover, validate, clean, anonymise and synthesise tables "
         "with YAML recipes, and document every run in a compliance report.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

RecipePath = Annotated[Path, typer.Argument(help="The recipe YAML file.", show_default=False)]
EXIT_RECIPE = 2
EXIT_RUN = 1


def _fail(exc: AiflabError) -> NoReturn:
    from rich.console import Console

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    errors = getattr(exc, "errors", None) or [exc]
    for error in errors:
        console.print(f"[bold red]error[/] {error}", markup=True)
    raise typer.Exit(EXIT_RECIPE if isinstance(exc, RecipeError) else EXIT_RUN)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aiflab {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Show the version and exit.")] = False) -> None:
    """Prepare data for AI, lawfully."""


@app.command()
def run(
    recipe: RecipePath,
    input: Annotated[Path | None, typer.Option("--input", "-i",
                                               help="Read this file instead of the recipe's input.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write here instead of the recipe's output.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    executor: Annotated[ExecutorName | None, typer.Option(
        help="Where the steps run: in this process, or on Dask (row-local steps per partition). "
             "Default: the recipe's executor section, else in-process.", show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        help="Dask: start a local cluster with this many worker processes (default: one per core).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Dask: use the existing cluster at this scheduler address, e.g. tcp://host:8786.")] = None,
) -> None:
    """Run a recipe: read the input, run its steps, write the output and its compliance report.

    Nothing is written unless the whole run succeeds; the input is never modified.
    Exit code 0 on success, 1 when the run fails (bad input, failed validation), 2 for an invalid recipe.
    """
    from aiflab.pipeline.executors import executor_for
    from aiflab.pipeline.progress import RichProgress, SilentProgress
    from aiflab.pipeline.recipe import Recipe
    from aiflab.pipeline.runner import run as run_recipe

    _quiet_libraries()
    try:
        parsed = Recipe.from_yaml(recipe)
        try:
            chosen = executor_for(parsed.executor, executor, workers, scheduler)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        if quiet or not sys.stderr.isatty():
            result = run_recipe(parsed, SilentProgress(), input, output, chosen)
        else:
            with RichProgress() as progress:
                result = run_recipe(parsed, progress, input, output, chosen)
    except AiflabError as exc:
        _fail(exc)
    _print_summary(result)


@app.command()
def check(
    recipe: RecipePath,
    input: Annotated[Path | None, typer.Option("--input", "-i",
                                               help="Check against this input file.")] = None,
) -> None:
    """Check a recipe without running it: stages, parameters, columns each step reads, secrets.

    Reads only the header of the input. Every problem is reported with the recipe's file, line and column.
    """
    from aiflab.pipeline.recipe_check import check_recipe_file

    try:
        parsed = check_recipe_file(recipe, input)
    except AiflabError as exc:
        _fail(exc)
    typer.echo(f"{recipe}: ok ({len(parsed.steps)} steps: {', '.join(s.stage for s in parsed.steps)})")


@app.command()
def stages(name: Annotated[str | None, typer.Argument(help="Show this stage's parameters.")] = None) -> None:
    """List the registered stages, or show one stage's parameters."""
    from rich.console import Console
    from rich.table import Table

    from aiflab.pipeline.registry import get_stage, stage_names

    console = Console()
    if name is None:
        table = Table("stage", "what it does", box=None, show_header=False)
        for stage_name in stage_names():
            table.add_row(f"[bold]{stage_name}[/]", get_stage(stage_name).summary)
        console.print(table)
        return
    try:
        stage = get_stage(name)
    except AiflabError as exc:
        _fail(exc)
    console.print(f"[bold]{stage.name}[/]: {stage.summary}\n")
    if stage.__doc__:
        console.print(stage.__doc__.strip() + "\n", markup=False)
    table = Table("parameter", "type", "default", "description")
    for field_name, field in stage.Params.model_fields.items():
        default = "required" if field.is_required() else repr(field.get_default(call_default_factory=True))
        table.add_row(field_name, _type_name(field.annotation), default, field.description or "")
    console.print(table)


@app.command()
def schema(
    report: Annotated[bool, typer.Option("--report", help="The schema of report.json instead.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Print the JSON Schema of recipes (for editor completion and checking), or of reports."""
    if report:
        from aiflab.compliance.report import report_schema_json

        text = report_schema_json()
    else:
        from aiflab.pipeline.recipe_schema import recipe_schema_json

        text = recipe_schema_json()
    if output is None:
        typer.echo(text, nl=False)
        return
    from aiflab.pipeline.table_io import AtomicWrites

    with AtomicWrites() as writes:
        writes.bytes(text.encode(), output)
        writes.commit()
    typer.echo(f"wrote {output}")


report_app = typer.Typer(help="Verify compliance reports, and make the keys that sign them.",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(vault_app, name="vault")
register_federation(app)
app.add_typer(webdata_app, name="webdata")


@report_app.command("verify")
def report_verify(
    report: Annotated[Path, typer.Argument(help="The report.json to verify.", show_default=False)],
    output: Annotated[list[Path] | None, typer.Option(
        "--output", "-o", help="A data or side file to check against the report (repeatable). "
                               "Default: every file the report lists, beside the report.")] = None,
    key: Annotated[str | None, typer.Option(
        help="The fingerprint ('sha256:...') of the key the report must be signed with.")] = None,
    allow_unsigned: Annotated[bool, typer.Option(help="Do not fail on an unsigned report.")] = False,
) -> None:
    """Check that a report is unchanged, validly signed, and that the files it lists match their hashes.

    Without --key, a valid signature proves the report was not altered after signing; pass the
    Data Lab's published key fingerprint to also prove who signed it. Exit code 0 when every check
    passes, 1 otherwise.
    """
    from rich.console import Console

    from aiflab.compliance.verify import verify_report

    result = verify_report(report, output, key, allow_unsigned)
    console = Console(highlight=False)
    for item in result.checks:
        mark = "[green]ok[/]  " if item.ok else "[bold red]FAIL[/]"
        console.print(f"{mark} {item.what}: {item.detail}")
    console.print("[bold green]verified[/]" if result.ok else "[bold red]verification failed[/]")
    if not result.ok:
        raise typer.Exit(EXIT_RUN)


@report_app.command("keygen")
def report_keygen(
    out: Annotated[Path, typer.Argument(help="Where to write the private key (PEM).", show_default=False)],
) -> None:
    """Create an Ed25519 signing key (file mode 0600) and print its fingerprint.

    Reference it in a recipe as a secret (`secrets: {report_key: file:keys/report.pem}`) and name
    it in `report: {signing_key: report_key}`. Publish the fingerprint so auditors can pass it
    to `aiflab report verify --key`.
    """
    from aiflab.compliance.signing import fingerprint, load_private_key, new_private_key_pem, public_key_of

    if out.exists():
        typer.echo(f"error {out}: exists; refusing to overwrite a key", err=True)
        raise typer.Exit(EXIT_RUN)
    pem = new_private_key_pem()
    out.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    typer.echo(f"wrote {out}\nfingerprint {fingerprint(public_key_of(load_private_key(pem)))}")


def _type_name(annotation: object) -> str:
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "")


def _quiet_libraries() -> None:
    import logging
    import os
    import warnings

    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    for name in ("presidio-analyzer", "presidio-anonymizer", "great_expectations"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning)


def _print_summary(result: RunResult) -> None:
    from rich.console import Console

    report = result.report
    console = Console(highlight=False)
    roles: dict[str, int] = {}
    for classification in report.pii_classification:
        roles[classification.role] = roles.get(classification.role, 0) + 1
    console.print(f"[bold green]done[/] {report.recipe.name}: {report.totals.rows_in:,} rows in, "
                  f"{report.totals.rows_out:,} rows out, {len(report.steps)} steps, status {report.status}")
    if roles:
        console.print("  columns by role: " + ", ".join(f"{k} {v}" for k, v in sorted(roles.items())))
    for suite in report.validation:
        console.print(f"  validation {suite.suite}: {suite.successful}/{suite.evaluated} expectations passed")
    console.print(f"  output  {result.output}")
    console.print(f"  report  {result.report_json}")
    if result.report_html:
        console.print(f"  report  {result.report_html}")
