"""The JSON Schema of recipes, generated from the recipe model and every stage's parameters.

Editors use it for completion and checking while a recipe is typed (see the README).
"""

from __future__ import annotations

import json
from typing import Any

from aiflab.pipeline.recipe import SECRET_VALUE_SCHEMA, RecipeDocument
from aiflab.pipeline.registry import get_stage, stage_names

SCHEMA_ID = "https://aiflab.eu/schema/recipe.schema.json"


def recipe_schema() -> dict[str, Any]:
    schema = RecipeDocument.model_json_schema()
    definitions: dict[str, Any] = schema.setdefault("$defs", {})
    alternatives = []
    for name in stage_names():
        stage = get_stage(name)
        params = stage.Params.model_json_schema(ref_template="#/$defs/{model}")
        for key, definition in params.pop("$defs", {}).items():
            if definitions.setdefault(key, definition) != definition:
                raise ValueError(f"two stages define different parameter models named {key!r}")
        params["description"] = stage.summary
        params.pop("title", None)
        alternatives.append({
            "type": "object", "title": name, "description": stage.summary,
            "properties": {name: {"anyOf": [params, {"type": "null"}]}},
            "required": [name], "additionalProperties": False,
        })
    schema["properties"]["steps"]["items"] = {"oneOf": alternatives}
    schema["properties"]["secrets"]["additionalProperties"] = SECRET_VALUE_SCHEMA
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "aiflab recipe"
    return schema


def recipe_schema_json() -> str:
    return json.dumps(recipe_schema(), indent=2, ensure_ascii=False) + "\n"
