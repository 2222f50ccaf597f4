"""A sweep's definition and its samplers: refusals that name the field (and leave nothing behind), and the
sampling decisions (grid, random, bayesian) that resume relies on being reproducible."""

from __future__ import annotations

import itertools

import pytest

import jupyter_mlext as mlx
from jupyter_mlext.entities import InvalidInput, Trial, TrialState
from jupyter_mlext.sweeps.samplers import sample
from jupyter_mlext.sweeps.space import make_space

SPACE = {"lr": mlx.loguniform(1e-4, 1e-1), "depth": mlx.choice([2, 4, 8]), "units": mlx.randint(8, 64)}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "train.py").write_text("print('hi')\n")
    return tmp_path


def _sweep(ws, project, **overrides):
    fields = dict(space=SPACE, primary_metric="loss", script=str(project / "train.py"), workspace=str(ws.root))
    fields.update(overrides)
    return mlx.sweep("exp", **fields)


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda: mlx.uniform(1.0, 1.0), "space", "empty"),
        (lambda: mlx.uniform(2.0, 1.0), "space", "inverted"),
        (lambda: mlx.loguniform(0.0, 1.0), "space.low", "low > 0"),
        (lambda: mlx.randint(5, 2), "space", "inverted"),
        (lambda: mlx.quniform(0, 1, 0), "space.q", "q must be greater than 0"),
        (lambda: mlx.normal(0, -1), "space.sigma", "sigma"),
        (lambda: mlx.choice([]), "space.values", "empty"),
        (lambda: mlx.choice([1, 1]), "space.values", "distinct"),
    ],
)
def test_a_bad_distribution_is_refused_naming_its_field(make, field, words):
    with pytest.raises(InvalidInput) as refused:
        make()
    assert refused.value.field == field
    assert words in refused.value.message


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"sampling": "sobol"}, "sampling", "unknown sampling 'sobol'"),
        ({"sampling": "grid"}, "space.lr", "loguniform is continuous"),
        ({"max_concurrent": 0}, "max_concurrent", "from 1"),
        ({"max_trials": 0}, "max_trials", "from 1"),
        ({"goal": "lower"}, "goal", "minimize"),
        ({"space": {}}, "space", "at least one"),
        ({"space": {"lr": {"kind": "uniform", "low": 3, "high": 1}}}, "space.lr", "inverted"),
        ({"space": {"x": mlx.normal(0, 1)}, "sampling": "bayesian"}, "space.x", "bounded"),
        ({"compute": "nowhere"}, "compute", "unknown compute target"),
        ({"script": "missing.py"}, "script", "does not exist"),
        ({"early_termination": {"policy": "hyperband"}}, "early_termination.policy", "unknown policy"),
    ],
)
def test_a_bad_sweep_is_refused_naming_the_field_and_nothing_is_created(ws, project, overrides, field, words):
    if overrides.get("script") == "missing.py":
        overrides["script"] = str(project / "missing.py")
    with pytest.raises(InvalidInput) as refused:
        _sweep(ws, project, **overrides)
    assert refused.value.field == field
    assert words in refused.value.message
    assert ws.sweeps.list_sweeps() == []
    assert ws.tracking.search_runs().runs == []


def test_policies_refuse_bad_settings():
    with pytest.raises(InvalidInput) as refused:
        mlx.Bandit(slack_factor=-1)
    assert refused.value.field == "early_termination.slack_factor"
    with pytest.raises(InvalidInput) as refused:
        mlx.TruncationSelection(truncation_percentage=100)
    assert refused.value.field == "early_termination.truncation_percentage"
    with pytest.raises(InvalidInput) as refused:
        mlx.MedianStopping(evaluation_interval=0)
    assert refused.value.field == "early_termination.evaluation_interval"


def test_grid_enumerates_every_combination_exactly_once_then_is_exhausted():
    space = make_space({"a": mlx.choice(["x", "y", "z"]), "b": mlx.randint(1, 2), "c": mlx.quniform(0, 1, 0.5)})
    combos = [sample("grid", space, n, seed=0) for n in range(18)]
    assert sample("grid", space, 18, seed=0) is None
    expected = [{"a": a, "b": b, "c": c} for a, b, c in itertools.product(["x", "y", "z"], [1, 2], [0.0, 0.5, 1.0])]
    assert combos == expected


def test_random_sampling_is_reproducible_per_trial_and_stays_in_the_space():
    space = make_space({**SPACE, "q": mlx.qloguniform(1, 1000, 5), "n": mlx.normal(0, 1)})
    first = [sample("random", space, n, seed=7) for n in range(50)]
    assert first == [sample("random", space, n, seed=7) for n in range(50)]
    assert first != [sample("random", space, n, seed=8) for n in range(50)]
    for values in first:
        assert 1e-4 <= values["lr"] <= 1e-1 and values["depth"] in (2, 4, 8) and 8 <= values["units"] <= 64
        assert 1 <= values["q"] <= 1000 and round(values["q"] / 5, 9) == round(values["q"] / 5)


def _done(number, params, value):
    return Trial("s", number, 1, None, params, TrialState.COMPLETED, value, None, 0, 0.0, 1.0)


def test_bayesian_sampling_learns_from_the_recorded_trials_and_repeats_its_decisions():
    space = make_space({"x": mlx.uniform(0.0, 1.0), "kind": mlx.choice(["a", "b"])})
    history = []
    for n in range(30):
        values = sample("bayesian", space, n, seed=3, history=history)
        again = sample("bayesian", space, n, seed=3, history=list(history))
        assert values == again
        assert 0.0 <= values["x"] <= 1.0 and values["kind"] in ("a", "b")
        history.append(_done(n, values, (values["x"] - 0.3) ** 2 + (0.5 if values["kind"] == "b" else 0.0)))
    late = history[20:]
    # TPE concentrates on the good region once it has a history: most late trials pick kind "a" near x = 0.3
    assert sum(t.params["kind"] == "a" for t in late) >= 7
    assert sum(abs(t.params["x"] - 0.3) < 0.2 for t in late) >= 6
