"""The machine that ran a recipe, described as far as the recipe permits (report.host)."""

from __future__ import annotations

import hashlib
import os
import platform
import socket
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

MACHINE_ID_FILES = (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id"))


class Host(BaseModel):
    disclosure: Literal["omit", "fingerprint", "name"]
    platform: str
    python: str
    cpus: int | None
    name: str | None = Field(default=None, description="host name (report.host: name)")
    fingerprint: str | None = Field(
        default=None, description="sha256 of host name and machine id (report.host: fingerprint or name)"
    )


def describe_host(disclosure: Literal["omit", "fingerprint", "name"]) -> Host:
    """Platform and Python always; a fingerprint or also the host name when the recipe allows it."""
    host = Host(
        disclosure=disclosure,
        platform=platform.platform(),
        python=platform.python_version(),
        cpus=os.cpu_count(),
    )
    if disclosure == "omit":
        return host
    name = socket.gethostname()
    machine_id = next((p.read_text().strip() for p in MACHINE_ID_FILES if p.is_file()), "")
    host.fingerprint = "sha256:" + hashlib.sha256(f"{name}\0{machine_id}".encode()).hexdigest()
    if disclosure == "name":
        host.name = name
    return host
