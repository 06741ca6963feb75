"""Every registered stage honours the stage contract (as scikit-learn checks every estimator)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aiflab.pipeline.registry import get_stage, stage_names
from aiflab.pipeline.stage import Params, Stage


@pytest.mark.parametrize("name", stage_names())
def test_stage_contract(name: str) -> None:
    stage = get_stage(name)
    assert issubclass(stage, Stage) and stage.name == name
    family, _, verb = name.partition(".")
    assert family and verb, "stage names are family.verb"
    assert stage.summary and "\n" not in stage.summary and len(stage.summary) <= 160
    assert stage.__doc__, "a stage documents itself for `aiflab stages NAME`"
    assert issubclass(stage.Params, Params)
    assert stage.Params.model_config.get("extra") == "forbid"
    schema = stage.Params.model_json_schema()
    assert schema["type"] == "object"
    with pytest.raises(ValidationError):
        stage.Params.model_validate({"surely_not_a_parameter": 1})
    for field_name, field in stage.Params.model_fields.items():
        assert field.description or field_name in _SELF_EXPLAINING, f"{name}.{field_name} needs a description"


_SELF_EXPLAINING = {"columns", "column"}
