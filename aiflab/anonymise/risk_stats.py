"""Success rates of privacy attacks with Wilson score intervals, and the residual risk over a control set.

The risk of an attack is how much better it does against the records the release was made from
than against records that were never in it: ``(attack - control) / (1 - control)``, as in
Giomi et al. (2022), "A Unified Framework for Quantifying Privacy Risk in Synthetic Data".
"""

from __future__ import annotations

import math
from statistics import NormalDist

from pydantic import BaseModel, Field

CONFIDENCE = 0.95


class Rate(BaseModel):
    """A success rate measured over `trials` attempts, with its Wilson score interval."""

    rate: float = Field(ge=0.0, le=1.0)
    ci_low: float = Field(ge=0.0, le=1.0)
    ci_high: float = Field(ge=0.0, le=1.0)
    trials: int = Field(ge=0)


def wilson(successes: float, trials: int, confidence: float = CONFIDENCE) -> Rate:
    """The observed rate ``successes / trials`` and its Wilson score interval (``[0, 1]`` if no trials)."""
    if trials <= 0:
        return Rate(rate=0.0, ci_low=0.0, ci_high=1.0, trials=0)
    p = min(max(successes / trials, 0.0), 1.0)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z / (1 + z2 / trials) * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return Rate(rate=p, ci_low=max(0.0, min(p, centre - half)), ci_high=min(1.0, max(p, centre + half)),
                trials=trials)


class AttackResult(BaseModel):
    """One attack: its success against the training records, against the control set and by chance."""

    attack: str = Field(description="which attack, e.g. 'singling_out_multivariate' or 'inference:diagnosis'")
    attack_rate: Rate = Field(description="success against records the release was made from")
    control_rate: Rate = Field(description="success against held-out records that were never in the release")
    baseline_rate: Rate = Field(description="success of a random guess")
    risk: float = Field(ge=0.0, le=1.0, description="(attack - control) / (1 - control), at least 0")
    risk_ci_low: float = Field(ge=0.0, le=1.0)
    risk_ci_high: float = Field(ge=0.0, le=1.0)
    note: str = ""


def attack_result(attack: str, main: Rate, control: Rate, baseline: Rate, note: str = "") -> AttackResult:
    """Combine the three rates; the risk's interval propagates the Wilson half-widths (delta method)."""
    if main.trials == 0:
        return AttackResult(attack=attack, attack_rate=main, control_rate=control, baseline_rate=baseline,
                            risk=0.0, risk_ci_low=0.0, risk_ci_high=0.0, note=note)
    a, c = main.rate, min(control.rate, 1 - 1e-9)
    residual = (a - c) / (1 - c)
    error_a = max(a - main.ci_low, main.ci_high - a)
    error_c = max(c - control.ci_low, control.ci_high - c)
    error = math.hypot(error_a / (1 - c), error_c * (1 - a) / (1 - c) ** 2)
    if main.rate <= baseline.rate and not note:
        note = "the attack did no better than a random guess: its risk estimate carries little information"
    return AttackResult(attack=attack, attack_rate=main, control_rate=control, baseline_rate=baseline,
                        risk=_unit(residual), risk_ci_low=_unit(residual - error),
                        risk_ci_high=_unit(residual + error), note=note)


def _unit(value: float) -> float:
    return min(max(value, 0.0), 1.0)
