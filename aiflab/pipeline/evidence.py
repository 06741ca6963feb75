"""Evidence: what each step did, recorded as it runs. The compliance report is built from it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Finding(BaseModel):
    """Something a step noticed that a reader of the report should see."""

    severity: Literal["info", "warning", "error"]
    code: str = Field(description="stable reason code, e.g. 'validation-failed'")
    message: str
    column: str | None = None


class EvidenceSource(BaseModel):
    """One piece of evidence behind a column classification."""

    source: Literal["column_name", "validator", "presidio", "uniqueness", "value_vocabulary",
                    "semantic_type", "recipe_override"]
    detail: str
    score: float = Field(ge=0.0, le=1.0)


class ColumnClassification(BaseModel):
    """The privacy role decided for one column, with its evidence and confidence."""

    column: str
    role: str
    confidence: float = Field(ge=0.0, le=1.0)
    semantic_type: str | None = None
    entities: list[str] = Field(default_factory=list)
    special_category: str | None = Field(
        default=None, description="GDPR Art. 9 category when the role is 'sensitive'")
    evidence: list[EvidenceSource] = Field(default_factory=list)


class ExpectationOutcome(BaseModel):
    """The result of one Great Expectations expectation (no cell values, only counts)."""

    type: str
    column: str | None = None
    kwargs: dict[str, Any] = Field(default_factory=dict)
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: Any = None


class ValidationOutcome(BaseModel):
    """The result of one validation suite run."""

    suite: str
    success: bool
    on_failure: Literal["stop", "warn"]
    evaluated: int
    successful: int
    expectations: list[ExpectationOutcome]


class Artefact(BaseModel):
    """A side file a step produced, written next to the output; its hash goes into the report."""

    name: str
    description: str
    sha256: str
    bytes: int


class Distribution(BaseModel):
    """Value counts of one sensitive (or recipe-named) column before and after a step.

    Aggregates for the bias examination (EU AI Act Art. 10(2)(f)): the most frequent values of
    the step's input, the rest pooled as '(other)', missing values as '(missing)'.
    """

    column: str
    before: dict[str, int] | None = Field(description="counts in the step's input; None: column absent")
    after: dict[str, int] | None = Field(description="counts in the step's output; None: column absent")
    kept: dict[str, int] | None = Field(
        default=None, description="counts in the step's input of the rows the step kept, when it dropped "
                                  "rows (shows whom a suppression removed even when values were recoded)")


class StepEvidence(BaseModel):
    """Everything one step of a run recorded."""

    index: int
    stage: str
    params: dict[str, Any]
    status: Literal["ok", "warning", "failed"] = "ok"
    summary: str = ""
    rows_in: int = 0
    rows_out: int = 0
    columns_in: list[str] = Field(default_factory=list)
    columns_out: list[str] = Field(default_factory=list)
    rows_dropped: dict[str, int] = Field(default_factory=dict,
                                         description="dropped rows per reason code")
    cells_changed: dict[str, int] = Field(default_factory=dict,
                                          description="changed cells per column")
    metrics: dict[str, Any] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    classifications: list[ColumnClassification] = Field(default_factory=list)
    validation: ValidationOutcome | None = None
    artefacts: list[Artefact] = Field(default_factory=list)
    distributions: list[Distribution] = Field(
        default_factory=list, description="sensitive columns before and after the step (runner-recorded)")
    inputs_read: dict[str, str] = Field(default_factory=dict,
                                        description="auxiliary files read -> sha256")
    dependencies: list[str] = Field(default_factory=list,
                                    description="distributions this step used")
    started_at: str | None = None
    duration_s: float | None = None

    def warn(self, code: str, message: str, column: str | None = None) -> None:
        self.findings.append(Finding(severity="warning", code=code, message=message, column=column))
        if self.status == "ok":
            self.status = "warning"
