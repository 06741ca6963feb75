"""The machine-readable exports written beside report.json: Croissant metadata and a PROV-O record."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiflab.compliance.croissant import croissant
from aiflab.compliance.prov import prov
from aiflab.compliance.report import FileDigest

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.compliance.report import ComplianceReport

CROISSANT_NAME, PROV_NAME = "croissant.json", "prov.jsonld"


@dataclass(frozen=True)
class Export:
    name: str
    content: bytes

    def digest(self) -> FileDigest:
        return FileDigest(
            role="export",
            path=self.name,
            sha256=hashlib.sha256(self.content).hexdigest(),
            bytes=len(self.content),
        )


def build_exports(report: ComplianceReport, df: pd.DataFrame, output_format: str) -> list[Export]:
    """Croissant metadata of the output table and the PROV-O record of the run."""
    output = next(f for f in report.lineage.files if f.role == "output")
    documents = {
        CROISSANT_NAME: croissant(report, df, output.path, output_format, output.sha256),
        PROV_NAME: prov(report),
    }
    return [
        Export(name, (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode())
        for name, doc in documents.items()
    ]
