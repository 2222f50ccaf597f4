"""Choosing the values of trial `number`: grid, random or Bayesian (optuna's TPE).

Every choice is a pure function of the sweep's definition (space, seed), the trial's number and, for Bayesian,
the trials already recorded in the store, so a driver that replaces a dead one makes the same decisions.
- grid: trial n takes the n-th combination (names in sorted order, the last name varying fastest); every
  combination exactly once;
- random: trial n draws from a generator seeded with (seed, n);
- bayesian: an in-memory optuna study is rebuilt from the recorded trials (finished ones with their value,
  stopped ones as pruned, failed ones as failed) and asked for one trial by a TPE sampler seeded with
  seed + n. optuna keeps nothing: the store is the only history.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import InvalidInput, Trial, TrialState
from .space import Distribution, Value

SAMPLINGS = ("grid", "random", "bayesian")


def check_sampling(sampling: Any, space: Mapping[str, Distribution]) -> str:
    if sampling not in SAMPLINGS:
        raise InvalidInput(f"unknown sampling {sampling!r}; one of {', '.join(SAMPLINGS)}", field="sampling")
    for name, dist in space.items():
        if sampling == "grid":
            dist.grid(f"space.{name}")
        if sampling == "bayesian" and dist.kind == "normal":
            raise InvalidInput(
                f"space.{name}: bayesian sampling needs a bounded range; normal has none (use uniform)",
                field=f"space.{name}",
            )
    return str(sampling)


def grid_size(space: Mapping[str, Distribution]) -> int:
    return math.prod(len(dist.grid(f"space.{name}")) for name, dist in space.items())


def sample(
    sampling: str,
    space: Mapping[str, Distribution],
    number: int,
    seed: int,
    history: Sequence[Trial] = (),
    maximize: bool = False,
) -> dict[str, Value] | None:
    """The values of trial `number`, or None when a grid is exhausted."""
    if sampling == "grid":
        return _grid(space, number)
    if sampling == "random":
        rng = random.Random(f"{seed}:{number}")
        return {name: dist.sample(rng) for name, dist in space.items()}
    return _tpe(space, number, seed, history, maximize)


def _grid(space: Mapping[str, Distribution], number: int) -> dict[str, Value] | None:
    axes = [(name, dist.grid(f"space.{name}")) for name, dist in space.items()]
    if number >= math.prod(len(values) for _, values in axes):
        return None
    chosen: dict[str, Value] = {}
    rest = number
    for name, values in reversed(axes):
        rest, index = divmod(rest, len(values))
        chosen[name] = values[index]
    return {name: chosen[name] for name, _ in axes}


def _optuna_distribution(dist: Distribution) -> Any:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if dist.kind == "choice":
        return CategoricalDistribution(list(dist.values))
    if dist.kind == "randint":
        assert dist.low is not None and dist.high is not None
        return IntDistribution(int(dist.low), int(dist.high))
    assert dist.low is not None and dist.high is not None
    return FloatDistribution(dist.low, dist.high, log=dist.kind in ("loguniform", "qloguniform"))


def _tpe(
    space: Mapping[str, Distribution], number: int, seed: int, history: Sequence[Trial], maximize: bool
) -> dict[str, Value]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions = {name: _optuna_distribution(dist) for name, dist in space.items()}
    study = optuna.create_study(
        storage=None,
        direction="maximize" if maximize else "minimize",
        sampler=optuna.samplers.TPESampler(seed=seed + number),
    )
    states = {
        TrialState.COMPLETED: optuna.trial.TrialState.COMPLETE,
        TrialState.STOPPED: optuna.trial.TrialState.PRUNED,
        TrialState.FAILED: optuna.trial.TrialState.FAIL,
    }
    for trial in sorted(history, key=lambda t: t.number):
        state = states.get(trial.state)
        if state is None or (state is optuna.trial.TrialState.COMPLETE and trial.value is None):
            continue
        params = {name: _inside(space[name], trial.params[name]) for name in space if name in trial.params}
        if len(params) != len(space):
            continue
        study.add_trial(
            optuna.trial.create_trial(
                params=params,
                distributions=distributions,
                value=trial.value if state is optuna.trial.TrialState.COMPLETE else None,
                state=state,
            )
        )
    asked = study.ask(distributions)
    return {name: space[name].quantize(asked.params[name]) if space[name].q else asked.params[name] for name in space}


def _inside(dist: Distribution, value: Any) -> Any:
    """A recorded value as optuna's distribution accepts it (a float within its bounds)."""
    if dist.low is not None and dist.high is not None and dist.kind != "randint":
        return min(max(float(value), dist.low), dist.high)
    return value
