"""Stage `webdata.optout`: respect text-and-data-mining opt-outs (robots `noai`, TDM reservation)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.webdata.drops import drop

Signal = Literal["noai", "noimageai", "tdm-reservation", "noindex"]


class WebOptOutParams(Params):
    signals: list[Signal] = Field(
        default_factory=lambda: ["noai", "tdm-reservation"],
        min_length=1,
        description="signals that exclude a page: robots directives (noai, noimageai, noindex) in meta "
        "tags or X-Robots-Tag, and the TDM Reservation Protocol's tdm-reservation: 1",
    )


class OptOutStage(Stage):
    """Exclude pages whose publisher reserved text-and-data-mining rights (EU DSM Directive Art. 4(3)).

    A page is excluded when its robots meta tags or X-Robots-Tag header carry one of the chosen
    directives, or when it declares `tdm-reservation: 1` (W3C TDM Reservation Protocol, as a meta
    tag or an HTTP header). Each exclusion is counted by signal (`opt-out:noai`,
    `opt-out:tdm-reservation`) and listed in the side file; the pool manifest carries the counts.
    """

    name = "webdata.optout"
    summary = "Exclude pages that reserve text-and-data-mining rights (robots noai, TDM reservation)."
    Params = WebOptOutParams
    row_local = True

    def reads(self) -> list[str]:
        return ["robots", "tdm_reservation"]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        import pandas as pd

        df, wanted = table.df, set(self.params.signals)
        reasons: list[str | None] = []
        for robots, tdm in zip(df["robots"], df["tdm_reservation"], strict=True):
            directives = {d.strip() for d in (robots or "").split(",")}
            found = sorted(wanted & directives)
            if "tdm-reservation" in wanted and bool(tdm):
                found.append("tdm-reservation")
            reasons.append(f"opt-out:{found[0]}" if found else None)
        result = drop(table, ctx, pd.Series(reasons, index=df.index, dtype=object))
        excluded = len(df) - len(result.df)
        ctx.evidence.metrics["opted_out"] = excluded
        ctx.evidence.summary = (
            f"excluded {excluded:,} pages that reserve TDM rights ({', '.join(sorted(wanted))})"
        )
        return result
