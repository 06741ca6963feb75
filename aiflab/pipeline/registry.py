"""The stage registry, keyed by stage name.

Built-in stages are listed here as import paths and loaded on first use, so that listing or
checking recipes stays fast. Other packages add stages through the ``aiflab.stages`` entry point
group (``name = "package.module:StageClass"``).
"""

from __future__ import annotations

import difflib
import importlib
from functools import cache, lru_cache
from importlib.metadata import entry_points

from aiflab.errors import RecipeError
from aiflab.pipeline.stage import Stage

BUILTIN_STAGES = {
    "discover.profile": "aiflab.discover.profile_stage:ProfileStage",
    "discover.pii": "aiflab.discover.pii_stage:PiiStage",
    "validate.expect": "aiflab.validate.expect_stage:ExpectStage",
    "validate.suggest": "aiflab.validate.suggest_stage:SuggestStage",
    "anonymise.risk": "aiflab.anonymise.risk_stage:RiskStage",
    "anonymise.generalise": "aiflab.anonymise.generalise_stage:GeneraliseStage",
    "anonymise.pseudonymise": "aiflab.anonymise.pseudonymise_stage:PseudonymiseStage",
    "synth.generate": "aiflab.synth.generate_stage:GenerateStage",
    "synth.evaluate": "aiflab.synth.evaluate_stage:EvaluateStage",
    "anonymise.text": "aiflab.anonymise.text_stage:TextStage",
    "clean.standardise": "aiflab.clean.standardise_stage:StandardiseStage",
    "clean.missing": "aiflab.clean.missing_stage:MissingStage",
    "clean.dedup": "aiflab.clean.dedup_stage:DedupStage",
    "clean.filter": "aiflab.clean.filter_stage:FilterStage",
    "enrich.derive": "aiflab.enrich.derive_stage:DeriveStage",
    "enrich.lookup": "aiflab.enrich.lookup_stage:LookupStage",
    "enrich.text": "aiflab.enrich.text_stage:EnrichTextStage",
    "webdata.extract": "aiflab.webdata.extract_stage:ExtractStage",
    "webdata.optout": "aiflab.webdata.optout_stage:OptOutStage",
    "webdata.language": "aiflab.webdata.language_stage:LanguageStage",
    "webdata.gopher": "aiflab.webdata.gopher_stage:GopherStage",
    "webdata.c4": "aiflab.webdata.c4_stage:C4Stage",
    "webdata.dedup": "aiflab.webdata.dedup_stage:DedupStage",
    "webdata.scrub": "aiflab.webdata.scrub_stage:ScrubStage",
    "webdata.domain": "aiflab.webdata.domain_stage:DomainStage",
}

ENTRY_POINT_GROUP = "aiflab.stages"

_registered: dict[str, type[Stage]] = {}


def register_stage(stage: type[Stage]) -> type[Stage]:
    """Register a stage class defined in code (usable as a class decorator)."""
    if not stage.name or "." not in stage.name:
        raise ValueError(f"{stage.__name__}.name must look like 'family.verb', got {stage.name!r}")
    _registered[stage.name] = stage
    return stage


@lru_cache(maxsize=1)
def _import_paths() -> dict[str, str]:
    paths = dict(BUILTIN_STAGES)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        paths.setdefault(ep.name, ep.value)
    return paths


def stage_names() -> list[str]:
    """Every registered stage name, sorted."""
    return sorted({*_import_paths(), *_registered})


@cache
def get_stage(name: str) -> type[Stage]:
    """The stage class registered as `name`; RecipeError with close matches when unknown."""
    if name in _registered:
        return _registered[name]
    paths = _import_paths()
    if name not in paths:
        known = stage_names()
        close = difflib.get_close_matches(name, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known stages: {', '.join(known)}"
        raise RecipeError(f"unknown stage {name!r}{hint}")
    module_name, _, class_name = paths[name].partition(":")
    stage = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(stage, type) and issubclass(stage, Stage)) or stage.name != name:
        raise RecipeError(f"{paths[name]} is not a Stage registered as {name!r}")
    return stage
