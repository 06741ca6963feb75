"""The WP29 attacks: they catch a release that copies real rows and clear an independent one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aiflab.anonymise.risk_stats import Rate, attack_result, wilson
from aiflab.anonymise.wp29_attacks import RiskAssessment, assess
from aiflab.errors import StageError
from aiflab.fakedata import people

QIS = ["geburtsdatum", "code_postal", "city", "gender", "age", "nationality", "occupation"]
SECRETS = ["diagnosis", "religion", "weight_kg"]


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    """One seeded draw from six EU locales, cut into training, control and independent parts."""
    return people(4500, seed=5)


@pytest.fixture(scope="module")
def parts(population: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    cut = [population.iloc[i * 1500:(i + 1) * 1500].reset_index(drop=True) for i in range(3)]
    return cut[0], cut[1], cut[2]


def attacks(result: RiskAssessment) -> list:
    return [result.singling_out_univariate, result.singling_out_multivariate, result.linkability,
            *result.inference]


def test_leaky_release_of_copied_rows_is_caught(parts) -> None:
    training, control, _ = parts
    leaky = training.sample(frac=1.0, random_state=3).reset_index(drop=True)
    result = assess(training, leaky, control, QIS, SECRETS, np.random.default_rng(1), attacks=400)
    assert len(result.inference) == 3
    for attack in attacks(result):
        assert attack.risk_ci_low > 0, attack.attack
        assert attack.risk > 0.5 and attack.attack_rate.rate > attack.control_rate.rate, attack.attack
    assert result.worst()["singling_out"].risk > 0.9


def test_independent_release_from_the_same_population_is_low_risk(parts) -> None:
    training, control, independent = parts
    result = assess(training, independent, control, QIS, SECRETS, np.random.default_rng(1), attacks=400)
    for attack in attacks(result):
        assert attack.risk <= 0.1, attack
        assert attack.risk_ci_low <= 0.03, attack


def test_smaller_control_set_still_compares_fairly(parts) -> None:
    training, control, independent = parts
    small = control.iloc[:500]
    clean = assess(training, independent, small, QIS, [], np.random.default_rng(2), attacks=300)
    leaky = assess(training, training, small, QIS, [], np.random.default_rng(2), attacks=300)
    for name in ("singling_out_univariate", "singling_out_multivariate"):
        assert getattr(clean, name).risk <= 0.1 and "500 rows" in getattr(clean, name).note
        assert getattr(leaky, name).risk_ci_low > 0.1


def test_partly_leaky_release_lands_in_between(parts) -> None:
    training, control, independent = parts
    half = pd.concat([training.iloc[:750], independent.iloc[750:]], ignore_index=True)
    result = assess(training, half, control, QIS, ["diagnosis"], np.random.default_rng(4), attacks=400)
    assert 0.2 < result.inference[0].risk < 0.8 and result.inference[0].risk_ci_low > 0


def test_k_anonymous_release_cannot_single_out(parts) -> None:
    training, control, _ = parts
    coarse = [frame.assign(age=frame["age"] // 20) for frame in (training, control)]
    qis = ["age", "gender"]
    result = assess(coarse[0], coarse[0], coarse[1], qis, [], np.random.default_rng(0), attacks=200)
    for attack in (result.singling_out_univariate, result.singling_out_multivariate):
        assert attack.attack_rate.trials == 0 and attack.risk == 0.0 and "no predicate" in attack.note


def test_same_seed_same_assessment_and_json_round_trip(parts) -> None:
    training, control, independent = parts
    runs = [assess(training, independent, control, QIS[:4], ["diagnosis"], np.random.default_rng(9),
                   attacks=100) for _ in range(2)]
    assert runs[0] == runs[1]
    assert RiskAssessment.model_validate_json(runs[0].model_dump_json()) == runs[0]


def test_missing_values_and_numbers_are_matched(parts) -> None:
    training, control, _ = parts
    leaky = training.copy()
    result = assess(training, leaky, control, ["occupation", "weight_kg", "age"], ["religion"],
                    np.random.default_rng(0), attacks=300)
    assert training["occupation"].isna().any() and training["religion"].isna().any()
    assert result.inference[0].attack_rate.rate > 0.9


def test_bad_input_is_named(parts) -> None:
    training, control, independent = parts
    rng = np.random.default_rng(0)
    with pytest.raises(StageError, match="released table has no column 'age'"):
        assess(training, independent.drop(columns="age"), control, QIS, [], rng)
    with pytest.raises(StageError, match="no quasi-identifiers"):
        assess(training, independent, control, [], SECRETS, rng)
    with pytest.raises(StageError, match="control table has no rows"):
        assess(training, independent, control.iloc[:0], QIS, [], rng)


@pytest.mark.parametrize(("successes", "trials"),
                         [(0, 10), (3, 10), (10, 10), (1, 1), (250, 1000), (999, 1000)])
def test_wilson_interval_contains_the_rate(successes: int, trials: int) -> None:
    rate = wilson(successes, trials)
    assert 0 <= rate.ci_low <= rate.rate == successes / trials <= rate.ci_high <= 1


def test_wilson_interval_shrinks_with_more_trials_and_matches_the_formula() -> None:
    widths = [wilson(n * 0.3, n).ci_high - wilson(n * 0.3, n).ci_low for n in (10, 100, 1000, 10000)]
    assert widths == sorted(widths, reverse=True) and widths[-1] < 0.02
    assert wilson(0, 10).ci_high == pytest.approx(3.8415 / 13.8415, abs=1e-4)


def test_risk_is_residual_over_control() -> None:
    result = attack_result("x", wilson(80, 100), wilson(20, 100), wilson(1, 100))
    assert result.risk == pytest.approx(0.75) and result.risk_ci_low < 0.75 < result.risk_ci_high
    worse = attack_result("x", wilson(10, 100), wilson(20, 100), wilson(1, 100))
    assert worse.risk == 0.0
    empty = Rate(rate=0, ci_low=0, ci_high=0, trials=0)
    assert attack_result("x", empty, empty, empty).risk == 0.0
