"""Constraints a recipe declares on synthetic data: ranges, inequalities, fixed combinations.

Each constraint checks a table (`valid`, one boolean per row; missing values pass) and turns into
SDV 2.x's constraint API (`sdv.cag`): `Inequality`, `FixedCombinations`, and for a range of one
column, which `sdv.cag` lacks, a programmable constraint that SDV enforces by reject sampling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aiflab.errors import StageError

if TYPE_CHECKING:
    import pandas as pd


class _Constraint(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def used(self) -> list[str]:
        """The columns the constraint reads."""
        raise NotImplementedError

    def valid(self, df: pd.DataFrame, sdtypes: dict[str, str], real: pd.DataFrame | None = None) -> pd.Series:
        """One boolean per row of `df`: whether it honours the constraint (`real` holds the known values)."""
        raise NotImplementedError

    def describe(self) -> str:
        """The constraint in one line, for messages and the report."""
        raise NotImplementedError


class RangeConstraint(_Constraint):
    """Values of `column` lie within [min, max] (numbers, or ISO dates for date columns)."""

    type: Literal["range"]
    column: str = Field(description="the constrained column")
    min: float | str | None = Field(None, description="lowest allowed value (inclusive)")
    max: float | str | None = Field(None, description="highest allowed value (inclusive)")

    @model_validator(mode="after")
    def _bounds(self) -> RangeConstraint:
        if self.min is None and self.max is None:
            raise ValueError("a range needs 'min', 'max' or both")
        return self

    def used(self) -> list[str]:
        return [self.column]

    def valid(self, df: pd.DataFrame, sdtypes: dict[str, str], real: pd.DataFrame | None = None) -> pd.Series:
        values = comparable(df[self.column], sdtypes.get(self.column))
        ok = values.isna()
        low = -float("inf") if self.min is None else _bound(self.min, sdtypes.get(self.column))
        high = float("inf") if self.max is None else _bound(self.max, sdtypes.get(self.column))
        return ok | ((values >= low) & (values <= high))

    def describe(self) -> str:
        return f"{self.min if self.min is not None else '-inf'} <= {self.column} <= " \
               f"{self.max if self.max is not None else 'inf'}"


class InequalityConstraint(_Constraint):
    """`low` <= `high` row by row (strictly when `strict`), e.g. admission date <= discharge date."""

    type: Literal["inequality"]
    low: str = Field(description="the column holding the smaller value")
    high: str = Field(description="the column holding the larger value")
    strict: bool = Field(False, description="require low < high rather than low <= high")

    def used(self) -> list[str]:
        return [self.low, self.high]

    def valid(self, df: pd.DataFrame, sdtypes: dict[str, str], real: pd.DataFrame | None = None) -> pd.Series:
        low = comparable(df[self.low], sdtypes.get(self.low))
        high = comparable(df[self.high], sdtypes.get(self.high))
        holds = low < high if self.strict else low <= high
        return holds | low.isna() | high.isna()

    def describe(self) -> str:
        return f"{self.low} {'<' if self.strict else '<='} {self.high}"


class FixedCombinationsConstraint(_Constraint):
    """Only combinations of `columns` that occur in the real data occur in the synthetic data."""

    type: Literal["fixed_combinations"]
    columns: list[str] = Field(min_length=2, description="the categorical columns combined")

    def used(self) -> list[str]:
        return list(self.columns)

    def valid(self, df: pd.DataFrame, sdtypes: dict[str, str], real: pd.DataFrame | None = None) -> pd.Series:
        import pandas as pd

        if real is None:
            return pd.Series(True, index=df.index)
        known = pd.MultiIndex.from_frame(real[self.columns].astype(object).drop_duplicates())
        rows = pd.MultiIndex.from_frame(df[self.columns].astype(object))
        return pd.Series(rows.isin(known), index=df.index)

    def describe(self) -> str:
        return f"fixed combinations of {', '.join(self.columns)}"


Constraint = Annotated[RangeConstraint | InequalityConstraint | FixedCombinationsConstraint,
                       Field(discriminator="type")]


def comparable(values: pd.Series, sdtype: str | None) -> pd.Series:
    """`values` as numbers (dates as nanoseconds since the epoch), NaN where missing."""
    import pandas as pd

    if sdtype == "datetime":
        stamps = pd.to_datetime(values, errors="coerce", format="mixed")
        return pd.Series(stamps.astype("int64").where(stamps.notna()), index=values.index, dtype="float64")
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _bound(value: float | str, sdtype: str | None) -> float:
    import pandas as pd

    if sdtype == "datetime":
        return float(pd.Timestamp(value).value)
    try:
        return float(value)
    except ValueError:
        raise StageError(f"range bound {value!r} is not a number") from None


def violations(constraints: list[Any], df: pd.DataFrame, sdtypes: dict[str, str],
               real: pd.DataFrame) -> list[dict[str, Any]]:
    """For each constraint, how many rows of `df` break it (fixed combinations against `real`)."""
    out = []
    for constraint in constraints:
        ok = constraint.valid(df, sdtypes, real)
        out.append({"constraint": constraint.describe(), "violations": int((~ok).sum()), "rows": len(df)})
    return out


def check_declared(constraints: list[Any], sdtypes: dict[str, str], real: pd.DataFrame) -> None:
    """Raise StageError when a constraint names an unusable column or contradicts the real data."""
    for constraint in constraints:
        for column in constraint.used():
            if column not in sdtypes:
                raise StageError(f"constraint '{constraint.describe()}': column {column!r} is not "
                                 f"synthesised (synthesised columns: {', '.join(sdtypes)})")
            numeric = sdtypes[column] in ("numerical", "datetime")
            if not isinstance(constraint, FixedCombinationsConstraint) and not numeric:
                raise StageError(f"constraint '{constraint.describe()}': column {column!r} is "
                                 f"{sdtypes[column]}, not a number or a date")
        if isinstance(constraint, InequalityConstraint) and \
                sdtypes[constraint.low] != sdtypes[constraint.high]:
            raise StageError(f"constraint '{constraint.describe()}': both columns must be numbers or "
                             f"both dates")
        if isinstance(constraint, FixedCombinationsConstraint):
            continue
        broken = int((~constraint.valid(real, sdtypes)).sum())
        if broken:
            raise StageError(f"constraint '{constraint.describe()}' contradicts the data: {broken:,} of "
                             f"{len(real):,} real rows break it")


def to_sdv(constraints: list[Any], sdtypes: dict[str, str]) -> list[Any]:
    """The constraints as SDV 2.x `sdv.cag` objects."""
    from sdv.cag import FixedCombinations, Inequality

    out: list[Any] = []
    for constraint in constraints:
        if isinstance(constraint, InequalityConstraint):
            out.append(Inequality(low_column_name=constraint.low, high_column_name=constraint.high,
                                  strict_boundaries=constraint.strict))
        elif isinstance(constraint, FixedCombinationsConstraint):
            out.append(FixedCombinations(column_names=constraint.used()))
        else:
            out.append(_sdv_range(constraint, sdtypes))
    return out


def _sdv_range(constraint: RangeConstraint, sdtypes: dict[str, str]) -> Any:
    """A one-column range as an SDV programmable constraint (identity transform, reject sampling)."""
    from sdv.cag import SingleTableProgrammableConstraint

    class ColumnRange(SingleTableProgrammableConstraint):
        def __init__(self, column: str, low: Any, high: Any) -> None:
            self.column, self.low, self.high = column, low, high

        def get_updated_metadata(self, metadata: Any) -> Any:
            return metadata

        def transform(self, data: pd.DataFrame) -> pd.DataFrame:
            return data

        def reverse_transform(self, transformed_data: pd.DataFrame) -> pd.DataFrame:
            return transformed_data

        def is_valid(self, synthetic_data: pd.DataFrame) -> pd.Series:
            return constraint.valid(synthetic_data, sdtypes)

    return ColumnRange(constraint.column, constraint.min, constraint.max)
