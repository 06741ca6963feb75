"""Reading and writing recipe YAML, with every error located at a line and column of the file."""

from __future__ import annotations

import hashlib
import io
import re
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
    data, raw = load_document(path)
    return parse_recipe(data, source=path, sha256=hashlib.sha256(raw).hexdigest())


def load_document(path: Path) -> tuple[Any, bytes]:
    """The recipe file's YAML (ruamel nodes that know their line and column) and its bytes."""
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
        context = exc.context
        if context and exc.context_mark and exc.context_mark is not mark:
            context += f" (started at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
        problem = " ".join(str(p) for p in (context, exc.problem) if p)
        duplicate = re.search(r'found duplicate key "([^"]*)"', problem)
        if duplicate:  # ruamel's message repeats both values, which may be secrets
            problem = f"duplicate key {duplicate.group(1)!r}"
        raise RecipeError(f"malformed YAML: {problem}", where) from None
    except YAMLError as exc:
        raise RecipeError(f"malformed YAML: {exc}", Location(path)) from None
    if not isinstance(data, dict):
        raise RecipeError("a recipe is a YAML mapping (name:, input:, output:, steps: ...)",
                          Location(path, 1, 1))
    return data, raw


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
                locate(data, prefix, source)))
            continue
        (stage_name, params), = entry.items()
        try:
            stage = get_stage(stage_name)
        except RecipeError as exc:
            errors.append(RecipeError(exc.message, locate(data, (*prefix, stage_name), source, key=True)))
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
            errors.append(RecipeError(exc.message, locate(data, ("secrets", name), source)))
    if errors:
        raise RecipeErrors(errors)
    fields = document.model_dump(exclude={"steps", "secrets"})
    return Recipe(**fields, secrets=secrets, steps=tuple(steps), source=source, source_sha256=sha256)


def dump_yaml(data: dict[str, Any]) -> str:
    """Block-style YAML that loads back to `data` exactly."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False
    yaml.representer.add_representer(str, _represent_str)
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _represent_str(representer: Any, text: str) -> Any:
    # ruamel writes U+0085 (NEL) raw inside quotes, where the loader reads it as a line break;
    # double quotes escape it.
    style = '"' if "\x85" in text else None
    return representer.represent_scalar("tag:yaml.org,2002:str", text, style=style)


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
        where = locate(data, loc, source, key=error["type"] == "extra_forbidden")
        errors.append(RecipeError(message, Location(where.file, where.line, where.column, field)))
    return errors


def locate(data: Any, loc: tuple[Any, ...], source: Path | None, key: bool = False,
           text: str | None = None) -> Location:
    """The line and column of `loc` in the loaded YAML (the deepest part of it that exists).

    With `key`, the position of the last key rather than its value; with `text`, the position of
    the first key or value equal to `text` below `loc`.
    """
    node, position = data, None
    if isinstance(data, CommentedMap) and data.lc.line is not None:
        position = (data.lc.line, data.lc.col)
    for depth, part in enumerate(loc):
        last = depth == len(loc) - 1
        if isinstance(node, CommentedMap) and part in node:
            position = node.lc.key(part) if (key and last) else node.lc.value(part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            position = node.lc.item(part)
            node = node[part]
        else:
            break
    if text is not None:
        position = _find_scalar(node, text) or position
    if position is None:
        return Location(source)
    return Location(source, position[0] + 1, position[1] + 1)


def _find_scalar(node: Any, text: str) -> tuple[int, int] | None:
    """The position of the first key or value equal to `text` under `node`."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if key == text:
                return node.lc.key(key)
            if value == text:
                return node.lc.value(key)
            found = _find_scalar(value, text)
            if found:
                return found
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            if value == text:
                return node.lc.item(index)
            found = _find_scalar(value, text)
            if found:
                return found
    return None
