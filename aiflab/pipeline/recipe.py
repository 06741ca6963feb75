"""The recipe: one YAML document saying what to read, which steps to run, and where to write.

`Recipe.from_yaml(path)` loads and checks one; `Recipe.to_yaml()` writes it back. Step
parameters are validated by each stage's own pydantic model, and every error points at the
recipe's line and column.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aiflab.pipeline.executors import ExecutorName
from aiflab.pipeline.secrets import REFERENCE_PATTERN, SecretRef
from aiflab.pipeline.stage import Params, Stage

TableFormat = Literal["csv", "parquet", "jsonl", "xlsx"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Controller(_Strict):
    """The controller of the processing (GDPR Art. 4(7)), copied into the report."""

    name: str
    contact: str | None = None
    dpo: str | None = Field(default=None, description="contact of the data protection officer")


class Transfer(_Strict):
    """A transfer of personal data to a third country or an international organisation (Art. 30(1)(e))."""

    destination: str = Field(description="third country or international organisation")
    safeguards: str = Field(description="the Art. 45-49 ground, e.g. 'adequacy decision' or 'SCC 2021/914'")


class ProcessingRecord(_Strict):
    """The record of processing (GDPR Art. 30(1)) and DPIA references, copied into the report.

    Every field is optional: the report states which were not given.
    """

    processor: str | None = Field(default=None, description="the processor acting for the controller, e.g. "
                                                              "the Data Lab (Art. 28), and its agreement")
    data_subjects: list[str] | None = Field(default=None,
                                            description="categories of data subjects (Art. 30(1)(c))")
    personal_data: list[str] | None = Field(default=None,
                                            description="categories of personal data (Art. 30(1)(c))")
    special_categories: list[str] | None = Field(
        default=None, description="special categories of personal data processed (Art. 9(1)), e.g. health; "
                                  "the report compares them with what discover.pii found")
    recipients: list[str] | None = Field(default=None,
                                         description="categories of recipients (Art. 30(1)(d))")
    transfers: list[Transfer] | None = Field(
        default=None, description="transfers to third countries and their safeguards (Art. 30(1)(e)); "
                                  "an empty list states that there are none")
    retention: str | None = Field(default=None, description="time limits for erasure (Art. 30(1)(f))")
    security_measures: list[str] | None = Field(
        default=None, description="technical and organisational security measures (Art. 30(1)(g), Art. 32)")
    dpia_reference: str | None = Field(default=None,
                                       description="reference of the data protection impact assessment "
                                                   "(Art. 35)")
    necessity: str | None = Field(default=None, description="necessity and proportionality of the "
                                                            "processing in relation to its purpose "
                                                            "(Art. 35(7)(b))")
    key_custodian: str | None = Field(
        default=None, description="who holds the additional information that re-identifies pseudonymised "
                                  "data: pseudonym and vault keys (Art. 4(5)); a name, never a key")
    data_origin: str | None = Field(default=None, description="where and how the data were collected "
                                                              "(EU AI Act Art. 10(2)(b))")
    assumptions: list[str] | None = Field(default=None,
                                          description="assumptions about what the data measure and "
                                                      "represent (EU AI Act Art. 10(2)(d))")


class InputSpec(_Strict):
    """The table to read. Relative paths are relative to the recipe file."""

    path: Path
    format: TableFormat | Literal["warc"] | None = Field(
        default=None, description="default: from the file extension; 'warc' for a crawl (WARC or ARC files, "
                                  "path a glob pattern), run with `aiflab webdata build`")
    encoding: str = Field(default="utf-8", description="text encoding of CSV / JSON Lines input")
    delimiter: str | None = Field(default=None, description="CSV delimiter; default: detected")
    sheet: str | int | None = Field(default=None, description="Excel sheet name or index")


class OutputSpec(_Strict):
    """Where to write the output table; the report goes into `report_dir` (default: beside it)."""

    path: Path
    format: TableFormat | Literal["pool"] | None = Field(
        default=None, description="default: from the file extension; 'pool' for a web-data pool (a folder)")
    report_dir: Path | None = None


class ExecutorSpec(_Strict):
    """Where the steps run. The command line's --executor, --workers and --scheduler win over it."""

    name: ExecutorName = Field(default=ExecutorName.IN_PROCESS,
                               description="in-process (the default) or dask")
    workers: int | None = Field(default=None, ge=1, description="dask: worker processes of a local cluster "
                                                               "(default: one per core)")
    scheduler: str | None = Field(default=None, pattern=r"^[a-z]+://\S+$",
                                  description="dask: address of an existing cluster's scheduler, e.g. "
                                              "tcp://host:8786 (a Slurm allocation, see examples/slurm)")
    partition_mb: int = Field(default=64, ge=1, le=4096,
                              description="dask: largest size of the input's partitions in MB (CSV byte "
                                          "ranges; Parquet row groups are kept whole); the input is cut "
                                          "into at least 4 partitions per worker thread")

    @model_validator(mode="after")
    def _consistent(self) -> ExecutorSpec:
        if self.name is ExecutorName.IN_PROCESS and (self.workers or self.scheduler):
            raise ValueError("workers and scheduler are for the dask executor: set name: dask")
        if self.workers and self.scheduler:
            raise ValueError("give workers (a local cluster) or scheduler (an existing one), not both")
        return self


class ReportOptions(_Strict):
    """Options of the compliance report."""

    title: str | None = None
    html: bool = True
    pdf: bool = Field(default=False, description="also write report.pdf, rendered from the HTML page by "
                                                 "headless Chromium")
    exports: bool = Field(default=True, description="write croissant.json (Croissant 1.1 with Responsible-AI "
                                                    "fields) and prov.jsonld (W3C PROV-O) beside report.json")
    licence: str | None = Field(default=None, description="licence of the output dataset (SPDX identifier or "
                                                          "URL), for the Croissant metadata")
    host: Literal["omit", "fingerprint", "name"] = Field(
        default="fingerprint", description="what the report says about the machine that ran the recipe: "
                                           "omit (platform only), fingerprint (a hash of its identity), "
                                           "name (its host name)")
    bias_columns: list[str] = Field(
        default_factory=list, description="further columns (e.g. gender, nationality) whose distribution "
                                          "the report compares before and after each step, besides those "
                                          "found sensitive")
    signing_key: str | None = Field(
        default=None, description="name of a secret (under 'secrets:') holding the Ed25519 key that "
                                  "signs report.json; unsigned when absent")


class RecipeDocument(_Strict):
    """The recipe as written in YAML, with each step still a `{stage.name: {params}}` mapping."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="short identifier")
    version: str = "1"
    description: str = ""
    purpose: str = Field(description="purpose of the processing (GDPR Art. 5(1)(b), Art. 30)")
    legal_basis: str = Field(description="legal basis of the processing (GDPR Art. 6, Art. 9(2))")
    controller: Controller | None = None
    processing: ProcessingRecord | None = Field(
        default=None, description="record of processing (GDPR Art. 30(1)) and DPIA elements for the report")
    input: InputSpec
    output: OutputSpec
    secrets: dict[str, str] = Field(
        default_factory=dict,
        description="secret name -> reference 'env:VARIABLE' or 'file:path'; never a value")
    seed: int = 0
    steps: list[dict[str, dict[str, Any] | None]] = Field(min_length=1)
    report: ReportOptions = Field(default_factory=ReportOptions)
    executor: ExecutorSpec = Field(default_factory=ExecutorSpec)


SECRET_VALUE_SCHEMA = {"type": "string", "pattern": REFERENCE_PATTERN}


@dataclass(frozen=True)
class Step:
    """One step of a recipe: the stage's registered name and its validated parameters."""

    stage: str
    params: Params

    def build(self) -> Stage:
        from aiflab.pipeline.registry import get_stage

        return get_stage(self.stage)(self.params)

    def to_dict(self) -> dict[str, Any]:
        return {self.stage: self.params.model_dump(mode="json", exclude_defaults=True)}


class Recipe(_Strict):
    """A checked recipe. Build it with `from_yaml` or `from_dict`."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    name: str
    version: str
    description: str
    purpose: str
    legal_basis: str
    controller: Controller | None
    input: InputSpec
    output: OutputSpec
    secrets: dict[str, SecretRef]
    seed: int
    steps: tuple[Step, ...]
    report: ReportOptions
    executor: ExecutorSpec = Field(default_factory=ExecutorSpec)
    processing: ProcessingRecord | None = None
    source: Path | None = Field(default=None, exclude=True)
    source_sha256: str | None = Field(default=None, exclude=True)

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the recipe are resolved against."""
        return self.source.parent if self.source else Path.cwd()

    def resolve(self, path: Path) -> Path:
        """`path` from the recipe, relative to the recipe's folder unless absolute."""
        return path if path.is_absolute() else Path(os.path.normpath(self.base_dir / path))

    @classmethod
    def from_yaml(cls, path: Path | str) -> Recipe:
        from aiflab.pipeline.recipe_yaml import load_recipe

        return load_recipe(Path(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Path | None = None) -> Recipe:
        from aiflab.pipeline.recipe_yaml import parse_recipe

        return parse_recipe(data, source=source)

    def to_dict(self) -> dict[str, Any]:
        """The recipe as plain data, in the shape of its YAML document."""
        data: dict[str, Any] = {
            "name": self.name, "version": self.version, "description": self.description,
            "purpose": self.purpose, "legal_basis": self.legal_basis,
        }
        if self.controller:
            data["controller"] = self.controller.model_dump(mode="json", exclude_none=True)
        if self.processing:
            data["processing"] = self.processing.model_dump(mode="json", exclude_none=True)
        data["input"] = self.input.model_dump(mode="json", exclude_defaults=True)
        data["output"] = self.output.model_dump(mode="json", exclude_defaults=True)
        if self.secrets:
            data["secrets"] = {name: ref.reference for name, ref in self.secrets.items()}
        data["seed"] = self.seed
        data["steps"] = [step.to_dict() for step in self.steps]
        data["report"] = self.report.model_dump(mode="json", exclude_defaults=True)
        executor = self.executor.model_dump(mode="json", exclude_defaults=True)
        if executor:
            data["executor"] = executor
        return data

    def to_yaml(self) -> str:
        from aiflab.pipeline.recipe_yaml import dump_yaml

        return dump_yaml(self.to_dict())

    def sha256(self) -> str:
        """The hash of the recipe file as written (or of its canonical YAML when built in code)."""
        return self.source_sha256 or hashlib.sha256(self.to_yaml().encode()).hexdigest()
