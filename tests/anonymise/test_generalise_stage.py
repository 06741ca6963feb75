"""anonymise.generalise on seeded Faker patients from several EU locales, checked by pycanon."""

from __future__ import annotations

import math
from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycanon import anonymity

from aiflab.anonymise.generalise_stage import GeneraliseStage
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.table import ColumnInfo, ColumnRole, Table

LOCALES = ["de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL"]
DIAGNOSES = ["J45 asthma", "E11 type 2 diabetes", "I10 hypertension", "F32 depression", "M54 back pain",
             "J06 respiratory infection", "K21 reflux", "G43 migraine"]
TODAY = date.today()
QIS = ["age", "birth_date", "postcode", "gender", "occupation"]
HIERARCHIES = {"age": {"kind": "number"}, "birth_date": {"kind": "date"}, "postcode": {"kind": "postcode"}}


@cache
def patients(seed: int = 0, n: int = 1500) -> pd.DataFrame:
    """Patients: one locale per row, its postcodes and job titles; a skewed diagnosis; length of stay."""
    from faker import Faker

    fake = Faker(LOCALES)
    fake.seed_instance(seed)
    rng = np.random.default_rng(seed)
    jobs = {loc: [fake[loc].job() for _ in range(6)] for loc in LOCALES}
    rows = []
    for loc in rng.choice(LOCALES, n):
        born = fake[loc].date_of_birth(minimum_age=0, maximum_age=95)
        rows.append({"name": fake[loc].name(), "birth_date": born.isoformat(),
                     "age": TODAY.year - born.year, "postcode": fake[loc].postcode(),
                     "gender": rng.choice(["F", "M"], p=[0.51, 0.49]),
                     "occupation": jobs[loc][rng.integers(0, 6)]})
    df = pd.DataFrame(rows)
    df["diagnosis"] = rng.choice(DIAGNOSES, n, p=[0.3, 0.2, 0.15, 0.1, 0.1, 0.07, 0.05, 0.03])
    df["stay_days"] = rng.poisson(4, n) + 1
    return df


def classes(out: pd.DataFrame, qis: list[str]) -> pd.core.groupby.DataFrameGroupBy:
    return out.groupby(qis, dropna=False)


def ordered_emd(counts: pd.Series, reference: pd.Series) -> float:
    q = counts.reindex(reference.index, fill_value=0) / counts.sum()
    return float(np.abs(np.cumsum((q - reference).to_numpy())).sum() / (len(reference) - 1))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 3), n=st.integers(60, 600), k=st.integers(2, 10),
       qis=st.lists(st.sampled_from(QIS), min_size=1, max_size=4, unique=True),
       l_value=st.none() | st.integers(2, 3), variant=st.sampled_from(["distinct", "entropy"]),
       t=st.none() | st.floats(0.2, 0.6), sensitive=st.sampled_from(["diagnosis", "stay_days"]),
       suppression=st.sampled_from([0.0, 0.02, 0.05, 0.1]),
       loss=st.sampled_from(["entropy", "discernibility", "intensity"]))
def test_every_class_meets_k_l_t_and_pycanon_agrees(seed: int, n: int, k: int, qis: list[str],
                                                     l_value: int | None, variant: str, t: float | None,
                                                     sensitive: str, suppression: float, loss: str) -> None:
    df = patients(seed).iloc[:n]
    try:
        result = GeneraliseStage.call(df, quasi_identifiers=qis, sensitive=[sensitive], k=k, l=l_value,
                                      l_variant=variant, t=t, max_suppression=suppression, loss=loss,
                                      hierarchies={c: HIERARCHIES[c] for c in qis if c in HIERARCHIES})
    except StageError as error:
        assert "no generalisation meets" in str(error) and "closest" in str(error)
        return
    out = result.df.reset_index(drop=True)
    dropped = sum(result.evidence.rows_dropped.values())
    assert len(out) + dropped == n
    assert dropped <= math.floor(suppression * n + 1e-9)
    assert set(result.evidence.rows_dropped) <= {"suppressed-k-anonymity", "suppressed-l-diversity",
                                                 "suppressed-t-closeness"}
    groups = classes(out, qis)
    assert groups.size().min() >= k
    assert anonymity.k_anonymity(out, qis) >= k
    if l_value is not None:
        assert groups[sensitive].nunique().min() >= l_value
        assert anonymity.l_diversity(out, qis, [sensitive]) >= l_value
        if variant == "entropy":
            shares = groups[sensitive].value_counts(normalize=True)
            entropy = -(shares * np.log(shares)).groupby(level=list(range(len(qis)))).sum()
            assert np.exp(entropy.min()) >= l_value - 1e-9
            assert anonymity.entropy_l_diversity(out, qis, [sensitive]) >= l_value or math.isclose(
                np.exp(entropy.min()), l_value)
    if t is not None:
        reference = out[sensitive].value_counts(normalize=True).sort_index()
        if len(reference) > 1:
            worst = max(ordered_emd(g[sensitive].value_counts(), reference) for _, g in groups)
            assert worst <= t + 1e-9
        assert anonymity.t_closeness(out, qis, [sensitive]) <= t + 1e-9
    achieved = result.evidence.metrics["achieved"]
    assert achieved["k"] == anonymity.k_anonymity(out, qis)


def test_equal_distance_t_closeness_on_categories_is_checked_by_pycanon() -> None:
    df = patients(1).iloc[:800]
    result = GeneraliseStage.call(df, quasi_identifiers=["age", "gender", "postcode"],
                                  sensitive=["diagnosis"], k=5, t=0.3,
                                  hierarchies={"postcode": {"kind": "postcode"}})
    out = result.df.reset_index(drop=True)
    assert anonymity.t_closeness(out, ["age", "gender", "postcode"], ["diagnosis"]) <= 0.3 + 1e-9
    assert result.evidence.metrics["achieved"]["t"] <= 0.3


def test_roles_from_discover_are_used_and_evidence_is_complete() -> None:
    df = patients(2).iloc[:1000]
    info = {"age": ColumnInfo("number", ColumnRole.QUASI_IDENTIFIER),
            "postcode": ColumnInfo("postcode", ColumnRole.QUASI_IDENTIFIER),
            "gender": ColumnInfo("category", ColumnRole.QUASI_IDENTIFIER),
            "diagnosis": ColumnInfo("category", ColumnRole.SENSITIVE),
            "name": ColumnInfo("text", ColumnRole.DIRECT_IDENTIFIER)}
    result = GeneraliseStage.call(Table(df, info), k=5, l=2)
    evidence = result.evidence
    metrics = evidence.metrics
    assert metrics["quasi_identifiers"] == ["age", "postcode", "gender"]
    assert metrics["sensitive"] == ["diagnosis"]
    postcode_level = metrics["levels"]["postcode"]["level"]
    if 0 < postcode_level < metrics["levels"]["postcode"]["height"]:
        assert result.df["postcode"].str.endswith("*").all()
    assert evidence.rows_in - evidence.rows_out == sum(evidence.rows_dropped.values())
    assert set(metrics["information_loss"]) == {"intensity", "discernibility", "discernibility_normalised",
                                                "entropy", "suppressed_share"}
    sizes = metrics["equivalence_classes"]
    assert sizes["min"] >= 5 and sizes["count"] == sum(sizes["histogram"].values())
    assert metrics["achieved"]["k"] >= 5 and metrics["achieved"]["l_distinct"] >= 2
    assert metrics["search"]["nodes_evaluated"] <= metrics["search"]["lattice_size"]
    for column, level in metrics["levels"].items():
        assert (column in evidence.cells_changed) == (level["level"] > 0)
    assert result.df["name"].equals(df["name"].loc[result.df.index])
    assert result.table.info("postcode").role == ColumnRole.QUASI_IDENTIFIER


def test_generalised_values_read_like_intervals_and_periods() -> None:
    df = patients(3).iloc[:600]
    result = GeneraliseStage.call(df, quasi_identifiers=["age", "birth_date"], k=20, loss="intensity",
                                  hierarchies={"age": {"widths": [10, 20]}, "birth_date": {"kind": "date"}})
    levels = result.evidence.metrics["levels"]
    if levels["age"]["level"] == 1:
        assert result.df["age"].str.fullmatch(r"\[\d+-\d+\)").all()
    if levels["birth_date"]["name"] == "quarter":
        assert result.df["birth_date"].str.fullmatch(r"\d{4}-Q[1-4]").all()
    assert levels["age"]["level"] + levels["birth_date"]["level"] > 0


def test_missing_quasi_identifier_values_form_their_own_classes() -> None:
    df = patients(0).iloc[:300].copy()
    df.loc[df.index[:40], "gender"] = None
    result = GeneraliseStage.call(df, quasi_identifiers=["gender", "age"], k=5)
    sizes = result.df.groupby(["gender", "age"], dropna=False).size()
    assert sizes.min() >= 5


# bad input


def test_absent_quasi_identifier_is_named() -> None:
    with pytest.raises(StageError, match=r"quasi-identifier column\(s\) 'zip' not in the table"):
        GeneraliseStage.call(patients().iloc[:50], quasi_identifiers=["age", "zip"], k=2)


def test_k_larger_than_the_table() -> None:
    with pytest.raises(StageError, match=r"k=60 is larger than the table \(50 rows\)"):
        GeneraliseStage.call(patients().iloc[:50], quasi_identifiers=["age"], k=60)


def test_no_quasi_identifiers_known_points_to_discover() -> None:
    with pytest.raises(StageError, match=r"run discover\.pii"):
        GeneraliseStage.call(patients().iloc[:50], k=2)


def test_l_diversity_without_sensitive_columns() -> None:
    with pytest.raises(StageError, match="need sensitive columns"):
        GeneraliseStage.call(patients().iloc[:50], quasi_identifiers=["age"], k=2, l=2)


def test_l_larger_than_the_sensitive_values() -> None:
    df = patients().iloc[:50].assign(flag="yes")
    with pytest.raises(StageError, match=r"l=2 cannot be met: sensitive column 'flag' has only 1"):
        GeneraliseStage.call(df, quasi_identifiers=["age"], sensitive=["flag"], k=2, l=2)


def test_no_solution_within_budget_says_what_was_closest() -> None:
    df = pd.DataFrame({"age": range(100), "result": ["negative"] * 97 + ["positive"] * 3})
    with pytest.raises(StageError, match=r"no generalisation meets k=2, entropy l=2 within "
                                         r"max_suppression=0\.01 \(1 of 100 rows\); the closest \(age: .*\) "
                                         r"would suppress \d+ rows"):
        GeneraliseStage.call(df, quasi_identifiers=["age"], sensitive=["result"], k=2, l=2,
                             l_variant="entropy", max_suppression=0.01)


def test_column_both_quasi_identifier_and_sensitive() -> None:
    with pytest.raises(StageError, match="both quasi-identifier and sensitive"):
        GeneraliseStage.call(patients().iloc[:50], quasi_identifiers=["age"], sensitive=["age"], k=2, l=2)


def test_hierarchy_for_a_column_that_is_not_a_quasi_identifier() -> None:
    with pytest.raises(StageError, match="hierarchies given for 'stay_days'"):
        GeneraliseStage.call(patients().iloc[:50], quasi_identifiers=["age"], k=2,
                             hierarchies={"stay_days": {"kind": "number"}})


def test_missing_hierarchy_file_is_an_input_error(tmp_path) -> None:
    from aiflab.errors import InputError

    stage = GeneraliseStage(quasi_identifiers=["occupation"], k=2,
                            hierarchies={"occupation": {"file": "no.csv"}})
    with pytest.raises(InputError, match=r"no\.csv"):
        stage.run(Table(patients().iloc[:50]), RunContext(base_dir=tmp_path))


def test_input_frame_is_not_modified() -> None:
    df = patients().iloc[:200].copy()
    before = df.copy()
    GeneraliseStage.call(df, quasi_identifiers=["age", "postcode"], k=5,
                         hierarchies={"postcode": {"kind": "postcode"}})
    pd.testing.assert_frame_equal(df, before)


def test_the_package_function_runs_the_stage() -> None:
    from aiflab import anonymise

    result = anonymise.generalise(patients().iloc[:100], quasi_identifiers=["gender"], k=2)
    assert result.evidence.stage == "anonymise.generalise"
