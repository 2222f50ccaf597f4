"""Early-termination policies: judge a running trial against the others at the same evaluation point.

A trial's curve is the series of values it logged for the primary metric; point k (1-based) is its k-th
report. A policy is applied at each point k > `delay_evaluation` that is a multiple of `evaluation_interval`,
comparing the trial's value at k with the other trials' values at their own point k (trials that have not got
that far do not count). A decision is a sentence naming the policy and the numbers it compared, recorded as the
stopped run's `mlext.termination` tag; None lets the trial go on.

    Bandit(slack_factor=0.1)           stop when worse than the best value at k by more than the slack
    MedianStopping()                   stop when the trial's best so far is worse than the median of the others'
                                       running averages at k
    TruncationSelection(truncation_percentage=20)   stop when among the worst 20 % of the trials at k
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import InvalidInput

Curve = Sequence[float]


@dataclasses.dataclass(frozen=True)
class Point:
    """What a policy sees: the trial's curve up to point k, the step it logged there, the others' curves."""

    k: int
    step: int
    curve: Curve
    others: Sequence[Curve]
    metric: str
    maximize: bool


def _at(curves: Sequence[Curve], k: int) -> list[float]:
    return [curve[k - 1] for curve in curves if len(curve) >= k]


def _fmt(value: float) -> str:
    return f"{value:.4g}"


@dataclasses.dataclass(frozen=True)
class Policy:
    evaluation_interval: int = 1
    delay_evaluation: int = 0

    name = "policy"

    def __post_init__(self) -> None:
        for field in ("evaluation_interval", "delay_evaluation"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < (1 if "interval" in field else 0):
                least = 1 if "interval" in field else 0
                raise InvalidInput(
                    f"early_termination.{field} must be an integer ≥ {least}, not {value!r}",
                    field=f"early_termination.{field}",
                )

    def due(self, k: int) -> bool:
        return k > self.delay_evaluation and k % self.evaluation_interval == 0

    def judge(self, point: Point) -> str | None:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"policy": self.name, **dataclasses.asdict(self)}


@dataclasses.dataclass(frozen=True)
class Bandit(Policy):
    """Stop a trial whose value is worse than the best value at the same point by more than the slack: a factor
    (`slack_factor=0.1`: more than 10 % worse) or an amount (`slack_amount=0.05`)."""

    slack_factor: float | None = None
    slack_amount: float | None = None

    name = "bandit"

    def __post_init__(self) -> None:
        super().__post_init__()
        if (self.slack_factor is None) == (self.slack_amount is None):
            raise InvalidInput(
                "early_termination: Bandit takes exactly one of slack_factor and slack_amount",
                field="early_termination.slack_factor",
            )
        for field in ("slack_factor", "slack_amount"):
            value = getattr(self, field)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0
            ):
                raise InvalidInput(
                    f"early_termination.{field} must be a number ≥ 0, not {value!r}", field=f"early_termination.{field}"
                )

    def judge(self, point: Point) -> str | None:
        others = _at(point.others, point.k)
        if not others:
            return None
        value = point.curve[point.k - 1]
        best = max(others) if point.maximize else min(others)
        if self.slack_factor is not None:
            factor = 1 + self.slack_factor
            limit = best / factor if point.maximize else best * factor
            shown = f"best {_fmt(best)} {'/' if point.maximize else '×'} {_fmt(factor)}"
        else:
            assert self.slack_amount is not None
            limit = best - self.slack_amount if point.maximize else best + self.slack_amount
            shown = f"best {_fmt(best)} {'-' if point.maximize else '+'} {_fmt(self.slack_amount)}"
        if (value < limit) if point.maximize else (value > limit):
            sign = "<" if point.maximize else ">"
            return f"Bandit: {point.metric} {_fmt(value)} {sign} {shown} at step {point.step}"
        return None


@dataclasses.dataclass(frozen=True)
class MedianStopping(Policy):
    """Stop a trial whose best value so far is worse than the median of the other trials' running averages at
    the same point."""

    delay_evaluation: int = 5

    name = "median_stopping"

    def judge(self, point: Point) -> str | None:
        averages = [sum(curve[: point.k]) / point.k for curve in point.others if len(curve) >= point.k]
        if not averages:
            return None
        median = statistics.median(averages)
        so_far = point.curve[: point.k]
        best = max(so_far) if point.maximize else min(so_far)
        if (best < median) if point.maximize else (best > median):
            sign = "<" if point.maximize else ">"
            return (
                f"MedianStopping: {point.metric} best {_fmt(best)} {sign} median {_fmt(median)} of the running "
                f"averages of {len(averages)} other trials at step {point.step}"
            )
        return None


@dataclasses.dataclass(frozen=True)
class TruncationSelection(Policy):
    """Stop a trial that is among the worst `truncation_percentage` % of all trials at the same point."""

    truncation_percentage: int = 10

    name = "truncation_selection"

    def __post_init__(self) -> None:
        super().__post_init__()
        value = self.truncation_percentage
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
            raise InvalidInput(
                f"early_termination.truncation_percentage must be an integer from 1 to 99, not {value!r}",
                field="early_termination.truncation_percentage",
            )

    def judge(self, point: Point) -> str | None:
        value = point.curve[point.k - 1]
        values = [*_at(point.others, point.k), value]
        cut = math.floor(len(values) * self.truncation_percentage / 100)
        if cut < 1:
            return None
        worst_first = sorted(values) if point.maximize else sorted(values, reverse=True)
        cutoff = worst_first[cut - 1]
        if (value <= cutoff) if point.maximize else (value >= cutoff):
            rank = worst_first.index(value) + 1
            return (
                f"TruncationSelection: {point.metric} {_fmt(value)} is among the worst "
                f"{self.truncation_percentage}% (rank {rank} of {len(values)} from the worst, cut-off "
                f"{_fmt(cutoff)}) at step {point.step}"
            )
        return None


POLICIES: dict[str, type[Policy]] = {
    "bandit": Bandit,
    "median_stopping": MedianStopping,
    "truncation_selection": TruncationSelection,
}


def make_policy(spec: Any) -> Policy | None:
    """A checked policy from a Policy, its dict form (`to_dict()`, a sweep.yaml entry) or None."""
    if spec is None or isinstance(spec, Policy):
        return spec
    if not isinstance(spec, Mapping):
        raise InvalidInput(
            f"early_termination must be mlx.Bandit(...), mlx.MedianStopping(...) or mlx.TruncationSelection(...), "
            f"not {spec!r}",
            field="early_termination",
        )
    name = spec.get("policy")
    if name not in POLICIES:
        raise InvalidInput(
            f"early_termination: unknown policy {name!r}; one of {', '.join(POLICIES)}",
            field="early_termination.policy",
        )
    cls = POLICIES[name]
    fields = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(spec) - fields - {"policy"})
    if unknown:
        raise InvalidInput(
            f"early_termination: {name} has no setting {unknown[0]!r}", field=f"early_termination.{unknown[0]}"
        )
    return cls(**{k: v for k, v in spec.items() if k != "policy"})


def judge(policy: Policy, point: Point) -> str | None:
    """The policy's decision at `point`, or None when `point.k` is not an evaluation point."""
    return policy.judge(point) if policy.due(point.k) else None
