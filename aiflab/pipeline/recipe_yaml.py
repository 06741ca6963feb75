"""Reading and writing recipe YAML, with every error located at a line and column of the file."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from aiflab.errors import Location, RecipeError, RecipeErrors, SecretError
from aiflab.pipeline.recipe import Recipe, RecipeDocument, Step
from aiflab.pipeline.registry import get_stage
from aiflab.pipeline.secrets import SecretRef


def load_recipe(path: Path) -> Recipe:
    """Read, parse and check the recipe at `path`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RecipeError(f"cannot read recipe: {exc.strerror}", Location(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecipeError(f"recipe is not UTF-8 (byte {exc.start})", Location(path)) from None
    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise RecipeError(f"malformed YAML: {problem}", where) from None
    except YAMLError as exc:
        raise RecipeError(f"malformed YAML: {exc}", Location(path)) from None
    if not isinstance(data, dict):
        raise RecipeError("a recipe is a YAML mapping (name:, input:, output:, steps: ...)",
                          Location(path, 1, 1))
    return parse_recipe(data, source=path, sha256=hashlib.sha256(raw).hexdigest())


def parse_recipe(data: dict[str, Any], source: Path | None = None, sha256: str | None = None) -> Recipe:
    """Check `data` (as loaded from YAML) and build the Recipe; collect every error found."""
    errors: list[RecipeError] = []
    try:
        document = RecipeDocument.model_validate(_plain(data))
    except ValidationError as exc:
        raise RecipeErrors(_located(exc, data, source)) from None

    steps: list[Step] = []
    for index, entry in enumerate(document.steps):
        prefix: tuple[Any, ...] = ("steps", index)
        if len(entry) != 1:
            errors.append(RecipeError(
                "each step is one mapping 'stage.name: {parameters}'",
                _locate(data, prefix, source)))
            continue
        (stage_name, params), = entry.items()
        try:
            stage = get_stage(stage_name)
        except RecipeError as exc:
            errors.append(RecipeError(exc.message, _locate(data, (*prefix, stage_name), source, key=True)))
            continue
        try:
            steps.append(Step(stage_name, stage.Params.model_validate(params or {})))
        except ValidationError as exc:
            errors.extend(_located(exc, data, source, prefix=(*prefix, stage_name)))

    secrets: dict[str, SecretRef] = {}
    for name, reference in document.secrets.items():
        try:
            secrets[name] = SecretRef(reference)
        except SecretError as exc:
            errors.append(RecipeError(exc.message, _locate(data, ("secrets", name), source)))
    if errors:
        raise RecipeErrors(errors)
    fields = document.model_dump(exclude={"steps", "secrets"})
    return Recipe(**fields, secrets=secrets, steps=tuple(steps), source=source, source_sha256=sha256)


def dump_yaml(data: dict[str, Any]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _plain(node: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists (pydantic wants plain types)."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(value) for value in node]
    return node


def _located(exc: ValidationError, data: Any, source: Path | None,
             prefix: tuple[Any, ...] = ()) -> list[RecipeError]:
    errors = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = (*prefix, *error["loc"])
        field = ".".join(str(part) for part in loc)
        if error["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
        elif error["type"] == "missing":
            message = f"missing required key {loc[-1]!r}"
        else:
            message = error["msg"]
        where = _locate(data, loc, source, key=error["type"] == "extra_forbidden")
        errors.append(RecipeError(message, Location(where.file, where.line, where.column, field)))
    return errors


def _locate(data: Any, loc: tuple[Any, ...], source: Path | None, key: bool = False) -> Location:
    """The line and column of `loc` in the loaded YAML (the deepest part of it that exists)."""
    node, line, column = data, None, None
    if isinstance(data, CommentedMap) and data.lc.line is not None:
        line, column = data.lc.line, data.lc.col
    for depth, part in enumerate(loc):
        last = depth == len(loc) - 1
        if isinstance(node, CommentedMap) and part in node:
            line, column = node.lc.key(part) if (key and last) else node.lc.value(part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, column = node.lc.item(part)
            node = node[part]
        else:
            break
    if line is None:
        return Location(source)
    return Location(source, line + 1, column + 1)
