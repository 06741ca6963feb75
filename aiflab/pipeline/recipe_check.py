"""Checking a recipe without touching its data: stages, parameters, columns, secrets, paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiflab.errors import AiflabError, RecipeError, RecipeErrors
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.recipe_yaml import load_document, locate
from aiflab.pipeline.table_io import read_columns


def check_recipe_file(path: Path, input_path: Path | None = None) -> Recipe:
    """Load the recipe at `path` and check it against its input's header; raise RecipeErrors."""
    recipe = Recipe.from_yaml(path)
    errors = check_recipe(recipe, input_path)
    if errors:
        raise RecipeErrors(errors)
    return recipe


def check_recipe(recipe: Recipe, input_path: Path | None = None) -> list[RecipeError]:
    """Every problem found in a parsed recipe, each located in the recipe file where possible."""
    document = load_document(recipe.source)[0] if recipe.source else None
    errors: list[RecipeError] = []

    def at(loc: tuple[Any, ...], message: str, column: str | None = None) -> None:
        errors.append(RecipeError(message, locate(document, loc, recipe.source, text=column)))

    source = input_path or recipe.resolve(recipe.input.path)
    target = recipe.resolve(recipe.output.path)
    if source.resolve() == target.resolve():
        at(("output", "path"), "the output would overwrite the input")
    for name, ref in recipe.secrets.items():
        if not ref.is_available(recipe.base_dir):
            at(("secrets", name), f"secret {name!r} is referenced as {ref.reference!r} but is not set")

    signing_key = recipe.report.signing_key
    if signing_key and signing_key not in recipe.secrets:
        at(("report", "signing_key"), f"the signing key {signing_key!r} is not declared under 'secrets:'")

    available: set[str] | None
    try:
        if recipe.input.format == "warc":  # a crawl: the columns the WARC reader gives the first step
            from aiflab.webdata.warc import RECORD_COLUMNS

            available = set(RECORD_COLUMNS)
        else:
            available = set(read_columns(source, recipe.input.format, recipe.input.encoding,
                                         recipe.input.delimiter, recipe.input.sheet))
    except AiflabError as exc:
        at(("input", "path"), f"{exc.where.file if exc.where else source}: {exc.message}")
        available = None

    for index, step in enumerate(recipe.steps):
        loc = ("steps", index, step.stage)
        stage = step.build()
        for secret in stage.secrets_used():
            if secret not in recipe.secrets:
                at(loc, f"{step.stage} uses the secret {secret!r}, which the recipe's 'secrets:' "
                        f"does not declare", secret)
        if available is None:
            continue
        for column in stage.reads():
            if column not in available:
                at(loc, f"{step.stage} reads column {column!r}, which the table does not have at "
                        f"this step (columns: {', '.join(sorted(available))})", column)
        available -= set(stage.removes())
        available |= set(stage.writes())
    return errors
