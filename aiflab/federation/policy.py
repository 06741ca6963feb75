"""Usage policy of an artefact as an ODRL offer (the form the Dataspace Protocol carries).

Open use by default; purposes restrict `use` (`odrl:purpose isAnyOf ...`); "no re-identification"
is a prohibition of use for the purpose of re-identifying people. The licence is an SPDX identifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiflab.federation.errors import FederationError

REIDENTIFICATION = "urn:aiflab:purpose:re-identification"
ACCESS_RIGHTS = {
    "open": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    "restricted": "http://publications.europa.eu/resource/authority/access-right/RESTRICTED",
}
_SPDX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$")


@dataclass(frozen=True)
class UsagePolicy:
    """What a publisher allows: access level, licence, purposes, and whether re-identification is banned."""

    license: str = "CC-BY-4.0"
    access: str = "open"
    purposes: tuple[str, ...] = field(default_factory=tuple)
    no_reidentification: bool = True

    def __post_init__(self) -> None:
        if not _SPDX.match(self.license):
            raise FederationError(f"licence {self.license!r}: give an SPDX identifier such as CC-BY-4.0")
        if self.access not in ACCESS_RIGHTS:
            raise FederationError(f"access {self.access!r}: 'open' or 'restricted'")

    def to_dict(self) -> dict[str, Any]:
        return {
            "license": self.license,
            "access": self.access,
            "purposes": list(self.purposes),
            "no_reidentification": self.no_reidentification,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UsagePolicy:
        return cls(data["license"], data["access"], tuple(data["purposes"]), data["no_reidentification"])

    @property
    def license_url(self) -> str:
        return f"https://spdx.org/licenses/{self.license}"


def odrl_offer(artefact_id: str, policy: UsagePolicy) -> dict[str, Any]:
    """The ODRL offer of an artefact, compacted with the DSP context (no `target`, as DSP requires)."""
    permission: dict[str, Any] = {"action": "use"}
    if policy.purposes:
        permission["constraint"] = [
            {"leftOperand": "odrl:purpose", "operator": "isAnyOf", "rightOperand": list(policy.purposes)}
        ]
    offer: dict[str, Any] = {
        "@id": f"urn:aiflab:offer:{artefact_id.removeprefix('sha256:')}",
        "@type": "Offer",
        "permission": [permission],
    }
    if policy.no_reidentification:
        offer["prohibition"] = [
            {
                "action": "use",
                "constraint": [
                    {"leftOperand": "odrl:purpose", "operator": "eq", "rightOperand": REIDENTIFICATION}
                ],
            }
        ]
    return offer
