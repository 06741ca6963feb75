"""Versions and licences of the distributions a run used, read from installed package metadata."""

from __future__ import annotations

from importlib import metadata

from pydantic import BaseModel

CORE_DISTRIBUTIONS = ("aiflab", "pandas", "numpy", "pyarrow", "pydantic", "ruamel.yaml", "jinja2")

# Licences a Data Lab must know about before offering a service built on the package.
RESTRICTIVE_LICENCES = ("Business Source License", "BUSL", "BSL")


class Dependency(BaseModel):
    name: str
    version: str
    licence: str
    restrictive: bool = False


def describe(names: list[str] | tuple[str, ...]) -> list[Dependency]:
    """Name, version and licence of each installed distribution in `names` (sorted, deduplicated)."""
    found = []
    for name in sorted(set(names), key=str.lower):
        try:
            meta = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            found.append(Dependency(name=name, version="not installed", licence="unknown"))
            continue
        licence = _licence(meta)
        found.append(Dependency(name=meta["Name"], version=meta["Version"], licence=licence,
                                restrictive=any(word in licence for word in RESTRICTIVE_LICENCES)))
    return found


def _licence(meta: metadata.PackageMetadata) -> str:
    expression = meta.get("License-Expression")
    if expression:
        return expression
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    if classifiers:
        return ", ".join(classifiers)
    text = (meta.get("License") or "").strip()
    return text.splitlines()[0][:80] if text else "unknown"
