"""Verifying a report: its bytes, its signature, and the files it lists."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from aiflab.compliance.signing import SignatureError, pretty_bytes, verify_signature
from aiflab.pipeline.table_io import sha256_file


@dataclass
class Check:
    what: str
    ok: bool
    detail: str


@dataclass
class Verification:
    """The outcome of `aiflab report verify`: every check made, and whether all passed."""

    report: Path
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)


def verify_report(report: Path, files: list[Path] | None = None, expected_key: str | None = None,
                  allow_unsigned: bool = False) -> Verification:
    """Check `report`: unchanged bytes, a valid signature, and the hashes of the files it lists.

    With `files`, each must match a file the report lists; without, every output and side file
    the report lists is looked up relative to the report's folder.
    """
    result = Verification(report)
    try:
        raw = report.read_bytes()
        document = json.loads(raw)
    except (OSError, ValueError) as exc:
        result.checks.append(Check("report readable", False, f"cannot read {report} as JSON: {exc}"))
        return result
    if not isinstance(document, dict) or "lineage" not in document:
        result.checks.append(Check("report readable", False, "not an aiflab report"))
        return result
    unchanged = raw == pretty_bytes(document)
    result.checks.append(Check("bytes as written", unchanged, "the file is byte for byte as aiflab wrote it"
                               if unchanged else "the file's bytes differ from the form aiflab writes"))
    if document.get("signature") is None:
        result.checks.append(Check("signature", allow_unsigned, "the report is not signed"))
    else:
        try:
            signer = verify_signature(document, expected_key)
            result.checks.append(Check("signature", True, f"valid Ed25519 signature by {signer}"))
        except SignatureError as exc:
            result.checks.append(Check("signature", False, exc.message))

    listed = _listed_files(document)
    if listed is None:
        result.checks.append(Check("file list", False, "the report's list of files is malformed"))
        return result
    if files:
        for path in files:
            digest = sha256_file(path) if path.is_file() else None
            entry = listed.get(digest or "")
            result.checks.append(Check(f"file {path}", entry is not None,
                                       f"matches the report's {entry['role']} {entry['path']}" if entry
                                       else "not found" if digest is None
                                       else "its sha256 matches no output or side file of the report"))
        return result
    for entry in listed.values():
        path = report.parent / entry["path"]
        if not path.is_file():
            result.checks.append(Check(f"file {entry['path']}", False, f"not found at {path}"))
            continue
        same = sha256_file(path) == entry["sha256"]
        result.checks.append(Check(f"file {entry['path']}", same,
                                   "sha256 matches" if same else "sha256 differs: the file was changed"))
    return result


def _listed_files(document: dict) -> dict[str, dict] | None:
    """sha256 -> entry of the outputs, side files and exports the report lists; None when malformed."""
    lineage = document.get("lineage")
    entries = lineage.get("files") if isinstance(lineage, dict) else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("sha256"), str) and isinstance(e.get("path"), str)
            and isinstance(e.get("role"), str) for e in entries):
        return None
    return {e["sha256"]: e for e in entries if e["role"] in ("output", "artefact", "export")}
