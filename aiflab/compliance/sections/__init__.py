"""The sections of the compliance report, each built from the recipe and the steps' evidence.

One module per section; `build_sections` assembles them and the summary that opens the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from aiflab.compliance.sections import anonymisation, data_governance, dpia, lineage, pseudonymisation
from aiflab.compliance.sections import record_of_processing as record
from aiflab.compliance.sections.common import Section
from aiflab.compliance.sections.summary import Summary, summarise

if TYPE_CHECKING:
    from aiflab.compliance.report import Lineage
    from aiflab.pipeline.evidence import StepEvidence


class Sections(BaseModel):
    """The report's sections, in the order a reader meets them."""

    record_of_processing: record.RecordOfProcessing
    dpia: Section
    pseudonymisation: pseudonymisation.PseudonymisationDesign
    anonymisation: anonymisation.AnonymisationAssessment
    data_governance: data_governance.DataGovernance
    lineage: Section

    def all(self) -> list[Section]:
        return [getattr(self, name) for name in type(self).model_fields]


def build_sections(recipe: Any, steps: list[StepEvidence], lineage_: Lineage) -> tuple[Sections, Summary]:
    sections = Sections(
        record_of_processing=record.build(recipe, steps),
        dpia=dpia.build(recipe, steps, signed=lineage_.signing_key is not None),
        pseudonymisation=pseudonymisation.build(recipe, steps),
        anonymisation=anonymisation.build(recipe, steps),
        data_governance=data_governance.build(recipe, steps),
        lineage=lineage.build(lineage_, steps),
    )
    return sections, summarise(steps, sections)


__all__ = ["Section", "Sections", "Summary", "build_sections"]
