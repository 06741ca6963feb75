"""The residual check finds originals left in place, copied to other columns, or inside text."""

from __future__ import annotations

import pandas as pd

from aiflab.anonymise.residual_check import residual_check


def test_clean_output_passes() -> None:
    before = pd.DataFrame({"name": ["Anna Nowak", "Jan Kowal"], "note": ["seen by Annabelle", "ok"]})
    after = before.assign(name=["a1", "b2"])
    check = residual_check(after, {"name": before["name"]})
    assert check.passed and check.metrics()["original_values_checked"] == 2


def test_fixed_points_copies_and_text_are_found_without_quoting_values() -> None:
    before = pd.DataFrame({"name": ["Anna Nowak", "Jan Kowal", "Eva Berg"],
                           "email": ["a@x.eu", "j@x.eu", None],
                           "contact": ["ANNA  NOWAK", "-", "-"],
                           "note": ["Mrs Anna Nowak's visit", "Jan Kowalski came", "fine"]})
    after = before.assign(name=["a1", "Jan Kowal", "c3"], email=["e1", "e2", None])
    check = residual_check(after, {"name": before["name"], "email": before["email"]})
    messages = sorted(f.message for f in check.findings)
    assert messages == [
        "1 cells of column 'name' keep their original value",
        "1 original values of 'name' appear as whole cells of column 'contact' (1 cells)",
        "original values of 'name' occur inside text of column 'note' (1 cells)"]
    assert all(f.severity == "error" and f.code == "residual-identifier" for f in check.findings)
    assert not any("Nowak" in m or "Kowal" in m for m in messages)
    assert residual_check(after, {"name": before["name"]}, skip_text=["note"]).metrics()["findings"] == 2


def test_many_originals_in_long_text_is_fast_enough() -> None:
    originals = pd.Series([f"person number {i:06d}" for i in range(50_000)])
    notes = pd.Series([f"visit {i} of a patient, nothing to report " * 5 for i in range(50_000)])
    notes.iloc[12_345] += " seen with person number 004711."
    check = residual_check(pd.DataFrame({"id": range(50_000), "note": notes}), {"id": originals})
    assert [f.column for f in check.findings] == ["note"]


def test_categories_no_cell_holds_are_not_findings() -> None:
    before = pd.DataFrame({"name": ["Anna Nowak", "Jan Kowal"]})
    unused = pd.Categorical(["a1", "b2"], categories=["a1", "b2", "Anna Nowak", "notes of jan kowal"])
    note = pd.Categorical(["-", "-"], categories=["-", "Jan Kowal"])
    after = pd.DataFrame({"name": ["x1", "x2"], "label": unused, "note": note})
    assert residual_check(after, {"name": before["name"]}).passed
    held = after.assign(label=pd.Categorical(["Anna Nowak", "b2"], categories=unused.categories))
    assert [f.column for f in residual_check(held, {"name": before["name"]}).findings] == ["label"]
