"""A small, safe expression language over table columns, parsed with Python's `ast`.

Allowed: column names (or ``col("Any name")``), numbers, strings, booleans, ``None``, lists of
literals, arithmetic (``+ - * / // % **``), comparisons (``== != < <= > >= in``, ``not in``),
``and`` / ``or`` / ``not``, and calls of the functions in `FUNCTIONS`. Everything else (attribute
access, subscripts, lambdas, calls of anything not listed, keyword arguments) is refused when the
expression is parsed, before any data is touched. Expressions are evaluated column-wise on pandas.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aiflab.errors import StageError


class ExpressionError(ValueError):
    """An expression the language does not allow (raised while parsing it)."""


def _dates(x: Any) -> Any:
    if isinstance(x, pd.Series):
        return x if pd.api.types.is_datetime64_any_dtype(x) else pd.to_datetime(x, errors="coerce",
                                                                                   format="ISO8601")
    return pd.Timestamp(x)


def _str(x: Any) -> Any:
    return x.astype("string") if isinstance(x, pd.Series) else str(x)


def _where(condition: Any, a: Any, b: Any) -> Any:
    index = next((v.index for v in (condition, a, b) if isinstance(v, pd.Series)), None)
    return pd.Series(np.where(condition, a, b), index=index) if index is not None else (a if condition else b)


def _years_between(start: Any, end: Any) -> Any:
    """Whole years from `start` to `end` (an age): the year difference, one less before the birthday."""
    start, end = _dates(start), _dates(end)
    sy, sm, sd = (_part(start, p) for p in ("year", "month", "day"))
    ey, em, ed = (_part(end, p) for p in ("year", "month", "day"))
    before = (em < sm) | ((em == sm) & (ed < sd))
    return (ey - sy) - before.astype("Int64") if isinstance(before, pd.Series) else (ey - sy) - int(before)


def _part(value: Any, part: str) -> Any:
    return getattr(value.dt, part).astype("Int64") if isinstance(value, pd.Series) else getattr(value, part)


def _series_fn(name: str) -> Callable[..., Any]:
    def fn(x: Any, *args: Any) -> Any:
        return getattr(x.str, name)(*args) if isinstance(x, pd.Series) else getattr(str(x), name)(*args)

    return fn


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": lambda x: x.abs() if isinstance(x, pd.Series) else abs(x),
    "round": lambda x, n=0: x.round(n) if isinstance(x, pd.Series) else round(x, n),
    "min": lambda a, b: pd.concat([pd.Series(a), pd.Series(b)], axis=1).min(axis=1)
    if isinstance(a, pd.Series) or isinstance(b, pd.Series) else min(a, b),
    "max": lambda a, b: pd.concat([pd.Series(a), pd.Series(b)], axis=1).max(axis=1)
    if isinstance(a, pd.Series) or isinstance(b, pd.Series) else max(a, b),
    "isnull": lambda x: x.isna() if isinstance(x, pd.Series) else x is None,
    "notnull": lambda x: x.notna() if isinstance(x, pd.Series) else x is not None,
    "coalesce": lambda a, b: a.fillna(b) if isinstance(a, pd.Series) else (b if a is None else a),
    "where": _where,
    "number": lambda x: pd.to_numeric(x, errors="coerce") if isinstance(x, pd.Series) else float(x),
    "str": _str,
    "lower": _series_fn("lower"),
    "upper": _series_fn("upper"),
    "strip": _series_fn("strip"),
    "len": lambda x: x.str.len() if isinstance(x, pd.Series) else len(x),
    "contains": lambda x, s: x.str.contains(s, regex=False) if isinstance(x, pd.Series) else s in x,
    "startswith": _series_fn("startswith"),
    "date": _dates,
    "year": lambda x: _part(_dates(x), "year"),
    "month": lambda x: _part(_dates(x), "month"),
    "day": lambda x: _part(_dates(x), "day"),
    "weekday": lambda x: _part(_dates(x), "weekday"),
    "years_between": _years_between,
}
"""The functions an expression may call (nothing else is callable)."""

MAX_EXPONENT = 64
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge}


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression and the columns it reads."""

    text: str
    tree: ast.Expression
    columns: tuple[str, ...]

    def evaluate(self, df: pd.DataFrame) -> Any:
        """The value (a Series, or a scalar for a constant expression); StageError for a missing column."""
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise StageError(f"expression {self.text!r} names column {missing[0]!r}, which the table does "
                             f"not have (it has: {', '.join(map(str, df.columns))})")
        try:
            return _eval(self.tree.body, df)
        except (TypeError, ValueError, ZeroDivisionError) as exc:
            raise StageError(f"expression {self.text!r} cannot be evaluated: {exc}") from None


def parse_expression(text: str) -> Expression:
    """Parse and check `text`; ExpressionError saying what is not allowed, and where."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"invalid expression {text!r}: {exc.msg} at column {exc.offset}") from None
    columns: list[str] = []
    callees = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        _check(node, text, columns, callees)
    return Expression(text, tree, tuple(dict.fromkeys(columns)))


_REFUSED = (ast.MatMult, ast.BitXor, ast.LShift, ast.RShift, ast.BitAnd, ast.BitOr, ast.Invert, ast.Is,
            ast.IsNot)
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Name, ast.Constant,
            ast.Call, ast.List, ast.Tuple, ast.Load, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


def _check(node: ast.AST, text: str, columns: list[str], callees: set[int]) -> None:
    where = f" (at column {node.col_offset + 1})" if hasattr(node, "col_offset") else ""
    if isinstance(node, ast.Attribute):
        raise ExpressionError(f"expression {text!r}: attribute access '.{node.attr}' is not allowed{where}")
    if not isinstance(node, _ALLOWED) or isinstance(node, _REFUSED):
        raise ExpressionError(f"expression {text!r}: {type(node).__name__} is not allowed{where}")
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name == "col":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Constant) \
                    or not isinstance(node.args[0].value, str) or node.keywords:
                raise ExpressionError(f"expression {text!r}: col() takes one column name in quotes{where}")
            columns.append(node.args[0].value)
        elif name not in FUNCTIONS:
            called = name or ast.unparse(node.func)
            raise ExpressionError(f"expression {text!r}: calling {called!r} is not allowed{where}; "
                                  f"functions: col, {', '.join(FUNCTIONS)}")
        if node.keywords:
            raise ExpressionError(f"expression {text!r}: keyword arguments are not allowed{where}")
    elif isinstance(node, ast.Name) and id(node) not in callees:
        columns.append(node.id)
    elif isinstance(node, ast.Constant) and not isinstance(node.value, int | float | str | bool | None):
        raise ExpressionError(f"expression {text!r}: constant {node.value!r} is not allowed{where}")


def _eval(node: ast.AST, df: pd.DataFrame) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return df[node.id]
    if isinstance(node, ast.List | ast.Tuple):
        return [_eval(item, df) for item in node.elts]
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, df), _eval(node.right, df)
        if isinstance(node.op, ast.Pow) and not isinstance(right, pd.Series) and abs(right) > MAX_EXPONENT:
            raise ValueError(f"exponent {right} is larger than {MAX_EXPONENT}")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, df)
        if isinstance(node.op, ast.Not):
            return ~value.astype(bool) if isinstance(value, pd.Series) else not value
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BoolOp):
        values = [_boolean(_eval(v, df)) for v in node.values]
        combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
        result = values[0]
        for value in values[1:]:
            result = combine(result, value)
        return result
    if isinstance(node, ast.Compare):
        left, result = _eval(node.left, df), True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, df)
            result = result & _compare(op, left, right)
            left = right
        return result
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    if node.func.id == "col":
        return df[node.args[0].value]
    return FUNCTIONS[node.func.id](*(_eval(arg, df) for arg in node.args))


def _boolean(value: Any) -> Any:
    return value.astype("boolean").fillna(False).astype(bool) if isinstance(value, pd.Series) else bool(value)


def _compare(op: ast.cmpop, left: Any, right: Any) -> Any:
    if isinstance(op, ast.In | ast.NotIn):
        inside = left.isin(right) if isinstance(left, pd.Series) else left in right
        return ~inside if isinstance(op, ast.NotIn) else inside
    return _COMPARE[type(op)](left, right)
