"""clean.dedup on standardised messy records: injected near and exact duplicates, precision and recall."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from pydantic import ValidationError

from aiflab import clean
from aiflab.clean.messy import Messy
from aiflab.errors import StageError
from tests.clean.conftest import COLUMNS

COMPARE = [{"column": "first_name"}, {"column": "last_name"}, {"column": "birth_date", "method": "exact"},
           {"column": "phone", "method": "exact"}, {"column": "iban", "method": "exact"}]
BLOCKS = [["birth_date"], ["last_name"], ["phone"]]


@pytest.fixture(scope="module")
def standardised(messy: Messy) -> pd.DataFrame:
    return clean.standardise(messy.df, columns=COLUMNS).df


def test_finds_injected_duplicates_with_high_precision_and_recall(messy: Messy, standardised) -> None:
    result = clean.dedup(standardised, compare=COMPARE, block_on=BLOCKS, threshold=0.8)
    truth = messy.truth
    removed = standardised.index.difference(result.df.index)
    kept_entities = set(truth.loc[result.df.index, "entity"])
    correct = sum(truth.loc[i, "entity"] in kept_entities for i in removed)  # its person is still there
    expected = len(truth) - truth["entity"].nunique()
    precision, recall = correct / len(removed), correct / expected
    print(f"dedup: removed {len(removed)}, injected {expected}: "
          f"precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.9
    assert result.df["record_id"].is_unique
    evidence = result.evidence
    assert sum(evidence.rows_dropped.values()) == len(removed) == evidence.rows_in - evidence.rows_out
    assert evidence.rows_dropped["duplicate-exact"] == (truth["duplicate"] == "exact").sum()


def test_removed_rows_go_to_a_side_file_with_cluster_score_and_kept_row(standardised) -> None:
    result = clean.dedup(standardised, compare=COMPARE, block_on=BLOCKS, threshold=0.8,
                         removed_file="dups.csv")
    (artefact,) = result.artefacts
    assert artefact.name == "dups.csv" and result.evidence.artefacts[0].name == "dups.csv"
    side = pd.read_csv(io.BytesIO(artefact.content), dtype=str, keep_default_na=False)
    assert list(side.columns[:5]) == ["_row", "_reason", "_cluster", "_score", "_kept_row"]
    assert len(side) == len(standardised) - len(result.df)
    assert set(side["_kept_row"].astype(int)) <= set(result.df.index)
    near = side[side["_reason"] == "duplicate-near"]
    assert (near["_score"].astype(float) >= 0.8).all()


def test_keep_rules() -> None:
    df = pd.DataFrame({"name": ["Anna Kowalska", "Anna Kowalska", "Ana Kowalska"],
                       "city": [None, "Kraków", None], "updated": ["2024-01-01", "2023-01-01", "2025-01-01"]})
    compare = [{"column": "name"}]
    first = clean.dedup(df, compare=compare, threshold=0.9, exact=False)
    assert first.df.index.tolist() == [0]
    complete = clean.dedup(df, compare=compare, threshold=0.9, exact=False, keep="most_complete")
    assert complete.df.index.tolist() == [1]
    latest = clean.dedup(df, compare=compare, threshold=0.9, exact=False, keep="latest", order_by="updated")
    assert latest.df.index.tolist() == [2]


def test_exact_only_and_bad_input(standardised) -> None:
    result = clean.dedup(pd.DataFrame({"a": [1, 1, 2]}))
    assert result.df.index.tolist() == [0, 2] and result.evidence.rows_dropped == {"duplicate-exact": 1}
    with pytest.raises(StageError, match="max_pairs"):
        clean.dedup(standardised, compare=[{"column": "last_name"}], max_pairs=1000)
    with pytest.raises(StageError, match="'surname' is not in the table"):
        clean.dedup(standardised, compare=[{"column": "surname"}], block_on=[["birth_date"]])
    with pytest.raises(ValidationError, match="order_by"):
        clean.dedup(standardised, keep="latest")
