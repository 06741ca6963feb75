"""Known values looked for in texts: the matcher agrees with its definition as regular expressions."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from aiflab.anonymise.keyed_pseudonyms import normalise
from aiflab.anonymise.text_known_values import KnownValues, folded_view

WORDS = ["marie", "Marie", "DUPONT", "Preiß", "preiss", "Jean-Pierre", "anna", "de", "la", "Øster", "x_y",
         "Ångström", "1234", "café", "Cafe\u0301", "+33", "(0)6", "+33 6"]
SEPARATORS = [" ", "  ", "\n", ", ", "-", "_", ". ", "\t", "'", " +", " ("]


def by_regex(values: dict[str, str], text: str, inserted: list[tuple[int, int]]) -> set[tuple]:
    """The definition: each value's words joined by any white space, not inside a longer word, found
    in the text as the residual check reads it (NFKC, case-folded, replacements as one space)."""
    view, starts, ends = folded_view(text, inserted)
    found = set()
    for value, entity in values.items():
        key = normalise(value)
        if len(key) < 4 or not re.search(r"\w", key):
            continue
        body = r"\s+".join(re.escape(part) for part in key.split(" "))
        for m in re.finditer(rf"(?<![^\W_]){body}(?![^\W_])", view):
            found.add((starts[m.start()], ends[m.end() - 1], entity))
    return found


phrases = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1,
                   max_size=8).map(lambda parts: "".join(w + s for w, s in parts).strip())


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(phrases, st.sampled_from(["PERSON", "LOCATION"]), min_size=1, max_size=6),
       st.lists(phrases, min_size=1, max_size=4), st.data())
def test_matches_are_those_of_the_regular_expressions(values: dict[str, str], pieces: list[str],
                                                      data: st.DataObject) -> None:
    text = " ".join(pieces)
    inserted: list[tuple[int, int]] = []
    if len(text) > 3 and data.draw(st.booleans()):
        start = data.draw(st.integers(0, len(text) - 2))
        inserted = [(start, data.draw(st.integers(start + 1, len(text))))]
    matcher = KnownValues(values)
    expected = by_regex({v: e for v, e in values.items() if normalise(v) in matcher.entity
                         and matcher.entity[normalise(v)] == e}, text, inserted)
    assert {(a, b, e) for a, b, e, _ in matcher.find(text, inserted)} == expected
    assert {(a, b, e) for a, b, e, _ in matcher.find(text, inserted)} == expected  # again, from memory


def test_a_value_is_found_across_line_breaks_and_case_but_not_inside_a_word() -> None:
    matcher = KnownValues({"Marie Dupont": "PERSON"})
    text = "Seen: MARIE\n  dupont, and annemarie dupont."
    assert [(a, b) for a, b, _, _ in matcher.find(text)] == [(6, 20)]
    assert text[6:20] == "MARIE\n  dupont"
