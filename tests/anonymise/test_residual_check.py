"""The residual check finds originals left in place, copied to other columns, or inside text."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import event, given, settings
from hypothesis import strategies as st

from aiflab.anonymise.keyed_pseudonyms import as_text, normalise
from aiflab.anonymise.residual_check import float_texts, residual_check


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


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=False) | st.integers(-2**70, 2**70).map(float), max_size=50))
def test_float_texts_are_as_text_of_each_float(values: list[float]) -> None:
    assert float_texts(np.asarray(values, dtype=np.float64)) == [as_text(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=6), st.text(max_size=12),
       st.text(max_size=12), st.booleans())
def test_text_finds_an_original_whatever_its_characters(originals: list[str], before_text: str,
                                                         after_text: str, mention: bool) -> None:
    """Originals of any characters (nul, letters beyond ASCII, marks that NFKC composes) are found as
    whole words in text exactly when a plain word-boundary search finds them."""
    text = before_text + (originals[0] if mention else "") + after_text
    before = pd.DataFrame({"name": originals, "note": [text] * len(originals)})
    after = before.assign(name=[f"p{i}" for i in range(len(originals))])
    found = not residual_check(after, {"name": before["name"]}).passed
    normalised_text = normalise(text)
    expected = any(
        len(o) >= 4 and o != normalised_text and any(
            normalised_text[i:i + len(o)] == o and not normalised_text[i - 1:i].isalnum()
            and not normalised_text[i + len(o):i + len(o) + 1].isalnum()
            for i in range(len(normalised_text)))
        for o in {normalise(v) for v in originals} - {""})
    whole_cell = normalised_text in {normalise(v) for v in originals} - {""}
    assert found == (expected or whole_cell)
    event("found" if found else "not found")


def test_an_original_holding_a_nul_does_not_shift_the_others() -> None:
    before = pd.DataFrame({"name": ["Jan\0Kowal", "Eva Berg", "Ola Lind"],
                           "note": ["seen with Eva Berg", "-", "Jan\0Kowal called"]})
    after = before.assign(name=["p1", "p2", "p3"])
    assert [f.message for f in residual_check(after, {"name": before["name"]}).findings] == [
        "original values of 'name' occur inside text of column 'note' (2 cells)"]
